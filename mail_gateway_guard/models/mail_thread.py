import email
import email.policy
import hashlib
import logging
import xmlrpc.client
from email.message import EmailMessage

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import html2plaintext
from odoo.tools.mail import email_normalize

from ..tools.delivery_report import (
    MESSAGE_ID,
    REPORT_MESSAGE_ID,
    REPORT_RECIPIENT,
    REPORT_REFERENCES,
    holds_report,
    is_read_receipt,
    report_outcome,
    report_text,
)
from ..tools.raw_message import KEPT_HEADERS, is_unreadable_error, no_nul, raw_header, received_at

_logger = logging.getLogger(__name__)


class MailThread(models.AbstractModel):
    """The mail gateway, hardened for every model; the per-model behaviours are called
    only on the models that inherit ``mail.gateway.guarded`` (see that mixin)."""

    _inherit = "mail.thread"

    # set on the models that inherit mail.gateway.guarded
    _mail_gateway_guarded = False
    _mail_gateway_one_record_per_email = False

    # ------------------------------------------------------------
    # the models that opted in
    # ------------------------------------------------------------

    @api.model
    def _mail_gateway_is_guarded(self, model_name):
        """Whether the model ``model_name`` opted in to the gateway's per-model behaviours."""
        return bool(model_name in self.env and getattr(self.env.registry[model_name], "_mail_gateway_guarded", False))

    @api.model
    def _mail_gateway_guarded_models(self):
        """The names of the (non-abstract) models that opted in, in a stable order."""
        return sorted(
            name
            for name, model_class in self.env.registry.items()
            if getattr(model_class, "_mail_gateway_guarded", False) and not model_class._abstract
        )

    # ------------------------------------------------------------
    # every model: who processes mail, and mail that cannot be read
    # ------------------------------------------------------------

    @api.model
    def message_process(
        self, model, message, custom_values=None, save_original=False, strip_attachments=False, thread_id=None
    ):
        """A message the gateway cannot read is still delivered where it was sent: with
        the headers that can be read, and the original attached (nothing is lost).

        Processing incoming mail is the mail gateway's, run by an administrator (the
        fetchmail job, the mailgate script): over RPC an employee could otherwise choose
        where a forged e-mail lands (``model``, ``custom_values``, or its own headers) and
        have it recorded as superuser, backdated and in someone else's name."""
        if not self.env.is_system():
            raise AccessError(self.env._("Only the mail gateway processes incoming e-mail."))
        options = {
            "custom_values": custom_values,
            "save_original": save_original,
            "strip_attachments": strip_attachments,
            "thread_id": thread_id,
        }
        if isinstance(message, xmlrpc.client.Binary):
            message = bytes(message.data)
        if isinstance(message, str):
            message = message.encode("utf-8", "replace")
        try:
            try:
                with self.env.cr.savepoint():
                    return super().message_process(model, message, **options)
            except Exception as error:
                if not is_unreadable_error(error):
                    raise
                _logger.info("Unreadable incoming e-mail (%s): delivered with the original attached", error)
                return super().message_process(model, self._message_unreadable(message), **options)
        except Exception as error:
            # the fetch job marks the message read whatever happened: it needs to know
            fetch = self.env.context.get("mail_gateway_fetch")
            if fetch is not None:
                fetch.error = error
            raise

    @api.model
    def _message_unreadable(self, raw):
        """A plain message standing for ``raw``, which is attached to it whole."""
        safe = EmailMessage(policy=email.policy.SMTPUTF8)
        unreadable = []
        for name in KEPT_HEADERS:
            value = raw_header(raw, name)
            if not value:
                continue
            try:
                safe[name] = value
                str(safe[name])  # parsed when read: what the gateway will do
                safe.as_bytes()  # and written out
            except Exception:  # whatever the parser cannot take is shown as text
                del safe[name]
                unreadable.append(f"{name}: {value}")
        text = self.env._("This e-mail could not be read; the original message is attached.")
        if unreadable:
            text += "\n\n" + self.env._("Headers as received:") + "\n" + "\n".join(unreadable)
        safe.set_content(text)
        safe.add_attachment(raw, maintype="application", subtype="octet-stream", filename="original_email.eml")
        return safe.as_bytes()

    def message_post(self, **kwargs):
        # what message_parse adds for the models (received_at) is not a message's value:
        # the gateway posts the parsed message with all its keys
        kwargs.pop("received_at", None)
        return super().message_post(**kwargs)

    @api.model
    def message_parse(self, message, save_original=False):
        """A message without Message-Id gets one made from its content (the same message
        delivered twice gets the same id, so it is recognised); a message of which nothing
        could be read is attached whole; NUL characters, which PostgreSQL refuses, are
        replaced. ``received_at``: when the receiving mail server got it (its topmost
        ``Received:`` header), for models that date their records by receipt."""
        msg_dict = super().message_parse(message, save_original=save_original)
        msg_dict["received_at"] = received_at(message)
        if not message.get("Message-Id"):
            digest = hashlib.sha256(message.as_bytes(policy=email.policy.compat32)).hexdigest()[:40]
            msg_dict["message_id"] = f"<{digest}@no-message-id.invalid>"
        if not html2plaintext(msg_dict.get("body") or "").strip() and not msg_dict.get("attachments"):
            payload = message.get_payload()
            if payload and (isinstance(payload, list) or str(payload).strip()):
                # nothing could be read of a message that says something: keep it whole
                msg_dict["attachments"] = [
                    self._Attachment("original_email.eml", message.as_bytes(policy=email.policy.compat32), {})
                ]
        for key, value in msg_dict.items():
            msg_dict[key] = no_nul(value)
        msg_dict["attachments"] = [
            attachment._replace(fname=no_nul(attachment.fname)) if hasattr(attachment, "_replace") else attachment
            for attachment in msg_dict.get("attachments") or []
        ]
        return msg_dict

    # ------------------------------------------------------------
    # every model: delivery reports Odoo cannot read
    # ------------------------------------------------------------

    def _message_parse_extract_bounce(self, email_message, message_dict):
        """Odoo reads a delivery report by its structure and breaks on one without the
        expected one (no returned message, an empty one, a delivery-status part that is no
        header blocks, returned headers in an unknown charset): the error would escape
        ``message_process`` and the report would not be recorded at all. Such a report is
        read from its text instead; what Odoo does not find in a report it reads (a
        plain-text bounce quotes the original headers) is looked for there too. A read
        receipt is about a delivered message: no address of it bounced."""
        try:
            values = super()._message_parse_extract_bounce(email_message, message_dict)
        except Exception as error:  # whatever the report's structure breaks
            try:
                is_bounce = self._detect_is_bounce(email_message, message_dict)
            except Exception:  # not recognised as a report: routed as any mail
                is_bounce = False
            if not is_bounce:
                return {"is_bounce": False}
            _logger.info(
                "Delivery report %s read from its text, its structure is not readable (%s: %s)",
                message_dict.get("message_id"),
                type(error).__name__,
                error,
            )
            values = {
                "is_bounce": True,
                "bounced_email": False,
                "bounced_partner": self.env["res.partner"].sudo(),
                "bounced_msg_ids": False,
                "bounced_message": self.env["mail.message"],
            }
        if not values.get("is_bounce"):
            return values
        try:
            values.update(self._bounce_from_report_text(email_message, message_dict, values))
        except Exception as error:  # what Odoo read is kept
            _logger.info("Delivery report %s: its text could not be read (%s)", message_dict.get("message_id"), error)
        return values

    @api.model
    def _bounce_from_report_text(self, email_message, message_dict, values):
        """The bounce values Odoo left empty, from the report's text: the address of a
        ``Final-Recipient`` (or ``Original-Recipient``) line with or without its address
        type, the message from the returned Message-Id (Odoo's own lookup) or References."""
        Partner = self.env["res.partner"].sudo()
        text = report_text(email_message)
        bounced_message = values.get("bounced_message") or self.env["mail.message"]
        bounced_msg_ids = values.get("bounced_msg_ids") or False
        returned = bool(bounced_message)  # the very message that bounced, not one of its thread
        if not bounced_message:
            found, found_ids, returned = self._bounced_message_from_text(text, message_dict)
            if found or not bounced_msg_ids:
                bounced_message, bounced_msg_ids = found, found_ids
        bounced_email = values.get("bounced_email") or False
        bounced_partner = values.get("bounced_partner") or Partner
        if not bounced_email:
            recipients = sorted(REPORT_RECIPIENT.findall(text), key=lambda match: match[0].lower() != "final")
            for _kind, value in recipients:
                bounced_email = email_normalize(value.split(";", 1)[-1].strip().replace("\x00", ""))
                if bounced_email:
                    bounced_partner = Partner.search([("email_normalized", "=", bounced_email)])
                    break
        bounced_message = bounced_message[:1]
        if returned and not bounced_partner:
            # as Odoo does: the only recipient of the bounced message is who bounced
            notified = bounced_message.sudo().notification_ids.res_partner_id
            if len(notified) == 1:
                bounced_partner, bounced_email = notified, notified.email_normalized or False
        if is_read_receipt(email_message):
            bounced_email, bounced_partner = False, Partner
        return {
            "bounced_email": bounced_email,
            "bounced_partner": bounced_partner,
            "bounced_msg_ids": bounced_msg_ids,
            "bounced_message": bounced_message,
        }

    @api.model
    def _bounced_message_from_text(self, text, message_dict):
        """(message, reference ids, whether it is the returned message itself) of the
        message a report is about: from the Message-Id lines of its text (with Odoo's
        lookup, which also follows the report's own In-Reply-To), else a message of its
        thread from the returned References."""
        Message = self.env["mail.message"].sudo()
        ids = [msg_id for msg_id in REPORT_MESSAGE_ID.findall(text) if "\x00" not in msg_id]
        headers = email.message_from_string(
            f"Message-Id: {' '.join(ids)}\n\n" if ids else "\n", policy=email.policy.SMTP
        )
        try:
            found, found_ids = self._get_bounced_message_data(headers, message_dict)
        except Exception:  # Odoo's lookup needs what a broken report may lack
            found = Message.search([("message_id", "in", ids)], order="id desc", limit=1) if ids else Message
            found_ids = list(ids)
        if found:
            return found[:1], found_ids or ids, True
        references = [
            ref for match in REPORT_REFERENCES.findall(text) for ref in MESSAGE_ID.findall(match) if "\x00" not in ref
        ][-32:]
        if references:
            found = Message.search([("message_id", "in", references)], order="id desc", limit=1)
        return found[:1], (list(found_ids or ids) + references) or False, False

    # ------------------------------------------------------------
    # the models that opted in: routing
    # ------------------------------------------------------------

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """On a model with ``_mail_gateway_one_record_per_email``, one e-mail is one new
        record, even when it is sent to several of its aliases: the first alias in the
        message's recipients takes it."""
        routes = super().message_route(message, message_dict, model, thread_id, custom_values)
        kept, creating = [], set()
        for route in routes:
            model_name = route[0]
            if not route[1] and self._mail_gateway_is_guarded(model_name):
                if self.env.registry[model_name]._mail_gateway_one_record_per_email:
                    if model_name in creating:
                        continue
                    creating.add(model_name)
            kept.append(route)
        return kept

    @api.model
    def _routing_check_route(self, message, message_dict, route, raise_exception=True):
        """Automatic mail (auto-replies, delivery reports, this database's own mail
        coming back) to an alias of a guarded model is offered to its
        ``_mail_gateway_keep_automatic_mail``: kept there, it makes no record, which would
        be answered and could start a loop."""
        route = super()._routing_check_route(message, message_dict, route, raise_exception=raise_exception)
        # Odoo asks the alias's model (the routes of an alias), or the gateway itself
        if not route or route[0] != self._name or route[1] or not self._mail_gateway_guarded:
            return route
        reason = self._mail_gateway_automatic_reason(message, message_dict)
        if reason and self._mail_gateway_keep_automatic_mail(message_dict, route[2] or {}, reason):
            return False
        return route

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """Odoo marks the bounced notification and partner, then drops the report
        (``message_route`` gives it no route): it is offered to the guarded models first
        (``_mail_gateway_keep_delivery_report``)."""
        result = super()._routing_handle_bounce(email_message, message_dict)
        outcome = report_outcome(email_message)
        for model_name in self._mail_gateway_guarded_models():
            if self.env[model_name]._mail_gateway_keep_delivery_report(message_dict, outcome):
                break
        return result

    @api.model
    def _detect_loop_sender(self, message, message_dict, routes):
        """Odoo drops mail from a sender who created many records lately (a mail loop).
        A guarded model may keep it instead (``_mail_gateway_keep_looping_mail``), once
        per model that the message would have made a new record of."""
        looping = super()._detect_loop_sender(message, message_dict, routes)
        if looping:
            offered = set()
            for route in routes or ():
                model_name = route[0]
                if route[1] or model_name in offered or not self._mail_gateway_is_guarded(model_name):
                    continue
                offered.add(model_name)
                self.env[model_name]._mail_gateway_keep_looping_mail(message_dict, route[2] or {})
        return looping

    @api.model
    def _mail_gateway_automatic_reason(self, message, message_dict):
        """Why an incoming message was written by a machine (a translated phrase), or an
        empty string: an auto-reply (Auto-Submitted, X-Autoreply, Precedence), a delivery
        report (empty return path, a report, the mailer daemon), or mail from one of this
        database's own addresses coming back."""
        auto_submitted = (message.get("Auto-Submitted") or "").strip().lower()
        if auto_submitted and auto_submitted != "no":
            return self.env._("automatic reply (Auto-Submitted: %s)", auto_submitted)
        if any(message.get(header) for header in ("X-Autoreply", "X-Autorespond", "X-Autoresponder")):
            return self.env._("automatic reply")
        if (message.get("Precedence") or "").strip().lower() in ("bulk", "junk", "auto_reply"):
            return self.env._("bulk or automatic mail (Precedence)")
        if (message.get("Return-Path") or "").strip() == "<>":
            return self.env._("delivery report or automatic reply (empty return path)")
        content_type = message.get_content_type()
        if content_type == "multipart/report" or "report-type=delivery-status" in content_type:
            return self.env._("delivery report")
        if holds_report(message):
            return self.env._("delivery report")
        email_from = email_normalize(message_dict.get("email_from") or "", strict=False)
        if not email_from:
            return ""
        if email_from.split("@", 1)[0] in ("mailer-daemon", "postmaster"):
            return self.env._("delivery report")
        if self._mail_gateway_is_own_address(email_from):
            return self.env._("sent from one of this database's own addresses")
        return ""

    @api.model
    def _mail_gateway_is_own_address(self, email_normalized):
        """Whether this database sends from or receives on ``email_normalized``: a
        company's address, an alias, the catch-all, bounce or default sender address."""
        domains = self.env["mail.alias.domain"].sudo().search([])
        own = {domain.bounce_email for domain in domains} | {domain.catchall_email for domain in domains}
        own |= {domain.default_from_email for domain in domains}
        own |= set(self.env["res.company"].sudo().search([]).mapped("email"))
        local, _at, domain = email_normalized.partition("@")
        # sub-addresses (alias+anything@) are the same mailbox
        candidates = {email_normalized, f"{local.split('+', 1)[0]}@{domain}"}
        if candidates & {email_normalize(address or "") for address in own}:
            return True
        return bool(self.env["mail.alias"].sudo().search_count([("alias_full_name", "in", list(candidates))], limit=1))
