from odoo import api, models
from odoo.exceptions import AccessError

from .mail_thread import sealed_models

# what a document is, where it belongs and who may see it: never rewritten
SEALED_ATTACHMENT_FIELDS = frozenset(
    {
        "datas",
        "raw",
        "db_datas",
        "store_fname",
        "res_model",
        "res_id",
        "res_field",
        "name",
        "checksum",
        "url",
        "type",
        "public",
        "mimetype",
        "company_id",
    }
)

# where the chatter keeps a file uploaded before its message is posted
PENDING_MODELS = ("mail.compose.message", "mail.scheduled.message")


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    @api.model
    def _mail_thread_sealed_fields(self):
        """The fields of a document of a sealed record that are never rewritten."""
        return SEALED_ATTACHMENT_FIELDS

    def _check_sealed(self, vals=None):
        """The documents attached to a sealed record, or to a message of its trail, stay
        as they were received, hidden from nobody and published to nobody: not through the
        chatter's routes either, which run as superuser. Only the record's own process
        changes or removes them."""
        if vals is not None and not self._mail_thread_sealed_fields() & set(vals):
            return
        sealed = sealed_models(self.env)
        if not sealed or not self:
            return
        # moved onto a sealed record, a file would enter its record with a date and an
        # author from elsewhere: only the record's own process moves one there
        target = vals.get("res_model") if vals else None
        if target in sealed and not self.env[target]._mail_thread_sealed_by_process():
            # a file just uploaded to the composer is posted there by Odoo itself
            moved = self.sudo().filtered(
                lambda attachment: (
                    attachment.res_model not in PENDING_MODELS
                    and (attachment.res_model, attachment.res_id) != (target, vals.get("res_id", attachment.res_id))
                )
            )
            if moved:
                raise AccessError(
                    self.env._("A file cannot be moved into the record of a document: its trail is sealed.")
                )
        posted = (
            self.env["mail.message"]
            .sudo()
            ._read_group([("attachment_ids", "in", self.ids), ("model", "in", sealed)], ["model"])
        )
        models_ = {model for [model] in posted} | set(self.sudo().mapped("res_model"))
        if any(model in sealed and not self.env[model]._mail_thread_sealed_by_process() for model in models_):
            raise AccessError(
                self.env._(
                    "The files attached to this document are part of its record: they cannot be changed or deleted."
                )
            )

    def write(self, vals):
        self._check_sealed(vals)
        return super().write(vals)

    def unlink(self):
        self._check_sealed()
        return super().unlink()
