from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..tools.trust import is_engine
from .iso10002_complaint_bound import _command_ids

# models whose messages are part of a record that must not change without trace
SEALED_MODELS = ("iso10002.complaint",)
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
            self._check_new_messages(vals_list)
        return super().create(vals_list)

    def _check_new_messages(self, vals_list):
        """A person writes a message on a complaint as themselves (or as their company,
        with its templates), now: never backdated, never as the complainant, never as an
        incoming e-mail, never with tracking values. Context defaults count too."""
        defaults = {
            key[len("default_") :]: value for key, value in self.env.context.items() if key.startswith("default_")
        }
        if not any({**defaults, **vals}.get("model") in SEALED_MODELS for vals in vals_list):
            return  # every message posted on any other document: nothing more to read
        internal = self.env.user._is_internal()
        own = self.env.user.partner_id
        if internal:  # an employee writes as the company with its templates
            own |= self.env["res.company"].sudo().search([]).partner_id
        for vals in vals_list:
            values = {**defaults, **vals}
            if values.get("model") not in SEALED_MODELS:
                continue
            if values.get("res_id") and values.get("partner_ids"):
                # who is written to on a complaint may read it (iso10002_complaint_bound)
                complaint = self.env[values["model"]].browse(values["res_id"])
                complaint._refuse_blind(_command_ids(values["partner_ids"]))
            if (
                values.get("date")
                or values.get("tracking_value_ids")
                or values.get("message_type") == "email"
                or (not internal and values.get("message_type", "comment") != "comment")
                or (values.get("author_id") and values["author_id"] not in own.ids)
                or values.get("author_guest_id")
            ):
                raise AccessError(
                    _(
                        "A message on a complaint is written by its author, now: "
                        "its date, author and type are not chosen."
                    )
                )

    def _check_sealed(self, vals=None):
        """The messages of a complaint (its trail, ISO 10002 4.9 and 7.3) are neither
        edited nor deleted: not through the chatter's routes either, which run as
        superuser. Only the process itself (the deletion of a complaint still in its
        first step) removes them, and the system fills in the subject and recipients of
        a message it sends or receives."""
        if is_engine(self.env) or (vals is not None and not SEALED_MESSAGE_FIELDS & set(vals)):
            return
        self.flush_recordset(["model"])
        sealed = self.sudo().filtered(lambda message: message.model in SEALED_MODELS)
        if vals is not None:
            system = self.env.su or self.env.uid == SUPERUSER_ID
            sealed = sealed.filtered(lambda message: message._changed_by(vals, system))
        if sealed:
            raise AccessError(_("The messages of a complaint are its record: they cannot be changed or deleted."))

    def _changed_by(self, vals, system):
        self.ensure_one()
        for name in SEALED_MESSAGE_FIELDS & set(vals):
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
        """Portal users never read the internal messages of a complaint: Odoo hides its
        internal *comments* from them, not its logs (the SLA notes, the previous text of
        the findings), which are *notifications*."""
        forbidden = super()._get_forbidden_access(operation)
        if self.env.user._is_internal() or self.env.su:
            return forbidden
        rest = self - forbidden
        if not rest:
            return forbidden
        rows = self.env.execute_query(
            SQL(
                """SELECT message.id FROM mail_message message
                LEFT JOIN mail_message_subtype subtype ON subtype.id = message.subtype_id
                    WHERE message.id = ANY(%s) AND message.model = ANY(%s)
                      AND (message.is_internal OR subtype.internal OR message.subtype_id IS NULL)""",
                rest.ids,
                list(SEALED_MODELS),
            )
        )
        return forbidden + self.browse(row[0] for row in rows)
