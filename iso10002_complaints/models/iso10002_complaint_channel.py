from odoo import api, fields, models


class Iso10002ComplaintChannel(models.Model):
    """How a complaint reached the organization (ISO 10002 7.2)."""

    _name = "iso10002.complaint.channel"
    _description = "Complaint Channel"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Technical key used by integrations (e-mail intake, portal, helpdesk).",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company")

    _sql_constraints = [
        # NULLS NOT DISTINCT: the shipped channels have no company, and must stay unique too
        (
            "code_company_uniq",
            "unique nulls not distinct (code, company_id)",
            "A channel code must be unique per company.",
        ),
    ]

    @api.model
    def _channel_for(self, code, company):
        """The channel of ``code`` for ``company``: its own, else the shared one."""
        return self.search(
            [("code", "=", code), ("company_id", "in", (company.id, False))], order="company_id", limit=1
        ) or self.env.ref(f"iso10002_complaints.channel_{code}", raise_if_not_found=False)
