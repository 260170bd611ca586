from odoo import models


class MailThreadSealed(models.AbstractModel):
    """Inherit this mixin to seal the trail of a model's records: their messages,
    the documents attached to them and their ratings are neither edited nor deleted,
    except by the model's own process (``_mail_thread_sealed_by_process``), and new
    messages are checked (``_mail_thread_sealed_check_new_messages``)."""

    _name = "mail.thread.sealed"
    _inherit = ["mail.thread"]
    _description = "Sealed Mail Thread"

    _mail_thread_sealed = True
