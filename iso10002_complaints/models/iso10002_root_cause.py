from odoo import fields, models


class Iso10002RootCause(models.Model):
    """Why the complaint happened, as found by the investigation (ISO 10002 7.6)."""

    _name = "iso10002.root.cause"
    _description = "Complaint Root Cause"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company")
