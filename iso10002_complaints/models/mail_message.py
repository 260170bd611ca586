from odoo import _, api, models
from odoo.exceptions import AccessError

from .trust import is_engine

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
# what only the system writes when a message is created: a person posts as themselves, now
SYSTEM_MESSAGE_TYPES = ("email", "auto_comment")


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("model") in SEALED_MODELS for vals in vals_list):
            partner = self.env.user.partner_id
            for vals in vals_list:
                if vals.get("model") not in SEALED_MODELS:
                    continue
                if (
                    vals.get("date")
                    or vals.get("tracking_value_ids")
                    or vals.get("author_id") not in (None, False, partner.id)
                    or vals.get("message_type") in SYSTEM_MESSAGE_TYPES
                ):
                    raise AccessError(
                        _(
                            "A message on a complaint is written by its author, now: "
                            "its date, author and type are not chosen."
                        )
                    )
        return super().create(vals_list)

    def _check_sealed(self, vals=None):
        """The messages of a complaint (its trail, ISO 10002 4.9 and 7.3) are neither
        edited nor deleted: not through the chatter's routes either, which run as
        superuser. Only the process itself (the deletion of a complaint still in its
        first step) removes them."""
        if is_engine(self.env) or (vals is not None and not SEALED_MESSAGE_FIELDS & set(vals)):
            return
        self.flush_recordset(["model"])
        sealed = self.sudo().filtered(lambda message: message.model in SEALED_MODELS)
        if vals is not None:
            # writing what is already there is no change (mail.mail writes its message so)
            sealed = sealed.filtered(lambda message: message._changed_by(vals, SEALED_MESSAGE_FIELDS))
        if sealed:
            raise AccessError(_("The messages of a complaint are its record: they cannot be changed or deleted."))

    def _changed_by(self, vals, names):
        self.ensure_one()
        for name in names & set(vals):
            field = self._fields[name]
            old = self[name]
            new = field.convert_to_record(field.convert_to_cache(vals[name], self), self)
            # filling what was empty is no rewriting (Odoo sets a message's subject when
            # it sends it by e-mail)
            if old and new != old:
                return True
        return False

    def write(self, vals):
        self._check_sealed(vals)
        return super().write(vals)

    def unlink(self):
        self._check_sealed()
        return super().unlink()
