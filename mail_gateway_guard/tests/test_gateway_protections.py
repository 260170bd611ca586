"""What the guard does for every model, opted in or not."""

import email
import email.policy
import hashlib
import xmlrpc.client

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.models.mail_thread import MailThread as OdooMailThread

from .common import GatewayGuardCase
from .hostile_mail import BROKEN_KINDS, REPORT_KINDS, HostileMail

MUTED = ("odoo.addons.mail.models.mail_thread", "odoo.addons.mail_gateway_guard.models.mail_thread")
PLAIN = (
    "From: Bob Buyer <bob@buyer.example>\nTo: {to}\nSubject: {subject}\n{extra}"
    "Date: Tue, 03 Mar 2026 10:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\n{body}\n"
)
# a report Odoo's parser breaks on: its delivery-status part holds text, not header blocks
DSN_AS_TEXT = """From: Mail Delivery System <MAILER-DAEMON@mx.buyer.example>
To: guarded@test.mycompany.com
Subject: Undelivered Mail Returned to Sender
Message-Id: <dsn-as-text@mx.buyer.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

Your message could not be delivered.
--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.buyer.example
--b1--
"""


@tagged("post_install", "-at_install")
class TestOnlyTheGatewayProcessesMail(GatewayGuardCase):
    def _planted(self, number):
        return PLAIN.format(
            to=self.alias_email, subject=f"planted {number}", extra=f"Message-Id: <planted-{number}@y>\n", body="hi"
        ).encode()

    def test_an_employee_over_rpc_is_refused(self):
        """Over RPC an employee would choose where a forged e-mail lands and have it
        recorded as superuser: refused, whatever the form of the message."""
        for number, message in enumerate(
            [self._planted(1), self._planted(2).decode(), xmlrpc.client.Binary(self._planted(3))], start=1
        ):
            with self.subTest(form=type(message).__name__), self.assertRaises(AccessError):
                self.env["mail.thread"].with_user(self.user_employee).message_process(
                    "res.partner", message, custom_values={"comment": "planted"}
                )
            self.assertFalse(self.Partner.search([("name", "=", f"planted {number}")]))

    def test_the_gateway_processes_it(self):
        """The fetchmail job and the mailgate script run as an administrator; the
        message arrives over XML-RPC as bytes."""
        admin = self.env["mail.thread"].with_user(self.user_admin)
        self.assertTrue(admin.env.is_system())
        admin.message_process(None, xmlrpc.client.Binary(self._planted(4)))
        self.env["mail.thread"].message_process(None, self._planted(5))
        self.assertEqual(len(self.Partner.search([("name", "in", ["planted 4", "planted 5"])])), 2)


@tagged("post_install", "-at_install")
class TestUnreadableMail(GatewayGuardCase):
    @mute_logger(*MUTED)
    def test_broken_messages_are_delivered_with_the_original(self):
        """A few dozen seeded broken messages: each makes its record, none escapes; what
        the gateway could not read comes with the original attached, byte for byte."""
        generator = HostileMail(10002, self.alias_email)
        sent = list(generator.messages(48))
        self.assertEqual({kind for kind, _raw in sent}, set(BROKEN_KINDS), "every kind is tried")
        unreadable = 0
        for index, (kind, raw) in enumerate(sent):
            with self.subTest(index=index, kind=kind):
                before = self.Partner.search([])
                self._process(raw)
                record = self._new_partners(before)
                self.assertEqual(len(record), 1, "one record per message: nothing lost")
                received = record.message_ids.filtered(lambda m: m.message_type == "email")
                self.assertEqual(len(received), 1, "the message is on it")
                original = received.attachment_ids.filtered(lambda a: a.name == "original_email.eml")
                if "could not be read" in (received.body or ""):
                    unreadable += 1
                    self.assertEqual(original.raw, raw, "the original, attached whole")
                if kind == "deep_nesting":
                    self.assertEqual(original.raw, raw, "too deep to read: the original is attached")
                for text in (received.subject or "", received.body or "", received.email_from or ""):
                    self.assertNotIn("\x00", text)
        self.assertGreaterEqual(unreadable, 1, "some messages could not be read")

    @mute_logger(*MUTED)
    def test_a_message_of_which_nothing_is_read_is_kept_whole(self):
        raw = (
            f"From: bob@buyer.example\nTo: {self.alias_email}\nSubject: empty\nMessage-Id: <empty-read@buyer.example>\n"
            "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n====\n"
        )
        before = self.Partner.search([])
        self._process(raw.encode())
        received = self._new_partners(before).message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(received.attachment_ids.mapped("name"), ["original_email.eml"])


@tagged("post_install", "-at_install")
class TestSyntheticMessageId(GatewayGuardCase):
    def _without_id(self, body):
        return PLAIN.format(to=self.alias_email, subject=f"no id {body}", extra="", body=body).encode()

    def test_a_message_without_message_id_gets_one_from_its_content(self):
        raw = self._without_id("first")
        before = self.Partner.search([])
        self._process(raw)
        received = self._new_partners(before).message_ids.filtered(lambda m: m.message_type == "email")
        parsed = email.message_from_bytes(raw, policy=email.policy.SMTP)
        digest = hashlib.sha256(parsed.as_bytes(policy=email.policy.compat32)).hexdigest()[:40]
        self.assertEqual(received.message_id, f"<{digest}@no-message-id.invalid>")

    def test_the_same_message_delivered_twice_is_recognised(self):
        raw = self._without_id("twice")
        before = self.Partner.search([])
        self._process(raw)
        self.assertFalse(self._process(raw), "the second delivery is ignored")
        self.assertEqual(len(self._new_partners(before)), 1)
        other = self._without_id("another")
        self._process(other)
        self.assertEqual(len(self._new_partners(before)), 2, "another message has another id")


@tagged("post_install", "-at_install")
class TestBrokenDeliveryReports(GatewayGuardCase):
    def test_a_report_odoo_cannot_read_is_read_from_its_text(self):
        """Odoo's parser takes the second header block of the delivery-status part; a part
        whose payload is text gives it a character, and the whole message is lost."""
        jane = self.env["res.partner"].create({"name": "Jane", "email": "jane.text@buyer.example"})
        report = email.message_from_string(DSN_AS_TEXT, policy=email.policy.SMTP)
        status = next(part for part in report.walk() if part.get_content_type() == "message/delivery-status")
        status.set_payload("Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; jane.text@buyer.example\n")
        Thread = self.env["mail.thread"]
        values = {"message_id": "<dsn-as-text@mx.buyer.example>", "to": self.alias_email, "email_from": report["From"]}
        values.update(in_reply_to="", references="")
        with self.assertRaises(AttributeError):
            OdooMailThread._message_parse_extract_bounce(Thread, report, dict(values))
        bounce = Thread._message_parse_extract_bounce(report, dict(values))
        self.assertTrue(bounce["is_bounce"])
        self.assertEqual(bounce["bounced_email"], "jane.text@buyer.example")
        self.assertEqual(bounce["bounced_partner"], jane)
        self.assertFalse(bounce["bounced_message"])

    @mute_logger(*MUTED)
    def test_broken_reports_do_not_escape_and_mark_who_bounced(self):
        generator = HostileMail(3464, self.alias_email)
        for index in range(4 * len(REPORT_KINDS)):
            kind = REPORT_KINDS[index % len(REPORT_KINDS)]
            with self.subTest(index=index, kind=kind):
                partner = self.env["res.partner"].create({"name": f"Lost {index}", "email": f"lost{index}@b.example"})
                before = self.Partner.search([])
                to = self.bounce_email if index % 2 else self.alias_email
                self._process(generator.report(kind, partner.email, to))
                self.assertFalse(self._new_partners(before), "a report makes no record")
                if kind != "no_parts":  # a report without parts says nothing Odoo reads
                    self.assertEqual(partner.message_bounce, 1, "the address that bounced is marked")
