from odoo import _, models
from odoo.exceptions import AccessError

# models whose messages are part of a record that must not change without trace
SEALED_MODELS = ("iso10002.complaint",)
# what a message says, who said it and when: never rewritten
SEALED_MESSAGE_FIELDS = frozenset(
    {
        "body",
        "subject",
        "attachment_ids",
        "tracking_value_ids",
        "author_id",
        "author_guest_id",
        "email_from",
        "date",
        "message_type",
        "subtype_id",
        "model",
        "res_id",
        "record_name",
        "message_id",
        "is_internal",
        "parent_id",
    }
)


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _check_sealed(self, vals=None):
        """The messages of a complaint (its trail, ISO 10002 4.9 and 7.3) are neither
        edited nor deleted, by anyone but the system itself."""
        if self.env.su or (vals is not None and not SEALED_MESSAGE_FIELDS & set(vals)):
            return
        self.flush_recordset(["model"])
        if any(message.model in SEALED_MODELS for message in self.sudo()):
            raise AccessError(_("The messages of a complaint are its record: they cannot be changed or deleted."))

    def write(self, vals):
        self._check_sealed(vals)
        return super().write(vals)

    def unlink(self):
        self._check_sealed()
        return super().unlink()
