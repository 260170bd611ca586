from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    reader_calendar = fields.Selection(
        [
            ("language", "Solar Hijri for Persian readers"),
            ("solar_hijri", "Solar Hijri for every reader"),
            ("gregorian", "Gregorian for every reader"),
        ],
        string="Calendar of Documents",
        default="language",
        required=True,
        help="The calendar of the dates on the documents rendered for their reader (the reports and e-mails that "
        "opt in). Documents in the Solar Hijri calendar may also give the Gregorian date.",
    )
    reader_rial_unit = fields.Selection(
        [("rial", "Rial"), ("toman", "Toman (10 rials)")],
        string="Iranian Rial Shown In",
        default="rial",
        required=True,
        help="How amounts in Iranian rial are shown on the documents rendered for their reader: in rial, or in toman.",
    )
