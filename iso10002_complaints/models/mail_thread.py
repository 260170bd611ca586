import email.errors
import email.policy
import hashlib
import logging
import os
import re
import xmlrpc.client
from email.header import decode_header, make_header
from email.message import EmailMessage

from odoo import _, api, models
from odoo.exceptions import AccessError
from odoo.tools import html2plaintext

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
