from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.iso10002_complaint_correspondence import SATISFACTION_ACTIVITY
from ..models.rating_rating import SATISFACTION_MEANS
from ..tools.text import refuse_non_text
from ..tools.trust import one, without_defaults

# the answers of the e-mailed rating (its links rate 5, 3 and 1), a refusal to answer, and
# no answer at all to a letter or a call (asked: it counts as a request without an answer)
ANSWERS = [
    ("5", "Satisfied"),
    ("3", "Partly satisfied"),
    ("1", "Not satisfied"),
    ("declined", "Declined to answer"),
    ("no_reply", "Asked, no reply"),
]
# the closings after which the complainant's satisfaction is asked (action_close)
ASKED_AFTER = ("resolved", "rejected", "no_reply", "changed_review", "changed_referral")
FEEDBACK_SIZE = 4000


class Iso10002SatisfactionWizard(models.TransientModel):
    """The answer a complainant gave by phone, letter or in person to how satisfied they
    are with the handling (ISO 10002 8.3), recorded by a handler of the complaint: a
    rating of the complaint like the e-mailed one, with who asked, when and how."""

    _name = "iso10002.satisfaction.wizard"
    _description = "Record a Complainant's Satisfaction"

    complaint_id = fields.Many2one("iso10002.complaint", required=True, ondelete="cascade")
    asked_by_id = fields.Many2one(
        "res.users",
        required=True,
        default=lambda self: self.env.user,
        domain=[("share", "=", False)],
    )
    asked_date = fields.Datetime(string="Asked On", required=True, default=fields.Datetime.now)
    means = fields.Selection(
        [(code, label) for code, label in SATISFACTION_MEANS if code != "email"], string="How", required=True
    )
    answer = fields.Selection(ANSWERS, required=True)
    feedback = fields.Text(string="Comments", help="The complainant's words, as they gave them.")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            refuse_non_text(self, vals, creating=True)  # what nobody types (as on every form)
        return super().create(vals_list)

    def write(self, vals):
        refuse_non_text(self, vals)
        return super().write(vals)

    @api.constrains("asked_date")
    def _check_asked_date(self):
        now = fields.Datetime.now()
        for wizard in self:
            if wizard.asked_date > now:
                raise ValidationError(
                    self.env._("The complainant was asked in the past: the date cannot be in the future.")
                )

    @api.model
    def _check_complaint(self, complaint):
        """Refuse a complaint whose satisfaction is not to be asked now, or already answered."""
        if complaint.sudo().anonymised_date:
            raise UserError(
                self.env._("Complaint %s is anonymised: nothing more is recorded of its complainant.", complaint.name)
            )
        if complaint.step != "closed" or complaint.closure_reason not in ASKED_AFTER:
            raise UserError(
                self.env._(
                    "The complainant's satisfaction is asked once complaint %s is closed after its decision.",
                    complaint.name,
                )
            )
        if complaint._satisfaction_answered():
            raise UserError(
                self.env._(
                    "The complainant already answered how satisfied they are with the handling of complaint %s: "
                    "their answer is not replaced.",
                    complaint.name,
                )
            )

    def action_record(self):
        one(self)
        complaint = self.complaint_id
        # the user handles the complaint (record rules): not another team's officer, the
        # auditor, an employee without complaint rights or the portal
        complaint.check_access("write")
        self._check_complaint(complaint)
        self._check_asked_date()
        if self.asked_date < complaint.communication_date:
            raise ValidationError(
                self.env._(
                    "The complainant is asked how satisfied they are after the decision was communicated to them."
                )
            )
        if (
            self.asked_by_id.share
            or not self.asked_by_id.has_group("iso10002_complaints.group_complaint_officer")
            or not complaint._readable_by(self.asked_by_id)
        ):
            raise ValidationError(
                self.env._("%s cannot have asked: they do not handle this complaint.", self.asked_by_id.name)
            )
        declined = self.answer in ("declined", "no_reply")
        rate = 0 if declined else int(self.answer)
        feedback = (self.feedback or "")[:FEEDBACK_SIZE].strip()
        # sealed: only the process creates a complaint's rating; nothing from the context
        process = without_defaults(complaint.sudo())
        process.env["rating.rating"].create(
            {
                "res_model_id": process.env["ir.model"]._get_id(complaint._name),
                "res_id": complaint.id,
                "partner_id": complaint.partner_id.id,
                "rated_partner_id": process._rating_get_operator().id,
                "rating": rate,
                "feedback": feedback,
                "consumed": True,
                "is_internal": False,
                "satisfaction_means": self.means,
                "satisfaction_asked_by_id": self.asked_by_id.id,
                "satisfaction_asked_date": self.asked_date,
                "satisfaction_recorded_by_id": self.env.uid,
                "satisfaction_declined": declined,
            }
        )
        means = dict(self._fields["means"]._description_selection(self.env))[self.means]
        answer = dict(self._fields["answer"]._description_selection(self.env))[self.answer]
        note = self.env._(
            "Satisfaction asked by %(user)s (%(means)s): %(answer)s.",
            user=self.asked_by_id.name,
            means=means,
            answer=answer,
        )
        body = Markup("<p>%s</p>") % note
        if feedback:
            body += Markup("<blockquote>%s</blockquote>") % feedback
        complaint.message_post(body=body, subtype_xmlid="mail.mt_note")
        # the owner's task is done, whoever of the complaint's handlers asked
        complaint.sudo().activity_feedback([SATISFACTION_ACTIVITY], feedback=note)
        complaint._follow_up_dissatisfaction(rate)
        return {"type": "ir.actions.act_window_close"}
