"""A seeded generator of broken but deliverable e-mails and delivery reports.

``message(kind)`` gives the raw bytes of an e-mail the standard library's parser, Odoo's
gateway or PostgreSQL may choke on; ``report(kind)`` a delivery report (RFC 3464) in a
shape Odoo's bounce parser does not expect. Each is different (its own Message-Id), and
the same seed gives the same messages."""

import base64
import random

BROKEN_KINDS = [
    "deep_nesting",  # multipart nested deeper than the parser recurses
    "nul_subject",  # NUL bytes, which PostgreSQL refuses
    "nul_from",
    "nul_body",
    "unknown_charset_header",  # an encoded word in a charset nobody knows
    "unknown_charset_body",
    "bad_encoded_word",
    "bad_from",  # "@", "a@", "<>", "a@b@c"
    "bad_base64",
    "bad_date",
    "unclosed_multipart",
    "long_subject",
]
REPORT_KINDS = [
    "dsn_as_text",  # a delivery-status part that is text, not header blocks
    "dsn_garbage",
    "dsn_base64",
    "no_parts",
    "empty_rfc822",
    "no_semicolon",  # Final-Recipient without its address type
]


class HostileMail:
    def __init__(self, seed, to):
        self.rng = random.Random(seed)
        self.to = to
        self.count = 0

    def _head(self, subject=None, sender=None):
        self.count += 1
        sender = sender or f"user{self.rng.randrange(60)}@buyer{self.rng.randrange(5)}.example"
        subject = subject or f"Message {self.count} " + self.rng.choice(["order 42", "شکایت", "Zoë", "refund"])
        return (
            f"From: Sender {self.count} <{sender}>\nTo: {self.to}\nSubject: {subject}\n"
            f"Message-Id: <broken-{self.count}-{self.rng.randrange(10**9)}@buyer.example>\n"
            "Date: Tue, 03 Mar 2026 10:00:00 +0000\nMIME-Version: 1.0\n"
        ).encode()

    def message(self, kind):
        """Raw bytes of a broken e-mail of ``kind`` (one of BROKEN_KINDS) to the alias."""
        text = b"Content-Type: text/plain; charset=utf-8\n\nMessage body.\n"
        if kind == "deep_nesting":
            body = b"Content-Type: text/plain\n\nthe innermost part\n"
            for level in range(self.rng.choice([1200, 3000, 5000])):
                boundary = b"n%d" % level
                body = b'Content-Type: multipart/mixed; boundary="%s"\n\n--%s\n%s\n--%s--\n' % (
                    boundary,
                    boundary,
                    body,
                    boundary,
                )
            return self._head() + body
        if kind == "nul_subject":
            return self._head(subject="Refund \x00 now") + text
        if kind == "nul_from":
            return self._head(sender="nul\x00@buyer.example") + text
        if kind == "nul_body":
            return self._head() + b"Content-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\nbody \x00 byte\n"
        if kind == "unknown_charset_header":
            return self._head(subject="=?x-klingon?Q?Qapla=27?= complaint") + text
        if kind == "unknown_charset_body":
            return self._head() + b'Content-Type: text/plain; charset="x-unknown-9"\n\n\xff\xfe unknown charset\n'
        if kind == "bad_encoded_word":
            return self._head(subject="=?utf-8?B?####?= =?utf-8?Q?=ZZ?=") + text
        if kind == "bad_from":
            head = self._head().replace(b"From: ", b"X-Was-From: ", 1)
            return b"From: " + self.rng.choice([b"@", b"a@", b"<>", b"a@b@c", b"@@"]) + b"\n" + head + text
        if kind == "bad_base64":
            return self._head() + b"Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n@@@ not base64 ==\n"
        if kind == "bad_date":
            return self._head().replace(b"Tue, 03 Mar 2026 10:00:00 +0000", b"yesterday, 99:99") + text
        if kind == "unclosed_multipart":
            unclosed = b'Content-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\nhi'
            return self._head() + unclosed
        if kind == "long_subject":
            return self._head(subject="Complaint " + "very " * 4000) + text
        raise ValueError(kind)

    def messages(self, count):
        for _index in range(count):
            kind = self.rng.choice(BROKEN_KINDS)
            yield kind, self.message(kind)

    def report(self, kind, recipient, to, action="failed"):
        """Raw bytes of a delivery report of ``kind`` (one of REPORT_KINDS), sent to
        ``to``, saying that the message to ``recipient`` ``action`` (RFC 3464)."""
        self.count += 1
        status = (
            "Reporting-MTA: dns; mx.buyer.example\n\n"
            f"Final-Recipient: rfc822; {recipient}\nAction: {action}\nStatus: 5.1.1\n"
        )
        original = (
            f"Message-Id: <orig-{self.count}@test.mycompany.com>\nFrom: {to}\nTo: {recipient}\n"
            "Subject: Hello\n\nHello.\n"
        )
        parts = None
        content_type = "multipart/report; report-type=delivery-status"
        if kind == "dsn_as_text":
            parts = [("message/delivery-status", f"Final-Recipient: rfc822; {recipient}\nAction: {action}\n")]
        elif kind == "dsn_garbage":
            parts = [("message/delivery-status", "this is not a status\n\n:::: ;\n"), ("message/rfc822", original)]
            parts.insert(0, ("text/plain", f"Not delivered.\nFinal-Recipient: rfc822; {recipient}\n"))
        elif kind == "dsn_base64":
            encoded = base64.encodebytes(status.encode()).decode()
            parts = [("message/delivery-status\nContent-Transfer-Encoding: base64", encoded)]
        elif kind == "no_parts":
            body = f"Delivery to {recipient} failed.\nFinal-Recipient: rfc822; {recipient}\nAction: {action}\n"
        elif kind == "empty_rfc822":
            parts = [("message/delivery-status", status), ("message/rfc822", "")]
        elif kind == "no_semicolon":
            content_type = "multipart/report"
            parts = [("message/delivery-status", f"Final-Recipient: <{recipient}>\nAction: {action}\nStatus: 5.1.1\n")]
        else:
            raise ValueError(kind)
        boundary = f"report-{self.count}"
        if parts is not None:
            content_type += f'; boundary="{boundary}"'
            body = "".join(f"--{boundary}\nContent-Type: {ctype}\n\n{text}\n" for ctype, text in parts)
            body = "This is a MIME-encapsulated message.\n\n" + body + f"--{boundary}--\n"
        head = (
            "Return-Path: <>\nFrom: Mail Delivery System <MAILER-DAEMON@mx.buyer.example>\n"
            f"To: {to}\nSubject: Undelivered Mail Returned to Sender\n"
            f"Message-Id: <report-{self.count}-{self.rng.randrange(10**9)}@mx.buyer.example>\n"
            "Date: Tue, 03 Mar 2026 10:05:00 +0000\nMIME-Version: 1.0\n"
        )
        return f"{head}Content-Type: {content_type}\n\n{body}".encode()
