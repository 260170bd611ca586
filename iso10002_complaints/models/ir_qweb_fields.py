from odoo import models


class IrQwebFieldPercent(models.AbstractModel):
    """``t-options="{'widget': 'iso10002_percent'}"``: the percentages of this module's
    reports, as ``report_reader_locale``'s ``reader_percent`` shows them (``12.5 %``;
    ``۱۲٫۵٪`` for a Persian reader; a dash when there is none)."""

    _name = "ir.qweb.field.iso10002_percent"
    _inherit = "ir.qweb.field.reader_percent"
    _description = "Qweb Field Percentage of the Complaints Reports"
