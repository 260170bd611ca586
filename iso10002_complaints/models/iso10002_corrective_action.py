from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools.text import refuse_non_text
from ..tools.trust import as_engine, client_safe, is_engine
from .iso10002_complaint_authority import MANAGER_GROUP

# what only the action's own buttons and the escalation job record
PROCESS_FIELDS = frozenset(
    {
        "state",
        "done_date",
        "done_by_id",
        "cancelled_date",
        "effectiveness",
        "verified_date",
        "verified_by_id",
        "escalation_level",
        # set by the finding's own button, which checks the audit is still open
        "finding_id",
    }
)
# what a done action may still receive: the verifier's note and the check's due date
# (the rest of it is the record of what was done, by whom)
DONE_WRITABLE_PREFIXES = ("message_", "activity_")
DONE_WRITABLE = frozenset({"effectiveness_note", "effectiveness_due_date"})
# days after the action is done when its effectiveness is checked, unless planned otherwise
EFFECTIVENESS_DELAY = 30


class Iso10002CorrectiveAction(models.Model):
    """A corrective, preventive or improvement action born from complaints (ISO 10002 8.7)."""

    _name = "iso10002.corrective.action"
    _description = "Corrective Action"
    # read by officers with the complaints it is about (security: iso10002_visible)
    _inherit = ["mail.thread", "mail.activity.mixin", "iso10002.complaint.bound"]
    _order = "deadline, id"
    _check_company_auto = True
    # its e-mails show dates, numbers and amounts as their reader reads them (report_reader_locale)
    _reader_locale = True

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
    done_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    cancelled_date = fields.Date(readonly=True, copy=False)
    effectiveness = fields.Selection(
        [("pending", "To check"), ("effective", "Effective"), ("not_effective", "Not effective")],
        default="pending",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )
    effectiveness_note = fields.Text(
        string="Effectiveness Check", help="What was checked, and what it showed.", tracking=True
    )
    verifier_id = fields.Many2one(
        "res.users",
        tracking=True,
        domain=[("share", "=", False)],
        help="Who checks that the action removed the cause: never its owner.",
    )
    effectiveness_due_date = fields.Date(string="Check Effectiveness By", tracking=True)
    verified_date = fields.Date(readonly=True, copy=False)
    verified_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    escalation_level = fields.Integer(
        readonly=True, copy=False, help="1: overdue, its owner told; 2: escalated to the representative."
    )
    review_id = fields.Many2one("iso10002.management.review", string="Decided in Review", index=True)
    finding_id = fields.Many2one(
        "iso10002.audit.finding", string="Audit Finding", index=True, check_company=True, readonly=True
    )
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
            raise UserError(self.env._("Unsupported search on overdue actions."))
        domain = [("deadline", "<", fields.Date.context_today(self)), ("state", "in", ("open", "in_progress"))]
        return domain if (operator == "=") == value else ["!", *domain]

    def _iso10002_complaint_ids(self):
        # an action is about the complaints it corrects (several, or none)
        return {action.id: action.complaint_ids.ids for action in self.sudo()}

    def _iso10002_about_domain(self, readable):
        if readable is None:
            return [("complaint_ids", "=", False)]
        return ["|", ("complaint_ids", "=", False), ("complaint_ids", "in", readable)]

    @api.constrains("user_id", "verifier_id")
    def _check_verifier(self):
        for action in self:
            if action.verifier_id and action.verifier_id == action.user_id:
                raise ValidationError(
                    self.env._(
                        "The verifier of %s checks someone else's work: choose a verifier other than its owner.",
                        action.name,
                    )
                )

    def unlink(self):
        # no client switch (the uninstall flag) skips the guard below
        return super(Iso10002CorrectiveAction, client_safe(self)).unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        """A corrective action is a record of the improvement process (ISO 10002 8.7): one
        that is not pursued is cancelled, and counts as it stood in every period."""
        raise UserError(self.env._("Corrective actions are not deleted: cancel the action instead."))

    def _check_client_values(self, vals, creating=False):
        """The state and the effectiveness verdict change through the buttons only, which
        check who presses them and when; over RPC or import too."""
        if self.env.su or is_engine(self.env):
            return
        refuse_non_text(self, vals, creating)
        protected = set(vals) & PROCESS_FIELDS
        if creating:
            defaults = {"state": "open", "effectiveness": "pending", "escalation_level": 0, "finding_id": False}
            protected = {name for name in protected if vals[name] != defaults.get(name, object())}
        if protected:
            labels = ", ".join(self._fields[name]._description_string(self.env) for name in sorted(protected))
            raise AccessError(self.env._("These fields change through the action's buttons only: %s", labels))
        locked = [name for name in vals if name not in DONE_WRITABLE and not name.startswith(DONE_WRITABLE_PREFIXES)]
        judged = [name for name in vals if not name.startswith(DONE_WRITABLE_PREFIXES)]
        checked = self.filtered(lambda a: a.effectiveness != "pending") if judged and not creating else self.browse()
        if checked:
            raise UserError(self.env._("The effectiveness of %s was already checked.", checked[0].name))
        if not creating and locked:
            done = self.filtered(lambda a: a.state in ("done", "cancelled"))
            if done:
                raise UserError(
                    self.env._(
                        "Corrective action %s is done: it is the record of what was done; only its effectiveness "
                        "check is still written.",
                        done[0].name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self = client_safe(self, PROCESS_FIELDS)  # noqa: PLW0642
        for vals in vals_list:
            self._check_client_values(vals, creating=True)
        actions = super().create(vals_list)
        actions._link_complaints(dict.fromkeys(actions, self.env["iso10002.complaint"]))
        return actions

    def write(self, vals):
        self = client_safe(self, PROCESS_FIELDS)  # noqa: PLW0642
        self._check_client_values(vals)
        if "deadline" in vals and not is_engine(self.env):
            # a new deadline: the escalation starts again from it
            vals = dict(vals, escalation_level=0)
            self = as_engine(self)  # noqa: PLW0642
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
                complaint.sudo()._message_log(body=self.env._("Linked to corrective action %s.", action.name))
            for complaint in removed:
                complaint.sudo()._message_log(body=self.env._("Unlinked from corrective action %s.", action.name))

    def _move(self, states, vals):
        """The buttons' moves: from one of ``states`` only, by who may write the action."""
        self.check_access("write")
        labels = dict(self._fields["state"]._description_selection(self.env))
        for action in self:
            if action.state not in states:
                raise UserError(
                    self.env._(
                        "Corrective action %(action)s is %(state)s.", action=action.name, state=labels[action.state]
                    )
                )
        as_engine(self).write(vals)

    def action_start(self):
        self._move(("open",), {"state": "in_progress"})
        return True

    def action_done(self):
        """Done: its effectiveness is checked next, by the verifier, by the due date."""
        for action in self:
            if not action.verifier_id:
                raise UserError(
                    self.env._(
                        "Name the verifier who will check that %s removed the cause, before marking it done.",
                        action.name,
                    )
                )
        today = fields.Date.context_today(self)
        self._move(
            ("open", "in_progress"),
            {"state": "done", "done_date": today, "done_by_id": self.env.uid, "escalation_level": 0},
        )
        for action in self:
            if not action.effectiveness_due_date:
                as_engine(action).write({"effectiveness_due_date": today + timedelta(days=EFFECTIVENESS_DELAY)})
            action.activity_schedule(
                "iso10002_complaints.mail_activity_type_effectiveness_check",
                date_deadline=action.effectiveness_due_date,
                user_id=action.verifier_id.id,
            )
        return True

    def action_cancel(self):
        self._move(("open", "in_progress"), {"state": "cancelled", "cancelled_date": fields.Date.context_today(self)})
        return True

    def action_verify_effective(self):
        return self._verify("effective")

    def action_verify_not_effective(self):
        return self._verify("not_effective")

    def _verify(self, verdict):
        """The verifier's verdict (ISO 10002 8.7): on a done action, by its verifier (or a
        complaints manager), never by its owner; recorded with the date and the note."""
        self.check_access("write")
        manager = self.env.user.has_group(MANAGER_GROUP)
        for action in self:
            if action.state != "done":
                raise UserError(
                    self.env._("%s is not done yet: its effectiveness is checked once it is done.", action.name)
                )
            if action.effectiveness != "pending":
                raise UserError(self.env._("The effectiveness of %s was already checked.", action.name))
            if self.env.user in action.user_id | action.done_by_id:
                raise AccessError(
                    self.env._("%s is yours: its verifier checks its effectiveness, not its owner.", action.name)
                )
            if action.verifier_id != self.env.user and not manager:
                raise AccessError(
                    self.env._(
                        "Only the verifier of %s, or a complaints manager, checks its effectiveness.", action.name
                    )
                )
            if not (action.effectiveness_note or "").strip():
                raise UserError(self.env._("Say what was checked, and what it showed (Effectiveness Check)."))
        as_engine(self).write(
            {"effectiveness": verdict, "verified_date": fields.Date.context_today(self), "verified_by_id": self.env.uid}
        )
        check = self.env.ref("iso10002_complaints.mail_activity_type_effectiveness_check")
        self.activity_ids.filtered(lambda a: a.activity_type_id == check).action_feedback()
        for action in self.filtered(lambda a: a.effectiveness == "not_effective"):
            action.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(action.user_id or self.env.user).id,
                summary=self.env._("Not effective: plan a new action"),
                note=self.env._("The check found that %s did not remove the cause.", action.name),
            )
        return True

    @api.model
    def _create_from(self, name, company, description=False, **links):
        """One action made from its origin (complaints, an audit finding, a review's
        decision), opened in its form: the one-click way of every origin."""
        # the origin (a finding, a decision) was checked by its button; the action's
        # company is the origin's, and the user may create actions
        self.check_access("create")
        action = as_engine(self).create(
            {
                "name": name,
                "description": description,
                "company_id": company.id,
                "user_id": self.env.uid,
                "deadline": fields.Date.context_today(self) + timedelta(days=EFFECTIVENESS_DELAY),
                **links,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": action.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    @api.model
    def _cron_remind_overdue(self):
        """One reminder per owner of overdue actions, in the owner's language; actions
        overdue past the company's delay are escalated once to its representative (or
        escalation manager), as complaints escalate, and the escalation is logged."""
        actions = self.search([("is_overdue", "=", True)], order="deadline")
        today = fields.Date.context_today(self)
        escalated = self.browse()
        for action in actions:
            late = (today - action.deadline).days
            level = 2 if late >= max(action.company_id.complaint_action_escalation_days, 1) else 1
            if level > action.escalation_level:
                as_engine(action).write({"escalation_level": level})
                action._message_log(
                    body=Markup("<p>%s</p>")
                    % (
                        self.env._("Overdue by %s days: escalated to the complaints management representative.", late)
                        if level == 2
                        else self.env._("Overdue: its owner is reminded.")
                    )
                )
                if level == 2:
                    escalated |= action

        def subject(count):
            return lambda env: env._("%s overdue corrective actions", count)

        def escalation_subject(count):
            return lambda env: env._("%s corrective actions escalated to you", count)

        notices = [
            (user, "iso10002_complaints.overdue_corrective_actions_mail", subject(len(overdue)), {"actions": overdue})
            for user, overdue in actions.filtered("user_id").grouped("user_id").items()
        ]
        by_manager = {}
        for action in escalated:
            company = action.company_id.sudo()
            manager = company.complaint_representative_id or company.complaint_escalation_user_id
            if manager:
                by_manager[manager] = by_manager.get(manager, self.browse()) | action
        notices += [
            (
                manager,
                "iso10002_complaints.overdue_corrective_actions_mail",
                escalation_subject(len(overdue)),
                {"actions": overdue},
            )
            for manager, overdue in by_manager.items()
        ]
        return self.env["iso10002.notice"]._send(notices)
