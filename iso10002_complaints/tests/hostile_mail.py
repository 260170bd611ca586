"""A seeded generator of hostile but deliverable e-mails for the mail gateway.

Each message comes with what must become of it:
- ``complaint``: exactly one new complaint, numbered from the sequence, acknowledged when
  its sender can be written to;
- ``automatic``: an auto-reply, a delivery report or our own mail coming back: no
  complaint, no acknowledgement, kept on the team;
- ``duplicate``: a re-delivery of an earlier message: nothing new.

The ``report_*`` kinds are delivery reports (RFC 3464, RFC 6522, RFC 8098) in the shapes
mail servers send, including those Odoo's own gateway tests use (Postfix, Mandrill, a
report in multipart/mixed, returned headers in quoted-printable) and broken ones.
"""

import base64
import quopri
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
# delivery reports: each one automatic (never a complaint, kept once)
REPORT_KINDS = [
    "report_rfc3464",  # text, delivery-status, the returned message
    "report_postfix",  # as Postfix writes it (Odoo's MAIL_BOUNCE)
    "report_rfc822_headers",  # RFC 6522: the returned headers only, sometimes quoted-printable
    "report_headers_bad_charset",  # returned headers in a charset nobody knows
    "report_no_original",  # nothing returned
    "report_no_parts",  # a multipart/report without parts (no boundary, or an empty body)
    "report_empty_rfc822",  # an empty message/rfc822 part
    "report_dsn_base64",  # the delivery-status part in base64
    "report_dsn_garbage",  # a delivery-status part that is no header blocks
    "report_no_semicolon",  # Final-Recipient without address type (Mandrill, MAIL_NO_FINAL_RECIPIENT)
    "report_no_final_recipient",  # no recipient line at all
    "report_nested",  # a report inside multipart/mixed
    "report_mixed_headers",  # multipart/mixed with text/rfc822-headers (MAIL_EML_ATTACHMENT_BOUNCE_HEADERS)
    "report_malformed_type",  # "multipart/report:" (Odoo's gateway test)
    "report_mdn",  # RFC 8098 read receipt
    "report_plain_daemon",  # plain text from MAILER-DAEMON, the original quoted
]
KINDS += REPORT_KINDS
DAEMONS = [
    "MAILER-DAEMON@mx.buyer.example (Mail Delivery System)",
    "Mail Delivery System <MAILER-DAEMON@mx.buyer.example>",
    "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
    "postmaster@buyer.example",
    "MAILER-DAEMON <bounces-noreply@mandrillapp.com>",
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
        if kind in REPORT_KINDS:
            return self.report(kind), "automatic"
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

    # ------------------------------------------------------------------
    # delivery reports
    # ------------------------------------------------------------------
    @property
    def domain(self):
        return self.to.split("@", 1)[-1]

    def report(self, kind, original_id=None, recipient=None, to=None, action=None):
        """Raw bytes of a delivery report of ``kind`` (one of REPORT_KINDS) sent to ``to``
        (the alias by default) about the message ``original_id`` to ``recipient`` (new
        ones by default: a message the database never sent); ``action``: the action of
        its delivery-status part (by default, failed or delayed)."""
        self.count += 1
        number = self.count
        recipient = recipient or f"user{self.rng.randrange(60)}@buyer{self.rng.randrange(5)}.example"
        original_id = original_id or f"<orig-{number}-{self.rng.randrange(10**9)}@complaints.example.com>"
        original = self._original(original_id, recipient)
        status = self._dsn(recipient, action)
        notice = (
            "This is the mail system at host mx.buyer.example.\n\nI'm sorry to have to inform you that your message "
            f"could not\nbe delivered to one or more recipients.\n\n<{recipient}>: host mx.buyer.example said: "
            "550 5.1.1\n    No such user (in reply to RCPT TO command)\n"
        )
        boundary = f"report-{number}-{self.rng.randrange(10**6)}"
        report_type = "multipart/report; report-type=delivery-status"
        headers = {
            "From": self.rng.choice(DAEMONS),
            "To": to or self.to,
            "Subject": self.rng.choice(
                ["Undelivered Mail Returned to Sender", "Delivery Status Notification (Failure)", "failure notice"]
            ),
            "Message-Id": f"<report-{number}-{self.rng.randrange(10**9)}@mx.buyer.example>",
            "Date": "Tue, 03 Mar 2026 10:05:00 +0000",
        }
        if self.rng.random() < 0.5:
            headers["Auto-Submitted"] = "auto-replied"
        if self.rng.random() < 0.5:
            headers = {"Return-Path": "<>", **headers}
        parts = [("text/plain; charset=us-ascii", notice)]
        body = None
        if kind == "report_rfc3464":
            parts += [("message/delivery-status", status), ("message/rfc822", original)]
        elif kind == "report_postfix":
            headers = {
                "Return-Path": "<>",
                "X-Original-To": headers["To"],
                "Delivered-To": headers["To"],
                "Received": "by mx.buyer.example (Postfix)\n    id 93A83A5F0D; Tue, 03 Mar 2026 10:05:00 +0000",
                **headers,
                "From": "MAILER-DAEMON@mx.buyer.example (Mail Delivery System)",
                "Auto-Submitted": "auto-replied",
            }
            status = f"X-Postfix-Queue-ID: 92726A5F09\nX-Postfix-Sender: rfc822; bounce@{self.domain}\n" + status
            parts = [
                ("text/plain; charset=us-ascii\nContent-Description: Notification", notice),
                ("message/delivery-status\nContent-Description: Delivery report", status),
                (
                    "message/rfc822\nContent-Description: Undelivered Message",
                    self._original(original_id, recipient, multipart=True),
                ),
            ]
        elif kind == "report_rfc822_headers":
            returned = self._original(original_id, recipient, body=False)
            if self.rng.random() < 0.5:
                encoded = quopri.encodestring(returned.encode(), header=False).decode()
                parts += [("message/delivery-status", status), ("text/rfc822-headers\n" + _QP, encoded)]
            else:
                parts += [("message/delivery-status", status), ("text/rfc822-headers", returned)]
        elif kind == "report_headers_bad_charset":
            returned = self._original(original_id, recipient, body=False)
            parts += [("message/delivery-status", status), ('text/rfc822-headers; charset="x-unknown-9"', returned)]
        elif kind == "report_no_original":
            parts += [("message/delivery-status", status)]
        elif kind == "report_no_parts":
            if self.rng.random() < 0.5:
                report_type = "multipart/report; report-type=delivery-status"  # and no boundary
                body = notice
            else:
                body = ""
        elif kind == "report_empty_rfc822":
            parts += [("message/delivery-status", status), ("message/rfc822", "")]
        elif kind == "report_dsn_base64":
            encoded = base64.encodebytes(status.encode()).decode()
            parts += [("message/delivery-status\nContent-Transfer-Encoding: base64", encoded)]
            parts += [("message/rfc822", original)]
        elif kind == "report_dsn_garbage":
            garbage = self.rng.choice(
                [
                    "this is not a delivery status\nat all ;;; <<>>\n\nnor this\n",
                    "@@@\n\n\n:::: ; rfc822\n",
                    "Final-Recipient\n\nStatus 5.1.1 without colon\n",
                ]
            )
            parts += [("message/delivery-status", garbage), ("message/rfc822", original)]
        elif kind == "report_no_semicolon":
            report_type = "multipart/report"  # Mandrill writes no report-type
            status = self.rng.choice(
                [
                    f"Original-Recipient: <{recipient}>\nAction: failed\nDiagnostic-Code: smtp; 554 5.7.1 denied\n",
                    f"Final-Recipient: {recipient}\nAction: failed\nStatus: 5.1.1\n",
                    f"Final-Recipient: <{recipient}>\nAction: failed\nStatus: 5.1.1\n",
                ]
            )
            parts += [("message/delivery-status", status)]
        elif kind == "report_no_final_recipient":
            status = status.replace("Final-Recipient", "XX").replace("Original-Recipient", "XX")
            parts += [("message/delivery-status", status), ("message/rfc822", original)]
        elif kind == "report_nested":
            inner = _multipart(
                boundary + "-inner",
                [("message/delivery-status", status), ("message/rfc822", original)],
                preamble="",
            )
            parts = [
                ("text/plain; charset=utf-8", "Forwarded by the mail gateway.\n"),
                (report_type, inner, boundary + "-inner"),
            ]
            report_type = "multipart/mixed"
        elif kind == "report_mixed_headers":
            headers["Return-Path"] = "<MAILER-DAEMON>"
            headers["Auto-Submitted"] = "auto-replied"
            headers["From"] = "MAILER-DAEMON@mx.buyer.example (Mail Delivery System)"
            returned = self._original(original_id, recipient, body=False)
            parts = [("text/plain; charset=us-ascii", notice), ("text/rfc822-headers", returned)]
            report_type = "multipart/mixed"
        elif kind == "report_malformed_type":
            headers = {"Return-Path": "<>", **headers}
            report_type = "multipart/report: report-type=delivery-status"
            parts += [("message/delivery-status", status), ("message/rfc822", original)]
        elif kind == "report_mdn":
            headers["From"] = recipient
            headers["Subject"] = "Read: Your complaint was received"
            report_type = "multipart/report; report-type=disposition-notification"
            disposition = (
                "Reporting-UA: buyer.example; Mail Client 1.0\n"
                f"Original-Recipient: rfc822;{recipient}\nFinal-Recipient: rfc822;{recipient}\n"
                f"Original-Message-ID: {original_id}\n"
                "Disposition: manual-action/MDN-sent-manually; displayed\n"
            )
            parts = [
                ("text/plain; charset=utf-8", "This is a receipt for the mail you sent. It was displayed.\n"),
                ("message/disposition-notification", disposition),
            ]
            if self.rng.random() < 0.5:
                parts.append(("text/rfc822-headers", self._original(original_id, recipient, body=False)))
        elif kind == "report_plain_daemon":
            headers["From"] = "Mail Delivery System <MAILER-DAEMON@mx.buyer.example>"
            quote = self.rng.choice(["", "> ", "   "])
            copy = "".join(quote + line + "\n" for line in self._original(original_id, recipient).splitlines())
            body = (
                "This message was created automatically by mail delivery software.\n\n"
                "A message that you sent could not be delivered to one or more of its\n"
                f"recipients. This is a permanent error. The following address(es) failed:\n\n  {recipient}\n"
                "    host mx.buyer.example: 550 5.1.1 User unknown\n\n"
                "------ This is a copy of the message, including all the headers. ------\n\n" + copy
            )
            report_type = "text/plain; charset=us-ascii"
        else:
            raise ValueError(kind)
        head = "".join(f"{name}: {value}\n" for name, value in headers.items())
        if body is None:
            content_type = f'{report_type};\n    boundary="{boundary}"'
            body = _multipart(boundary, parts, preamble="This is a MIME-encapsulated message.\n")
        elif kind == "report_no_parts" and body == "":
            content_type = f'{report_type}; boundary="{boundary}"'
        else:
            content_type = report_type
        return f"{head}MIME-Version: 1.0\nContent-Type: {content_type}\n\n{body}".encode()

    def _original(self, original_id, recipient, body=True, multipart=False):
        """The message that could not be delivered, as a mail server returns it."""
        domain = self.domain
        head = (
            f"Return-Path: <bounce@{domain}>\n"
            f"Received: from odoo.{domain} by mx.buyer.example with ESMTPS;\n    Tue, 03 Mar 2026 10:00:01 +0000\n"
            f"Message-Id: {original_id}\n"
            f"References: <thread-{self.rng.randrange(10**9)}@buyer.example>\n  {original_id}\n"
            "Subject: Your complaint was received\n"
            f'From: "Complaints" <{self.to}>\n'
            f"To: {recipient}\n"
            "Date: Tue, 03 Mar 2026 10:00:00 +0000\n"
            "MIME-Version: 1.0\n"
        )
        if not body:
            return head + "Content-Type: text/plain; charset=utf-8\n"
        if multipart:  # as Odoo sends it: text and HTML, in base64
            text = base64.encodebytes(b"We received your complaint.\n").decode()
            html = base64.encodebytes(b"<p>We received your complaint.</p>\n").decode()
            inner = _multipart(
                "alt-orig",
                [
                    ("text/plain; charset=utf-8\nContent-Transfer-Encoding: base64", text),
                    ("text/html; charset=utf-8\nContent-Transfer-Encoding: base64", html),
                ],
            )
            return head + f'Content-Type: multipart/alternative; boundary="alt-orig"\n\n{inner}'
        return head + "Content-Type: text/plain; charset=utf-8\n\nWe received your complaint.\n"

    def _dsn(self, recipient, action=None):
        """The header blocks of a delivery-status part (RFC 3464): per message, then per recipient."""
        statuses = {"failed": ["5.1.1", "5.0.0"], "delayed": ["4.4.7"]}
        action = action or self.rng.choice(["failed", "failed", "delayed"])
        status = self.rng.choice(statuses.get(action, ["2.0.0"]))
        return (
            "Reporting-MTA: dns; mx.buyer.example\n"
            "Arrival-Date: Tue, 03 Mar 2026 10:00:02 +0000\n\n"
            f"Final-Recipient: rfc822; {recipient}\n"
            f"Original-Recipient: rfc822;{recipient}\n"
            f"Action: {action}\n"
            f"Status: {status}\n"
            "Remote-MTA: dns; mx.buyer.example\n"
            f"Diagnostic-Code: smtp; {status[0]}50 {status} No such user\n"
        )

    def messages(self, count):
        for _index in range(count):
            yield self.make(self.rng.choice(KINDS))


_QP = "Content-Transfer-Encoding: quoted-printable"


def _multipart(boundary, parts, preamble=""):
    """The body of a multipart message: ``parts`` are (content type with any more header
    lines, body) or (content type, body, boundary) for a part that is multipart itself."""
    chunks = [preamble]
    for part in parts:
        content_type, body = part[0], part[1]
        if len(part) == 3:
            content_type = f'{content_type}; boundary="{part[2]}"'
        chunks.append(f"\n--{boundary}\nContent-Type: {content_type}\n\n{body}")
    chunks.append(f"\n--{boundary}--\n")
    return "".join(chunks)


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
