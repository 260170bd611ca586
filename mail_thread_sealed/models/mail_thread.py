from odoo import models
from odoo.exceptions import AccessError


def is_sealed(env, model_name):
    """Whether the records of ``model_name`` have a sealed trail."""
    model = env.registry.get(model_name) if model_name else None
    return bool(model is not None and getattr(model, "_mail_thread_sealed", False))


def sealed_models(env):
    """The names of the models whose records have a sealed trail."""
    return [
        name
        for name, model in env.registry.items()
        if not model._abstract and getattr(model, "_mail_thread_sealed", False)
    ]


class MailThread(models.AbstractModel):
    """The hooks of a sealed trail, with their default answers. A model seals its trail
    by inheriting ``mail.thread.sealed`` (or by setting ``_mail_thread_sealed = True``)
    and may override the hooks below."""

    _inherit = "mail.thread"

    # whether the messages, attachments and ratings of this model's records are sealed
    _mail_thread_sealed = False

    def _mail_thread_sealed_by_process(self):
        """Whether the current environment is this model's own process, which may change
        or delete the sealed trail of its records (for instance an erasure, or the deletion
        of a record still in its first step). A client must not be able to forge it: a
        context key whose value is a Python object is set by server code only. Nobody, by
        default: not even the superuser, as the chatter's routes run as superuser."""
        return False

    def _mail_thread_sealed_check_new_messages(self, vals_list):
        """Refuse the new messages (their values, context defaults included) that a person
        could not have written on a record of this model: a message is written by its
        author, now. Never backdated, never as someone else (an employee may write as a
        company, with its templates), never as an incoming e-mail, never with tracking
        values; an external user writes comments only. The system (superuser), which
        sends and receives e-mail, is not asked."""
        internal = self.env.user._is_internal()
        own = self.env.user.partner_id
        if internal:  # an employee writes as the company with its templates
            own |= self.env["res.company"].sudo().search([]).partner_id
        for values in vals_list:
            if (
                values.get("date")
                or values.get("tracking_value_ids")
                or values.get("message_type") == "email"
                or (not internal and values.get("message_type", "comment") != "comment")
                or (values.get("author_id") and values["author_id"] not in own.ids)
                # no author: the chatter would show the e-mail address typed as its sender
                or ("author_id" in values and not values["author_id"])
                or values.get("author_guest_id")
            ):
                raise AccessError(
                    self.env._(
                        "A message on this document is written by its author, now: "
                        "its date, author and type are not chosen."
                    )
                )
