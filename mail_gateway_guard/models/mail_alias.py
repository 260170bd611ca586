import sys

from odoo import models

from .fetchmail_server import CONFLICTS


class MailAlias(models.Model):
    _inherit = "mail.alias"

    def _alias_bounce_incoming_email(self, message, message_dict, set_invalid=True):
        """Odoo calls this when it could not make a record from an e-mail to the alias
        (while handling the error): it marks the alias invalid and tells the sender the
        e-mail bounced. A conflict with another transaction (several workers) is neither the
        alias's nor the sender's, and the e-mail is tried again (the fetch leaves it unread,
        the mail server keeps what the mailgate script could not give, Odoo retries an RPC
        call): the sender is told nothing, the alias stays as it is."""
        if isinstance(sys.exc_info()[1], CONFLICTS):
            return
        return super()._alias_bounce_incoming_email(message, message_dict, set_invalid=set_invalid)
