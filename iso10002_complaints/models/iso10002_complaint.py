"""The complaint: the record and its state machine (ISO 10002:2018 clause 7).

Which step may follow which (TRANSITIONS), the buttons that move a complaint and the
refusals that say what a step still needs (_missing_for_step), the record's fields, its
creation and changes with their named hooks, its reference and its owner. Each other
concern is a file of its own (see models/__init__.py).
"""

import logging
import re
from datetime import timedelta

from lxml import etree
from psycopg2.errors import SerializationFailure

from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.report_reader_locale.tools import Reader

from ..tools.trust import (
    ACKNOWLEDGE_KEY,
    DEFERRED_ACKNOWLEDGEMENT,
    NO_ACKNOWLEDGEMENT,
    as_engine,
    client_safe,
    is_engine,
)
from ..tools.work_clock import ClockSet
from .iso10002_complaint_stage import FINAL_STEPS

_logger = logging.getLogger(__name__)

LEVELS = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("critical", "Critical")]
LEVEL_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}

CONTACT_MEANS = [
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("letter", "Letter"),
    ("in_person", "In person"),
    ("portal", "Portal"),
    ("other", "Other"),
]

REMEDIES = [
    ("apology", "Apology"),
    ("explanation", "Explanation"),
    ("repair", "Repair"),
    ("replacement", "Replacement"),
    ("refund", "Refund"),
    ("compensation", "Compensation"),
    ("credit", "Credit note"),
    ("other", "Other"),
]
MONETARY_REMEDIES = ("refund", "compensation", "credit")

# Which step may follow which (ISO 10002:2018 clause 7). Moving between two stages of
# the same step is always allowed; leaving a final step goes through action_reopen.
TRANSITIONS = {
    "received": {"acknowledged", "withdrawn", "out_of_scope"},
    "acknowledged": {"assessment", "withdrawn", "out_of_scope"},
    "assessment": {"investigation", "response", "withdrawn", "out_of_scope"},
    "investigation": {"response", "withdrawn"},
    "response": {"communicated", "investigation", "withdrawn"},
    "communicated": {"closed", "response", "withdrawn"},
    "withdrawn": {"closed"},
    "out_of_scope": {"closed"},
    "closed": set(),
}

# The step each header button moves to: a button shows when TRANSITIONS allows its step.
ACTION_STEPS = {
    "can_acknowledge": "acknowledged",
    "can_assess": "assessment",
    "can_investigate": "investigation",
    "can_respond": "response",
    "can_communicate": "communicated",
    "can_close": "closed",
    "can_withdraw": "withdrawn",
    "can_out_of_scope": "out_of_scope",
}

# Fields that may still change on a closed complaint: the chatter, activities,
# ratings, archiving. Everything else needs a reopening first.
CLOSED_WRITABLE_PREFIXES = ("message_", "activity_", "rating_", "website_message")
CLOSED_WRITABLE = {
    "active",
    "color",
    "access_token",
    "stage_id",
    "email_cc",
    # what is learnt and decided about a complaint after it closed: its analysis (8.2)
    # and whether it is kept beyond the retention period (8.1)
    "classification",
    "related_complaint_ids",
    "legal_hold",
    "legal_hold_reason",
}

# channels recorded by a step, and the steps in which they are history (a reopened
# complaint communicates a new decision, by any means)
RECORDED_CHANNELS = {
    "acknowledgement_channel": ("acknowledged", "assessment", "investigation", "response", "communicated", "closed"),
    "communication_channel": ("communicated", "closed"),
}


# what a person records about something that happened: never a date after today (in
# their own time zone), nor a moment after now
HAPPENED_DATES = (
    "event_date",
    "recourse_offered_date",
    "review_date",
    "external_referral_date",
    "referral_outcome_date",
)
HAPPENED_MOMENTS = ("complainant_response_date",)
# what happens after what in a recourse (7.9, Annex H): (earlier, later)
HAPPENED_IN_ORDER = (
    ("recourse_offered_date", "review_date"),
    ("recourse_offered_date", "external_referral_date"),
    ("external_referral_date", "referral_outcome_date"),
)


OFFICER_GROUP = "iso10002_complaints.group_complaint_officer"
# the owner's task of telling the progress the way the complainant chose
PROGRESS_ACTIVITY = "iso10002_complaints.mail_activity_type_progress"
# the complainant's postal address on the complaint: its field on the contact
ADDRESS_FIELDS = {"partner_street": "street", "partner_zip": "zip", "partner_city": "city"}


def _typed_contact_field(string):
    """A part of the complainant's postal address as the complaint keeps it: the contact's
    until an officer types it on the complaint (_complete_complainant)."""
    return fields.Char(
        string=string,
        compute="_compute_partner_address",
        inverse="_inverse_partner_address",
        store=True,
        readonly=False,
        tracking=True,
        groups="base.group_user",
    )


class Iso10002Complaint(models.Model):
    _name = "iso10002.complaint"
    _description = "Complaint"
    _inherit = [
        "portal.mixin",
        "mail.thread.cc",
        "mail.thread.sealed",
        "mail.activity.mixin",
        "rating.mixin",
        "iso10002.median.mixin",
    ]
    _order = "priority desc, received_date desc, id desc"
    _rec_names_search = ["name", "subject", "partner_id.name"]
    _check_company_auto = True
    _primary_email = "email_from"
    # the complainant side may post (comments only, see message_post) where it may read
    _mail_post_access = "read"
    _track_duration_field = "stage_id"

    # the token of the complainant's link: whoever reads it (a portal colleague, an
    # auditor) could post in the complainant's name (portal.mixin leaves it readable)
    access_token = fields.Char(groups="base.group_system")

    # ---------------------------------------------------------------- receipt
    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    subject = fields.Char(required=True, tracking=True)
    description = fields.Html(sanitize_style=True)
    active = fields.Boolean(default=True, tracking=True)
    color = fields.Integer(groups="base.group_user")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, tracking=True
    )
    partner_id = fields.Many2one(
        "res.partner", string="Complainant", index=True, tracking=True, check_company=True, ondelete="restrict"
    )
    email_from = fields.Char(
        string="E-mail",
        index="trigram",
        compute="_compute_email_from",
        inverse="_inverse_email_from",
        store=True,
        readonly=False,
        help="Where the complainant is answered; follows the complainant's address.",
        tracking=True,
    )
    partner_phone = fields.Char(
        string="Phone",
        compute="_compute_partner_phone",
        inverse="_inverse_partner_phone",
        store=True,
        readonly=False,
        tracking=True,
        groups="base.group_user",
        help="Where the complainant is called (a caller's number is typed here); follows the complainant's number.",
    )
    # the complainant's postal address, typed on the complaint for letters (7.4, 7.8)
    partner_street = _typed_contact_field("Street")
    partner_zip = _typed_contact_field("ZIP")
    partner_city = _typed_contact_field("City")
    partner_lang = fields.Selection(related="partner_id.lang", string="Language", groups="base.group_user")
    partner_needs_assistance = fields.Boolean(related="partner_id.complaint_needs_assistance")
    # what help the complainant needs: for those who handle or audit the complaint only
    partner_assistance_note = fields.Text(
        related="partner_id.complaint_assistance_note",
        string="Assistance Needed",
        groups="iso10002_complaints.group_complaint_officer,iso10002_complaints.group_complaint_auditor",
    )
    team_id = fields.Many2one(
        "iso10002.complaint.team",
        index=True,
        tracking=True,
        check_company=True,
        default=lambda self: self._default_team_id(),
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        index=True,
        tracking=True,
        check_company=True,
        domain=lambda self: [("groups_id", "in", self.env.ref("iso10002_complaints.group_complaint_officer").id)],
        groups="base.group_user",
    )
    stage_id = fields.Many2one(
        "iso10002.complaint.stage",
        index=True,
        tracking=True,
        copy=False,
        ondelete="restrict",
        group_expand="_read_group_stage_ids",
        compute="_compute_stage_id",
        store=True,
        readonly=False,
        domain="['|', ('team_ids', '=', False), ('team_ids', 'in', team_id)]",
    )
    step = fields.Selection(related="stage_id.step", store=True, index=True, string="ISO 10002 Step")
    is_open = fields.Boolean(
        string="Open", compute="_compute_is_open", store=True, index=True, help="Not closed, withdrawn or out of scope."
    )
    # which steps the complaint may move to now (TRANSITIONS): the header buttons
    can_acknowledge = fields.Boolean(compute="_compute_can_move", groups="base.group_user")
    can_assess = fields.Boolean(compute="_compute_can_move", groups="base.group_user")
    can_investigate = fields.Boolean(compute="_compute_can_move", groups="base.group_user")
    can_respond = fields.Boolean(compute="_compute_can_move", groups="base.group_user")
    can_communicate = fields.Boolean(compute="_compute_can_move", groups="base.group_user")
    can_close = fields.Boolean(compute="_compute_can_move", groups="base.group_user")
    can_withdraw = fields.Boolean(compute="_compute_can_move", groups="base.group_user")
    can_out_of_scope = fields.Boolean(compute="_compute_can_move", groups="base.group_user")
    # and whether it may still be deleted (_unlink_except_left_received): the form's Delete
    can_delete = fields.Boolean(compute="_compute_can_move", groups="base.group_user")
    channel_id = fields.Many2one(
        "iso10002.complaint.channel",
        required=True,
        tracking=True,
        # recorded by hand in the backend: most often on the phone (e-mail and the portal
        # are recorded by their own intake)
        default=lambda self: self.env["iso10002.complaint.channel"]._channel_for("phone", self.env.company),
    )
    received_date = fields.Datetime(
        string="Received", required=True, default=fields.Datetime.now, index=True, tracking=True, copy=False
    )
    product_ids = fields.Many2many("product.product", string="Products / Services", check_company=True, tracking=True)
    remedy_sought = fields.Text(help="What the complainant asks for.", tracking=True)
    # what the complainant gives (ISO 10002 Annex C)
    event_date = fields.Date(
        string="Date of the Event", tracking=True, help="When what the complaint is about happened."
    )
    order_reference = fields.Char(
        string="Product or Order Reference",
        tracking=True,
        help="As the complainant gives it: an order, invoice or serial number.",
    )
    contact_preference = fields.Selection(
        [("email", "E-mail"), ("phone", "Phone"), ("letter", "Letter")],
        string="Preferred Contact",
        tracking=True,
        help="How the complainant wants to be contacted.",
    )
    large_print = fields.Boolean(
        string="Letters in Large Print",
        tracking=True,
        groups="base.group_user",
        help="The complainant needs large print: every letter to them is printed so (ISO 10002 4.5).",
    )
    on_behalf_of = fields.Char(
        string="Filed on Behalf Of",
        tracking=True,
        groups="base.group_user",
        help="The person the complaint is for, when someone else filed it (a relative, a representative).",
    )
    accessibility_needs = fields.Text(
        tracking=True,
        groups="base.group_user",
        help="What the complainant asked for to be able to complain and follow the complaint (4.5).",
    )
    consent_date = fields.Datetime(
        string="Consent to Processing",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="When the complainant agreed, on the complaint form, that their data be processed to handle it.",
    )
    immediate_action = fields.Text(
        help="What was done at once, for example to protect safety (7.2).", groups="base.group_user", tracking=True
    )
    is_confidential = fields.Boolean(
        string="Confidential",
        tracking=True,
        help="Only its owner and managers can see a confidential complaint.",
        groups="base.group_user",
    )

    # -------------------------------------------------------- acknowledgement
    acknowledged_date = fields.Datetime(string="Acknowledged", tracking=True, copy=False, readonly=True)
    acknowledgement_channel = fields.Selection(CONTACT_MEANS, string="Acknowledged By", tracking=True, copy=False)
    acknowledged_by_id = fields.Many2one(
        "res.users",
        string="Acknowledged by",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="Who acknowledged the complaint: the acknowledgement letter is signed by them.",
    )
    acknowledgement_pending = fields.Boolean(
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="base.group_user",
        help="Received by e-mail: the intake job plans and acknowledges it in a moment.",
    )

    # ------------------------------------------------------------- assessment
    category_id = fields.Many2one(
        "iso10002.complaint.category", index=True, tracking=True, check_company=True, groups="base.group_user"
    )
    severity = fields.Selection(LEVELS, tracking=True, index=True, groups="base.group_user")
    impact = fields.Selection(LEVELS, groups="base.group_user", tracking=True)
    urgency = fields.Selection(LEVELS, groups="base.group_user", tracking=True)
    complexity = fields.Selection(LEVELS, groups="base.group_user", tracking=True)
    safety_issue = fields.Boolean(tracking=True, groups="base.group_user")
    priority = fields.Selection(
        [("0", "Normal"), ("1", "Medium"), ("2", "High"), ("3", "Urgent")],
        compute="_compute_priority",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        groups="base.group_user",
    )
    assessment_date = fields.Datetime(string="Assessed", readonly=True, copy=False, groups="base.group_user")
    assessed_by_id = fields.Many2one("res.users", readonly=True, copy=False, groups="base.group_user")

    # ---------------------------------------------------------- investigation
    person_complained_about_id = fields.Many2one(
        "res.partner",
        tracking=True,
        help="The investigator may never be this person (ISO 10002 Annex D).",
        groups="base.group_user",
    )
    investigator_id = fields.Many2one(
        "res.users",
        tracking=True,
        check_company=True,
        index="btree_not_null",  # the officers' record rule reads it
        groups="base.group_user",
    )
    investigation_date = fields.Datetime(
        string="Investigation Started", readonly=True, copy=False, groups="base.group_user"
    )
    findings = fields.Html(groups="base.group_user")
    root_cause_id = fields.Many2one("iso10002.root.cause", tracking=True, check_company=True, groups="base.group_user")
    investigator_independent = fields.Boolean(
        compute="_compute_process_checks",
        store=True,
        help="The investigator is not the person complained about.",
        groups="base.group_user",
    )
    assessed_before_investigation = fields.Boolean(
        compute="_compute_process_checks", store=True, groups="base.group_user"
    )

    # --------------------------------------------------------------- response
    remedy = fields.Selection(REMEDIES, string="Remedy Decided", tracking=True, groups="base.group_user")
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id, tracking=True
    )
    is_monetary_remedy = fields.Boolean(compute="_compute_is_monetary_remedy", groups="base.group_user")
    compensation_amount = fields.Monetary(
        currency_field="currency_id", tracking=True, aggregator="sum", groups="base.group_user"
    )
    response_text = fields.Html(string="Response", groups="base.group_user")
    decision_date = fields.Datetime(tracking=True, copy=False, readonly=True, groups="base.group_user")
    decided_by_id = fields.Many2one("res.users", readonly=True, copy=False, groups="base.group_user")

    # ----------------------------------------------------------- communicated
    communication_date = fields.Datetime(string="Decision Sent", tracking=True, copy=False, readonly=True)
    communication_channel = fields.Selection(CONTACT_MEANS, string="Decision Sent By", tracking=True, copy=False)
    complainant_response = fields.Selection(
        [("accepted", "Accepted"), ("rejected", "Rejected"), ("no_reply", "No reply")],
        string="Complainant's Answer",
        tracking=True,
        copy=False,
    )
    complainant_response_date = fields.Datetime(string="Answered", copy=False, readonly=True)
    complainant_feedback = fields.Text(string="Complainant's Comments", copy=False, tracking=True)

    # ----------------------------------------------------------------- closed
    closed_date = fields.Datetime(tracking=True, copy=False, readonly=True, index=True)
    closure_reason = fields.Selection(
        [
            ("resolved", "Resolved, decision accepted"),
            ("rejected", "Decision rejected, recourse followed"),
            ("changed_review", "Decision changed on review"),
            ("changed_referral", "Decision changed on referral"),
            ("no_reply", "No reply from the complainant"),
            ("withdrawn", "Withdrawn"),
            ("out_of_scope", "Out of scope"),
        ],
        tracking=True,
        copy=False,
        readonly=True,
    )
    reopen_count = fields.Integer(readonly=True, copy=False, groups="base.group_user")
    reopened_date = fields.Datetime(
        string="Reopened",
        readonly=True,
        copy=False,
        tracking=True,
        groups="base.group_user",
        help="The last reopening: the decision's SLA deadline runs again from it.",
    )
    corrective_action_ids = fields.Many2many(
        "iso10002.corrective.action",
        "iso10002_complaint_corrective_action_rel",
        "complaint_id",
        "action_id",
        string="Corrective Actions",
        copy=False,
        groups="base.group_user",
        tracking=True,
    )

    # ---------------------------------------------------- withdrawn / scope
    withdrawal_reason = fields.Text(copy=False, tracking=True)
    out_of_scope_reason = fields.Selection(
        [
            ("employment", "Employment dispute"),
            ("external", "Matter for external dispute resolution"),
            ("other", "Other matter outside the complaints process"),
        ],
        string="Out of Scope Because",
        tracking=True,
        copy=False,
    )
    external_referral = fields.Boolean(
        string="Referred to External Resolution", tracking=True, help="ISO 10003 dispute resolution."
    )
    external_provider = fields.Char(string="Dispute Resolution Provider", tracking=True)
    external_referral_date = fields.Date(string="Referred On", tracking=True)
    external_outcome = fields.Text(tracking=True)

    _sql_constraints = [
        ("name_company_uniq", "unique(name, company_id)", "A complaint reference must be unique per company."),
        (
            "compensation_positive",
            "CHECK(compensation_amount IS NULL OR compensation_amount >= 0)",
            "A compensation amount cannot be negative.",
        ),
    ]

    # ---------------------------------------------------------------- defaults
    @api.model
    def _default_team_id(self):
        # (a default_team_id in the context is applied by the ORM before this default)
        Team = self.env["iso10002.complaint.team"]
        company = self.env.company
        return Team.search(
            [("company_id", "=", company.id), ("member_ids", "in", self.env.uid)], limit=1
        ) or Team.search([("company_id", "=", company.id)], limit=1)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        team_id = self.env.context.get("default_team_id")
        search_domain = [("team_ids", "=", False)]
        if team_id:
            search_domain = ["|", ("team_ids", "in", team_id), *search_domain]
        return stages.search(search_domain)

    # ---------------------------------------------------------------- computes
    @api.depends("step")
    def _compute_is_open(self):
        for complaint in self:
            complaint.is_open = complaint.step not in FINAL_STEPS

    @api.depends("step", "reopen_count")
    def _compute_can_move(self):
        for complaint in self:
            allowed = complaint._allowed_steps()
            for fname, step in ACTION_STEPS.items():
                complaint[fname] = step in allowed
            complaint.can_delete = complaint._is_deletable()

    def _allowed_steps(self):
        """The steps this complaint may move to now (TRANSITIONS)."""
        self.ensure_one()
        return TRANSITIONS.get(self.step, set())

    def _is_deletable(self):
        """Only a complaint that never left its first step may be deleted (ISO 10002 8.1):
        one reopened back to Received has a history; and only on the day it was recorded
        (a record made by mistake): the figures of a day that has ended never change."""
        self.ensure_one()
        recorded = self.sudo().step_history_id.recorded_date
        today = fields.Datetime.now().date()
        return self._never_left_received() and (not recorded or recorded.date() == today)

    def _never_left_received(self):
        self.ensure_one()
        return self.step == "received" and not self.reopen_count

    @api.depends("remedy")
    def _compute_is_monetary_remedy(self):
        for complaint in self:
            complaint.is_monetary_remedy = complaint.remedy in MONETARY_REMEDIES

    @api.depends("partner_id.email")
    def _compute_email_from(self):
        for complaint in self:
            if complaint.partner_id.email:
                complaint.email_from = complaint.partner_id.email

    @api.depends("partner_id.phone")
    def _compute_partner_phone(self):
        for complaint in self:
            if complaint.partner_id.phone:
                complaint.partner_phone = complaint.partner_id.phone

    def _inverse_partner_phone(self):
        self._complete_complainant({"partner_phone": "phone"})

    @api.depends("partner_id.street", "partner_id.zip", "partner_id.city")
    def _compute_partner_address(self):
        for complaint in self:
            partner = complaint.partner_id
            if partner.street or partner.zip or partner.city:
                complaint.partner_street = partner.street
                complaint.partner_zip = partner.zip
                complaint.partner_city = partner.city

    def _inverse_partner_address(self):
        self._complete_complainant(ADDRESS_FIELDS)

    def _complete_complainant(self, fields_map):
        """What an officer types of the complainant's contact details on the complaint
        (a caller's number, an address for letters) completes their contact where it
        was empty: what the contact had is never replaced from a complaint, which keeps
        its own."""
        for complaint in self:
            partner = complaint.partner_id.sudo()
            if partner.user_ids or (partner.is_company and partner.child_ids):
                continue  # a user's contact, a company's: kept on the complaint only
            missing = {
                partner_field: complaint[field]
                for field, partner_field in fields_map.items()
                if complaint[field] and not partner[partner_field]
            }
            if partner and missing:
                partner.write(missing)

    def _inverse_email_from(self):
        for complaint in self:
            if complaint.partner_id and complaint.email_from and not complaint.partner_id.email:
                complaint.partner_id.email = complaint.email_from

    @api.depends("team_id")
    def _compute_stage_id(self):
        for complaint in self:
            if not complaint.stage_id or (
                complaint.stage_id.team_ids and complaint.team_id not in complaint.stage_id.team_ids
            ):
                step = complaint.stage_id.step or "received"
                complaint.stage_id = self._find_stage(step, complaint.team_id, raise_if_missing=False)

    @api.depends("severity", "impact", "urgency", "safety_issue")
    def _compute_priority(self):
        for complaint in self:
            if complaint.safety_issue:
                complaint.priority = "3"
                continue
            severity = LEVEL_RANK.get(complaint.severity, 0)
            others = [LEVEL_RANK[v] for v in (complaint.impact, complaint.urgency) if v]
            # Severity leads; impact and urgency together can raise it by one level.
            rank = max(severity, round(sum(others) / len(others)) if others else 0)
            complaint.priority = str(min(rank, 3))

    @api.depends("investigator_id", "person_complained_about_id", "assessment_date", "investigation_date")
    def _compute_process_checks(self):
        for complaint in self:
            complaint.investigator_independent = (
                bool(complaint.investigator_id) and not complaint._investigator_conflict()
            )
            complaint.assessed_before_investigation = bool(
                complaint.assessment_date
                and (not complaint.investigation_date or complaint.assessment_date <= complaint.investigation_date)
            )

    def _compute_access_url(self):
        for complaint in self:
            complaint.access_url = f"/my/complaints/{complaint.id}"

    # ----------------------------------------------------------- constraints
    @api.constrains("investigator_id", "person_complained_about_id")
    def _check_investigator_independent(self):
        for complaint in self:
            if complaint._investigator_conflict():
                raise ValidationError(
                    self.env._(
                        "%(investigator)s cannot investigate complaint %(complaint)s: "
                        "the complaint is about them (ISO 10002 Annex D).",
                        investigator=complaint.investigator_id.name,
                        complaint=complaint.name,
                    )
                )

    @api.constrains("user_id")
    def _check_owner_is_officer(self):
        """The owner handles the complaint: an active complaints officer of its company
        (not the auditor, an employee without the role, a portal user, someone gone)."""
        for complaint in self.sudo():
            owner = complaint.user_id
            if owner and not (
                owner.active and owner.has_group(OFFICER_GROUP) and complaint.company_id in owner.company_ids
            ):
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot own complaint %(complaint)s: its owner is an active complaints officer of "
                        "%(company)s.",
                        user=owner.name,
                        complaint=complaint.name,
                        company=complaint.company_id.name,
                    )
                )

    @api.constrains("user_id", "decided_by_id", "reviewer_id", "person_complained_about_id")
    def _check_owner_independent(self):
        """Nobody owns, decides or reviews a complaint about themselves (ISO 10002 4.7,
        Annex D), as nobody investigates it."""
        for complaint in self.sudo():
            about = complaint.person_complained_about_id
            if not about:
                continue
            for field in ("user_id", "decided_by_id", "reviewer_id"):
                if complaint[field].partner_id == about:
                    raise ValidationError(
                        self.env._(
                            "%(user)s cannot be the %(role)s of complaint %(complaint)s: the complaint is about them "
                            "(ISO 10002 4.7, Annex D).",
                            user=complaint[field].name,
                            role=complaint._fields[field]._description_string(self.env),
                            complaint=complaint.name,
                        )
                    )

    @api.constrains(*HAPPENED_DATES, *HAPPENED_MOMENTS)
    def _check_happened(self):
        """An outcome, an offer, an answer is recorded once it happened: its date is not
        after today, in the time zone of whoever records it (their preference, else their
        company's; not the client's context, which could move "today" forward)."""
        today = self._today()
        now = fields.Datetime.now() + timedelta(minutes=5)
        for complaint in self.sudo():
            reader = Reader(self.env, company=complaint.company_id)
            for name in HAPPENED_DATES:
                if complaint[name] and complaint[name] > today:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of complaint %(complaint)s cannot be %(date)s: it is after today "
                            "(%(today)s). Record what has happened, when it has happened.",
                            field=self._fields[name]._description_string(self.env),
                            complaint=complaint.name,
                            date=reader.date(complaint[name]),
                            today=reader.date(today),
                        )
                    )
            for name in HAPPENED_MOMENTS:
                if complaint[name] and complaint[name] > now:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of complaint %(complaint)s cannot be in the future.",
                            field=self._fields[name]._description_string(self.env),
                            complaint=complaint.name,
                        )
                    )

    @api.constrains(*{name for pair in HAPPENED_IN_ORDER for name in pair})
    def _check_happened_in_order(self):
        """A review after the recourse was offered, an outcome after the referral."""
        for complaint in self.sudo():
            for earlier, later in HAPPENED_IN_ORDER:
                if complaint[earlier] and complaint[later] and complaint[later] < complaint[earlier]:
                    raise ValidationError(
                        self.env._(
                            "%(later)s of complaint %(complaint)s cannot be before %(earlier)s.",
                            later=self._fields[later]._description_string(self.env),
                            earlier=self._fields[earlier]._description_string(self.env),
                            complaint=complaint.name,
                        )
                    )

    def _is_about(self, user):
        """Whether this complaint is about ``user`` (who may then neither own, decide,
        approve, investigate nor review it)."""
        self.ensure_one()
        about = self.sudo().person_complained_about_id
        return bool(about and user.partner_id == about)

    @api.model
    def _today(self):
        """Today for the current user: in their time zone, else their company's, else UTC."""
        tz = self.env.user.tz or self.env.company.sudo().partner_id.tz or "UTC"
        return fields.Date.context_today(self.with_context(tz=tz))

    def _investigator_conflict(self):
        self.ensure_one()
        return bool(
            self.investigator_id
            and self.person_complained_about_id
            and self.investigator_id.partner_id == self.person_complained_about_id
        )

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        """Reference, record, SLA, acknowledgement of what is still received, log."""
        trusted = is_engine(self.env)
        self = client_safe(self, self._client_guarded_fields())  # noqa: PLW0642
        acknowledge = self.env.context.get(ACKNOWLEDGE_KEY)
        sequences = {}  # company: its sequence, looked up once per call
        for vals in vals_list:
            if not trusted:
                if vals.get("name") in (False, self.env._("New")):
                    vals.pop("name")
                self._check_client_values(vals, creating=True)
            if acknowledge is DEFERRED_ACKNOWLEDGEMENT:
                vals["acknowledgement_pending"] = True
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if vals.get("team_id") and not vals.get("company_id"):
                company = self.env["iso10002.complaint.team"].browse(vals["team_id"]).company_id or company
                vals["company_id"] = company.id
            if not vals.get("name"):
                if company not in sequences:
                    sequences[company] = company._complaint_sequence()
                vals["name"] = self._next_reference(sequences[company], vals.get("received_date"))
        creator = self
        if acknowledge is DEFERRED_ACKNOWLEDGEMENT:
            # from the mail gateway: the incoming e-mail, posted next with the creation
            # subtype, is the creation message; the gateway also makes its sender a follower
            creator = self.with_context(mail_create_nolog=True)
        complaints = super(Iso10002Complaint, creator).create(vals_list)
        if not trusted:
            late = complaints.filtered(lambda c: c.step != "received")
            if late.filtered(lambda c: not c.stage_id):
                raise UserError(
                    self.env._("No stage is defined for the step Received: ask a complaints manager to add one.")
                )
            complaints.filtered(lambda c: not c.active)._check_archiving({"active": False})
            if late:
                raise UserError(
                    self.env._(
                        "A complaint is recorded in the Received step and then follows the process; "
                        "it cannot be created directly in a later step (%s).",
                        ", ".join(late.mapped("stage_id.name")),
                    )
                )
        complaints._assign_owners(
            recorder=None if trusted or acknowledge is DEFERRED_ACKNOWLEDGEMENT else self.env.user
        )
        complaints._safety_alert()
        if acknowledge is not DEFERRED_ACKNOWLEDGEMENT:
            for partner, followed in complaints.filtered("partner_id").grouped("partner_id").items():
                followed.message_subscribe(partner_ids=partner.ids)
        if acknowledge is DEFERRED_ACKNOWLEDGEMENT:
            # received by e-mail: planned and acknowledged by the intake job, in batches
            self.env.ref("iso10002_complaints.ir_cron_acknowledge").sudo()._trigger()
            return complaints
        with ClockSet.shared(self.env):  # one fetch of the working time for both steps
            complaints._sla_on_create()
            if acknowledge is not NO_ACKNOWLEDGEMENT:
                complaints.filtered(lambda c: c.step == "received")._acknowledge_on_receipt()
        return complaints

    def _assign_owners(self, recorder=None, moved=False):
        """Give each complaint without an owner its responsible person from receipt (ISO
        10002 5.4, 7.3): the officer who records it (a call, a visit) takes it; otherwise
        its team's assignment rule picks one; failing that the company's escalation
        manager, then its complaints management representative. Never the person the
        complaint is about.

        ``moved``: these complaints moved to another team whose officers their owner is
        not one of: the new team's rule gives them a new owner (else they keep theirs)."""
        # an imported complaint already closed keeps the owner it had, or none
        unowned = self.filtered(lambda c: c.is_open and (moved or not c.sudo().user_id))
        if not unowned:
            return
        owners = {}
        if recorder and not self.env.su and not recorder._is_public() and recorder.has_group(OFFICER_GROUP):
            owners = {complaint: recorder for complaint in unowned if not complaint._is_about(recorder)}
        for team, complaints in (unowned - self.browse([c.id for c in owners])).grouped("team_id").items():
            if team:
                owners.update(team.sudo()._pick_owners(complaints.sudo()))
        for complaint in unowned:
            if moved or complaint.sudo() in owners or complaint in owners:
                continue
            company = complaint.company_id.sudo()
            for user in (company.complaint_escalation_user_id, company.complaint_representative_id):
                if (
                    user
                    and user.active
                    and company in user.company_ids
                    and user.has_group(OFFICER_GROUP)
                    and not complaint._is_about(user)
                ):
                    owners[complaint] = user
                    break
        by_owner = {}
        for complaint, owner in owners.items():
            by_owner.setdefault(owner.id, []).append(complaint.id)
        for owner_id, ids in by_owner.items():
            as_engine(self.browse(ids)).write({"user_id": owner_id})

    @api.model
    def _import_complaints(self, vals_list, acknowledge=False):
        """Complaints from another system, with their history: they may be created in any
        step with their process dates, and are not acknowledged again unless asked."""
        Complaint = as_engine(self)
        if not acknowledge:
            Complaint = Complaint.with_context(**{ACKNOWLEDGE_KEY: NO_ACKNOWLEDGEMENT})
        return Complaint.create(vals_list).with_env(self.env)

    @api.model
    def _load_records_create(self, vals_list):
        # the data loader (module data and demo), never a client: histories as they are
        if self.env.su:
            return self._import_complaints(vals_list)
        return super()._load_records_create(vals_list)

    def _load_records_write(self, values):
        # the data loader updating module data: histories as they are
        if self.env.su:
            return super(Iso10002Complaint, as_engine(self))._load_records_write(values)
        return super()._load_records_write(values)

    def write(self, vals):
        if not is_engine(self.env):
            self = client_safe(self, self._client_guarded_fields())  # noqa: PLW0642
            self._check_client_values(vals)
            self._check_company_kept(vals)
            self._check_closed_lock(vals)
            self._check_answer_lock(vals)
            self._check_archiving(vals)
            self._check_recorded_channels(vals)
            self._check_owner_kept(vals)
        before = self._sla_before_write(vals)
        marked = self._safety_newly_marked(vals)
        html_before = self._html_trace_before(vals)
        complainants = (
            {complaint: complaint.partner_id for complaint in self if complaint.partner_id.id != vals["partner_id"]}
            if "partner_id" in vals and "anonymised_date" not in vals
            else {}
        )
        if complainants:
            # another complainant: their own number and address, not the previous one's
            newcomer = self.env["res.partner"].sudo().browse(vals["partner_id"])
            vals = dict(vals)
            for field, partner_field in {**ADDRESS_FIELDS, "partner_phone": "phone"}.items():
                vals.setdefault(field, newcomer[partner_field] or False)
        if vals.get("stage_id"):
            # who may not write is refused as such, before the rules of the steps
            self.check_access("write")
            # Write the other values first so that the stage guards see them.
            vals = dict(vals)
            stage = self.env["iso10002.complaint.stage"].browse(vals.pop("stage_id"))
            if vals:
                super().write(vals)
            for complaint in self:
                complaint._check_transition(stage)
                stage_vals = complaint._stage_side_effects(stage, vals)
                stage_vals["stage_id"] = stage.id
                super(Iso10002Complaint, complaint).write(stage_vals)
            vals["stage_id"] = stage.id
        else:
            super().write(vals)
        self._html_trace_log(html_before)
        if "team_id" in vals and "user_id" not in vals:
            # the new team's rule gives the owner, unless the owner is one of its officers
            self.filtered(
                lambda c: c.team_id and c.sudo().user_id not in c.team_id.sudo()._officers(c.company_id)
            )._assign_owners(moved=True)
        if complainants:
            self.browse([complaint.id for complaint in complainants])._on_complainant_change(complainants)
        self._sla_on_write(vals, before)
        marked._safety_alert()
        if "stage_id" in vals:
            self._on_step_change()
        return True

    def _on_step_change(self):
        """Called once the complaints moved stage (after the SLA hook): the place for
        extensions to follow the lifecycle (the helpdesk bridge closes tickets)."""
        self.filtered(lambda c: c.step == "response" and c._contact_means() != "email")._ask_to_communicate()

    def _check_recorded_channels(self, vals):
        """How the complainant was acknowledged, how the decision was sent: recorded when
        it happened, never relabelled afterwards."""
        for field, steps in RECORDED_CHANNELS.items():
            if field in vals and self.filtered(lambda c, s=steps, f=field: c.step in s and c[f] != vals[f]):
                raise UserError(
                    self.env._(
                        "%s is recorded when it happens and cannot be changed afterwards.",
                        self._fields[field]._description_string(self.env),
                    )
                )

    def _check_owner_kept(self, vals):
        """A complaint has someone responsible for it from receipt: its owner is handed
        over, never removed."""
        if "user_id" in vals and not vals["user_id"]:
            owned = self.filtered(lambda c: c.sudo().user_id)
            if owned:
                raise self._refusal(
                    self.env._(
                        "Complaint %s always has an Owner, from receipt: hand it over to someone else instead.",
                        owned[0].name,
                    ),
                    "user_id",
                )

    def unlink(self):
        # no client switch (the uninstall flag) skips the guard below; what is deleted with
        # a complaint still in its first step (its messages, documents) goes by the process
        self.check_access("unlink")
        if all(complaint._is_deletable() for complaint in self):  # else the guard refuses
            # the reference stays in the SLA history with who deleted it and when: an
            # auditor tells a deleted complaint from a gap in the numbering
            now = fields.Datetime.now()
            self.env["iso10002.sla.event"].sudo().create(
                [{"complaint_id": complaint.id, "kind": "deleted", "date": now} for complaint in self]
            )
        return super(Iso10002Complaint, as_engine(self)).unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_left_received(self):
        left = self.filtered(lambda c: not c._never_left_received())
        if left:
            raise UserError(
                self.env._(
                    "Complaints that left the Received step are never deleted (ISO 10002 8.1); "
                    "archive them instead: %s",
                    ", ".join(left.mapped("name")),
                )
            )
        earlier = self.filtered(lambda c: not c._is_deletable())
        if earlier:
            raise UserError(
                self.env._(
                    "A complaint is deleted only on the day it was recorded (a record made by mistake): the figures "
                    "of the days that have ended count it. Close it as withdrawn or out of scope instead: %s",
                    ", ".join(earlier.mapped("name")),
                )
            )

    def action_delete(self):
        """The form's Delete, offered only while the complaint may be deleted; back to
        the complaints, as the client's own Delete does."""
        self.unlink()
        action = self.env["ir.actions.act_window"]._for_xml_id("iso10002_complaints.iso10002_complaint_action")
        return dict(action, target="main")

    def copy_data(self, default=None):
        # a complaint is a record of what someone told us: it is never duplicated (a
        # copy would acknowledge the complainant a second time, under a new reference)
        raise UserError(self.env._("Complaints are not duplicated: record a new complaint instead."))

    # --------------------------------------------------------------- sequence
    @api.model
    def _next_reference(self, sequence, received_date=None):
        """Next reference from the company's sequence: the year in it is the year the
        complaint was received.

        The sequence is a PostgreSQL sequence (``standard``): concurrent intakes (form,
        e-mail, RPC, helpdesk) never wait for one another, and a number drawn by an intake
        that failed and was retried is not reused, which leaves a gap. References stay
        unique (``name_company_uniq``)."""
        date = fields.Datetime.to_datetime(received_date) if received_date else fields.Datetime.now()
        return sequence.with_context(ir_sequence_date=fields.Date.to_string(date)).next_by_id()

    @api.model
    def _reference_gaps(self, company=None, limit=None):
        """The numbers of the company's sequence that no complaint holds and no recorded
        deletion explains, in order (the first ``limit``): numbers drawn by intakes that
        failed or were rolled back (a gap, nothing lost). A deleted complaint is not a gap:
        its reference stays in the SLA history (kind *Deleted*) with who deleted it and
        when. Only references of the sequence's own shape count (an imported
        ``LEGACY/2019/00047`` does not)."""
        used, first, last = self._reference_numbers(company)
        gaps = []
        for number in range(first, last + 1):
            if number not in used:
                gaps.append(number)
                if limit and len(gaps) >= limit:
                    break
        return gaps

    @api.model
    def _reference_gap_count(self, company=None):
        """How many numbers ``_reference_gaps`` lists, without listing them."""
        used, first, last = self._reference_numbers(company)
        return max(0, last - first + 1 - len({number for number in used if first <= number <= last}))

    @api.model
    def _reference_numbers(self, company=None):
        """(numbers held by a complaint or a recorded deletion, first of them, last drawn)
        of the company's sequence."""
        company = company or self.env.company
        sequence = company._complaint_sequence()
        # the interpolated parts of the prefix and suffix have fixed widths
        widths = {"year": 4, "month": 2, "day": 2, "y": 2, "doy": 3, "woy": 2, "weekday": 1}
        widths.update({"h24": 2, "h12": 2, "min": 2, "sec": 2})
        widths.update({f"range_{key}": width for key, width in list(widths.items())})
        widths.update({f"current_{key}": width for key, width in list(widths.items()) if "_" not in key})

        def shape(text):
            shaped = re.escape(text or "")
            for key, width in widths.items():
                shaped = shaped.replace(re.escape(f"%({key})s"), rf"\d{{{width}}}")
            return shaped

        pattern = f"^{shape(sequence.prefix)}(\\d{{1,18}}){shape(sequence.suffix)}$"
        rows = self.env.execute_query(
            SQL(
                """
                SELECT substring(name from %(re)s)::bigint FROM iso10002_complaint
                 WHERE company_id = %(company)s AND name ~ %(re)s
                UNION
                SELECT substring(complaint_name from %(re)s)::bigint FROM iso10002_sla_event
                 WHERE company_id = %(company)s AND kind = 'deleted' AND complaint_name ~ %(re)s
                """,
                re=pattern,
                company=company.id,
            )
        )
        used = {row[0] for row in rows}
        last = sequence.number_next_actual - sequence.number_increment
        return used, min(used, default=last + 1), last

    # ------------------------------------------------------------ lifecycle
    @api.model
    def _find_stage(self, step, team, raise_if_missing=True):
        domain = [("step", "=", step), "|", ("team_ids", "=", False)]
        domain += [("team_ids", "in", team.ids)] if team else [("id", "=", False)]
        stage = self.env["iso10002.complaint.stage"].search(domain, limit=1)
        if not stage and raise_if_missing:
            label = self._step_labels()[step]
            raise UserError(
                self.env._("No stage is defined for the step %s: ask a complaints manager to add one.", label)
            )
        return stage

    def _check_closed_lock(self, vals):
        locked = [
            name for name in vals if name not in CLOSED_WRITABLE and not name.startswith(CLOSED_WRITABLE_PREFIXES)
        ]
        if not locked and "stage_id" not in vals:
            return
        for complaint in self.filtered(lambda c: c.step == "closed"):
            if locked or vals.get("stage_id") != complaint.stage_id.id:
                complaint.check_access("write")  # an access error first, for those who may not write
                raise UserError(self.env._("Complaint %s is closed: reopen it before changing it.", complaint.name))

    def _check_answer_lock(self, vals):
        """The complainant's answer to a decision, once given (online, or recorded when
        closing), is theirs: nobody rewrites it. A new decision, communicated again,
        waits for a new answer (_stage_side_effects)."""
        if not {"complainant_response", "complainant_feedback"} & set(vals):
            return
        for complaint in self.filtered("complainant_response_date"):
            if any(
                vals[name] != complaint[name]
                for name in ("complainant_response", "complainant_feedback")
                if name in vals
            ):
                raise UserError(
                    self.env._(
                        "The complainant answered the decision on complaint %s: their answer is not changed. "
                        "A new decision, communicated again, asks for a new answer.",
                        complaint.name,
                    )
                )

    def _check_transition(self, stage):
        """Refuse a move to ``stage`` that the process or the record does not allow."""
        self.ensure_one()
        old, new = self.step, stage.step
        if stage.team_ids and self.team_id not in stage.team_ids:
            raise UserError(
                self.env._("Stage %(stage)s is not used by team %(team)s.", stage=stage.name, team=self.team_id.name)
            )
        old = old or "received"  # a complaint without a stage is treated as just received
        if old == new:
            return
        if old in FINAL_STEPS and is_engine(self.env):
            return  # action_reopen
        if new not in TRANSITIONS[old]:
            raise self._transition_refusal(new)
        if new == "closed" and not is_engine(self.env):
            # dragged to a closed column, or written over RPC: closing records why and asks
            # the complainant's satisfaction, which only action_close does
            raise UserError(
                self.env._(
                    "Close complaint %s with its Close button: it records why the complaint closes and asks "
                    "the complainant's satisfaction.",
                    self.name,
                )
            )
        missing = self._missing_for_step(new)
        if missing:
            field, sentence = missing
            raise self._refusal(
                self.env._(
                    "Complaint %(complaint)s cannot move to %(step)s yet. %(missing)s",
                    complaint=self.name,
                    step=self._step_labels()[new],
                    missing=sentence,
                ),
                field,
            )

    def _transition_refusal(self, step):
        """The UserError of a move to ``step`` that the state machine (TRANSITIONS) does
        not allow from where the complaint is."""
        self.ensure_one()
        labels = self._step_labels()
        return UserError(
            self.env._(
                "Complaint %(complaint)s cannot go from %(old)s to %(new)s.",
                complaint=self.name,
                old=labels.get(self.step or "received", self.step),
                new=labels[step],
            )
        )

    def _owner(self):
        """Who answers for the complaint: its owner, its team's leader, else the company's
        escalation contact (the SLA notices' first recipient)."""
        self.ensure_one()
        return self.user_id or self.team_id.user_id or self.company_id.complaint_escalation_user_id

    def _responsible_user(self):
        """Whom a follow-up activity goes to: the owner; failing one, the first of the
        team's leader, the company's escalation contact and the employee at work who may
        read the complaint (a leader does not read a member's confidential complaint, and
        an activity shows its assignee the complaint's name); never a portal or public
        user acting through the complainant's routes; else an administrator."""
        self.ensure_one()
        owner = self.user_id
        # the officer rule lets an owner read their complaint: no query to know it
        if owner.active and owner.has_group(OFFICER_GROUP) and self.company_id in owner.company_ids:
            return owner
        admin = self.env.ref("base.user_admin")
        candidates = [owner, self.team_id.user_id, self.company_id.complaint_escalation_user_id]
        if self.env.user._is_internal():
            candidates.append(self.env.user)
        # defined with the model that extends this one: imported when it is registered
        from .iso10002_complaint_authority import MANAGER_GROUP

        managers = self.env.ref(MANAGER_GROUP).sudo().users.filtered(lambda u: self.company_id in u.company_ids)
        for user in [*candidates, *managers.sorted("id"), admin]:
            if user and user.active and self._readable_by(user):
                return user
        return admin

    def _ask_owner(self, note, summary="", activity="mail.mail_activity_data_todo"):
        """An activity for whom follows the complaint up (_responsible_user)."""
        self.ensure_one()
        return self.activity_schedule(activity, user_id=self._responsible_user().id, summary=summary, note=note)

    @api.model
    def _step_labels(self):
        """The steps' names in the user's language."""
        return dict(self.env["iso10002.complaint.stage"]._fields["step"]._description_selection(self.env))

    def _missing_for_step(self, step):
        """What the record lacks to enter ``step``: ``(field, sentence)``, the sentence
        naming the field and the tab of the form that holds it; or ``None``."""
        self.ensure_one()
        if not self.user_id:
            return "user_id", self.env._(
                "Give the complaint its Owner first, the person responsible for it from receipt (ISO 10002 7.3)."
            )
        if step == "response" and self._is_about(self.env.user):
            return "remedy", self.env._("The complaint is about you: someone else decides it (ISO 10002 4.7, Annex D).")
        if step == "acknowledged" and not (self.acknowledged_date or self.acknowledgement_channel):
            return "acknowledgement_channel", self.env._(
                "Say how the complainant was acknowledged (Acknowledged By, on the Acknowledgement tab)."
            )
        if step == "assessment" and (not self.severity or not self.category_id):
            return "severity" if not self.severity else "category_id", self.env._(
                "Give the complaint a Severity and a Category, on the Assessment tab."
            )
        if step == "investigation":
            if not self.investigator_id:
                return "investigator_id", self.env._("Choose the Investigator, on the Investigation tab.")
            if self._investigator_conflict():
                return "investigator_id", self.env._(
                    "The Investigator cannot be the person complained about: choose someone else, "
                    "on the Investigation tab."
                )
        if step == "response":
            if not self.remedy:
                return "remedy", self.env._("Choose the Remedy Decided, on the Response tab.")
            if self.is_monetary_remedy and not self.compensation_amount:
                return "compensation_amount", self.env._(
                    "A refund, compensation or credit needs its Compensation Amount, on the Response tab."
                )
        if step == "communicated":
            if tools.is_html_empty(self.response_text):
                return "response_text", self.env._("Write the Response to the complainant, on the Response tab.")
            if not self.communication_channel:
                return "communication_channel", self.env._(
                    "Say how the decision was sent (Decision Sent By, on the Decision & Answer tab)."
                )
        if step == "closed" and self.step == "communicated" and not self.complainant_response:
            return "complainant_response", self.env._(
                "Record the Complainant's Answer (accepted, rejected or no reply), on the Decision & Answer tab."
            )
        if step == "closed" and self.step == "communicated" and self.complainant_response == "rejected":
            missing = self._missing_recourse()
            if missing:
                return missing
            if self._recourse_change():
                return "remedy", self.env._(
                    "The recourse changed the decision: decide the new one (Response tab) and communicate it; "
                    "the complainant answers it before the complaint closes."
                )
        if step == "withdrawn" and not (self.withdrawal_reason or "").strip():
            return "withdrawal_reason", self.env._("Give the Withdrawal Reason, on the Closing tab.")
        if step == "out_of_scope":
            if not self.out_of_scope_reason:
                return "out_of_scope_reason", self.env._(
                    "Say why the complaint is out of scope (Out of Scope Because, on the Closing tab)."
                )
            if self.external_referral and not (self.external_provider or "").strip():
                return "external_provider", self.env._("Name the Dispute Resolution Provider, on the Closing tab.")
        # what was sent needs where to send it (checked once the rest is there)
        means = {"acknowledged": self.acknowledgement_channel, "communicated": self.communication_channel}.get(step)
        if means == "letter" and not (self.partner_street or self.partner_city):
            return "partner_street", self.env._(
                "A letter needs the complainant's postal address: type it on the complaint (Postal Address)."
            )
        if step == "communicated" and means == "email" and not self.email_from:
            return "email_from", self.env._(
                "The decision cannot be e-mailed: the complaint has no E-mail address. Send it another way, or type "
                "the address."
            )
        return None

    @api.model
    def _refusal(self, message, field):
        """A UserError about ``field``: the form opens the tab that holds it and marks it
        (static/src/js/step_refusal.js), the message saying why."""
        error = UserError(message)
        arch = etree.fromstring(self.get_view(view_type="form")["arch"])
        # the complaint's own field, not one of a list inside the form (the decisions')
        page = (
            arch.xpath(f"//page[.//field[@name='{field}'][not(ancestor::field)]]/@name")
            if field in self._fields
            else []
        )
        error.context = {"iso10002_field": field, "iso10002_page": page[0] if page else False}
        return error

    def _stage_side_effects(self, stage, vals):
        """Dates and people that entering ``stage`` records on this complaint."""
        self.ensure_one()
        if stage.step == self.step:
            return {}
        now = fields.Datetime.now()
        # the first time only: when the complaint was first acknowledged, assessed...
        first = {
            # (a person: not the process acknowledging by e-mail on receipt)
            "acknowledged": {
                "acknowledged_date": now,
                "acknowledged_by_id": self.env.uid if self.env.user._is_internal() and not self.env.su else False,
            },
            "assessment": {"assessment_date": now, "assessed_by_id": self.env.uid},
            "investigation": {"investigation_date": now},
            # the decision goes the way the complainant chose, unless the officer says otherwise
            "response": {"communication_channel": self._contact_means()},
        }.get(stage.step, {})
        # every time: a new decision, a new communication (which waits for a new answer;
        # the previous one stays in the trail), a new closing
        latest = {
            "response": {"decision_date": now, "decided_by_id": self.env.uid},
            "communicated": {
                "communication_date": now,
                "complainant_response": False,
                "complainant_response_date": False,
                "complainant_feedback": False,
            },
            "closed": {"closed_date": now},
        }.get(stage.step, {})
        extra = {key: value for key, value in first.items() if not self[key]}
        extra.update(latest)
        if stage.step == "communicated" and self._recourse_change():
            # the decision a recourse changed is decided anew by whoever records and sends
            # it (the Close that sent it back to Response decided nothing)
            extra["decided_by_id"] = self.env.uid
        return {key: value for key, value in extra.items() if key not in vals}

    def _move_to_step(self, step):
        """What a step's button does: the button shows only when the state machine allows
        the move (can_*), and is refused as such when called otherwise."""
        for complaint in self:
            if step not in complaint._allowed_steps():
                raise complaint._transition_refusal(step)
            complaint.stage_id = self._find_stage(step, complaint.team_id)
        return True

    def action_acknowledge(self):
        """Record the acknowledgement (7.4); by e-mail it sends the template."""
        for complaint in self:
            if complaint.step != "received" and complaint.acknowledged_date:
                raise UserError(self.env._("Complaint %s is already acknowledged.", complaint.name))
            if "acknowledged" not in complaint._allowed_steps():
                raise complaint._transition_refusal("acknowledged")
            channel = complaint.acknowledgement_channel
            if not channel:
                raise self._refusal(
                    self.env._("Say how complaint %s was acknowledged (e-mail, phone, letter...).", complaint.name),
                    "acknowledgement_channel",
                )
            if channel == "email":
                if not complaint.email_from:
                    raise self._refusal(
                        self.env._("Complaint %s has no e-mail address to write to.", complaint.name), "email_from"
                    )
                if not complaint._send_acknowledgement_mail():
                    raise UserError(
                        self.env._(
                            "No acknowledgement e-mail could be sent for complaint %s: its complainant has no "
                            "valid e-mail address. Acknowledge it another way.",
                            complaint.name,
                        )
                    )
            complaint._move_to_step("acknowledged")
            complaint._record_communication(
                "iso10002_complaints.action_report_complaint_acknowledgement",
                self.env._("The acknowledgement"),
                channel,
            )
            complaint.activity_feedback(["iso10002_complaints.mail_activity_type_acknowledge"])
        return True

    def action_assess(self):
        return self._move_to_step("assessment")

    def action_investigate(self):
        return self._move_to_step("investigation")

    def action_respond(self):
        return self._move_to_step("response")

    def action_communicate(self):
        """Record that the decision was sent (7.8): by e-mail the company writes it; by
        letter the letter as printed is kept; by phone or in person a note of it."""
        self._move_to_step("communicated")
        for complaint in self:
            if complaint.communication_channel == "email" and complaint.email_from:
                # the company writes to the complainant (the officer moved the step, above)
                complaint.sudo().message_post_with_source(
                    "iso10002_complaints.mail_template_complaint_decision",
                    subtype_xmlid="mail.mt_comment",
                    message_type="comment",
                )
            else:
                complaint._record_communication(
                    "iso10002_complaints.action_report_complaint_decision",
                    self.env._("The decision"),
                    complaint.communication_channel,
                )
            complaint.activity_feedback(["iso10002_complaints.mail_activity_type_communicate"])
            # news of the progress not yet told is overtaken by the decision itself
            progress = self.env.ref(PROGRESS_ACTIVITY)
            overtaken = complaint.activity_ids.filtered(lambda a, t=progress: a.activity_type_id == t)
            if overtaken:
                overtaken.sudo().unlink()
                complaint.sudo().message_post(
                    body=self.env._("The news of the progress still to tell was overtaken by the decision."),
                    subtype_xmlid="mail.mt_note",
                )
        return True

    def _ready_to_close(self):
        """Whether the complaint may be closed now: its step allows it and nothing is missing."""
        self.ensure_one()
        return "closed" in self._allowed_steps() and not self._missing_for_step("closed")

    def action_close(self):
        """Close, recording why; a decision that the recourse changed is not closed on but
        decided anew (_redecide), and the complainant answers the new one first."""
        for complaint in self:
            if "closed" not in complaint._allowed_steps():
                raise UserError(
                    self.env._(
                        "Complaint %s can only be closed once the decision was communicated, or after a withdrawal.",
                        complaint.name,
                    )
                )
            if complaint.step == "communicated" and complaint._recourse_change():
                complaint._redecide()
                continue
            reason = complaint._closure_reason_of_decision() if complaint.step == "communicated" else complaint.step
            vals = {"stage_id": self._find_stage("closed", complaint.team_id).id, "closure_reason": reason}
            if (
                complaint.step == "communicated"
                and complaint.complainant_response
                and not complaint.complainant_response_date
            ):
                vals["complainant_response_date"] = fields.Datetime.now()
            complaint.check_access("write")
            as_engine(complaint).write(vals)
            if reason not in ("withdrawn", "out_of_scope"):
                complaint._ask_satisfaction()
        return True

    def action_withdraw(self):
        return self._move_to_step("withdrawn")

    def action_out_of_scope(self):
        return self._move_to_step("out_of_scope")

    def action_export_register(self):
        """From the list: the complaints register (XLSX) of the selected complaints."""
        return self.env["report.iso10002_complaints.register_xlsx"]._action_download(self)

    def action_reopen(self):
        for complaint in self:
            if complaint.is_open:
                raise UserError(self.env._("Complaint %s is not closed.", complaint.name))
            complaint.check_access("write")
            # back to the last step it really went through: a complaint withdrawn before
            # it was acknowledged or assessed does not skip those steps on reopening
            step = (
                "received"
                if not complaint.acknowledged_date
                else "acknowledged"
                if not complaint.assessment_date
                else "assessment"
            )
            as_engine(complaint).write(
                {
                    "stage_id": self._find_stage(step, complaint.team_id).id,
                    "closed_date": False,
                    "closure_reason": False,
                    "complainant_response": False,
                    "complainant_response_date": False,
                    "reopen_count": complaint.reopen_count + 1,
                    "reopened_date": fields.Datetime.now(),
                }
            )
            complaint.message_post(
                body=self.env._("Complaint reopened (time %s); its history is kept above.", complaint.reopen_count),
                subtype_xmlid="mail.mt_note",
            )
        return True

    @api.model
    def _claim_ids(self, condition, order, limit):
        """The ids of up to ``limit`` complaints where ``condition`` (SQL) holds, in ``order``,
        locked for this worker: rows another worker holds are skipped, so that a job run by
        two workers or two Odoo servers at once (a cron on each, or by hand beside the cron)
        handles each complaint once, and neither waits for the other nor fails.

        A row another run changed and committed since this transaction began cannot be
        locked here (PostgreSQL's "could not serialize access due to concurrent update",
        in Odoo's repeatable read): that run handled it, and this one takes nothing and
        ends well instead of failing with an error; what is left is for the next run."""
        self.env.flush_all()
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM iso10002_complaint WHERE %s ORDER BY %s LIMIT %s FOR NO KEY UPDATE SKIP LOCKED",
                        condition,
                        order,
                        limit,
                    ),
                    log_exceptions=False,
                )
                return [row[0] for row in self.env.cr.fetchall()]
        except SerializationFailure:
            _logger.info("Complaints taken by another run of the job since this one began: left to the next run")
            return []

    @api.model
    def _cron_auto_close(self, limit=500):
        """Close complaints whose decision got no answer after their company's delay."""
        now = fields.Datetime.now()
        companies = self.env["res.company"].search([("complaint_auto_close_days", ">", 0)])
        if not companies:
            return 0
        domain = [
            ("step", "=", "communicated"),
            ("complainant_response", "in", (False, "no_reply")),
            *expression.OR(
                [
                    ("company_id", "=", company.id),
                    ("communication_date", "<=", now - timedelta(days=company.complaint_auto_close_days)),
                ]
                for company in companies
            ),
        ]
        complaints = self.search(domain, limit=limit, order="communication_date, id")
        complaints.complainant_response = "no_reply"
        complaints._message_log_batch(
            {
                complaint.id: self.env._(
                    "Closed automatically: no answer from the complainant %(days)s days after the decision.",
                    days=complaint.company_id.complaint_auto_close_days,
                )
                for complaint in complaints
            }
        )
        complaints.action_close()
        remaining = self.search_count(domain) if len(complaints) == limit else 0
        self.env["ir.cron"]._notify_progress(done=len(complaints), remaining=remaining)
        return len(complaints)
