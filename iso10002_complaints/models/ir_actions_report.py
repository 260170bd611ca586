from odoo import models

from .reader_locale import READER_KEY

LETTERS = ("iso10002_complaints.report_complaint_acknowledgement", "iso10002_complaints.report_complaint_decision")


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _iso10002_for_reader(self, report_ref, docids):
        """This module's documents are rendered for their reader: dates, numbers and
        amounts as the reader reads them (``reader_locale``), with the options of the
        documents' company. Letters are laid out in their reader's language (direction,
        right-to-left stylesheets): when every letter printed goes to readers of one
        language, the whole document is rendered in it."""
        report = self._get_report(report_ref)
        if not (report.report_name or "").startswith("iso10002_"):
            return self
        records = self.env[report.model].browse(docids or [])
        company = records.company_id if docids and "company_id" in records._fields else self.env.company
        context = {READER_KEY: company.id if len(company) == 1 else True}
        if report.report_name in LETTERS and docids:
            langs = set(records.mapped(lambda c: c.partner_id.lang or False))
            if len(langs) == 1 and (lang := langs.pop()):
                context["lang"] = lang
        return self.with_context(**context)

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        return super(IrActionsReport, self._iso10002_for_reader(report_ref, res_ids))._render_qweb_pdf(
            report_ref, res_ids=res_ids, data=data
        )

    def _render_qweb_html(self, report_ref, docids, data=None):
        return super(IrActionsReport, self._iso10002_for_reader(report_ref, docids))._render_qweb_html(
            report_ref, docids, data=data
        )
