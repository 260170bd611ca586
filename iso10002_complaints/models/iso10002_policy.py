"""What a company publishes about its complaints handling (ISO 10002 5.3, 6.4): its
policy, in approved versions, and the external dispute-resolution providers it works
with (ISO 10003)."""

import math
import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.report_reader_locale.tools import Reader

# the policy fields of a version that its approval freezes
POLICY_CONTENT = ("name", "body", "what_to_provide", "company_id")
# what only the approval writes (action_approve), never a client
POLICY_TRAIL = ("state", "version", "approved_by_id", "approved_date")


class Iso10002Policy(models.Model):
    """One version of a company's complaints-handling policy. A manager approves a draft,
    which then is the published one and freezes; the version it replaces is kept as
    superseded. A change is a new version."""

    _name = "iso10002.policy"
    _description = "Complaints-handling Policy"
    _inherit = ["mail.thread"]
    _order = "company_id, version desc, id desc"
    _rec_names_search = ["name"]
    # its e-mails show dates, numbers and amounts as their reader reads them (report_reader_locale)
    _reader_locale = True

    name = fields.Char(required=True, translate=True, default=lambda self: self.env._("Complaints-handling policy"))
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    version = fields.Integer(readonly=True, copy=False, default=0)
    state = fields.Selection(
        [("draft", "Draft"), ("approved", "Published"), ("superseded", "Superseded")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    body = fields.Html(
        string="Our commitment",
        translate=True,
        sanitize_overridable=False,
        help="The policy as the complaints page shows it: the commitment to handle complaints openly, "
        "fairly and confidentially.",
    )
    what_to_provide = fields.Html(
        string="What to tell us",
        translate=True,
        help="What a complainant should give; when empty, the page lists what the complaint form asks.",
    )
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False, tracking=True)
    approved_date = fields.Datetime(string="Published On", readonly=True, copy=False, tracking=True)

    _sql_constraints = [
        ("version_unique", "unique(company_id, version)", "A company has one policy of each version."),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        last = {}
        for vals in vals_list:
            # a new version is always a draft, numbered after the company's last
            vals.update(state="draft", approved_by_id=False, approved_date=False)
            company = vals.setdefault("company_id", self.env.company.id)
            if company not in last:
                last[company] = self.sudo().search([("company_id", "=", company)], limit=1).version
            last[company] += 1
            vals["version"] = last[company]
        return super().create(vals_list)

    def write(self, vals):
        if set(vals) & set(POLICY_TRAIL):
            raise UserError(self.env._("A policy is published with its Approve button, which records who and when."))
        frozen = self.filtered(lambda policy: policy.state != "draft")
        if frozen and set(vals) & set(POLICY_CONTENT):
            raise UserError(
                self.env._(
                    "Version %(version)s of the policy is published or superseded: it is not changed. "
                    "Make a new version instead.",
                    version=", ".join(str(v) for v in frozen.mapped("version")),
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if self.filtered(lambda policy: policy.state != "draft"):
            raise UserError(self.env._("A published or superseded policy is kept: only drafts are deleted."))

    def action_approve(self):
        """Publish this draft; the company's published version becomes superseded."""
        self.check_access("write")
        for policy in self:
            if policy.state != "draft":
                raise UserError(self.env._("Only a draft is approved."))
            if not policy.body:
                raise UserError(self.env._("Write the policy (Our commitment) before approving it."))
            published = self.search([("company_id", "=", policy.company_id.id), ("state", "=", "approved")])
            super(Iso10002Policy, published).write({"state": "superseded"})
            super(Iso10002Policy, policy).write(
                {"state": "approved", "approved_by_id": self.env.uid, "approved_date": fields.Datetime.now()}
            )
        return True

    def action_new_version(self):
        """A draft copy of this version, to change and approve."""
        self.ensure_one()
        draft = self.copy()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": draft.id,
            "view_mode": "form",
            "target": "current",
        }

    @api.model
    def _published(self, company):
        """The version of ``company``'s policy that is published now, or an empty record."""
        return self.sudo().search([("company_id", "=", company.id), ("state", "=", "approved")], limit=1)

    @api.model
    def _page_values(self, company):
        """What the complaints page publishes for ``company``, read as the system: the
        policy, the ways to complain, the time limits of its SLA policies (so that the page
        never promises other times than those the SLA engine holds the officers to) and
        the recourse, internal and external."""
        company = company.sudo()
        teams = self.env["iso10002.complaint.team"].sudo().search([("company_id", "=", company.id)])
        providers = (
            self.env["iso10002.dispute.provider"]
            .sudo()
            .search(["|", ("company_id", "=", False), ("company_id", "=", company.id)])
        )
        return {
            "company": company,
            "policy": self._published(company),
            "emails": sorted({team.alias_email for team in teams if team.alias_email}),
            "time_limits": self._time_limits(company),
            "providers": providers,
        }

    @api.model
    def _time_limits(self, company):
        """{"ack": text, "decision": text}: the targets of the company's SLA policies in
        working days (or hours) of the calendars they run on (their teams', else the
        company's), as a range when they differ."""
        policies = self.env["iso10002.sla.policy"].sudo().search([("company_id", "=", company.id)])
        if not company.complaint_sla_enabled or not policies:
            return {}
        all_teams = self.env["iso10002.complaint.team"].sudo().search([("company_id", "=", company.id)])
        targets = {"ack": [], "decision": []}
        for policy in policies:
            # the calendar of each team it may apply to (the SLA engine's), else the company's
            teams = policy.team_ids or all_teams
            calendars = {team.resource_calendar_id or company.resource_calendar_id for team in teams}
            for calendar in calendars or {company.resource_calendar_id}:
                per_day = calendar.hours_per_day or 8.0
                targets["ack"].append((policy.ack_target_hours, per_day))
                targets["decision"].append((policy.resolution_target_hours, per_day))

        _ = self.env._
        digits = Reader(self.env, company=company).digits
        # whole sentences, so that each language words them its own way
        sentences = {
            "ack": {
                "hours": lambda n: self.env._(
                    "We acknowledge your complaint within %(hours)s working hours.", hours=digits(n)
                ),
                "day": lambda: self.env._("We acknowledge your complaint within 1 working day."),
                "days": lambda n: self.env._(
                    "We acknowledge your complaint within %(days)s working days.", days=digits(n)
                ),
                "range": lambda low, high: self.env._(
                    "We acknowledge your complaint within %(low)s to %(high)s working days, "
                    "depending on the complaint.",
                    low=digits(low),
                    high=digits(high),
                ),
            },
            "decision": {
                "hours": lambda n: self.env._(
                    "We give you our decision within %(hours)s working hours.", hours=digits(n)
                ),
                "day": lambda: self.env._("We give you our decision within 1 working day."),
                "days": lambda n: self.env._("We give you our decision within %(days)s working days.", days=digits(n)),
                "range": lambda low, high: self.env._(
                    "We give you our decision within %(low)s to %(high)s working days, depending on the complaint.",
                    low=digits(low),
                    high=digits(high),
                ),
            },
        }

        def label(kind, pairs):
            say = sentences[kind]
            pairs = [(hours, per_day) for hours, per_day in pairs if hours > 0]
            if not pairs:
                return False
            if all(hours < per_day for hours, per_day in pairs):
                return say["hours"](math.ceil(max(h for h, _d in pairs)))
            days = sorted({math.ceil(hours / per_day) for hours, per_day in pairs})
            if len(days) == 1:
                return say["day"]() if days[0] == 1 else say["days"](days[0])
            return say["range"](days[0], days[-1])

        return {kind: label(kind, pairs) for kind, pairs in targets.items()}


class Iso10002DisputeProvider(models.Model):
    """An external dispute-resolution provider (ISO 10003) the company refers complainants
    to when they reject its decision: who, how to reach them, for what, at what cost."""

    _name = "iso10002.dispute.provider"
    _description = "External Dispute-resolution Provider"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty: for every company.", default=lambda self: self.env.company
    )
    website = fields.Char(help="Its address on the web, http:// or https://.")
    email = fields.Char()
    phone = fields.Char()
    scope = fields.Text(translate=True, help="Which disputes it handles (sector, amounts, region).")
    cost = fields.Char(
        string="Cost to the Complainant",
        translate=True,
        required=True,
        default=lambda self: self.env._("Free of charge"),
        help="What the complainant pays to use it, as the complaints page says it.",
    )

    @api.constrains("website")
    def _check_website(self):
        """The complaints page links to it: a web address, never a script."""
        for provider in self:
            if provider.website and not re.match(r"^https?://[^\s\"'<>]+$", provider.website.strip(), re.IGNORECASE):
                raise ValidationError(
                    self.env._(
                        "The website of %s must be a web address starting with http:// or https://.", provider.name
                    )
                )
