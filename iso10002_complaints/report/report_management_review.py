from odoo import api, fields, models
from odoo.exceptions import UserError

CHART_WIDTH, CHART_BAR_HEIGHT, CHART_LABEL = 560, 18, 200


class ReportManagementReview(models.AbstractModel):
    """The management review (ISO 10002 8.6) of saved reviews, or of a period chosen in
    the wizard: then ``data`` carries the period, and nothing is saved."""

    _name = "report.iso10002_complaints.report_management_review"
    _inherit = "iso10002.report.mixin"
    _description = "Complaints Management Review"

    @api.model
    def _report_model(self):
        return "iso10002.management.review"

    @api.model
    def _report_values(self, docs, data):
        if data.get("period"):
            periods = [(self._period_from_data(data["period"]), False)]
        else:
            periods = [(review, review) for review in docs]
        entries = []
        for period, review in periods:
            values = period._review_values()
            entries.append({"o": period, "review": review, "v": values, "charts": self._charts(values)})
        return {"entries": entries}

    @api.model
    def _period_from_data(self, period):
        """A period record (not saved) from the wizard's values, refused unless it is a
        valid period of the reader's own companies and readable teams."""
        Period = self.env["iso10002.management.review.wizard"]

        def ids(key):
            values = period.get(key) or []
            if not isinstance(values, list) or not all(type(value) is int for value in values):
                raise UserError(self.env._("The period to review is not valid."))
            return values

        try:
            date_from, date_to = fields.Date.to_date(period["date_from"]), fields.Date.to_date(period["date_to"])
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
            raise UserError(self.env._("The period to review is not valid.")) from error
        if error := Period._period_error(date_from, date_to):
            raise UserError(error)
        company_ids, team_ids = ids("company_ids"), ids("team_ids")
        companies = self.env["res.company"].browse(set(company_ids) & set(self.env.user.company_ids.ids))
        teams = self.env["iso10002.complaint.team"].browse(team_ids).exists()._filtered_access("read")
        teams = teams.filtered(lambda team: team.company_id in (companies or self.env.companies))
        if len(companies) < len(set(company_ids)) or len(teams) < len(set(team_ids)):
            raise UserError(self.env._("You can only review your own companies and the teams you can see."))
        return Period.new(
            {
                "name": str(period.get("name") or ""),
                "date_from": date_from,
                "date_to": date_to,
                "company_ids": [(6, 0, (companies or self.env.companies).ids)],
                "team_ids": [(6, 0, teams.ids)],
            }
        )

    @api.model
    def _charts(self, values):
        return {
            "trend": self._svg_lines(values["trend"]),
            "by_category": self._svg_bars(values["by_category"]),
            "by_channel": self._svg_bars(values["by_channel"]),
            "by_team": self._svg_bars(values["by_team"]),
        }

    @api.model
    def _svg_bars(self, items):
        """Horizontal bars as SVG geometry, so that the charts print with wkhtmltopdf."""
        top = max((item["value"] for item in items), default=0) or 1
        bars = []
        for index, item in enumerate(items):
            width = max(round((CHART_WIDTH - CHART_LABEL - 40) * item["value"] / top, 1), 1)
            bars.append(
                {
                    # what fits the chart's label column
                    "label": item["label"] if len(item["label"]) <= 24 else item["label"][:23] + "…",
                    "value": item["value"],
                    "y": index * (CHART_BAR_HEIGHT + 6),
                    "width": width,
                    "text_x": CHART_LABEL + width + 4,
                }
            )
        return {
            "bars": bars,
            "height": max(len(items), 1) * (CHART_BAR_HEIGHT + 6),
            "width": CHART_WIDTH,
            "label_width": CHART_LABEL,
            "bar_height": CHART_BAR_HEIGHT,
        }

    @api.model
    def _svg_lines(self, months, height=160):
        """Two polylines (this period, previous period) over the months."""
        top = max([m["value"] for m in months] + [m["previous"] for m in months] + [1])
        step = (CHART_WIDTH - 60) / max(len(months) - 1, 1)

        def points(key):
            return " ".join(
                f"{40 + i * step:.1f},{height - 20 - (height - 40) * m[key] / top:.1f}" for i, m in enumerate(months)
            )

        return {
            "current": points("value"),
            "previous": points("previous"),
            "labels": [
                {"x": round(40 + i * step, 1), "label": m["label"], "value": m["value"]} for i, m in enumerate(months)
            ],
            "top": top,
            "bottom": 0,
            "height": height,
            "width": CHART_WIDTH,
            "axis_y": height - 20,
        }


class ReportProcessAudit(models.AbstractModel):
    """The process audit (ISO 10002 8.5): compliance per check, and the exceptions."""

    _name = "report.iso10002_complaints.report_process_audit"
    _inherit = "iso10002.report.mixin"
    _description = "Complaints Process Audit"

    @api.model
    def _report_model(self):
        return "iso10002.process.audit.wizard"

    @api.model
    def _report_values(self, docs, data):
        return {"audits": {audit.id: audit._audit_values() for audit in docs}}
