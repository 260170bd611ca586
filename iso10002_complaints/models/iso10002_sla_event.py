from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.trust import client_safe
from .iso10002_complaint_sla import SLA_STATES


class Iso10002SlaEvent(models.Model):
    """The SLA history of a complaint: every policy, state, escalation, pause, and its
    deletion while still in the Received step (by whom, when). Never deleted: with the
    reference it keeps, it tells a deleted complaint from a gap in the numbering."""

    _name = "iso10002.sla.event"
    _description = "Complaint SLA Event"
    _order = "date desc, id desc"
    _rec_name = "complaint_name"

    # the history outlives a complaint deleted in its first step (ISO 10002 8.1)
    complaint_id = fields.Many2one("iso10002.complaint", index=True, ondelete="set null")
    complaint_name = fields.Char(string="Complaint Reference", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="By", default=lambda self: self.env.user)
    kind = fields.Selection(
        [
            ("policy", "Policy applied"),
            ("state", "State changed"),
            ("escalation", "Escalated"),
            ("pause", "Clock paused"),
            ("resume", "Clock resumed"),
            ("deleted", "Deleted"),
        ],
        required=True,
    )
    policy_id = fields.Many2one("iso10002.sla.policy")
    old_state = fields.Selection(SLA_STATES, string="From")
    new_state = fields.Selection(SLA_STATES, string="To")
    escalation_level = fields.Integer(aggregator="max")
    deadline = fields.Datetime()
    recipient_ids = fields.Many2many(
        "res.users",
        "iso10002_sla_event_recipient_rel",
        "event_id",
        "user_id",
        string="Reached",
        readonly=True,
        help="Whom the escalation told (ISO 10002 Annex H): each level reaches somebody no lower level reached.",
    )
    note = fields.Char()

    @api.model_create_multi
    def create(self, vals_list):
        self.browse().check_access("create")  # only the engine (as superuser) writes history
        if any(not vals.get("complaint_id") for vals in vals_list):
            raise UserError(self.env._("An SLA event belongs to a complaint."))
        complaints = self.env["iso10002.complaint"].browse([vals["complaint_id"] for vals in vals_list])
        by_id = {complaint.id: complaint for complaint in complaints.sudo()}
        for vals in vals_list:
            complaint = by_id[vals["complaint_id"]]
            vals.setdefault("company_id", complaint.company_id.id)
            vals.setdefault("complaint_name", complaint.name)
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(self.env._("The SLA history cannot be changed."))
        return super().write(vals)

    def unlink(self):
        # no client switch (the uninstall flag) skips the guard below
        return super(Iso10002SlaEvent, client_safe(self)).unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The SLA history cannot be deleted."))
