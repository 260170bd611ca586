from odoo import _, models
from odoo.exceptions import AccessError

from ..tools.trust import is_engine
from .mail_message import SEALED_MODELS

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


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _check_sealed(self, vals=None):
        """Documents attached to a complaint stay as they were received, hidden from
        nobody and published to nobody: not through the chatter's routes either, which
        run as superuser. Only the process itself removes them."""
        if is_engine(self.env) or (vals is not None and not SEALED_ATTACHMENT_FIELDS & set(vals)):
            return
        posted = (
            self.env["mail.message"]
            .sudo()
            .search_count([("attachment_ids", "in", self.ids), ("model", "in", SEALED_MODELS)], limit=1)
        )
        if posted or any(attachment.res_model in SEALED_MODELS for attachment in self.sudo()):
            raise AccessError(
                _("The documents of a complaint are part of its record: they cannot be changed or deleted.")
            )

    def write(self, vals):
        self._check_sealed(vals)
        return super().write(vals)

    def unlink(self):
        self._check_sealed()
        return super().unlink()
