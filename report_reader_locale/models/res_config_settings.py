from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    reader_calendar = fields.Selection(related="company_id.reader_calendar", readonly=False)
    reader_rial_unit = fields.Selection(related="company_id.reader_rial_unit", readonly=False)
