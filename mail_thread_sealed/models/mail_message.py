from collections import defaultdict

from odoo import SUPERUSER_ID, api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .mail_thread import is_sealed, sealed_models

# what a message says, who said it, to whom and when: never rewritten
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
        "partner_ids",
    }
)
# what the system fills in on a message it just posted: a subject and the recipients
# when it sends it by e-mail or receives it (mail.mail, the mail gateway)
SYSTEM_FILLED_FIELDS = frozenset({"subject", "partner_ids"})


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        if not (self.env.su or self.env.uid == SUPERUSER_ID):  # the mail gateway posts as OdooBot
            self._check_new_sealed_messages(vals_list)
        return super().create(vals_list)

    def _check_new_sealed_messages(self, vals_list):
        """Each sealed model checks the new messages on its records, context defaults
        included (``_mail_thread_sealed_check_new_messages``)."""
        defaults = {
            key[len("default_") :]: value for key, value in self.env.context.items() if key.startswith("default_")
        }
        sealed = defaultdict(list)
        for vals in vals_list:
            values = {**defaults, **vals}
            if is_sealed(self.env, values.get("model")):
                sealed[values["model"]].append(values)
        for model, values_list in sealed.items():
            self.env[model]._mail_thread_sealed_check_new_messages(values_list)

    @api.model
    def _mail_thread_sealed_fields(self):
        """The fields of a message on a sealed record that are never rewritten."""
        return SEALED_MESSAGE_FIELDS

    def _check_sealed(self, vals=None):
        """The messages of a sealed record are its trail: neither edited nor deleted, not
        through the chatter's routes either, which run as superuser. Only the record's own
        process changes them, and the system fills in the subject and recipients of a
        message it sends or receives."""
        fields = self._mail_thread_sealed_fields()
        if vals is not None and not fields & set(vals):
            return
        self.flush_recordset(["model", "res_id"])
        messages = self.sudo()
        system = self.env.su or self.env.uid == SUPERUSER_ID
        if vals is not None and ("model" in vals or "res_id" in vals):
            self._check_moved_onto_sealed(messages, vals)
        for model in set(messages.mapped("model")):
            if not is_sealed(self.env, model) or self.env[model]._mail_thread_sealed_by_process():
                continue
            sealed = messages.filtered(lambda message, model=model: message.model == model)
            if vals is not None:
                sealed = sealed.filtered(lambda message: message._changed_by(vals, system, fields))
            if sealed:
                raise AccessError(
                    self.env._("The messages of this document are its record: they cannot be changed or deleted.")
                )

    def _check_moved_onto_sealed(self, messages, vals):
        """A message moved onto a sealed record would enter its trail with an author, a
        date and a type chosen elsewhere (a backdated e-mail "from" the complainant): only
        the record's own process moves one there."""
        for message in messages:
            model = vals.get("model", message.model)
            res_id = vals.get("res_id", message.res_id)
            if (model, res_id) == (message.model, message.res_id) or not is_sealed(self.env, model):
                continue
            if not self.env[model]._mail_thread_sealed_by_process():
                raise AccessError(
                    self.env._("A message cannot be moved into the record of a document: its trail is sealed.")
                )

    def _changed_by(self, vals, system, fields):
        self.ensure_one()
        for name in fields & set(vals):
            field = self._fields[name]
            old = self[name]
            new = field.convert_to_record(field.convert_to_cache(vals[name], self), self)
            if new == old or (system and not old and name in SYSTEM_FILLED_FIELDS):
                continue
            return True
        return False

    def write(self, vals):
        self._check_sealed(vals)
        return super().write(vals)

    def unlink(self):
        self._check_sealed()
        return super().unlink()

    def _get_forbidden_access(self, operation):
        """External users never read the internal messages of a sealed record: Odoo hides
        its internal *comments* from them, not its logs (notes the process writes, the
        previous text of a field), which are *notifications*."""
        forbidden = super()._get_forbidden_access(operation)
        if self.env.user._is_internal() or self.env.su:
            return forbidden
        rest = self - forbidden
        sealed = sealed_models(self.env) if rest else ()
        if not sealed:
            return forbidden
        rows = self.env.execute_query(
            SQL(
                """SELECT message.id FROM mail_message message
                LEFT JOIN mail_message_subtype subtype ON subtype.id = message.subtype_id
                    WHERE message.id = ANY(%s) AND message.model = ANY(%s)
                      AND (message.is_internal OR subtype.internal OR message.subtype_id IS NULL)""",
                rest.ids,
                sealed,
            )
        )
        return forbidden + self.browse(row[0] for row in rows)
