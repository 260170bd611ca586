"""Raw messages the standard library's e-mail parser cannot read."""

import datetime
import email.errors
import email.utils
import logging
import os
import re
from email.header import decode_header, make_header

_logger = logging.getLogger(__name__)

# what a message that cannot be read breaks with: the parser's and the codecs' errors
UNREADABLE_ERRORS = (RecursionError, UnicodeError, email.errors.MessageError)
# ... or any error raised inside the standard library's e-mail parser or codecs (it has
# bugs of its own, e.g. IndexError on "From: @"); elsewhere it is a bug and is raised
PARSER_MODULES = (os.sep + "email" + os.sep, os.sep + "encodings" + os.sep, os.sep + "codecs.py")
# the headers of an unreadable message kept on the plain message standing for it
KEPT_HEADERS = ("From", "To", "Cc", "Delivered-To", "Subject", "Message-Id", "Date", "In-Reply-To", "References")


def is_unreadable_error(error):
    """Whether ``error`` says that a message cannot be read (rather than a bug)."""
    if isinstance(error, UNREADABLE_ERRORS):
        return True
    traceback = error.__traceback__
    while traceback and traceback.tb_next:
        traceback = traceback.tb_next
    filename = traceback.tb_frame.f_code.co_filename if traceback else ""
    return any(part in filename for part in PARSER_MODULES)


def no_nul(value):
    """NUL bytes cannot be stored by PostgreSQL: a header or body carrying one would make
    the whole message fail. They are replaced, everything else is kept as it came."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def raw_header(raw, name):
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


def received_at(message):
    """When the last mail server on the way received ``message`` (an ``email.message``):
    the date of its topmost ``Received:`` header, the one the receiving server added
    (RFC 5321 4.4), as a naive UTC datetime; None without one or when it cannot be read.
    Unlike ``Date:``, which the sender's client writes, it is the time of receipt."""
    try:
        header = message.get("Received")
        _trace, _sep, date = str(header or "").rpartition(";")
        when = email.utils.parsedate_to_datetime(" ".join(date.split())) if date.strip() else None
    except Exception:  # whatever the sender put there: no date of receipt
        return None
    if when is None or when.tzinfo is None:
        return None
    return when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
