from markupsafe import Markup

from odoo import models
from odoo.exceptions import UserError

from ..tools.trust import is_engine
from .iso10002_complaint_authority import MANAGER_GROUP


class Iso10002Complaint(models.Model):
    """Safety and immediate action (ISO 10002 7.5): a complaint marked as a safety issue
    is told at once to whom answers above the officers, the alert kept in the chatter;
    and it is not investigated nor decided before the immediate action taken is recorded."""

    _inherit = "iso10002.complaint"

    def write(self, vals):
        # a safety issue told to the representative is not unmarked by whoever handles it
        # to skip the immediate action: a complaints manager decides it was none
        if (
            "safety_issue" in vals
            and not vals["safety_issue"]
            and not is_engine(self.env)
            and not self.env.su
            and self.filtered("safety_issue")
            and not self.env.user.has_group(MANAGER_GROUP)
        ):
            raise UserError(
                self.env._(
                    "Only a complaints manager decides that a complaint marked as a safety issue is not one: the "
                    "representative was told of it."
                )
            )
        return super().write(vals)

    def _safety_newly_marked(self, vals):
        """The complaints that ``vals`` marks as a safety issue and were not: each marking
        alerts once, not every write that repeats it."""
        return self.filtered(lambda c: not c.safety_issue) if vals.get("safety_issue") else self.browse()

    def _safety_alert(self):
        """Tell the company's complaints management representative and its escalation
        manager at once (failing both, its complaints managers, as an escalation does),
        in a note of the chatter that names them and notifies them."""
        reach = self._reach()
        for complaint in self.filtered("safety_issue"):
            company = complaint.company_id.sudo()
            named = (company.complaint_representative_id | company.complaint_escalation_user_id).with_env(self.env)
            users = named.filtered(lambda u, c=complaint: reach.can_read(u, c))
            if not users:
                users = reach.fallback(complaint, users)
            body = (
                self.env._(
                    "Marked as a safety issue: %(people)s told at once. Record the immediate action taken "
                    "before the assessment ends.",
                    people=", ".join(users.sudo().mapped("name")),
                )
                if users
                else self.env._(
                    "Marked as a safety issue: nobody who answers for the complaints process may read this "
                    "complaint to be told. Record the immediate action taken before the assessment ends."
                )
            )
            # the process's own note: posted whatever the marker's rights on the chatter,
            # to people who may read the complaint (checked above)
            complaint.sudo().message_post(
                body=Markup("<p>%s</p>") % body,
                subtype_xmlid="mail.mt_note",
                partner_ids=users.sudo().partner_id.ids,
            )

    def _missing_for_step(self, step):
        missing = super()._missing_for_step(step)
        if missing or step not in ("investigation", "response") or not self.safety_issue:
            return missing
        if not (self.immediate_action or "").strip():
            return "immediate_action", self.env._(
                "A safety issue needs the Immediate Action taken recorded before the assessment ends, "
                "on the Description tab."
            )
        return None
