from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .iso10002_complaint_sla import SLA_STATES


class Iso10002SlaEvent(models.Model):
    """The SLA history of a complaint: every policy, state, escalation, pause. Never deleted."""

    _name = "iso10002.sla.event"
    _description = "Complaint SLA Event"
    _order = "date desc, id desc"

    complaint_id = fields.Many2one("iso10002.complaint", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="complaint_id.company_id", store=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="By", default=lambda self: self.env.user)
    kind = fields.Selection(
        [
            ("policy", "Policy applied"),
            ("state", "State changed"),
            ("escalation", "Escalated"),
            ("pause", "Clock paused"),
            ("resume", "Clock resumed"),
        ],
        required=True,
    )
    policy_id = fields.Many2one("iso10002.sla.policy")
    old_state = fields.Selection(SLA_STATES, string="From")
    new_state = fields.Selection(SLA_STATES, string="To")
    escalation_level = fields.Integer(aggregator="max")
    deadline = fields.Datetime()
    note = fields.Char()

    def write(self, vals):
        if vals:
            raise UserError(_("The SLA history cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(_("The SLA history cannot be deleted."))
