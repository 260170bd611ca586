from odoo import _, models
from odoo.exceptions import AccessError

from .mail_message import SEALED_MODELS

SEALED_ATTACHMENT_FIELDS = frozenset(
    {"datas", "raw", "db_datas", "store_fname", "res_model", "res_id", "name", "checksum", "url", "type"}
)


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _check_sealed(self, vals=None):
        """Documents attached to a complaint stay as they were received."""
        if self.env.su or (vals is not None and not SEALED_ATTACHMENT_FIELDS & set(vals)):
            return
        if any(attachment.res_model in SEALED_MODELS for attachment in self.sudo()):
            raise AccessError(
                _("The documents of a complaint are part of its record: they cannot be changed or deleted.")
            )

    def write(self, vals):
        self._check_sealed(vals)
        return super().write(vals)

    def unlink(self):
        self._check_sealed()
        return super().unlink()
