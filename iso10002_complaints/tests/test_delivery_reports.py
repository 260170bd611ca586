"""Delivery reports (RFC 3464, RFC 6522, RFC 8098) through the mail gateway.

The README promises that delivery reports are kept, never registered nor acknowledged.
Odoo breaks on reports without the structure it expects, and drops the others once it has
marked what bounced; here every report is read or kept, exactly once: on the complaint
whose message it is about (its owner then reaches the complainant another way), else on
the team whose alias received it."""

import email
import email.policy

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.models.mail_thread import MailThread as OdooMailThread

from .common import MailGatewayCase
from .hostile_mail import REPORT_KINDS, HostileMail

ALIAS = "complaints-a@complaints.example.com"
BOUNCE = "bounce@complaints.example.com"
MUTED = (
    "odoo.addons.mail.models.mail_thread",
    "odoo.addons.mail_gateway_guard.models.mail_thread",
    "odoo.addons.iso10002_complaints.models.iso10002_complaint_mail",
)
# the shapes a report about our own message comes in: the whole message returned, its
# headers only (RFC 6522), its headers quoted in a plain-text bounce; and the broken or
# odd ones that still return the headers
SHAPES_WITH_ORIGINAL = [
    "report_rfc3464",
    "report_rfc822_headers",
    "report_plain_daemon",
    "report_postfix",
    "report_headers_bad_charset",
    "report_dsn_base64",
    "report_dsn_garbage",
    "report_nested",
    "report_mixed_headers",
    "report_malformed_type",
]

# a report Odoo's parser breaks on: its delivery-status part holds text, not header blocks
DSN_AS_TEXT = """From: Mail Delivery System <MAILER-DAEMON@mx.buyer.example>
To: complaints-a@complaints.example.com
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
class TestDeliveryReports(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "info@ourcompany.example"
        cls.note = cls.env.ref("mail.mt_note")

    def _generator(self, seed):
        return HostileMail(seed, ALIAS, "info@ourcompany.example")

    def _message_id(self, raw):
        return str(email.message_from_bytes(raw, policy=email.policy.SMTP)["Message-Id"]).strip()

    def _kept(self, message_id):
        return self.env["mail.message"].sudo().search([("message_id", "=", message_id)])

    def _logs(self, complaint, words):
        """The notes the process logged on ``complaint`` saying ``words`` (not the reports)."""
        return complaint.message_ids.filtered(lambda m: m.message_type == "notification" and words in (m.body or ""))

    def _acknowledged_complaint(self, name):
        """A complaint received by e-mail, its acknowledgement and the complainant's
        notification of it."""
        complaint = self._intake(
            email_from=f"Jane {name} <jane.{name}@buyer.example>",
            subject=f"Broken chair ({name})",
            msg_id=f"<complaint-{name}@buyer.example>",
        )
        self.assertEqual(len(complaint), 1)
        ack = complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(ack), 1)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", ack.id), ("recipient_ids", "in", complaint.partner_id.ids)])
        )
        self.assertEqual(mail.message_id, ack.message_id, "the acknowledgement leaves with this Message-Id")
        notification = ack.notification_ids.filtered(lambda n: n.res_partner_id == complaint.partner_id)
        self.assertEqual(len(notification), 1)
        return complaint, ack, notification

    @mute_logger(*MUTED)
    def test_every_report_kind_is_kept_once_and_never_a_complaint(self):
        generator = self._generator(3464)
        kinds = [REPORT_KINDS[index % len(REPORT_KINDS)] for index in range(7 * len(REPORT_KINDS))]
        self.assertGreaterEqual(len(kinds), 100)
        before = self.Complaint.search([])
        acknowledgements = self.env["mail.message"].search_count([("message_type", "=", "auto_comment")])
        with self.mock_mail_gateway():
            for index, kind in enumerate(kinds):
                raw = generator.report(kind)
                message_id = self._message_id(raw)
                with self.subTest(index=index, kind=kind):
                    self._process(raw)
                    kept = self._kept(message_id)
                    self.assertEqual(len(kept), 1, "kept, once")
                    self.assertEqual((kept.model, kept.res_id), (self.team_a._name, self.team_a.id), "on the team")
                    self.assertEqual(kept.subtype_id, self.note, "as an internal note")
        self.assertFalse(self.Complaint.search([("id", "not in", before.ids)]), "no report is a complaint")
        self.assertEqual(
            self.env["mail.message"].search_count([("message_type", "=", "auto_comment")]),
            acknowledgements,
            "no report is acknowledged",
        )
        self.assertFalse(self._new_mails, "nothing is mailed about a report")

    @mute_logger(*MUTED)
    def test_a_report_about_an_acknowledgement_lands_on_its_complaint(self):
        """Sent to the bounce address (the acknowledgement's return path), or to the
        team's alias by a server that answers the sender."""
        generator = self._generator(6522)
        cases = [(kind, BOUNCE) for kind in SHAPES_WITH_ORIGINAL] + [("report_postfix", ALIAS)]
        for index, (kind, to) in enumerate(cases):
            with self.subTest(kind=kind, to=to):
                complaint, ack, notification = self._acknowledged_complaint(f"c{index}")
                bounces = complaint.partner_id.message_bounce
                raw = generator.report(
                    kind, original_id=ack.message_id, recipient=complaint.email_from, to=to, action="failed"
                )
                before = self.Complaint.search([])
                with self.mock_mail_gateway():
                    self._process(raw)
                kept = self._kept(self._message_id(raw))
                self.assertEqual(len(kept), 1)
                self.assertEqual((kept.model, kept.res_id), (complaint._name, complaint.id), "on the complaint")
                self.assertEqual(kept.subtype_id, self.note)
                self.assertIn(kept.message_type, ("email", "notification"))
                logged = self._logs(complaint, "could not be delivered")
                self.assertEqual(len(logged), 1)
                self.assertIn(complaint.email_from, logged.body)
                self.assertTrue(
                    complaint.activity_ids.filtered(lambda a: "could not be delivered" in (a.note or "")),
                    "the owner is asked to reach the complainant another way",
                )
                self.assertEqual(notification.notification_status, "bounce", "Odoo marks the notification")
                self.assertEqual(notification.failure_type, "mail_bounce")
                self.assertEqual(complaint.partner_id.message_bounce, bounces + 1)
                self.assertFalse(self.Complaint.search([("id", "not in", before.ids)]))
                self.assertFalse(self._new_mails.filtered("email_to"), "no e-mail to a bare address")
                self.assertFalse(self._mails_to(complaint.partner_id), "nothing more to the complainant")

    @mute_logger(*MUTED)
    def test_a_read_receipt_is_kept_without_a_bounce(self):
        complaint, ack, notification = self._acknowledged_complaint("mdn")
        raw = self._generator(8098).report("report_mdn", original_id=ack.message_id, recipient=complaint.email_from)
        with self.mock_mail_gateway():
            self._process(raw)
        kept = self._kept(self._message_id(raw))
        self.assertEqual((kept.model, kept.res_id), (complaint._name, complaint.id))
        self.assertNotEqual(notification.notification_status, "bounce", "a read message did not bounce")
        self.assertEqual(complaint.partner_id.message_bounce, 0)
        self.assertFalse(self._logs(complaint, "could not be delivered"))
        self.assertEqual(len(self._logs(complaint, "read notice")), 1)

    @mute_logger(*MUTED)
    def test_a_redelivered_report_is_kept_once(self):
        complaint, ack, _notification = self._acknowledged_complaint("again")
        generator = self._generator(1891)
        about_complaint = generator.report("report_rfc3464", original_id=ack.message_id, recipient=complaint.email_from)
        on_team = generator.report("report_no_parts")
        for raw in (about_complaint, on_team, about_complaint, on_team):
            self._process(raw)
        self.assertEqual(len(self._kept(self._message_id(about_complaint))), 1)
        self.assertEqual(len(self._kept(self._message_id(on_team))), 1)
        self.assertEqual(complaint.partner_id.message_bounce, 1, "the bounce counts once")
        self.assertEqual(len(self._logs(complaint, "could not be delivered")), 1)

    @mute_logger(*MUTED)
    def test_many_reports_about_one_message_give_its_owner_one_task(self):
        """A report's word is not authenticated: anyone who knows a Message-Id can send
        many. Each is kept; the owner has one open task, not one per report; and when the
        owner can no longer read the complaint, the task goes to someone who may, and the
        report stays on the complaint."""
        complaint, ack, _notification = self._acknowledged_complaint("flood")
        generator = self._generator(404)
        for _index in range(6):
            raw = generator.report("report_rfc3464", original_id=ack.message_id, recipient=complaint.email_from)
            self._process(raw)
            self.assertEqual(self._kept(self._message_id(raw)).res_id, complaint.id)
        tasks = complaint.activity_ids.filtered(lambda a: a.summary == "Message not delivered")
        self.assertEqual(len(tasks), 1, "one open task however many reports")
        self.assertEqual(len(self._logs(complaint, "could not be delivered")), 6, "each report kept and logged")
        # the owner loses their rights: the next task goes to who may read the complaint
        tasks.action_feedback(feedback="called")
        owner = complaint.user_id or complaint._responsible_user()
        complaint.sudo().user_id = self.officer_a
        self.officer_a.groups_id -= self.env.ref("iso10002_complaints.group_complaint_officer")
        raw = generator.report("report_rfc3464", original_id=ack.message_id, recipient=complaint.email_from)
        self._process(raw)
        self.assertEqual(self._kept(self._message_id(raw)).res_id, complaint.id, "still on the complaint")
        task = complaint.activity_ids.filtered(lambda a: a.summary == "Message not delivered")
        self.assertEqual(len(task), 1)
        self.assertNotEqual(task.user_id, self.officer_a)
        self.assertTrue(complaint._readable_by(task.user_id), owner.name)

    @mute_logger(*MUTED)
    def test_a_report_odoo_cannot_read_is_read_from_its_text(self):
        """Odoo's parser takes the second header block of the delivery-status part; a part
        whose payload is text gives it a character, and the whole message is lost."""
        jane = self.env["res.partner"].create({"name": "Jane", "email": "jane.text@buyer.example"})
        report = email.message_from_string(DSN_AS_TEXT, policy=email.policy.SMTP)
        status = next(part for part in report.walk() if part.get_content_type() == "message/delivery-status")
        status.set_payload("Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; jane.text@buyer.example\n")
        Thread = self.env["mail.thread"]
        values = {"message_id": "<dsn-as-text@mx.buyer.example>", "to": ALIAS, "email_from": report["From"]}
        values.update(in_reply_to="", references="")
        with self.assertRaises(AttributeError):
            OdooMailThread._message_parse_extract_bounce(Thread, report, dict(values))
        bounce = Thread._message_parse_extract_bounce(report, dict(values))
        self.assertTrue(bounce["is_bounce"])
        self.assertEqual(bounce["bounced_email"], "jane.text@buyer.example")
        self.assertEqual(bounce["bounced_partner"], jane)
        self.assertFalse(bounce["bounced_message"])

    @mute_logger(*MUTED)
    def test_a_report_about_nothing_of_ours_keeps_odoo_behaviour(self):
        """Sent to the bounce address about a message the database does not know: Odoo
        marks the partner who bounced and records nothing."""
        partner = self.env["res.partner"].create({"name": "Lost", "email": "lost@buyer.example"})
        raw = self._generator(42).report("report_rfc3464", recipient="lost@buyer.example", to=BOUNCE, action="failed")
        self._process(raw)
        self.assertFalse(self._kept(self._message_id(raw)))
        self.assertEqual(partner.message_bounce, 1)
