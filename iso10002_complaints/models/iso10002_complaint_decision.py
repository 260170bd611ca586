"""The decisions of a complaint, each kept as it was communicated (ISO 10002 7.8, 7.9).

A decision is what the complainant was told: the remedy, its amount, the response, who
decided it and when. It becomes a version when it is communicated; a later decision (an
internal review or an external referral that changed it, or a revision by the team)
is a new version, and the earlier ones stay as they were. Versions are only ever added,
by the process; anonymisation empties their text like the complaint's own."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.trust import ACKNOWLEDGE_KEY, NO_ACKNOWLEDGEMENT, as_engine, client_safe, is_engine
from .iso10002_complaint import CONTACT_MEANS, REMEDIES

DECISION_REASONS = [
    ("first", "First decision"),
    ("review", "Changed on review"),
    ("referral", "Changed on referral"),
    ("revised", "Revised by the complaints team"),
]
# what anonymisation empties in a version (the complaint's own response_text too)
ANONYMISED_DECISION_VALUES = {"response_text": False}


class Iso10002ComplaintDecision(models.Model):
    """One communicated decision of one complaint: append-only."""

    _name = "iso10002.complaint.decision"
    _description = "Complaint Decision"
    _inherit = ["iso10002.complaint.bound"]
    _order = "complaint_id, version desc"
    _rec_name = "version"

    complaint_id = fields.Many2one("iso10002.complaint", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    version = fields.Integer(required=True, readonly=True)
    reason = fields.Selection(DECISION_REASONS, required=True, readonly=True, string="Why This Version")
    remedy = fields.Selection(REMEDIES, readonly=True)
    compensation_amount = fields.Monetary(currency_field="currency_id", readonly=True, aggregator=None)
    currency_id = fields.Many2one("res.currency", readonly=True)
    response_text = fields.Html(string="Response", readonly=True)
    # who decided, never emptied by archiving or deleting them (the trail)
    decided_by_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")
    decision_date = fields.Datetime(string="Decided", readonly=True)
    communication_date = fields.Datetime(string="Communicated", required=True, readonly=True)
    communication_channel = fields.Selection(CONTACT_MEANS, string="Sent By", readonly=True)
    communicated_by_id = fields.Many2one("res.users", readonly=True, ondelete="restrict")

    _sql_constraints = [
        ("version_uniq", "unique(complaint_id, version)", "A complaint has one decision of each version."),
    ]

    def _compute_display_name(self):
        for decision in self:
            decision.display_name = self.env._(
                "%(complaint)s, decision %(version)s", complaint=decision.complaint_id.name, version=decision.version
            )

    # versions are read with their complaint (iso10002.complaint.bound)
    def _iso10002_complaint_ids(self):
        return {row.id: row.complaint_id.ids for row in self.sudo()}

    def _iso10002_about_domain(self, readable):
        if readable is None:
            return [("id", "=", False)]
        return [("complaint_id", "in", readable)]

    @api.model_create_multi
    def create(self, vals_list):
        self.browse().check_access("create")  # only the process (as superuser) adds versions
        return super().create(vals_list)

    def write(self, vals):
        # the only change: anonymisation, by the process, empties the texts
        if vals and not (is_engine(self.env) and vals == ANONYMISED_DECISION_VALUES):
            raise UserError(self.env._("A decision that was communicated is kept as it was: it cannot be changed."))
        return super().write(vals)

    def unlink(self):
        # no client switch (the uninstall flag) skips the guard below
        return super(Iso10002ComplaintDecision, client_safe(self)).unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("A decision that was communicated is never deleted."))


class Iso10002Complaint(models.Model):
    _inherit = "iso10002.complaint"

    decision_ids = fields.One2many(
        "iso10002.complaint.decision",
        "complaint_id",
        string="Decisions",
        readonly=True,
        groups="base.group_user",
    )
    decision_id = fields.Many2one(
        "iso10002.complaint.decision",
        string="Decision in Force",
        compute="_compute_decision_id",
        store=True,
        index="btree_not_null",
        groups="base.group_user",
        help="The last decision communicated to the complainant.",
    )
    decision_version = fields.Integer(
        related="decision_id.version", string="Decision Version", groups="base.group_user"
    )

    @api.depends("decision_ids.version")
    def _compute_decision_id(self):
        for complaint in self:
            complaint.decision_id = complaint.decision_ids.sorted("version")[-1:]

    # -------------------------------------------------------------- versions
    def _decision_next_reason(self):
        """Why the decision being communicated now is a new version."""
        self.ensure_one()
        if not self.sudo().decision_id:
            return "first"
        return self._recourse_change() or "revised"

    # ---------------------------------------------------------------- hooks
    @api.model_create_multi
    def create(self, vals_list):
        """Complaints imported with their history: the decision they were communicated
        is their first version."""
        complaints = super().create(vals_list)
        if is_engine(self.env) and self.env.context.get(ACKNOWLEDGE_KEY) is NO_ACKNOWLEDGEMENT:
            complaints._decision_backfill()
        return complaints

    def _decision_backfill(self):
        """A first version for each of these complaints whose decision was communicated
        before decisions were kept as versions (an import, an upgrade from 18.0.1.5.0):
        the decision recorded on it, as it stands."""
        complaints = (
            self.sudo().with_context(active_test=False).filtered(lambda c: c.communication_date and not c.decision_ids)
        )
        complaints._decision_record(dict.fromkeys(complaints.ids, "first"), communicated_by=False)
        return complaints

    def write(self, vals):
        """A decision that is communicated becomes a version (entering Communicated)."""
        entering = {}
        if vals.get("stage_id"):
            stage = self.env["iso10002.complaint.stage"].browse(vals["stage_id"])
            if stage.step == "communicated":
                entering = {
                    complaint.id: complaint._decision_next_reason()
                    for complaint in self
                    if complaint.step != "communicated"
                }
        result = super().write(vals)
        if entering:
            self.browse(list(entering)).filtered(lambda c: c.step == "communicated")._decision_record(entering)
        return result

    def _decision_record(self, reasons, communicated_by=None):
        """A version of the decision now communicated, for each of these complaints
        (``communicated_by``: the current user unless given)."""
        complaints = self.sudo()
        if not complaints:
            return
        communicated_by = self.env.uid if communicated_by is None else communicated_by
        last = {complaint.id: complaint.decision_id.version for complaint in complaints}
        self.env["iso10002.complaint.decision"].sudo().create(
            [
                {
                    "complaint_id": complaint.id,
                    "company_id": complaint.company_id.id,
                    "version": (last[complaint.id] or 0) + 1,
                    "reason": reasons[complaint.id],
                    "remedy": complaint.remedy,
                    "compensation_amount": complaint.compensation_amount,
                    "currency_id": complaint.currency_id.id,
                    "response_text": complaint.response_text,
                    "decided_by_id": complaint.decided_by_id.id,
                    "decision_date": complaint.decision_date,
                    "communication_date": complaint.communication_date or fields.Datetime.now(),
                    "communication_channel": complaint.communication_channel,
                    "communicated_by_id": communicated_by,
                }
                for complaint in complaints
            ]
        )

    def _letter_decision(self):
        """What the decision letter gives (report/report_complaint.py): the decision in
        force, as it was communicated; in the Response step, the one being decided (read
        from the complaint, which has the same fields)."""
        self.ensure_one()
        complaint = self.sudo()
        if complaint.step == "response" or not complaint.decision_id:
            return complaint
        return complaint.decision_id

    def _sla_decided(self):
        """The decision the SLA and the figures time: the first one communicated (since
        the last reopening); a decision changed on recourse is a later version of it."""
        decided = super()._sla_decided()
        if not decided:  # nothing communicated since the last reopening: no version to read
            return decided
        since = self.reopened_date
        versions = self.sudo().decision_ids.filtered(lambda d: not since or d.communication_date > since)
        return min(versions.mapped("communication_date"), default=decided)

    def _anonymise_linked(self):
        versions = self.env["iso10002.complaint.decision"].sudo().search([("complaint_id", "in", self.ids)])
        as_engine(versions).write(ANONYMISED_DECISION_VALUES)
        return super()._anonymise_linked()
