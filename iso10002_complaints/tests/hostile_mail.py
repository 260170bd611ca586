"""A seeded generator of hostile but deliverable e-mails for the mail gateway.

Each message comes with what must become of it:
- ``complaint``: exactly one new complaint, numbered from the sequence, acknowledged when
  its sender can be written to;
- ``automatic``: an auto-reply, a delivery report or our own mail coming back: no
  complaint, no acknowledgement, kept on the team;
- ``duplicate``: a re-delivery of an earlier message: nothing new.
"""

import random
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

SUBJECTS = ["Complaint", "Refund", "Broken chair", "شکایت از تأخیر در ارسال", "Late delivery", "", "RE: order 42"]
NAMES = ["Bob Buyer", "حسین مرادی", "Zoë Ärger", "O'Brien, Pat", '"Quoted" Name', ""]
KINDS = [
    "plain",
    "nul_subject",
    "nul_from",
    "nul_body",
    "unknown_charset_header",
    "unknown_charset_body",
    "deep_nesting",
    "bad_from",
    "no_from",
    "long_subject",
    "bad_base64",
    "persian_1256",
    "weird_attachment",
    "no_message_id",
    "bad_date",
    "html_script",
    "controls_body",
    "controls_html",
    "auto_submitted",
    "x_autoreply",
    "precedence_bulk",
    "null_return_path",
    "bounce_report",
    "mailer_daemon",
    "own_address",
    "redelivery",
]


class HostileMail:
    def __init__(self, seed, to, own_address):
        self.rng = random.Random(seed)
        self.to = to
        self.own_address = own_address
        self.sent = []  # raw messages already produced, for re-deliveries
        self.count = 0

    def _sender(self):
        name = self.rng.choice(NAMES)
        address = f"user{self.rng.randrange(60)}@buyer{self.rng.randrange(5)}.example"
        return f"{name} <{address}>" if name else address

    def _base(self, kind, body=None, subtype="plain", charset="utf-8"):
        self.count += 1
        msg = MIMEText(body if body is not None else f"Message {self.count} ({kind}).", subtype, charset)
        msg["From"] = self._sender()
        msg["To"] = self.to
        msg["Subject"] = self.rng.choice(SUBJECTS)
        msg["Message-Id"] = f"<hostile-{self.count}-{self.rng.randrange(10**9)}@buyer.example>"
        msg["Date"] = "Tue, 03 Mar 2026 10:00:00 +0000"
        return msg

    def _nested(self, depth):
        """Raw multipart nested ``depth`` times (too deep for the library to write)."""
        body = b"Content-Type: text/plain\n\nthe innermost part\n"
        for level in range(depth):
            boundary = b"n%d" % level
            body = (
                b'Content-Type: multipart/mixed; boundary="'
                + boundary
                + b'"\n\n--'
                + boundary
                + b"\n"
                + body
                + b"\n--"
                + boundary
                + b"--\n"
            )
        return body

    def make(self, kind):
        """(raw bytes, expectation) of one message of ``kind``."""
        expect = "complaint"
        if kind == "redelivery" and self.sent:
            return self.rng.choice(self.sent), "duplicate"
        if kind == "deep_nesting":
            headers = self._base(kind)
            names = ("From", "To", "Message-Id", "Date")
            head = b"".join(b"%s: %s\n" % (k.encode(), headers[k].encode()) for k in names)
            raw = head + b"Subject: nested\nMIME-Version: 1.0\n" + self._nested(self.rng.choice([60, 300, 1200]))
            self.sent.append(raw)
            return raw, expect
        if kind == "persian_1256":
            msg = self._base(kind, body="كالاي معيوب رسيد", charset="cp1256")
        elif kind == "html_script":
            body = "<p>Hi</p><script>alert(1)</script><img src=x onerror=alert(2)>"
            msg = self._base(kind, body=body, subtype="html")
        elif kind in ("controls_body", "controls_html"):
            # direction overrides, escape, form feed, DEL and C1 controls: text that turns
            # itself around or hides, in the body and the subject
            tricks = ["\u202e", "\u2066", "\x1b[31m", "\x0c", "\x7f", "\x85", "\u200b", "\ufeff"]
            words = ["refund", "شکایت", "order 42", "gpj.exe"]
            subtype = "html" if kind == "controls_html" else "plain"
            if subtype == "html":
                tricks += ["&#8238;", "&#x202E;", "&#x2066;", "&#27;"]  # references the sanitizer decodes
            body = " ".join(self.rng.choice(tricks) + self.rng.choice(words) for _i in range(8))
            msg = self._base(kind, body=f"<p>{body}</p>" if subtype == "html" else body, subtype=subtype)
            del msg["Subject"]
            msg["Subject"] = self.rng.choice(tricks) + "Refund " + self.rng.choice(tricks)
        elif kind == "weird_attachment":
            msg = MIMEMultipart("mixed")
            headers = self._base(kind)
            for key in ("From", "To", "Subject", "Message-Id", "Date"):
                msg[key] = headers[key]
            msg.attach(MIMEText("see attachment", "plain", "utf-8"))
            part = MIMEBase("application", "octet-stream")
            part.set_payload(b"\x00\x01binary")
            part.add_header("Content-Disposition", "attachment", filename="\u202egnp.exe" + "x" * 300)
            msg.attach(part)
        else:
            msg = self._base(kind)
        raw = msg.as_bytes()
        header_end = raw.find(b"\n\n")
        head, tail = raw[:header_end], raw[header_end:]
        if kind == "nul_subject":
            head = _replace_header(head, b"Subject", b"Refund \x00 now")
        elif kind == "nul_from":
            head = _replace_header(head, b"From", b"Nul\x00 Person <nul\x00@buyer.example>")
        elif kind == "nul_body":
            head = _replace_header(head, b"Content-Transfer-Encoding", b"8bit")
            tail = b"\n\nbody with a \x00 byte\n"
        elif kind == "unknown_charset_header":
            head = _replace_header(head, b"Subject", b"=?x-klingon?Q?Qapla=27?= complaint")
        elif kind == "unknown_charset_body":
            head = _replace_header(head, b"Content-Type", b'text/plain; charset="x-unknown-9"')
            head = _replace_header(head, b"Content-Transfer-Encoding", b"8bit")
            tail = b"\n\n\xff\xfe text in an unknown charset\n"
        elif kind == "bad_from":
            head = _replace_header(head, b"From", self.rng.choice([b"a@", b"@", b"<>", b"not an address", b"a@b@c"]))
            expect = "complaint"
        elif kind == "no_from":
            head = _drop_header(head, b"From")
        elif kind == "long_subject":
            head = _replace_header(head, b"Subject", b"Complaint " + b"very " * 4000)
        elif kind == "bad_base64":
            head = _replace_header(head, b"Content-Transfer-Encoding", b"base64")
            tail = b"\n\n@@@ this is !!! not base64 ===\n"
        elif kind == "no_message_id":
            head = _drop_header(head, b"Message-Id")
        elif kind == "bad_date":
            head = _replace_header(head, b"Date", b"yesterday at noon, 99:99")
        elif kind == "auto_submitted":
            head += b"\nAuto-Submitted: auto-replied"
            expect = "automatic"
        elif kind == "x_autoreply":
            head += b"\nX-Autoreply: yes"
            expect = "automatic"
        elif kind == "precedence_bulk":
            head += b"\nPrecedence: " + self.rng.choice([b"bulk", b"junk", b"auto_reply"])
            expect = "automatic"
        elif kind == "null_return_path":
            head = b"Return-Path: <>\n" + head
            expect = "automatic"
        elif kind == "bounce_report":
            head = _replace_header(
                head, b"Content-Type", b'multipart/report; report-type=delivery-status; boundary="b1"'
            )
            head = _drop_header(head, b"Content-Transfer-Encoding")
            tail = (
                b"\n\n--b1\nContent-Type: text/plain\n\nDelivery failed.\n"
                b"--b1\nContent-Type: message/delivery-status\n\nStatus: 5.1.1\n--b1--\n"
            )
            expect = "automatic"
        elif kind == "mailer_daemon":
            head = _replace_header(head, b"From", b"Mail Delivery System <MAILER-DAEMON@mx.buyer.example>")
            expect = "automatic"
        elif kind == "own_address":
            head = _replace_header(head, b"From", f"Us <{self.own_address}>".encode())
            expect = "automatic"
        raw = head + tail
        if expect == "complaint" and kind != "no_message_id":
            self.sent.append(raw)
        return raw, expect

    def messages(self, count):
        for _index in range(count):
            yield self.make(self.rng.choice(KINDS))


def _replace_header(head, name, value):
    lines = head.split(b"\n")
    out, skipping, replaced = [], False, False
    for line in lines:
        if skipping and line[:1] in (b" ", b"\t"):
            continue
        skipping = False
        if line.lower().startswith(name.lower() + b":"):
            out.append(name + b": " + value)
            skipping, replaced = True, True
            continue
        out.append(line)
    if not replaced:
        out.append(name + b": " + value)
    return b"\n".join(out)


def _drop_header(head, name):
    lines = head.split(b"\n")
    out, skipping = [], False
    for line in lines:
        if skipping and line[:1] in (b" ", b"\t"):
            continue
        skipping = False
        if line.lower().startswith(name.lower() + b":"):
            skipping = True
            continue
        out.append(line)
    return b"\n".join(out)
