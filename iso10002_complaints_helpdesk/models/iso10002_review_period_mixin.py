from odoo import models


class Iso10002ReviewPeriodMixin(models.AbstractModel):
    _inherit = "iso10002.review.period.mixin"

    def _review_values(self):
        values = super()._review_values()
        if "helpdesk" not in values:
            values["helpdesk"] = self._helpdesk_share()
        return values

    def _helpdesk_share(self):
        """Per helpdesk team: tickets received in the period, and how many were complaints."""
        start, end = self._period_bounds()
        Ticket = self.env["helpdesk.ticket"].with_context(active_test=False)
        domain = [
            ("create_date", ">=", start),
            ("create_date", "<=", end),
            ("company_id", "in", self._review_company_ids().ids),
        ]
        totals = Ticket._read_group(domain, ["team_id"], ["__count"])
        complaints = dict(Ticket._read_group([*domain, ("is_complaint", "=", True)], ["team_id"], ["__count"]))
        rows = []
        for team, count in totals:
            share = complaints.get(team, 0)
            rows.append(
                {
                    "label": team.display_name or self.env._("No team"),
                    "tickets": count,
                    "complaints": share,
                    "pct": round(100.0 * share / count, 1) if count else None,
                }
            )
        Complaint = self.env["iso10002.complaint"].with_context(active_test=False)
        from_tickets = Complaint.search_count([*self._received_domain(), ("ticket_number", "!=", False)])
        return {"teams": rows, "from_tickets": from_tickets}
