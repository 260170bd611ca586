from odoo import _, api, fields, models
from odoo.exceptions import UserError


class Iso10002CorrectiveAction(models.Model):
    """A corrective, preventive or improvement action born from complaints (ISO 10002 8.7)."""

    _name = "iso10002.corrective.action"
    _description = "Corrective Action"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "deadline, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    action_type = fields.Selection(
        [("corrective", "Corrective"), ("preventive", "Preventive"), ("improvement", "Improvement")],
        string="Type",
        required=True,
        default="corrective",
        tracking=True,
    )
    description = fields.Html()
    complaint_ids = fields.Many2many(
        "iso10002.complaint",
        "iso10002_complaint_corrective_action_rel",
        "action_id",
        "complaint_id",
        string="Complaints",
        check_company=True,
    )
    root_cause_id = fields.Many2one("iso10002.root.cause", check_company=True)
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        tracking=True,
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
    )
    deadline = fields.Date(tracking=True, index=True)
    state = fields.Selection(
        [("open", "Open"), ("in_progress", "In progress"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )
    done_date = fields.Date(readonly=True, copy=False)
    effectiveness = fields.Selection(
        [("pending", "To check"), ("effective", "Effective"), ("not_effective", "Not effective")],
        default="pending",
        tracking=True,
    )
    effectiveness_note = fields.Text(string="Effectiveness Check")
    review_id = fields.Many2one("iso10002.management.review", string="Decided in Review", index=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")

    @api.depends("deadline", "state")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for action in self:
            action.is_overdue = bool(
                action.deadline and action.deadline < today and action.state in ("open", "in_progress")
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on overdue actions."))
        domain = [("deadline", "<", fields.Date.context_today(self)), ("state", "in", ("open", "in_progress"))]
        return domain if (operator == "=") == value else ["!", *domain]

    @api.model_create_multi
    def create(self, vals_list):
        actions = super().create(vals_list)
        actions._link_complaints(dict.fromkeys(actions, self.env["iso10002.complaint"]))
        return actions

    def write(self, vals):
        before = {action: action.complaint_ids for action in self} if "complaint_ids" in vals else None
        res = super().write(vals)
        if before is not None:
            self._link_complaints(before)
        return res

    def _link_complaints(self, before):
        """Linking an action to a complaint changes the complaint: only those who may
        change it do so, and the complaint's trail says so."""
        for action, old in before.items():
            added, removed = action.complaint_ids - old, old - action.complaint_ids
            (added | removed).check_access("write")
            for complaint in added:
                complaint.sudo()._message_log(body=_("Linked to corrective action %s.", action.name))
            for complaint in removed:
                complaint.sudo()._message_log(body=_("Unlinked from corrective action %s.", action.name))

    def action_start(self):
        self.write({"state": "in_progress"})

    def action_done(self):
        self.write({"state": "done", "done_date": fields.Date.context_today(self)})

    def action_cancel(self):
        self.write({"state": "cancelled"})

    @api.model
    def _cron_remind_overdue(self):
        """One reminder per owner of overdue actions, in the owner's language."""
        actions = self.search([("is_overdue", "=", True), ("user_id", "!=", False)], order="deadline")

        def subject(count):
            return lambda env: env._("%s overdue corrective actions", count)

        return self.env["iso10002.notice"]._send(
            (user, "iso10002_complaints.overdue_corrective_actions_mail", subject(len(overdue)), {"actions": overdue})
            for user, overdue in actions.grouped("user_id").items()
        )
