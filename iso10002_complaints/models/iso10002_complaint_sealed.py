"""The complaint's trail is sealed (mail_thread_sealed): its messages, documents and
ratings are its record (ISO 10002 4.9 and 7.3). Here the complaint says who its own
process is and what it refuses of a new message besides."""

from odoo import models

from ..tools.trust import is_engine
from .iso10002_complaint_bound import _command_ids


class Iso10002Complaint(models.Model):
    _inherit = "iso10002.complaint"

    def _mail_thread_sealed_by_process(self):
        """Only the process itself (the deletion of a complaint still in its first step,
        an erasure) changes or removes the trail of a complaint."""
        return is_engine(self.env)

    def _mail_thread_sealed_check_new_messages(self, vals_list):
        """Who is written to on a complaint may read it (iso10002_complaint_bound)."""
        for values in vals_list:
            if values.get("res_id") and values.get("partner_ids"):
                self.browse(values["res_id"])._refuse_blind(_command_ids(values["partner_ids"]))
        return super()._mail_thread_sealed_check_new_messages(vals_list)
