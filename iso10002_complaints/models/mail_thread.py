import email
import email.errors
import email.policy
import hashlib
import logging
import os
import re
import xmlrpc.client
from email.header import decode_header, make_header
from email.message import EmailMessage, Message

from odoo import _, api, models
from odoo.exceptions import AccessError
from odoo.tools import html2plaintext
from odoo.tools.mail import email_normalize

_logger = logging.getLogger(__name__)

# what a message that cannot be read breaks with: the parser's and the codecs' errors
UNREADABLE_ERRORS = (RecursionError, UnicodeError, email.errors.MessageError)
# ... or any error raised inside the standard library's e-mail parser or codecs (it has
# bugs of its own, e.g. IndexError on "From: @"); elsewhere it is a bug and is raised
PARSER_MODULES = (os.sep + "email" + os.sep, os.sep + "encodings" + os.sep, os.sep + "codecs.py")


def _unreadable(error):
    if isinstance(error, UNREADABLE_ERRORS):
        return True
    traceback = error.__traceback__
    while traceback and traceback.tb_next:
        traceback = traceback.tb_next
    filename = traceback.tb_frame.f_code.co_filename if traceback else ""
    return any(part in filename for part in PARSER_MODULES)


KEPT_HEADERS = ("From", "To", "Cc", "Delivered-To", "Subject", "Message-Id", "Date", "In-Reply-To", "References")


def _no_nul(value):
    """NUL bytes cannot be stored by PostgreSQL: a header or body carrying one would make
    the whole message fail. They are replaced, everything else is kept as it came."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def _raw_header(raw, name):
    """A header of raw message bytes, decoded as far as possible, without the parser."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    match = re.search(rb"^" + name.encode() + rb":(.*(?:\r?\n[ \t].*)*)", head, re.IGNORECASE | re.MULTILINE)
    if not match:
        return ""
    value = " ".join(match.group(1).decode("utf-8", "replace").split())
    try:
        value = str(make_header(decode_header(value)))
    except Exception:  # an encoded word in an unknown charset: kept as it came
        _logger.debug("header %s kept undecoded", name)
    return value.replace("\x00", "\ufffd")


# What a delivery report (RFC 3464, RFC 6522, RFC 8098) says, as found in its text: in
# the header blocks of its delivery-status part, in the headers of the message it returns
# (whole or headers only) or quoted in a plain-text bounce ("> Message-Id: <...>").
REPORT_MESSAGE_ID = re.compile(
    r"^[>\s]*(?:(?:Original-)?Message-Id|X-Microsoft-Original-Message-ID)[ \t]*:\s*(<[^<>\s]+>)", re.I | re.M
)
REPORT_REFERENCES = re.compile(r"^[>\s]*(?:References|In-Reply-To)[ \t]*:(.*(?:\r?\n[ \t].*)*)", re.I | re.M)
REPORT_RECIPIENT = re.compile(r"^[>\s]*(Final|Original)-Recipient[ \t]*:[ \t]*(.*)$", re.I | re.M)
REPORT_ACTION = re.compile(r"^[ \t]*Action[ \t]*:[ \t]*([\w-]+)", re.I | re.M)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# a report's text parts, header blocks and returned headers; its attachments are not read
REPORT_TEXT_TYPES = ("text", "message")
REPORT_TEXT_LIMIT = 200_000
# actions of RFC 3464 that do not say a message is lost
NOT_LOST_ACTIONS = frozenset({"delayed", "delivered", "relayed", "expanded"})


def _part_source(part):
    """A part as the parser received it: its header lines, then its body."""
    head = "".join(f"{name}: {value}\n" for name, value in part.raw_items())
    payload = part.get_payload()
    return head + "\n" + (payload if isinstance(payload, str) else "")


def _decoded_text(part):
    """The body of a leaf part, its transfer encoding undone, as text."""
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return ""
    data = data[:REPORT_TEXT_LIMIT]
    try:
        return data.decode(part.get_content_charset() or "utf-8", "replace")
    except LookupError:  # a charset Python does not know: addresses and ids are ASCII
        return data.decode("utf-8", "replace")


def _report_part_text(part):
    """What one part of a report says: its headers (but the report's own) and its text."""
    texts = ["".join(f"{name}: {' '.join(str(value).split())}\n" for name, value in part.raw_items())]
    payload = part.get_payload()
    encoding = str(part.get("Content-Transfer-Encoding") or "").strip().lower()
    if isinstance(payload, list):
        if part.get_content_type() == "message/delivery-status" and encoding in ("base64", "quoted-printable"):
            # the parser made header blocks of the encoded text: decoded as the text it is
            holder = Message()
            holder["Content-Transfer-Encoding"] = encoding
            holder.set_payload("".join(_part_source(block) for block in payload))
            texts.append(_decoded_text(holder))
    elif part.get_content_maintype() in REPORT_TEXT_TYPES:
        texts.append(_decoded_text(part))
    return "\n".join(texts)


def report_text(message):
    """The text of a delivery report but its own headers, as far as it can be read: the
    header blocks of its delivery-status part (decoded when they came encoded), the
    headers of the message it returns and its text parts. A part that cannot be read is
    left out; its attachments are not read."""
    texts = []
    try:
        for part in message.walk():
            try:
                if part is not message:
                    texts.append(_report_part_text(part))
                elif part.get_content_maintype() in REPORT_TEXT_TYPES:
                    texts.append(_decoded_text(part))  # a plain-text bounce
            except Exception:  # one part that cannot be read: the others still can
                _logger.debug("part of delivery report left unread", exc_info=True)
    except Exception:  # the parts walked so far are kept (e.g. nesting too deep)
        _logger.debug("delivery report read in part", exc_info=True)
    return "\n".join(texts)


def _report_types(message):
    """The content types and report types of a report's parts (not of what it returns)."""
    types, parts = set(), [message]
    for _level in range(6):
        children = []
        for part in parts:
            content_type = part.get_content_type()
            types.add(content_type)
            if content_type == "multipart/report":
                types.add(f"report-type={str(part.get_param('report-type') or '').lower()}")
            payload = part.get_payload()
            if part.get_content_maintype() == "multipart" and isinstance(payload, list):
                children += payload
        parts = children
    return types


def is_read_receipt(message):
    """A disposition notification (RFC 8098) says what became of a delivered message:
    it is no bounce."""
    try:
        types = _report_types(message)
    except Exception:  # unreadable: taken for a delivery report
        return False
    receipt = "message/disposition-notification" in types or "report-type=disposition-notification" in types
    return receipt and "message/delivery-status" not in types


def report_outcome(message):
    """What a report says of the message it is about: ``read`` (a read receipt),
    ``delayed``, ``delivered`` (relayed or expanded too), or ``failed`` (also when it
    does not say)."""
    if is_read_receipt(message):
        return "read"
    actions = {action.lower() for action in REPORT_ACTION.findall(report_text(message))}
    if not actions or not actions <= NOT_LOST_ACTIONS:
        return "failed"
    return "delayed" if "delayed" in actions else "delivered"


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def message_process(
        self, model, message, custom_values=None, save_original=False, strip_attachments=False, thread_id=None
    ):
        """A message the gateway cannot read is still delivered where it was sent: with
        the headers that can be read, and the original attached (nothing is lost).

        Processing incoming mail is the mail gateway's, run by an administrator (the
        fetchmail job, the mailgate script): over RPC an employee could otherwise choose
        where a forged e-mail lands (``model``, ``custom_values``, or its own headers) and
        have it recorded as superuser, backdated and in a complainant's name."""
        if not self.env.is_system():
            raise AccessError(_("Only the mail gateway processes incoming e-mail."))
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
            with self.env.cr.savepoint():
                return super().message_process(model, message, **options)
        except Exception as error:
            if not _unreadable(error):
                raise
            _logger.info("Unreadable incoming e-mail (%s): delivered with the original attached", error)
            return super().message_process(model, self._message_unreadable(message), **options)

    @api.model
    def _message_unreadable(self, raw):
        """A plain message standing for ``raw``, which is attached to it whole."""
        safe = EmailMessage(policy=email.policy.SMTPUTF8)
        unreadable = []
        for name in KEPT_HEADERS:
            value = _raw_header(raw, name)
            if not value:
                continue
            try:
                safe[name] = value
                str(safe[name])  # parsed when read: what the gateway will do
                safe.as_bytes()  # and written out
            except Exception:  # whatever the parser cannot take is shown as text
                del safe[name]
                unreadable.append(f"{name}: {value}")
        text = _("This e-mail could not be read; the original message is attached.")
        if unreadable:
            text += "\n\n" + _("Headers as received:") + "\n" + "\n".join(unreadable)
        safe.set_content(text)
        safe.add_attachment(raw, maintype="application", subtype="octet-stream", filename="original_email.eml")
        return safe.as_bytes()

    @api.model
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """One e-mail is one complaint, even when it is sent to several teams' aliases:
        the first alias in the message's recipients takes it."""
        routes = super().message_route(message, message_dict, model, thread_id, custom_values)
        kept, new_complaint = [], False
        for route in routes:
            if route[0] == "iso10002.complaint" and not route[1]:
                if new_complaint:
                    continue
                new_complaint = True
            kept.append(route)
        return kept

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """Odoo marks the bounced notification and partner, then drops the report
        (``message_route`` gives it no route). A report about a complaint's message, or
        received on a complaint team's alias, is kept (the README's promise)."""
        result = super()._routing_handle_bounce(email_message, message_dict)
        self.env["iso10002.complaint"]._keep_delivery_report(message_dict, report_outcome(email_message))
        return result

    @api.model
    def _detect_loop_sender(self, message, message_dict, routes):
        """Odoo drops mail from a sender who created many records lately (a mail loop).
        A complaint is never dropped: the message is kept on the team instead."""
        looping = super()._detect_loop_sender(message, message_dict, routes)
        if looping:
            for route in routes or ():
                if route[0] == "iso10002.complaint" and not route[1]:
                    self.env["iso10002.complaint"]._keep_on_team(
                        message_dict, route[2] or {}, _("too many complaints from this sender lately (mail loop guard)")
                    )
                    break
        return looping

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

    @api.model
    def message_parse(self, message, save_original=False):
        msg_dict = super().message_parse(message, save_original=save_original)
        if not message.get("Message-Id"):
            # the same message delivered twice gets the same id, so it is recognised
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
            msg_dict[key] = _no_nul(value)
        msg_dict["attachments"] = [
            attachment._replace(fname=_no_nul(attachment.fname)) if hasattr(attachment, "_replace") else attachment
            for attachment in msg_dict.get("attachments") or []
        ]
        return msg_dict
