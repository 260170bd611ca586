from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.trust import as_engine, client_safe, is_engine, one

RESULTS = [("conformity", "Conformity"), ("observation", "Observation"), ("nonconformity", "Nonconformity")]
# a check of the process audit passed by this share of the complaints or more is an
# observation, below it a nonconformity (the auditor decides; this is the suggestion)
OBSERVATION_FROM = 90.0
# what the buttons record: an audit's progress, a finding's measured figures
AUDIT_PROCESS_FIELDS = frozenset({"state", "done_date"})
FINDING_PROCESS_FIELDS = frozenset({"check_key", "applicable", "passed", "complaint_ids"})


class Iso10002Audit(models.Model):
    """An audit of the complaints-handling process (ISO 10002 8.5): planned in the audit
    programme, its checklist drawn from the process audit of the complaints in its period,
    each finding a conformity, an observation or a nonconformity that opens a corrective
    action; done audits are inputs of the next management review (8.6)."""

    _name = "iso10002.audit"
    _description = "Complaints Process Audit Record"
    _inherit = ["iso10002.review.period.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "planned_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, default=lambda self: self.env._("Complaints process audit"), tracking=True)
    planned_date = fields.Date(required=True, default=fields.Date.context_today, tracking=True, index=True)
    done_date = fields.Date(readonly=True, copy=False, tracking=True)
    state = fields.Selection(
        [("planned", "Planned"), ("in_progress", "In progress"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="planned",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    scope = fields.Text(help="What the audit covers: processes, teams, sites, the standard's clauses.")
    auditor_type = fields.Selection(
        [("internal", "Internal"), ("external", "External")], default="internal", required=True, tracking=True
    )
    auditor_user_id = fields.Many2one(
        "res.users", string="Internal Auditor", domain=[("share", "=", False)], tracking=True
    )
    auditor_partner_id = fields.Many2one("res.partner", string="External Auditor", tracking=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    finding_ids = fields.One2many("iso10002.audit.finding", "audit_id", string="Findings", copy=False)
    conclusion = fields.Html()
    conformity_count = fields.Integer(compute="_compute_counts")
    observation_count = fields.Integer(compute="_compute_counts")
    nonconformity_count = fields.Integer(compute="_compute_counts")
    action_count = fields.Integer(compute="_compute_counts", string="Corrective Actions")

    @api.depends("finding_ids.result", "finding_ids.corrective_action_ids")
    def _compute_counts(self):
        for audit in self:
            results = audit.finding_ids.mapped("result")
            audit.conformity_count = results.count("conformity")
            audit.observation_count = results.count("observation")
            audit.nonconformity_count = results.count("nonconformity")
            audit.action_count = len(audit.finding_ids.corrective_action_ids)

    @api.constrains("auditor_type", "auditor_user_id", "auditor_partner_id")
    def _check_auditor(self):
        for audit in self:
            if audit.auditor_type == "internal" and audit.auditor_partner_id:
                raise ValidationError(self.env._("An internal audit names its auditor among the users."))
            if audit.auditor_type == "external" and audit.auditor_user_id:
                raise ValidationError(self.env._("An external audit names its auditor as a contact."))

    @api.model_create_multi
    def create(self, vals_list):
        self = client_safe(self, AUDIT_PROCESS_FIELDS)  # noqa: PLW0642  (no default_state from a client)
        self._check_state_by_hand(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self = client_safe(self, AUDIT_PROCESS_FIELDS)  # noqa: PLW0642
        if not self.env.su and not is_engine(self.env) and AUDIT_PROCESS_FIELDS & set(vals):
            raise UserError(self.env._("An audit moves through its buttons: Start, Done, Cancel."))
        if self.filtered(lambda a: a.state == "done") and not is_engine(self.env):
            raise UserError(self.env._("A done audit is a record: it is not changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if self.filtered(lambda a: a.state == "done"):
            raise UserError(self.env._("A done audit is a record: it is not deleted."))

    def _check_state_by_hand(self, vals_list):
        if self.env.su or is_engine(self.env):
            return
        if any(vals.get("done_date") or vals.get("state", "planned") != "planned" for vals in vals_list):
            raise UserError(self.env._("An audit moves through its buttons: Start, Done, Cancel."))

    # ------------------------------------------------------------- actions
    def action_start(self):
        """In progress, with the checklist of the process audit over the audit's period:
        one finding per check, its compliance measured and a result suggested."""
        one(self)
        if self.state != "planned":
            raise UserError(self.env._("Audit %s has already started.", self.name))
        self.check_access("write")
        wizard = self.env["iso10002.process.audit.wizard"].create(
            {
                "date_from": self.date_from,
                "date_to": self.date_to,
                "company_ids": [fields.Command.set(self.company_ids.ids)],
                "team_ids": [fields.Command.set(self.team_ids.ids)],
                "sample_mode": "all",
            }
        )
        values = wizard._audit_values()
        exceptions = {}
        for exception in values["exceptions"]:
            exceptions.setdefault(exception["check"], []).append(exception["complaint"].id)
        findings = []
        for sequence, check in enumerate(values["checks"]):
            pct = check["pct"]
            result = (
                "conformity"
                if pct is None or pct >= 100.0
                else "observation"
                if pct >= OBSERVATION_FROM
                else "nonconformity"
            )
            findings.append(
                {
                    "sequence": sequence,
                    "check_key": check["key"],
                    "name": check["label"],
                    "applicable": check["applicable"],
                    "passed": check["passed"],
                    "result": result,
                    "complaint_ids": [fields.Command.set(exceptions.get(check["label"], []))],
                }
            )
        engine = as_engine(self)
        engine.write({"state": "in_progress", "finding_ids": [fields.Command.create(vals) for vals in findings]})
        return True

    def action_done(self):
        one(self)
        if self.state != "in_progress":
            raise UserError(self.env._("Start audit %s before closing it.", self.name))
        self.check_access("write")
        undecided = self.finding_ids.filtered(lambda f: not f.result)
        if undecided:
            raise UserError(self.env._("Give every finding its result first: %s", ", ".join(undecided.mapped("name"))))
        without = self.finding_ids.filtered(lambda f: f.result == "nonconformity" and not f.corrective_action_ids)
        if without:
            raise UserError(
                self.env._(
                    "Each nonconformity opens a corrective action before the audit is closed: %s",
                    ", ".join(without.mapped("name")),
                )
            )
        as_engine(self).write({"state": "done", "done_date": fields.Date.context_today(self)})
        self._message_log(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Audit done: %(conformities)s conformities, %(observations)s observations, "
                "%(nonconformities)s nonconformities.",
                conformities=self.conformity_count,
                observations=self.observation_count,
                nonconformities=self.nonconformity_count,
            )
        )
        return True

    def action_cancel(self):
        one(self)
        if self.state == "done":
            raise UserError(self.env._("A done audit is a record: it is not cancelled."))
        self.check_access("write")
        as_engine(self).write({"state": "cancelled"})
        return True

    def action_view_corrective_actions(self):
        one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("iso10002_complaints.iso10002_corrective_action_action")
        action.update(domain=[("finding_id.audit_id", "=", self.id)], context={})
        return action

    # ------------------------------------------------------------- review
    @api.model
    def _review_inputs(self, period):
        """The audits done in a review's period, in its companies: inputs of the review."""
        start, end = period._period_bounds()
        audits = self.search(
            [
                ("state", "=", "done"),
                ("done_date", ">=", start.date()),
                ("done_date", "<=", end.date()),
                ("company_id", "in", period._review_company_ids().ids),
            ],
            order="done_date, id",
        )
        states = dict(self.env["iso10002.corrective.action"]._fields["state"]._description_selection(self.env))
        return [
            {
                "name": audit.name,
                "date": audit.done_date,
                "auditor": (audit.auditor_user_id or audit.auditor_partner_id).name or "",
                "external": audit.auditor_type == "external",
                "conformities": audit.conformity_count,
                "observations": audit.observation_count,
                "nonconformities": audit.nonconformity_count,
                "findings": [
                    {
                        "name": finding.name,
                        "result": finding.result,
                        "actions": ", ".join(
                            f"{action.name} ({states[action.state]})" for action in finding.corrective_action_ids
                        ),
                    }
                    for finding in audit.finding_ids
                    if finding.result != "conformity"
                ],
            }
            for audit in audits
        ]


class Iso10002AuditFinding(models.Model):
    _name = "iso10002.audit.finding"
    _description = "Complaints Audit Finding"
    _order = "audit_id, sequence, id"
    _check_company_auto = True

    audit_id = fields.Many2one("iso10002.audit", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="audit_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    check_key = fields.Char(readonly=True, help="The check of the process audit this finding comes from.")
    name = fields.Char(string="Requirement", required=True)
    applicable = fields.Integer(readonly=True, help="Complaints the check applies to.")
    passed = fields.Integer(readonly=True, help="Complaints that pass it.")
    compliance = fields.Float(compute="_compute_compliance", digits=(16, 1), string="Compliance (%)")
    result = fields.Selection(RESULTS)
    evidence = fields.Text(help="What the auditor saw.")
    complaint_ids = fields.Many2many("iso10002.complaint", string="Complaints Concerned", readonly=True)
    corrective_action_ids = fields.One2many("iso10002.corrective.action", "finding_id", string="Corrective Actions")

    @api.depends("applicable", "passed")
    def _compute_compliance(self):
        for finding in self:
            finding.compliance = 100.0 * finding.passed / finding.applicable if finding.applicable else 0.0

    @api.model_create_multi
    def create(self, vals_list):
        self = client_safe(self, FINDING_PROCESS_FIELDS)  # noqa: PLW0642
        if not is_engine(self.env) and not self.env.su:
            for vals in vals_list:
                self._check_by_hand(vals)
        findings = super().create(vals_list)
        findings._check_audit_open()
        return findings

    def write(self, vals):
        self = client_safe(self, FINDING_PROCESS_FIELDS)  # noqa: PLW0642
        if not is_engine(self.env) and not self.env.su:
            self._check_by_hand(vals)
            self._check_audit_open()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        self._check_audit_open()

    def _check_by_hand(self, vals):
        """What the process audit measured is not typed: a finding added by hand is the
        auditor's observation, without figures."""
        if FINDING_PROCESS_FIELDS & {name for name, value in vals.items() if value}:
            raise UserError(self.env._("The figures of a finding come from the process audit when the audit starts."))

    def _check_audit_open(self):
        if not is_engine(self.env) and self.audit_id.filtered(lambda a: a.state in ("done", "cancelled")):
            raise UserError(self.env._("A done audit is a record: its findings are not changed."))

    def action_create_corrective_action(self):
        """One click: a corrective action for this finding, with its complaints."""
        one(self)
        if self.result not in ("nonconformity", "observation"):
            raise UserError(self.env._("A corrective action answers a nonconformity or an observation."))
        self._check_audit_open()
        self.check_access("write")
        return self.env["iso10002.corrective.action"]._create_from(
            self.env._("%(audit)s: %(requirement)s", audit=self.audit_id.name, requirement=self.name),
            self.company_id,
            description=Markup("<p>%s</p>") % (self.evidence or ""),
            finding_id=self.id,
            complaint_ids=[fields.Command.set(self.complaint_ids.ids)],
        )
