from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .iso10002_complaint import LEVELS


class Iso10002SlaPolicy(models.Model):
    """Targets a complaint must meet, in working hours, and who hears when it does not."""

    _name = "iso10002.sla.policy"
    _description = "Complaint SLA Policy"
    _order = "is_default, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="Policies are tried in this order; the first that matches applies.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    is_default = fields.Boolean(
        string="Default Policy", help="Applies to the company's complaints that no other policy matches."
    )
    # what it matches; an empty criterion matches everything
    team_ids = fields.Many2many("iso10002.complaint.team", string="Teams", check_company=True)
    category_ids = fields.Many2many("iso10002.complaint.category", string="Categories")
    severity = fields.Selection(LEVELS, help="Only complaints of this severity; empty for any.")
    complexity = fields.Selection(LEVELS, help="Only complaints of this complexity; empty for any.")
    channel_ids = fields.Many2many("iso10002.complaint.channel", string="Channels")
    partner_category_ids = fields.Many2many("res.partner.category", string="Complainant Tags")
    # targets
    ack_target_hours = fields.Float(
        string="Acknowledge Within (working hours)", required=True, default=8.0, aggregator=None
    )
    resolution_target_hours = fields.Float(
        string="Communicate Decision Within (working hours)", required=True, default=80.0, aggregator=None
    )
    at_risk_percent = fields.Float(
        string="At Risk After (%)",
        default=75.0,
        aggregator=None,
        help="Share of the target time after which the complaint is at risk and its owner reminded.",
    )
    escalation_ids = fields.One2many("iso10002.sla.escalation", "policy_id", string="Escalation Ladder", copy=True)
    escalation_warning = fields.Text(
        compute="_compute_escalation_warning",
        help="The levels of the ladder that reach nobody a lower level did not already reach (ISO 10002 Annex H).",
    )

    _sql_constraints = [
        (
            "targets_positive",
            "CHECK(ack_target_hours > 0 AND resolution_target_hours > 0)",
            "SLA targets must be positive.",
        ),
        (
            "at_risk_range",
            "CHECK(at_risk_percent > 0 AND at_risk_percent < 100)",
            "The at-risk threshold is a percentage between 0 and 100.",
        ),
    ]

    @api.depends(
        "escalation_ids.level",
        "escalation_ids.notify",
        "escalation_ids.user_ids",
        "company_id.complaint_escalation_user_id",
    )
    def _compute_escalation_warning(self):
        for policy in self:
            levels = policy._sla_levels_reaching_nobody_new()
            policy.escalation_warning = (
                self.env._(
                    "Escalation levels that reach nobody new when a complaint's owner is also its team leader: "
                    "%(levels)s. They will tell the company's complaints management representative instead, "
                    "failing them its complaints managers. Name the users each level should reach, or set the "
                    "company's escalation manager.",
                    levels=", ".join(str(level) for level in levels),
                )
                if levels
                else False
            )

    # ------------------------------------------------- the company's default
    # A company always has exactly one active default policy (made with the company,
    # res_company.py): making another policy the default hands the flag over, and the
    # default cannot be archived, deleted or unflagged without naming another.
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("is_default"):
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                self._hand_over_default(company)
        policies = super().create(vals_list)
        self.env["res.company"].invalidate_model(["complaint_sla_policy_id"])
        return policies

    def write(self, vals):
        if vals.get("is_default"):
            for company in self.company_id | self.env["res.company"].browse(vals.get("company_id") or []):
                self._hand_over_default(company, keep=self)
        companies = self.filtered("is_default").company_id
        res = super().write(vals)
        self.env["res.company"].invalidate_model(["complaint_sla_policy_id"])
        self._check_company_keeps_default(companies)
        return res

    def unlink(self):
        companies = self.filtered("is_default").company_id
        res = super().unlink()
        self.env["res.company"].invalidate_model(["complaint_sla_policy_id"])
        self._check_company_keeps_default(companies)
        return res

    @api.model
    def _hand_over_default(self, company, keep=None):
        others = self.search([("company_id", "=", company.id), ("is_default", "=", True)]) - (keep or self.browse())
        return super(Iso10002SlaPolicy, others).write({"is_default": False}) if others else True

    @api.model
    def _check_company_keeps_default(self, companies):
        for company in companies:
            if not self.search_count([("company_id", "=", company.id), ("is_default", "=", True)]):
                raise UserError(
                    self.env._(
                        "%s needs a default SLA policy: make another policy the default before archiving, "
                        "deleting or unflagging this one.",
                        company.name,
                    )
                )

    @api.constrains("is_default", "company_id", "active")
    def _check_one_default(self):
        for company in self.filtered("is_default").company_id:
            count = self.search_count([("company_id", "=", company.id), ("is_default", "=", True)])
            if count > 1:
                raise ValidationError(
                    self.env._("A company has one default SLA policy: %s already has one.", company.name)
                )

    def _matches(self, complaint):
        """Whether this (non-default) policy applies to ``complaint``: a policy without any
        criterion applies only as its company's default (a former default, say)."""
        self.ensure_one()
        if not (
            self.team_ids
            or self.category_ids
            or self.severity
            or self.complexity
            or self.channel_ids
            or self.partner_category_ids
        ):
            return False
        return (
            (not self.team_ids or complaint.team_id in self.team_ids)
            and (not self.category_ids or complaint.category_id in self.category_ids)
            and (not self.severity or complaint.severity == self.severity)
            and (not self.complexity or complaint.complexity == self.complexity)
            and (not self.channel_ids or complaint.channel_id in self.channel_ids)
            and (not self.partner_category_ids or bool(complaint.partner_id.category_id & self.partner_category_ids))
            and complaint.company_id == self.company_id
        )

    def _sla_ladder(self):
        """The escalation rules after the first level, in order (the sweep's ladder)."""
        self.ensure_one()
        return self.escalation_ids.filtered(lambda r: r.level > 1).sorted("level")

    def _sla_rule(self, level):
        """The escalation rule of ``level``, or an empty record."""
        return self.escalation_ids.filtered(lambda r: r.level == level)[:1]

    def _sla_levels(self):
        """The levels a breached complaint goes through: 1 at the deadline, then the ladder's."""
        self.ensure_one()
        return [1, *self._sla_ladder().mapped("level")]

    def _sla_levels_reaching_nobody_new(self):
        """The levels whose rule names nobody that a lower level did not name, in the
        worst case of a complaint whose owner leads its team (an unassigned complaint):
        the owner and the leader are one person then."""
        self.ensure_one()
        owner = object()  # the complaint's owner, its team leader: one person
        manager = self.company_id.sudo().complaint_escalation_user_id
        reached, levels = set(), []
        for level in self._sla_levels():
            rule = self._sla_rule(level)
            if rule.notify == "users":
                people = set(rule.user_ids.ids)
            else:
                people = {owner}
                if rule.notify == "managers" and manager:
                    people.add(manager.id)
            if not people - reached:
                levels.append(level)
            reached |= people
        return levels

    @api.model
    def _match(self, complaints):
        """{complaint: policy} for each complaint: the first policy that matches, or the default."""
        policies = self.search([("company_id", "in", complaints.company_id.ids), ("is_default", "=", False)])
        result = {}
        for complaint in complaints:
            policy = next((p for p in policies if p._matches(complaint)), None)
            # the company's default: res.company.complaint_sla_policy_id, its one home
            result[complaint] = policy or complaint.company_id.sudo().complaint_sla_policy_id.with_env(self.env)
        return result


class Iso10002SlaEscalation(models.Model):
    """One rung of an escalation ladder: how long past the deadline, and to whom."""

    _name = "iso10002.sla.escalation"
    _description = "Complaint SLA Escalation Rule"
    _order = "policy_id, level"

    policy_id = fields.Many2one("iso10002.sla.policy", required=True, ondelete="cascade", index=True)
    level = fields.Integer(required=True, default=1, aggregator=None)
    delay_hours = fields.Float(
        string="Working Hours Past Deadline",
        default=0.0,
        aggregator=None,
        help="Level 1 is reached at the deadline itself; higher levels this long after it.",
    )
    notify = fields.Selection(
        [
            ("owner", "Owner"),
            ("team_leader", "Owner and team leader"),
            ("managers", "Owner, team leader and the escalation manager"),
            ("users", "Named users"),
        ],
        required=True,
        default="team_leader",
    )
    user_ids = fields.Many2many("res.users", string="Users")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain=[("model", "=", "iso10002.complaint")],
        help="Rendered for each complaint in the escalation message; a plain summary when empty.",
    )

    _sql_constraints = [
        ("level_positive", "CHECK(level > 0)", "Escalation levels start at 1."),
        ("level_uniq", "unique(policy_id, level)", "A policy has one rule per escalation level."),
    ]

    def _recipients(self, complaint):
        """Users this rule tells about ``complaint``."""
        self.ensure_one()
        users = complaint.user_id or complaint.team_id.user_id
        if self.notify in ("team_leader", "managers"):
            users |= complaint.team_id.user_id
        if self.notify == "managers":
            users |= complaint.company_id.complaint_escalation_user_id
        if self.notify == "users":
            users = self.user_ids
        return users
