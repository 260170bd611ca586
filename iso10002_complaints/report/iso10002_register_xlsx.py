import base64
import io
import tempfile
from datetime import datetime, time

import pytz
import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, split_every

from odoo.addons.report_reader_locale.tools import RIAL, Reader

from ..models.iso10002_figure import CATALOGUE

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the register's cells, by the format key of its columns (_columns) and of its KPI sheet
CELL_FORMATS = {
    "header": {
        "bold": True,
        "bg_color": "#1B5E6E",
        "font_color": "white",
        "text_wrap": True,
        "valign": "top",
        "border": 1,
    },
    "text": {"valign": "top"},
    "datetime": {"num_format": "yyyy-mm-dd hh:mm", "valign": "top"},
    "date": {"num_format": "yyyy-mm-dd"},
    "duration": {"num_format": "[h]:mm", "valign": "top"},
    "money": {"num_format": "#,##0.00", "valign": "top"},
    "money_whole": {"num_format": "#,##0", "valign": "top"},
    "integer": {"num_format": "0", "valign": "top"},
    "number": {"num_format": "0.0", "valign": "top"},
    "title": {"bold": True, "font_size": 14},
    "pct": {"num_format": "0.0\\%"},
}


# the complaint fields the register's columns read (_columns), fetched a thousand rows at
# a time; a column reading another field still works, at the cost of a fetch of all fields
REGISTER_FIELDS = (
    "name", "received_date", "channel_id", "partner_id", "email_from", "subject", "category_id", "product_ids",
    "severity", "priority", "team_id", "user_id", "stage_id", "step", "is_confidential", "acknowledged_date",
    "ack_deadline", "ack_hours", "ack_in_time", "assessment_date", "investigator_id", "root_cause_id", "remedy",
    "compensation_amount", "currency_id", "company_id", "decision_date", "communication_date",
    "resolution_deadline", "resolution_hours", "resolved_in_time", "sla_state", "escalation_level",
    "complainant_response", "recourse_kind", "review_level", "review_outcome", "dispute_provider_id",
    "referral_result", "closed_date", "closure_reason", "rating_last_value", "reopen_count", "sla_policy_id",
)  # fmt: skip


def register_workbook(output):
    """An xlsxwriter workbook writing into ``output`` as the register is written: row by
    row in constant memory, and the complainants' text as data, never a formula, a link
    or a number to convert. (benchmarks/review.py writes its floor with it too.)"""
    return xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "tmpdir": tempfile.gettempdir(),
            "remove_timezone": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )


def register_formats(book):
    """{format key: the workbook's cell format} of CELL_FORMATS."""
    return {key: book.add_format(dict(props)) for key, props in CELL_FORMATS.items()}


class ReportIso10002RegisterXlsx(models.AbstractModel):
    """The complaints register (ISO 10002 8.1) as an XLSX workbook.

    The complaints are read with the caller's rights: a complaint the user may not see
    is not in the recordset to begin with. Rows are written in order with xlsxwriter's
    ``constant_memory`` mode, so a register of any size is written in constant memory.
    """

    _name = "report.iso10002_complaints.register_xlsx"
    _description = "Complaints Register (XLSX)"

    @api.model
    def _columns(self):
        """(header, width, format key, value getter) of each register column, in order."""
        Complaint = self.env["iso10002.complaint"]

        def selection(fname):
            labels = dict(Complaint._fields[fname]._description_selection(self.env))
            return lambda c: labels.get(c[fname]) or ""

        def hours(fname):
            # durations as days, shown [h]:mm by the cell format
            return lambda c: (c[fname] / 24.0) if c[fname] else None

        yes, no = self.env._("Yes"), self.env._("No")

        def amount(complaint):
            value, unit, _places = Reader(self.env, company=complaint.company_id).amount_parts(
                complaint.compensation_amount, complaint.currency_id
            )
            return value, unit if complaint.currency_id.name == RIAL else complaint.currency_id.name

        def complainant(complaint):
            # a named complainant's display name is its stored complete name (read with the
            # rows, not computed again for every thousand of them); a nameless address's is
            # computed, its type's label in the reader's language
            partner = complaint.partner_id
            return (partner.complete_name if partner.name else partner.display_name) or ""

        def yes_no(fname, when):
            # in time or not, once the step is done and a policy set its target
            return lambda c: (yes if c[fname] else no) if c[when] and c.sla_policy_id else ""

        columns = [
            (self.env._("Reference"), 16, "text", lambda c: c.name),
            (self.env._("Received"), 18, "datetime", lambda c: c.received_date),
            (self.env._("Channel"), 12, "text", lambda c: c.channel_id.name or ""),
            (self.env._("Complainant"), 24, "text", complainant),
            (self.env._("E-mail"), 24, "text", lambda c: c.email_from or ""),
            (self.env._("Subject"), 36, "text", lambda c: c.subject),
            (self.env._("Category"), 24, "text", lambda c: c.category_id.complete_name or ""),
            (self.env._("Products / Services"), 24, "text", lambda c: ", ".join(c.product_ids.mapped("display_name"))),
            (self.env._("Severity"), 10, "text", selection("severity")),
            (self.env._("Priority"), 10, "text", selection("priority")),
            (self.env._("Team"), 18, "text", lambda c: c.team_id.name or ""),
            (self.env._("Owner"), 18, "text", lambda c: c.user_id.name or ""),
            (self.env._("Stage"), 18, "text", lambda c: c.stage_id.name or ""),
            (self.env._("ISO 10002 Step"), 18, "text", selection("step")),
            (self.env._("Confidential"), 8, "text", lambda c: yes if c.is_confidential else ""),
            (self.env._("Acknowledged"), 18, "datetime", lambda c: c.acknowledged_date),
            (self.env._("Acknowledge By"), 18, "datetime", lambda c: c.ack_deadline),
            (self.env._("Time to Acknowledge"), 12, "duration", hours("ack_hours")),
            (self.env._("Acknowledged in Time"), 10, "text", yes_no("ack_in_time", "acknowledged_date")),
            (self.env._("Assessed"), 18, "datetime", lambda c: c.assessment_date),
            (self.env._("Investigator"), 18, "text", lambda c: c.investigator_id.name or ""),
            (self.env._("Root Cause"), 20, "text", lambda c: c.root_cause_id.name or ""),
            (self.env._("Remedy"), 14, "text", selection("remedy")),
            # the Iranian rial without decimals, in rial or toman as the company counts
            (self.env._("Amount"), 12, "money", lambda c: amount(c)[0] if c.compensation_amount else None),
            (self.env._("Currency"), 8, "text", lambda c: amount(c)[1] if c.compensation_amount else ""),
            (self.env._("Decided"), 18, "datetime", lambda c: c.decision_date),
            (self.env._("Decision Sent"), 18, "datetime", lambda c: c.communication_date),
            (self.env._("Decision Due"), 18, "datetime", lambda c: c.resolution_deadline),
            (self.env._("Time to Resolve"), 12, "duration", hours("resolution_hours")),
            (self.env._("Resolved in Time"), 10, "text", yes_no("resolved_in_time", "communication_date")),
            (self.env._("SLA"), 10, "text", selection("sla_state")),
            (self.env._("Escalation Level"), 8, "integer", lambda c: c.escalation_level or None),
            (self.env._("Complainant's Answer"), 14, "text", selection("complainant_response")),
            (self.env._("Recourse"), 16, "text", selection("recourse_kind")),
            (
                self.env._("Review Level"),
                8,
                "integer",
                lambda c: c.review_level if c.recourse_kind == "review" else None,
            ),
            (self.env._("Review Outcome"), 14, "text", selection("review_outcome")),
            (self.env._("Dispute-resolution Provider"), 20, "text", lambda c: c.dispute_provider_id.name or ""),
            (self.env._("Referral Outcome"), 16, "text", selection("referral_result")),
            (self.env._("Closed"), 18, "datetime", lambda c: c.closed_date),
            (self.env._("Closure Reason"), 24, "text", selection("closure_reason")),
            (self.env._("Satisfaction"), 10, "number", lambda c: c.rating_last_value or None),
            (self.env._("Reopened"), 8, "integer", lambda c: c.reopen_count or None),
        ]
        reader = Reader(self.env)
        if not reader.solar_hijri:
            return columns
        # the reader's calendar: Solar Hijri stamps (they sort as text), and the date of
        # receipt in the Gregorian calendar too, as a date a spreadsheet computes with
        solar = [
            (header, width, "text", lambda c, getter=getter: reader.stamp(getter(c)))
            if fmt == "datetime"
            else (header, width, fmt, getter)
            for header, width, fmt, getter in columns
        ]
        solar.insert(2, (self.env._("Received (Gregorian)"), 18, "datetime", lambda c: c.received_date))
        return solar

    @api.model
    def _generate(self, complaints, period=None):
        """The register of ``complaints`` as XLSX bytes; ``period`` (a review period
        record) adds its dates to the KPI sheet."""
        complaints = complaints.with_env(self.env)  # read with the rights of whoever asks, always
        self._check_register_access(complaints)
        output = io.BytesIO()
        book = register_workbook(output)
        rtl = (self.env.lang or "").startswith(("fa", "ar", "he"))
        formats = register_formats(book)
        sheet = book.add_worksheet(self.env._("Register")[:31])
        if rtl:
            sheet.right_to_left()
        columns = self._columns()
        for col, (header, width, _fmt, _getter) in enumerate(columns):
            sheet.write(0, col, header, formats["header"])
            sheet.set_column(col, col, width)
        sheet.set_row(0, 32)
        sheet.freeze_panes(1, 1)
        complaints = complaints.with_context(active_test=False)
        # in received order, read a thousand at a time and forgotten after: the register of
        # any number of complaints is written in about the same memory
        ordered = complaints.search([("id", "in", complaints.ids)], order="received_date, id").ids
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        # only the columns the register shows are read (not every field of a complaint,
        # its descriptions and findings among them), and of the complainants their names
        Complaint, Partner = self.env["iso10002.complaint"], self.env["res.partner"]
        read = [fname for fname in REGISTER_FIELDS if Complaint._fields[fname].is_accessible(self.env)]
        partner_read = [fname for fname in ("name", "complete_name") if Partner._fields[fname].is_accessible(self.env)]
        row = 0
        for chunk in split_every(1000, ordered):
            records = complaints.browse(chunk)
            records.fetch(read)
            records.partner_id.fetch(partner_read)
            for complaint in records:
                row += 1
                for col, (_header, _width, fmt, getter) in enumerate(columns):
                    value = getter(complaint)
                    if value is None or value == "" or value is False:
                        continue
                    if fmt == "money" and complaint.currency_id.name == RIAL:
                        sheet.write(row, col, value, formats["money_whole"])
                    elif fmt == "datetime":
                        local = pytz.utc.localize(value).astimezone(tz).replace(tzinfo=None)
                        sheet.write_datetime(row, col, local, formats[fmt])
                    else:
                        sheet.write(row, col, value, formats[fmt])
            self.env.invalidate_all()
        sheet.autofilter(0, 0, max(len(complaints), 1), len(columns) - 1)
        self._kpi_sheet(book, formats, complaints, period, rtl)
        book.close()
        return output.getvalue()

    @api.model
    def _check_register_access(self, complaints):
        """The register is for the complaints roles, of complaints they may read."""
        user = self.env.user
        if not self.env.su and not (
            user.has_group("iso10002_complaints.group_complaint_officer")
            or user.has_group("iso10002_complaints.group_complaint_auditor")
        ):
            raise AccessError(self.env._("The complaints register is for complaints officers and auditors."))
        complaints.check_access("read")

    @api.model
    def _kpi_sheet(self, book, formats, complaints, period, rtl):
        """The figures of the catalogue (iso10002.figure), each with its definition: those
        of the review period the register was asked for, or else of the complaints in it,
        from the first one's recording to today."""
        sheet = book.add_worksheet(self.env._("KPIs")[:31])
        if rtl:
            sheet.right_to_left()
        sheet.set_column(0, 0, 42)
        sheet.set_column(1, 2, 16)
        sheet.set_column(3, 3, 90)
        sheet.write(0, 0, self.env._("Complaints register: key figures"), formats["title"])
        rows, period_rows = self._kpi_rows(complaints, period)
        sheet.write(1, 0, self.env._("Complaints in this register"))
        sheet.write(1, 1, len(complaints), formats["integer"])
        for index, (label, day) in enumerate(period_rows, start=2):
            sheet.write(index, 0, label)
            if isinstance(day, str):
                sheet.write(index, 1, day)
            else:
                sheet.write_datetime(index, 1, day, formats["date"])
        top = 3 + len(period_rows)
        for col, header in enumerate(
            (self.env._("Figure"), self.env._("Value"), self.env._("Of"), self.env._("How it is counted"))
        ):
            sheet.write(top, col, header, formats["header"])
        unit_format = {"count": "integer", "percent": "pct", "hours": "number"}
        for index, figure in enumerate(rows, start=top + 1):
            sheet.write(index, 0, figure["name"])
            if figure["value"] is not None:
                sheet.write(index, 1, figure["value"], formats[unit_format[figure["unit"]]])
            if figure["ratio"]:
                sheet.write(index, 2, figure["ratio"])
            sheet.write(index, 3, figure["definition"])

    @api.model
    def _kpi_rows(self, complaints, period):
        """The KPI sheet's figures (catalogue order) and its period rows."""
        Figure = self.env["iso10002.figure"]
        reader = Reader(self.env)
        if period:
            measures = period._figures(list(CATALOGUE))
            date_from, date_to = period.date_from, period.date_to
        else:
            first = (
                self.env["iso10002.complaint.step.history"]
                .sudo()
                ._read_group([("complaint_id", "in", complaints.ids), ("first", "=", True)], [], ["date:min"])[0][0]
            )
            date_from = first.date() if first else fields.Date.context_today(self)
            date_to = fields.Date.context_today(self)
            codes = [code for code in CATALOGUE if not code.startswith("actions_")]
            # the complaints' companies in one query (complaints.company_id would read every
            # field of every complaint into memory: a million rows, at a million)
            complaints.flush_model(["company_id"])
            companies = self.env["res.company"].browse(
                company_id
                for (company_id,) in self.env.execute_query(
                    SQL("SELECT DISTINCT company_id FROM iso10002_complaint WHERE id = ANY(%s)", complaints.ids)
                )
            )
            measures = Figure._measures(
                codes, date_from, date_to, domain=[("id", "in", complaints.ids)], companies=companies
            )
        rows = [
            {**figure, **measures[figure["code"]], "ratio": Figure._ratio(measures[figure["code"]])}
            for figure in Figure._catalogue()
            if figure["code"] in measures
        ]
        period_rows = [
            (label, reader.date(day) if reader.solar_hijri else datetime.combine(day, time.min))
            for label, day in ((self.env._("From"), date_from), (self.env._("To"), date_to))
        ]
        return rows, period_rows

    @api.model
    def _action_download(self, complaints, period=None):
        """An action that downloads the register of ``complaints``: the workbook is kept
        only until its creator's browser fetches it (no attachment stays behind)."""
        download = self.env["iso10002.register.download"].create(
            {
                "name": self.env._("complaints-register-%s.xlsx", fields.Date.context_today(self)),
                "data": base64.b64encode(self._generate(complaints, period)),
            }
        )
        return {"type": "ir.actions.act_url", "url": f"/iso10002_complaints/register/{download.id}", "target": "self"}


class Iso10002RegisterDownload(models.TransientModel):
    """A register written for one user, served once by the download route and gone.

    Like core's exports (``web/controllers/export.py``), the file goes to the browser and
    is not kept as an ``ir.attachment``; it is written when the button is pressed (with
    the language, time zone and rights of that moment) and fetched by the URL it returns.
    """

    _name = "iso10002.register.download"
    _description = "Complaints Register Download"

    name = fields.Char(required=True)
    # in the row itself, not in an attachment (a transient's binaries are attachments)
    data = fields.Binary(attachment=False, required=True)

    def _serve(self):
        """(file name, XLSX bytes) of the register, which is then forgotten."""
        self.ensure_one()
        name, content = self.name, base64.b64decode(self.data)
        self.unlink()
        return name, content
