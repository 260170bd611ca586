from odoo import api, models


class ReportIso10002RegisterXlsx(models.AbstractModel):
    _inherit = "report.iso10002_complaints.register_xlsx"

    @api.model
    def _columns(self):
        columns = super()._columns()
        columns.insert(3, (self.env._("Helpdesk Ticket"), 14, "text", lambda c: c.ticket_number or ""))
        return columns
