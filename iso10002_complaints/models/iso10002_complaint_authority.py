from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.report_reader_locale.tools import Reader

from ..tools.trust import as_engine, one
from .iso10002_complaint import CONTACT_MEANS

MANAGER_GROUP = "iso10002_complaints.group_complaint_manager"


class Reach:
    """Whom an escalation or an alert about some complaints may tell: active internal
    users of the complaint's company who may read it (it is named to them), checked
    with one search per user for all the complaints, the record rules in SQL; and
    whom to tell when nobody new would be (ISO 10002 Annex H), each company's
    managers looked up once."""

    def __init__(self, complaints):
        self.complaints = complaints
        self.readable = {}  # user: ids of the complaints they may read
        self.managers = {}  # company: its active complaints managers

    def can_read(self, user, complaint):
        """Whether ``user`` may be told of ``complaint``: they may read it, and it is not
        about them (ISO 10002 4.7: the person complained about is not who escalations
        and alerts reach)."""
        person = user.sudo()
        if not person.active or person.share or complaint.company_id not in person.company_ids:
            return False
        if complaint._is_about(person):
            return False
        if person not in self.readable and not self.complaints.with_user(person).browse().has_access("read"):
            self.readable[person] = set()  # no right on complaints at all (a former officer)
        if person not in self.readable:
            self.readable[person] = set(
                self.complaints.with_user(person)
                .with_context(active_test=False, allowed_company_ids=person.company_ids.ids)
                .search([("id", "in", self.complaints.ids)])
                .ids
            )
        return complaint.id in self.readable[person]

    def fallback(self, complaint, reached):
        """The company's complaints management representative; failing them (none,
        already told, unable to read the complaint), the company's complaints managers
        not yet told. Empty when nobody is left."""
        company = complaint.company_id.sudo()
        representative = company.complaint_representative_id.with_env(complaint.env)
        if representative and representative not in reached and self.can_read(representative, complaint):
            return representative
        if company not in self.managers:
            group = complaint.env.ref(MANAGER_GROUP).sudo()
            self.managers[company] = (
                group.users.filtered(lambda u: company in u.company_ids).with_env(complaint.env).sorted("id")
            )
        return self.managers[company].filtered(lambda u: u not in reached and self.can_read(u, complaint))


class Iso10002Complaint(models.Model):
    """Who decides, approves and reviews. Authority limits (ISO 10002 5.4): a refund,
    compensation or credit above the officers' limit of the company is not sent to the
    complainant before a complaints manager approved it; the approval is recorded in the
    trail. Recourse (7.9, Annex H): a rejected decision is reviewed at the next level by
    someone who took no part in it, or referred to external dispute resolution."""

    _inherit = "iso10002.complaint"

    remedy_approved_by_id = fields.Many2one(
        "res.users", readonly=True, copy=False, groups="base.group_user", tracking=True
    )
    remedy_approved_date = fields.Datetime(readonly=True, copy=False, groups="base.group_user")
    remedy_approved_amount = fields.Monetary(
        string="Approved Up To",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="The amount, in the company's currency, a complaints manager approved.",
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency", groups="base.group_user"
    )
    needs_remedy_approval = fields.Boolean(
        compute="_compute_needs_remedy_approval",
        groups="base.group_user",
        help="The remedy is above the officers' limit and waits for a complaints manager's approval.",
    )

    @api.depends(
        "remedy",
        "compensation_amount",
        "currency_id",
        "remedy_approved_amount",
        "company_id.complaint_officer_remedy_limit",
    )
    def _compute_needs_remedy_approval(self):
        for complaint in self:
            amount = complaint._remedy_in_company_currency()
            limit = complaint.company_id.sudo().complaint_officer_remedy_limit
            complaint.needs_remedy_approval = bool(
                amount
                and limit > 0  # no limit set: the officers decide every amount
                and complaint.company_id.currency_id.compare_amounts(amount, limit) > 0
                and complaint.company_id.currency_id.compare_amounts(amount, complaint.remedy_approved_amount) > 0
            )

    def _remedy_in_company_currency(self):
        """The monetary remedy, in the company's currency at the decision's date; 0 for
        a remedy that is not money."""
        self.ensure_one()
        if not self.is_monetary_remedy or not self.compensation_amount:
            return 0.0
        company = self.company_id
        currency = self.currency_id or company.currency_id
        date = (self.decision_date or fields.Datetime.now()).date()
        return currency._convert(self.compensation_amount, company.currency_id, company, date)

    @api.constrains("remedy_approved_by_id", "person_complained_about_id")
    def _check_approver_independent(self):
        for complaint in self.sudo():
            if complaint.remedy_approved_by_id and complaint._is_about(complaint.remedy_approved_by_id):
                raise ValidationError(
                    self.env._(
                        "%(user)s approved the remedy of complaint %(complaint)s: it cannot be about them (ISO 10002 "
                        "4.7, Annex D).",
                        user=complaint.remedy_approved_by_id.name,
                        complaint=complaint.name,
                    )
                )

    def _missing_for_step(self, step):
        missing = super()._missing_for_step(step)
        if missing or step != "communicated" or not self.needs_remedy_approval:
            return missing
        company = self.company_id
        return "compensation_amount", self.env._(
            "The remedy of %(amount)s is above the officers' limit of %(limit)s: a complaints manager approves it "
            "first (Approve Remedy).",
            amount=Reader(self.env, company=company).amount(self.compensation_amount, self.currency_id),
            limit=Reader(self.env, company=company).amount(
                company.sudo().complaint_officer_remedy_limit, company.currency_id
            ),
        )

    def _on_step_change(self):
        result = super()._on_step_change()
        for complaint in self.filtered(lambda c: c.step == "response" and c.needs_remedy_approval):
            complaint._ask_approval()
        return result

    def _ask_approval(self):
        """An activity for the company's representative (failing one, its escalation
        manager, or the complaint's owner) to approve the remedy."""
        self.ensure_one()
        company = self.company_id.sudo()
        approver = company.complaint_representative_id or company.complaint_escalation_user_id
        if not approver or not approver.has_group(MANAGER_GROUP) or self._is_about(approver):
            approver = self._responsible_user()
        self.activity_schedule(
            "iso10002_complaints.mail_activity_type_remedy_approval",
            user_id=approver.id,
            note=self.env._("The remedy is above the officers' limit: approve it before the decision is sent."),
        )

    def action_approve_remedy(self):
        """A complaints manager approves the remedy above the officers' limit."""
        one(self)
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a complaints manager approves a remedy above the officers' limit."))
        self.check_access("write")
        if self._is_about(self.env.user):
            raise UserError(
                self.env._(
                    "Complaint %s is about you: another complaints manager approves its remedy (ISO 10002 4.7, "
                    "Annex D).",
                    self.name,
                )
            )
        if not self.needs_remedy_approval:
            raise UserError(self.env._("Complaint %s has no remedy waiting for approval.", self.name))
        if self.step != "response":
            raise UserError(self.env._("A remedy is approved once it is decided, before the decision is sent."))
        amount = self._remedy_in_company_currency()
        as_engine(self).write(
            {
                "remedy_approved_by_id": self.env.uid,
                "remedy_approved_date": fields.Datetime.now(),
                "remedy_approved_amount": amount,
            }
        )
        reader = Reader(self.env, company=self.company_id)
        self._message_log(
            body=Markup("<p>%s</p>")
            % self.env._(
                "Remedy of %(amount)s approved by %(user)s (officers' limit %(limit)s).",
                amount=reader.amount(self.compensation_amount, self.currency_id),
                user=self.env.user.name,
                limit=reader.amount(self.company_id.sudo().complaint_officer_remedy_limit, self.company_id.currency_id),
            )
        )
        self.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("iso10002_complaints.mail_activity_type_remedy_approval")
        ).action_feedback(feedback=self.env._("Approved"))
        return True

    # ------------------------------------------- who answers above the officers
    def _reach(self):
        """Who may be told of these complaints, and whom to tell past the named ones (Reach)."""
        return Reach(self)

    # -------------------------------------- recourse after a rejection (7.9, Annex H)
    recourse_offered_date = fields.Date(
        string="Recourse Offered On", tracking=True, copy=False, groups="base.group_user"
    )
    recourse_means = fields.Selection(
        CONTACT_MEANS, string="Recourse Offered By", tracking=True, copy=False, groups="base.group_user"
    )
    recourse_kind = fields.Selection(
        [("review", "Internal review, at the next level"), ("referral", "External dispute resolution")],
        string="Recourse Taken",
        tracking=True,
        copy=False,
        groups="base.group_user",
    )
    review_level = fields.Integer(
        default=1,
        tracking=True,
        copy=False,
        groups="base.group_user",
        aggregator="max",
        help="1: the level above the first decision; higher for a further review.",
    )
    reviewer_id = fields.Many2one(
        "res.users",
        string="Reviewed By",
        tracking=True,
        copy=False,
        groups="base.group_user",
        help="Someone who took no part in the first decision nor in the investigation.",
    )
    review_date = fields.Date(tracking=True, copy=False, groups="base.group_user")
    review_outcome = fields.Selection(
        [("upheld", "Decision upheld"), ("changed", "Decision changed")],
        tracking=True,
        copy=False,
        groups="base.group_user",
    )
    dispute_provider_id = fields.Many2one(
        "iso10002.dispute.provider",
        string="Provider",
        tracking=True,
        copy=False,
        groups="base.group_user",
        help="From the directory of external dispute-resolution providers (ISO 10003).",
    )
    referral_outcome_date = fields.Date(string="Outcome On", tracking=True, copy=False, groups="base.group_user")
    referral_result = fields.Selection(
        [
            ("complainant", "In the complainant's favour"),
            ("company", "In our favour"),
            ("settled", "Settled between the parties"),
            ("abandoned", "Abandoned by the complainant"),
        ],
        string="Outcome",
        tracking=True,
        copy=False,
        groups="base.group_user",
    )
    referral_amount = fields.Monetary(
        string="Amount Awarded", currency_field="currency_id", copy=False, groups="base.group_user", tracking=True
    )

    @api.constrains("reviewer_id", "decided_by_id", "investigator_id")
    def _check_reviewer_independent(self):
        for complaint in self.sudo():
            if (
                complaint.reviewer_id
                and complaint.reviewer_id in complaint._reviewed_deciders() | complaint.investigator_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(reviewer)s took part in the first decision on complaint %(complaint)s: the review is "
                        "made by someone who was not involved (ISO 10002 7.9).",
                        reviewer=complaint.reviewer_id.name,
                        complaint=complaint.name,
                    )
                )

    def _reviewed_deciders(self):
        """Who decided what the review looks at: the deciders of the decisions communicated
        before one was changed on recourse (the new decision may be the reviewer's own);
        before any was communicated, whoever is deciding."""
        self.ensure_one()
        versions = self.decision_ids.sorted("version")
        changed = versions.filtered(lambda v: v.reason in ("review", "referral"))[:1]
        if changed:
            versions = versions.filtered(lambda v: v.version < changed.version)
        return versions.decided_by_id if versions else self.decided_by_id

    def _missing_recourse(self):
        """What a rejected decision still lacks to close (ISO 10002 7.9, Annex H): the
        recourse offered, and the internal review or the external referral followed to
        its outcome; ``(field, sentence)`` or ``None``."""
        self.ensure_one()
        if not self.recourse_offered_date or not self.recourse_means:
            return "recourse_offered_date", self.env._(
                "The decision was rejected: say when and how the recourse was offered, on the Recourse tab."
            )
        if not self.recourse_kind:
            return "recourse_kind", self.env._(
                "Say which recourse was taken (internal review or external dispute resolution), on the Recourse tab."
            )
        if self.recourse_kind == "review":
            for field in ("reviewer_id", "review_date", "review_outcome"):
                if not self[field]:
                    return field, self.env._(
                        "Record the internal review (who reviewed, when, with what outcome), on the Recourse tab."
                    )
        else:
            for field in ("dispute_provider_id", "external_referral_date", "referral_outcome_date", "referral_result"):
                if not self[field]:
                    return field, self.env._(
                        "Follow the referral to its outcome (provider, referral date, outcome and its date), "
                        "on the Recourse tab."
                    )
        return None

    def _recourse_change(self):
        """The recourse that changed the rejected decision and whose new decision is still
        to communicate: 'review', 'referral', or False (ISO 10002 7.9, Annex H). An external
        body's settlement changes it when it gives the complainant something."""
        self.ensure_one()
        complaint = self.sudo()
        if complaint.complainant_response != "rejected":
            return False
        if complaint.recourse_kind == "review" and complaint.review_outcome == "changed":
            change = "review"
        elif complaint.recourse_kind == "referral" and (
            complaint.referral_result == "complainant"
            or (complaint.referral_result == "settled" and complaint.referral_amount)
        ):
            change = "referral"
        else:
            return False
        # answered already: the decision in force is the one this recourse asked for
        return False if complaint.decision_id.reason == change else change

    def _closure_reason_of_decision(self):
        """Why a communicated complaint closes: a decision in force that a recourse
        changed says so, whatever the answer to it; else the complainant's answer."""
        self.ensure_one()
        changed = {"review": "changed_review", "referral": "changed_referral"}.get(self.sudo().decision_id.reason)
        return changed or {"accepted": "resolved", "rejected": "rejected", "no_reply": "no_reply"}.get(
            self.complainant_response
        )

    def _redecide(self):
        """The internal review or the external referral changed the rejected decision
        (ISO 10002 7.9, Annex H): back to the Response step for the new decision, which is
        communicated again (a new version) and answered before the complaint closes."""
        self.ensure_one()
        change = self._recourse_change()
        self.check_access("write")
        self._move_to_step("response")
        note = (
            self.env._(
                "The internal review changed the decision: decide the new one, then communicate it to the complainant."
            )
            if change == "review"
            else self.env._(
                "The external referral ended in the complainant's favour: decide the new decision, then communicate "
                "it to the complainant."
            )
        )
        self.message_post(body=note, subtype_xmlid="mail.mt_note")
        self._ask_owner(note, summary=self.env._("Decision changed: decide and communicate the new one"))
