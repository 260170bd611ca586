"""What a delivery report (RFC 3464, RFC 6522, RFC 8098) says, as found in its text: in
the header blocks of its delivery-status part, in the headers of the message it returns
(whole or headers only) or quoted in a plain-text bounce ("> Message-Id: <...>")."""

import logging
import re
from email.message import Message

_logger = logging.getLogger(__name__)

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
# the parts that make a message a report (RFC 6522, RFC 3464, RFC 8098)
REPORT_CONTENT_TYPES = ("multipart/report", "message/delivery-status", "message/disposition-notification")


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


def holds_report(message, depth=4):
    """Whether a report is among the parts of a multipart message (one a mail server
    wrapped); a message attached to it (message/rfc822, a forward) is not looked into."""
    payload = message.get_payload()
    if depth < 0 or message.get_content_maintype() != "multipart" or not isinstance(payload, list):
        return False
    return any(part.get_content_type() in REPORT_CONTENT_TYPES or holds_report(part, depth - 1) for part in payload)
