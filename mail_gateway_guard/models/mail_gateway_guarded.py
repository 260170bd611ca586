from odoo import api, models


class MailGatewayGuarded(models.AbstractModel):
    """A thread model that opts in to the mail gateway's per-model behaviours.

    Inherit it beside ``mail.thread`` (``_inherit = [..., "mail.gateway.guarded"]``) and
    implement the hooks below; each is called only on the models that inherit this mixin
    (``_mail_gateway_guarded``), and by default does what Odoo does. What the guard does
    for every model (only the gateway processes mail, unreadable mail and broken delivery
    reports are kept, a Message-Id for mail without one) needs no opting in.

    - ``_mail_gateway_one_record_per_email``: an e-mail sent to several aliases of the
      model makes one new record (the first alias among its recipients takes it), not
      one per alias.
    - ``_mail_gateway_keep_automatic_mail``: mail written by a machine (an auto-reply, a
      delivery report, this database's own mail coming back) to an alias of the model,
      kept instead of making a new record (and being answered: a mail loop).
    - ``_mail_gateway_keep_delivery_report``: a delivery report, kept instead of dropped
      once Odoo has marked what bounced.
    - ``_mail_gateway_keep_looping_mail``: mail Odoo's loop guard drops (a sender who
      created too many records lately), kept instead.
    """

    _name = "mail.gateway.guarded"
    _description = "Mail Gateway Guarded Thread"
    _inherit = ["mail.thread"]

    _mail_gateway_guarded = True
    _mail_gateway_one_record_per_email = True

    @api.model
    def _mail_gateway_keep_automatic_mail(self, message_dict, defaults, reason):
        """Keep ``message_dict`` (see ``message_parse``), an automatic message to an alias
        of this model whose defaults are ``defaults``, somewhere else than on a new
        record; ``reason`` says why it is automatic (a translated phrase). Return a truthy
        value when it is kept: no record is made of it. By default it is not: the record
        is made, as Odoo does."""
        return False

    @api.model
    def _mail_gateway_keep_delivery_report(self, message_dict, outcome):
        """Keep a delivery report (``message_dict`` holds Odoo's bounce values:
        ``bounced_message``, ``bounced_email``, ``bounced_partner``), if it concerns this
        model; ``outcome`` is what it says of the message (``failed``, ``delayed``,
        ``delivered`` or ``read``, see ``tools.delivery_report.report_outcome``). Called
        on every guarded model until one returns a truthy value (what it is kept on). By
        default the report is dropped, as Odoo does."""
        return False

    @api.model
    def _mail_gateway_keep_looping_mail(self, message_dict, defaults):
        """Keep ``message_dict``, which Odoo's loop guard drops (its sender created too
        many records lately), instead of losing it; ``defaults`` are those of the alias
        (or the fallback route) that would have made a new record. Return a truthy value
        when kept. By default the message is dropped, as Odoo does."""
        return False
