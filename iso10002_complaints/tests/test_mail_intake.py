import base64
import datetime
import email
import email.policy
import email.utils
import random
import re
import smtplib
import sys
import tempfile
from datetime import timedelta
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText
from unittest.mock import patch

from odoo import fields
from odoo.tests import HOST, RecordCapturer, tagged
from odoo.tools import email_normalize, mute_logger
from odoo.tools.misc import file_path

from odoo.addons.mail_gateway_guard.tests.common import Crash, commits, imap_mailbox
from odoo.addons.mail_gateway_guard.tests.mail_servers import MailHub, free_port

from ..tools.text import BIDI_CONTROLS
from . import integrity
from .common import (
    COMPLAINT_EMAIL,
    COMPLAINT_EMAIL_ATTACHMENTS,
    COMPLAINT_EMAIL_HTML,
    ComplaintsFromOutsideCase,
    MailGatewayCase,
)
from .hostile_mail import HostileMail
from .test_persian import _load_persian

# the same e-mail without any From header
COMPLAINT_EMAIL_NO_FROM = COMPLAINT_EMAIL.replace("From: {email_from}\n", "")


@tagged("post_install", "-at_install")
class TestMailIntake(MailGatewayCase):
    """Real RFC 822 messages through the mail gateway (``message_process``)."""

    def _process_new(self, raw):
        """``raw`` through the gateway and the intake job; the complaints it created."""
        with RecordCapturer(self.Complaint, []) as capture:
            self._process(raw)
        return capture.records

    def _ack(self, complaint):
        # in the complainant's language: found by what it is, not by its words
        template = self.env.ref("iso10002_complaints.mail_template_complaint_acknowledgement")
        subject = template._render_field("subject", complaint.ids, compute_lang=True)[complaint.id]
        return complaint.message_ids.filtered(lambda m: m.subject == subject)

    def _assert_acknowledged_alone(self, complaint):
        """One e-mail to the complainant: the acknowledgement, from the company, queued;
        none of the gateway's notifications goes back to the sender of the mail."""
        ack = self._ack(complaint)
        self.assertEqual(len(ack), 1)
        mail = self.assertMailMail(
            complaint.partner_id,
            "outgoing",
            mail_message=ack,
            author=complaint.company_id.partner_id,
            content=complaint.name,
            fields_values={"model": complaint._name, "res_id": complaint.id, "subject": ack.subject},
        )
        self.assertEqual(self._mails_to(complaint.partner_id), mail, "nothing else is mailed to the complainant")
        return mail

    def _assert_nothing_mailed_to_the_sender(self, complaint):
        """Nothing was mailed about ``complaint`` outside the company."""
        mailed = self._new_mails.filtered(lambda m: m.model == complaint._name and m.res_id == complaint.id)
        self.assertFalse(mailed.filtered(lambda m: m.email_to), "no e-mail to a bare address")
        self.assertFalse(
            mailed.recipient_ids.filtered(lambda p: not p.user_ids or any(user.share for user in p.user_ids)),
            "no e-mail to anyone but the company's users",
        )
        self.assertNotSentEmail()

    def test_plain_text_creates_complaint(self):
        with self.mock_mail_gateway():
            complaint = self._intake(msg_id="<m1@buyer.example>")
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.subject, "Broken chair")
        self.assertIn("The chair broke on day one.", complaint.description)
        self.assertEqual(complaint.channel_id.code, "email")
        self.assertEqual(complaint.team_id, self.team_a)
        self.assertEqual(complaint.company_id, self.company)
        self.assertEqual(complaint.user_id, self.officer_a, "the team's rule gives the owner, never the gateway user")
        incoming = complaint.message_ids.filtered(lambda m: m.message_id == "<m1@buyer.example>")
        self.assertMessageFields(
            incoming,
            {
                "author_id": complaint.partner_id,
                "message_type": "email",
                "model": complaint._name,
                "res_id": complaint.id,
                "subject": "Broken chair",
            },
        )
        self._assert_acknowledged_alone(complaint)

    def test_unknown_sender_becomes_partner(self):
        with self.mock_mail_gateway():
            complaint = self._intake()
        self.assertEqual(complaint.partner_id.email, "bob@buyer.example")
        self.assertEqual(complaint.partner_id.name, "Bob Buyer")
        self._assert_acknowledged_alone(complaint)

    def test_known_sender_is_found(self):
        with self.mock_mail_gateway():
            complaint = self._intake(email_from="Jane <JANE@example.com>")
        self.assertEqual(complaint.partner_id, self.complainant)
        self.assertEqual(self.env["res.partner"].search_count([("email", "=ilike", "jane@example.com")]), 1)
        self.assertMailMail(self.complainant, "outgoing", author=self.company.partner_id)

    def test_other_alias_routes_to_its_team(self):
        with self.mock_mail_gateway():
            complaint = self._intake(to="complaints-b@complaints.example.com")
        self.assertEqual(complaint.team_id, self.team_b)
        mail = self._assert_acknowledged_alone(complaint)
        self.assertIn("complaints-b@complaints.example.com", mail.reply_to, "answers go to team B")

    def test_html_mail_is_sanitized(self):
        with self.mock_mail_gateway():
            complaint = self._intake(
                template=COMPLAINT_EMAIL_HTML,
                body_html="<html><body><p>Chair <b>broken</b></p><script>alert('x')</script></body></html>",
            )
        self.assertEqual(len(complaint), 1)
        self.assertIn("<b>broken</b>", complaint.description)
        self.assertNotIn("<script", complaint.description)
        self.assertNotIn("<script", self._ack(complaint).body)

    def test_attachments_are_kept(self):
        with self.mock_mail_gateway():
            complaint = self._intake(
                template=COMPLAINT_EMAIL_ATTACHMENTS,
                pdf_base64=base64.b64encode(b"%PDF-1.4 receipt").decode(),
                png_base64=base64.b64encode(b"\x89PNG\r\n\x1a\nphoto").decode(),
            )
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "iso10002.complaint"), ("res_id", "=", complaint.id)]
        )
        self.assertEqual(sorted(attachments.mapped("name")), ["photo.png", "receipt.pdf"])
        receipt = attachments.filtered(lambda a: a.name == "receipt.pdf")
        self.assertEqual(base64.b64decode(receipt.datas), b"%PDF-1.4 receipt")
        mail = self._assert_acknowledged_alone(complaint)
        self.assertFalse(mail.attachment_ids, "the complainant's documents are not mailed back")

    def test_persian_mail(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        msg = MIMEText("سلام. سفارش من با سه هفته تأخیر رسید و جعبه آسیب دیده بود.", "plain", "utf-8")
        msg["From"] = str(Header("علی رضایی", "utf-8")) + " <ali@example.ir>"
        msg["To"] = "complaints-a@complaints.example.com"
        msg["Subject"] = Header("تأخیر در ارسال سفارش", "utf-8").encode()
        msg["Message-Id"] = "<fa1@example.ir>"
        with self.mock_mail_gateway():
            complaint = self._process_new(msg)
        self.assertEqual(complaint.subject, "تأخیر در ارسال سفارش")
        self.assertIn("سفارش من با سه هفته تأخیر رسید", complaint.description)
        self.assertEqual(complaint.partner_id.name, "علی رضایی")
        self.assertEqual(complaint.partner_id.lang, "fa_IR", "written in Persian: answered in Persian")
        self._assert_acknowledged_alone(complaint)

    def test_no_sender_keeps_the_message(self):
        with self.mock_mail_gateway(), mute_logger("odoo.addons.mail.models.mail_thread"):
            complaint = self._intake(template=COMPLAINT_EMAIL_NO_FROM, email_from=None, msg_id="<nosender@x>")
        self.assertEqual(len(complaint), 1, "a complaint without sender is still recorded")
        self.assertFalse(complaint.partner_id)
        self.assertEqual(complaint.step, "received")
        self.assertIn("The chair broke on day one.", complaint.description)
        self.assertTrue(
            complaint.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref("iso10002_complaints.mail_activity_type_acknowledge")
            ),
            "someone is asked to acknowledge it by other means",
        )
        self.assertFalse(self._ack(complaint))
        self._assert_nothing_mailed_to_the_sender(complaint)

    def test_unreadable_sender_is_kept(self):
        with self.mock_mail_gateway():
            complaint = self._intake(email_from="not an address", msg_id="<badfrom@x>")
        self.assertEqual(len(complaint), 1)
        self.assertFalse(complaint.partner_id)
        self.assertEqual(complaint.step, "received")
        self.assertFalse(self._ack(complaint))
        self._assert_nothing_mailed_to_the_sender(complaint)

    def test_empty_subject_and_body(self):
        with self.mock_mail_gateway():
            complaint = self._intake(subject="", body="", msg_id="<empty@x>")
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.subject, "(no subject)")
        self._assert_acknowledged_alone(complaint)

    def test_a_mail_is_dated_by_its_receipt_not_by_its_processing(self):
        """Received (ISO 10002 7.2) is when our mail server got the e-mail (its topmost
        Received: header), not when Odoo processed it: a message fetched again after a
        crash or kept by the mail server while Odoo was down starts its SLA clock and
        counts in the acknowledgement time from its receipt. A date in the future, older
        than the delay a mail server keeps a message, or unreadable gives now."""
        now = fields.Datetime.now().replace(microsecond=0)

        def received(when):
            stamp = email.utils.format_datetime(when.replace(tzinfo=datetime.timezone.utc))
            return f"Received: from mx.buyer.example by mx.complaints.example.com; {stamp}\n"

        two_days_ago = now - timedelta(days=2, hours=3)
        cases = [
            (received(two_days_ago) + received(now - timedelta(days=20)), two_days_ago),
            (received(now - timedelta(days=30)), None),
            (received(now + timedelta(days=1)), None),
            ("Received: from mx.buyer.example; not a date at all\n", None),
            ("", None),
        ]
        for index, (headers, expected) in enumerate(cases):
            with self.subTest(index=index):
                complaint = self._intake(subject=f"Receipt {index}", extra=headers)
                self.assertEqual(len(complaint), 1)
                if expected:
                    self.assertEqual(complaint.received_date, expected)
                    # the acknowledgement came two days after the receipt, and says so
                    self.assertTrue(complaint.acknowledged_date)
                    self.assertGreaterEqual(complaint.acknowledged_date - complaint.received_date, timedelta(days=2))
                else:
                    self.assertGreaterEqual(complaint.received_date, now)

    def test_duplicate_message_id_is_ignored(self):
        raw = self.format(
            COMPLAINT_EMAIL,
            email_from="Bob Buyer <bob@buyer.example>",
            to="complaints-a@complaints.example.com",
            subject="Broken chair",
            body="The chair broke on day one.",
            msg_id="<dup@buyer.example>",
        )
        with self.mock_mail_gateway():
            complaint = self._process_new(raw)
            self.assertFalse(self._process_new(raw), "the second delivery records nothing")
        self.assertEqual(len(complaint), 1)
        self._assert_acknowledged_alone(complaint)

    def test_reply_to_acknowledgement_lands_in_complaint(self):
        complaint = self._intake()
        ack = self._ack(complaint)
        self.assertEqual(len(ack), 1)
        self.assertEqual(complaint.step, "acknowledged")
        with self.mock_mail_gateway():
            new = self._intake(
                subject=f"Re: {ack.subject}",
                body="Thank you, here is my order number: S00042.",
                msg_id="<reply1@buyer.example>",
                extra=f"In-Reply-To: {ack.message_id}\nReferences: {ack.message_id}\n",
            )
        self.assertFalse(new, "a reply creates no new complaint")
        answer = complaint.message_ids.filtered(lambda m: m.message_id == "<reply1@buyer.example>")
        self.assertIn("S00042", answer.body)
        self.assertMessageFields(answer, {"author_id": complaint.partner_id, "message_type": "email"})
        self.assertFalse(self._mails_to(complaint.partner_id), "the complainant's own reply is not mailed back")
        self.assertEqual(
            len(complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")),
            1,
            "and not acknowledged again",
        )

    def test_a_stranger_answering_into_a_complaint_is_not_relayed_to_the_complainant(self):
        """Whoever knows a Message-Id of a complaint's thread (the complainant's own e-mail,
        whose id their mail client made, or any e-mail of it forwarded) can send an answer
        into it. A stranger's words are not mailed to the complainant from the company's
        address (a phishing relay)."""
        complaint = self._intake(msg_id="<bob-complaint@buyer.example>")
        with self.mock_mail_gateway():
            self._intake(
                email_from="Mallory <mallory@evil.example>",
                subject="Re: Broken chair",
                body="To receive your refund, pay the handling fee at http://evil.example/pay",
                msg_id="<forged@evil.example>",
                extra="In-Reply-To: <bob-complaint@buyer.example>\nReferences: <bob-complaint@buyer.example>\n",
            )
        self.assertFalse(self._mails_to(complaint.partner_id), "nothing of the stranger's is mailed to the complainant")
        landed = complaint.message_ids.filtered(lambda m: m.message_id == "<forged@evil.example>")
        self.assertEqual(len(landed), 1, "kept in the complaint, for its handlers to read")

    def test_acknowledgement_reply_to_is_the_alias(self):
        with self.mock_mail_gateway():
            complaint = self._intake()
            ack = self._ack(complaint)
            self.assertIn("complaints-a@complaints.example.com", ack.reply_to)
            mail = self._assert_acknowledged_alone(complaint)
            self.assertIn("complaints-a@complaints.example.com", mail.reply_to)
            # what leaves: answered to the alias, marked automatic (RFC 3834)
            self._send_queue()
        sent = self.assertSentEmail(
            self.company.partner_id,
            [complaint.partner_id],
            subject=ack.subject,
            headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
        )
        self.assertIn("complaints-a@complaints.example.com", sent["reply_to"])
        self.assertIn(complaint.name, sent["body"])

    def test_receipt_does_not_wait_for_the_acknowledgement(self):
        cron = self.env.ref("iso10002_complaints.ir_cron_acknowledge")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        with self.mock_mail_gateway():
            complaint = self._intake(msg_id="<wait@buyer.example>", acknowledge=False)
            self.assertEqual(complaint.step, "received")
            self.assertTrue(complaint.acknowledgement_pending)
            self.assertFalse(complaint.sla_policy_id, "planned by the job, not in the gateway's transaction")
            self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers)
            self.assertFalse(self._mails_to(complaint.partner_id), "nothing mailed from the gateway's transaction")
            self.Complaint._cron_acknowledge()
        self.assertEqual(complaint.step, "acknowledged")
        self.assertFalse(complaint.acknowledgement_pending)
        self.assertTrue(complaint.sla_policy_id)
        self.assertTrue(complaint.resolution_deadline > complaint.received_date)
        ack = complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertIn(complaint._get_promised_decision_date(), ack.body)
        self.assertEqual(self._assert_acknowledged_alone(complaint).mail_message_id, ack)

    def test_a_broken_acknowledgement_template_loses_nothing(self):
        template = self.env.ref("iso10002_complaints.mail_template_complaint_acknowledgement")
        template.body_html = '<p t-out="object.no_such_field.name"/>'
        with (
            self.mock_mail_gateway(),
            mute_logger(
                "odoo.addons.iso10002_complaints.models.iso10002_complaint_correspondence", "odoo.addons.mail.models"
            ),
        ):
            complaint = self._intake(msg_id="<broken@buyer.example>")
        self.assertEqual(len(complaint), 1, "the complaint is recorded all the same")
        self.assertEqual(complaint.step, "received")
        self.assertFalse(complaint.acknowledgement_pending)
        self.assertTrue(
            complaint.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref("iso10002_complaints.mail_activity_type_acknowledge")
            ),
            "its owner is asked to acknowledge it another way",
        )
        self.assertFalse(self._ack(complaint))
        self.assertFalse(self._mails_to(complaint.partner_id), "no half-rendered e-mail to the complainant")

    def test_not_an_email_is_refused_cleanly(self):
        with (
            self.mock_mail_gateway(),
            RecordCapturer(self.Complaint, []) as capture,
            self.assertRaises(ValueError),
            mute_logger("odoo.addons.mail.models.mail_thread"),
        ):
            self._process(b"this is not an e-mail at all")
        self.assertFalse(capture.records)
        self.assertFalse(self._new_mails, "nobody is mailed")
        self.assertNotSentEmail()


class HostileMailCase(MailGatewayCase):
    """The company's own address known, and the seeded hostile messages through the gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "info@ourcompany.example"

    def _hostile_corpus(self, count):
        """``count`` seeded hostile messages (the first ones of the same seed whatever the
        count): their raw bytes, how many of each outcome are expected, and the Message-Id
        of each automatic one."""
        generator = HostileMail(10002, "complaints-a@complaints.example.com", "info@ourcompany.example")
        raws, expected, automatic = [], {"complaint": 0, "automatic": 0, "duplicate": 0}, set()
        for raw, expect in generator.messages(count):
            raws.append(raw)
            expected[expect] += 1
            if expect == "automatic":
                automatic.add(str(email.message_from_bytes(raw, policy=email.policy.SMTP)["Message-Id"]).strip())
        return raws, expected, automatic

    def _hostile_messages_nothing_lost_no_loop(self, count, least_automatic):
        """The hostile corpus through the gateway (``message_process``), of which at least
        ``least_automatic`` messages are automatic."""
        raws, expected, automatic = self._hostile_corpus(count)
        errors = []
        before = self.Complaint.search([])
        team_messages = self.team_a.message_ids
        for index, raw in enumerate(raws):
            try:
                with self.env.cr.savepoint():
                    self._process(raw)
            except Exception as error:
                errors.append(f"{index}: {type(error).__name__}: {error}")
        self.assertFalse(errors, "\n".join(errors[:10]))
        self.assertGreaterEqual(expected["automatic"], least_automatic)
        self._assert_nothing_lost_no_loop(before, team_messages, expected, automatic)

    def _assert_nothing_lost_no_loop(self, before, team_messages, expected, automatic):
        """Since ``before`` (the complaints) and ``team_messages`` (the team's trail): one
        complaint per readable message, each automatic one kept once on the team, no
        acknowledgement but to the new complaints."""
        new = self.Complaint.search([("id", "not in", before.ids)])
        self.assertEqual(len(new), expected["complaint"], "one complaint per readable message, none per automatic one")
        self.assertTrue(all(c.name.startswith("CMP/") for c in new), "references come from the sequence")
        self.assertEqual(len(set(new.mapped("name"))), len(new))
        # automatic mail (auto-replies, delivery reports, our own) is kept on the team,
        # each message once, without acknowledgement
        self.assertEqual(len(automatic), expected["automatic"])
        kept = (self.team_a.message_ids - team_messages).filtered(lambda m: m.message_type == "email")
        self.assertEqual(sorted(kept.mapped("message_id")), sorted(automatic))
        # each complaint whose sender can be written to acknowledged once, the others not
        # at all (their owner is asked to): in the chatter (the figure "acknowledged twice"
        # of the benchmarks and the demo) and in the outgoing mail queue
        self.env.flush_all()
        acknowledged = integrity.acknowledgements(self.env.cr, new.ids)
        reachable = new.filtered(lambda c: c.partner_id and email_normalize(c.partner_id.email or ""))
        self.assertTrue(reachable)
        self.assertEqual(acknowledged, {c.id: int(c in reachable) for c in new})
        self.assertEqual(integrity.double_acknowledgements(self.env.cr, new.ids), [])
        queued = self.env["mail.mail"].sudo().search([("model", "=", new._name), ("res_id", "in", reachable.ids)])
        self.assertEqual(
            sorted(mail.res_id for mail in queued if mail.mail_message_id.message_type == "auto_comment"),
            sorted(reachable.ids),
            "one acknowledgement e-mail queued to each",
        )
        return new


@tagged("post_install", "-at_install")
class TestHostileMail(HostileMailCase):
    @mute_logger("odoo.addons.mail.models.mail_thread", "odoo.addons.mail_gateway_guard.models.mail_thread")
    def test_30_hostile_messages_nothing_lost_no_loop(self):
        """The first 30 of the 320 seeded messages of the fuzz run, in the quick suite."""
        self._hostile_messages_nothing_lost_no_loop(30, 5)

    def test_controls_and_overrides_in_a_mail_lose_nothing(self):
        """A body or subject full of direction overrides and controls still makes its
        complaint (the form refuses such text from a client; the gateway keeps the mail and
        drops the characters from the complaint's fields); the message is kept as sent."""
        generator = HostileMail(2025, "complaints-a@complaints.example.com", "info@ourcompany.example")
        for index in range(20):
            raw, _expect = generator.make(["controls_body", "controls_html"][index % 2])
            before = self.Complaint.search([])
            self._process(raw)
            complaint = self.Complaint.search([("id", "not in", before.ids)])
            self.assertEqual(len(complaint), 1, raw[:300])
            for text in (complaint.subject, complaint.description or ""):
                self.assertFalse(
                    [char for char in text if char in BIDI_CONTROLS or (char < " " and char not in "\r\n\t")],
                    text,
                )
            self.assertTrue(complaint.message_ids.filtered(lambda m: m.message_type == "email"), "the mail, kept")

    def test_same_subject_twice_two_numbered_complaints(self):
        before = self.Complaint.search([])
        for number in (1, 2):
            self._process(
                (
                    "From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Complaint\n"
                    f"Message-Id: <same-{number}@buyer.example>\n\nIt broke again.\n"
                ).encode()
            )
        new = self.Complaint.search([("id", "not in", before.ids)])
        self.assertEqual(len(new), 2)
        self.assertEqual(set(new.mapped("subject")), {"Complaint"})
        self.assertTrue(all(name.startswith("CMP/") for name in new.mapped("name")))

    def test_auto_reply_to_acknowledgement_lands_in_thread_without_new_ack(self):
        self._process(
            b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Broken\n"
            b"Message-Id: <first@buyer.example>\n\nBroken.\n"
        )
        complaint = self.Complaint.search([("email_from", "=", "bob@buyer.example")])
        self.assertEqual(len(complaint), 1)
        ack = complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(ack), 1)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", ack.id), ("recipient_ids", "in", complaint.partner_id.ids)])
        )
        self.assertIn("Auto-Submitted", mail.headers or "", "our acknowledgements say they are automatic")
        count = self.Complaint.search_count([])
        self._process(
            (
                "From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Out of office\n"
                f"Auto-Submitted: auto-replied\nIn-Reply-To: {ack.message_id}\nMessage-Id: <ooo@buyer.example>\n\n"
                "I am away.\n"
            ).encode()
        )
        self.assertEqual(self.Complaint.search_count([]), count)
        self.assertIn("<ooo@buyer.example>", complaint.message_ids.mapped("message_id"))
        self.assertEqual(len(complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")), 1)

    def test_loop_guard_sees_senders_with_display_names(self):
        self.env["ir.config_parameter"].sudo().set_param("mail.gateway.loop.threshold", 3)
        before = self.Complaint.search([])
        for number in range(6):
            self._process(
                (
                    'From: "Auto Responder" <robot@buyer.example>\nTo: complaints-a@complaints.example.com\n'
                    f"Subject: Thanks {number}\nMessage-Id: <loop-{number}@buyer.example>\n\nThanks.\n"
                ).encode()
            )
        self.assertEqual(len(self.Complaint.search([("id", "not in", before.ids)])), 3)

    def test_one_mail_to_two_teams_is_one_complaint(self):
        before = self.Complaint.search([])
        self._process(
            b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com, "
            b"complaints-b@complaints.example.com\nSubject: Both\nMessage-Id: <both@buyer.example>\n\nBoth.\n"
        )
        self.assertEqual(len(self.Complaint.search([("id", "not in", before.ids)])), 1)

    def test_a_mail_without_message_id_delivered_twice_is_one_complaint(self):
        raw = b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: No id\n\nNo id.\n"
        before = self.Complaint.search([])
        self._process(raw)
        self._process(raw)
        self.assertEqual(len(self.Complaint.search([("id", "not in", before.ids)])), 1)

    def test_a_body_that_cannot_be_read_is_kept_whole(self):
        raw = (
            b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Lost text\n"
            b"Message-Id: <lost@buyer.example>\nContent-Type: multipart/mixed\n\nThe chair broke, no boundary.\n"
        )
        before = self.Complaint.search([])
        self._process(raw)
        complaint = self.Complaint.search([("id", "not in", before.ids)])
        self.assertEqual(len(complaint), 1)
        originals = self.env["ir.attachment"].search(
            [("res_model", "=", complaint._name), ("res_id", "=", complaint.id), ("name", "=", "original_email.eml")]
        )
        self.assertIn(b"The chair broke", originals.raw)

    def test_the_loop_guard_keeps_what_it_stops(self):
        self.env["ir.config_parameter"].sudo().set_param("mail.gateway.loop.threshold", 2)
        messages = len(self.team_a.message_ids)
        for number in range(3):
            self._process(
                (
                    "From: Flood <flood@buyer.example>\nTo: complaints-a@complaints.example.com\n"
                    f"Subject: Flood {number}\nMessage-Id: <flood-{number}@buyer.example>\n\nFlood {number}.\n"
                ).encode()
            )
        kept = self.team_a.message_ids.filtered(lambda m: m.message_id == "<flood-2@buyer.example>")
        self.assertEqual(len(kept), 1, "the stopped message is kept on the team")
        self.assertGreater(len(self.team_a.message_ids), messages)

    def test_a_contact_of_another_company_still_complains(self):
        self.env["res.partner"].create(
            {"name": "Other company's Bob", "email": "bob@buyer.example", "company_id": self.company_b.id}
        )
        before = self.Complaint.search([])
        self._process(
            b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Cross\n"
            b"Message-Id: <cross@buyer.example>\n\nCross.\n"
        )
        complaint = self.Complaint.search([("id", "not in", before.ids)])
        self.assertEqual(len(complaint), 1)
        self.assertIn(complaint.partner_id.company_id, (self.company, self.env["res.company"]))

    def test_a_reply_with_copies_lands_on_a_closed_complaint(self):
        complaint = self._walk_to(self._complaint(), "closed")
        ack = complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")[:1]
        self._process(
            (
                "From: Jane <jane@example.com>\nTo: complaints-a@complaints.example.com\nCc: lawyer@law.example\n"
                f"Subject: Re: closed\nIn-Reply-To: {ack.message_id}\nMessage-Id: <late@example.com>\n\n"
                "One more thing.\n"
            ).encode()
        )
        self.assertIn("<late@example.com>", complaint.message_ids.mapped("message_id"))

    def test_redelivered_message_stays_one_complaint(self):
        raw = (
            b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Once\n"
            b"Message-Id: <once@buyer.example>\n\nOnce.\n"
        )
        before = self.Complaint.search([])
        self._process(raw)
        self._process(raw)
        self.assertEqual(len(self.Complaint.search([("id", "not in", before.ids)])), 1)


@tagged("-standard", "iso10002_fuzz", "post_install", "-at_install")
class TestHostileMailFuzz(HostileMailCase):
    """The 320 seeded messages: run by ``make test`` (tag ``iso10002_fuzz``), not by ``make test-fast``."""

    @mute_logger("odoo.addons.mail.models.mail_thread", "odoo.addons.mail_gateway_guard.models.mail_thread")
    def test_300_hostile_messages_nothing_lost_no_loop(self):
        self._hostile_messages_nothing_lost_no_loop(320, 60)


@tagged("post_install", "-at_install")
class TestTheGatewayFromOutside(ComplaintsFromOutsideCase):
    """Seeded broken mail through the gateway: kept, never raised."""

    @mute_logger(
        "odoo.addons.mail.models.mail_thread",
        "odoo.addons.mail_gateway_guard.models.mail_thread",
        "odoo.addons.iso10002_complaints.models.iso10002_complaint_mail",
        "odoo.models.unlink",
    )
    def test_seeded_broken_mail_through_the_gateway_is_kept_and_never_raises(self):
        rng = random.Random(2424)
        trail_id = self.trail_message.message_id or "<none@x>"
        Message = self.env["mail.message"].sudo()
        failures = []
        for index in range(40):
            kind = rng.choice(
                ["nul", "truncated", "huge_header", "boundary", "raw8bit", "reply", "bounce", "autoreply"]
            )
            msg_id = f"<breaker-{index}@outside.example>"
            body = f"Complaint {index}: " + "".join(rng.choice("abc xyz\u0634\u06a9") for _ in range(60))
            extra = ""
            to = "complaints-a@complaints.example.com"
            sender = f"Sender {index} <sender{index}@outside.example>"
            if kind == "reply":
                extra = f"In-Reply-To: {trail_id}\nReferences: {trail_id}\n"
            elif kind == "autoreply":
                extra = "Auto-Submitted: auto-replied\nX-Autoreply: yes\n"
            elif kind == "huge_header":
                extra = "X-Junk: " + "A" * rng.choice([20_000, 200_000]) + "\n"
            raw = COMPLAINT_EMAIL.format(
                email_from=sender, to=to, subject=f"Case {index}", msg_id=msg_id, extra=extra, body=body
            ).encode()
            if kind == "nul":
                at = rng.randrange(len(raw))
                raw = raw[:at] + b"\x00" * rng.randint(1, 5) + raw[at:]
            elif kind == "truncated":
                raw = raw[: rng.randrange(len(raw) // 2, len(raw))]
            elif kind == "boundary":
                raw = raw.replace(
                    b"Content-Type: text/plain; charset=utf-8", b'Content-Type: multipart/mixed; boundary="nope'
                )
            elif kind == "raw8bit":
                raw = raw.replace(b"Subject: ", b"Subject: " + bytes(rng.randrange(128, 256) for _ in range(12)))
            elif kind == "bounce":
                raw = (
                    "From: MAILER-DAEMON@outside.example\nTo: bounce@complaints.example.com\n"
                    f"Subject: Undelivered\nMessage-ID: {msg_id}\nMIME-Version: 1.0\n"
                    'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\n\n'
                    "--b\nContent-Type: text/plain\n\nCould not deliver.\n"
                    "--b\nContent-Type: message/delivery-status\n\n"
                    + rng.choice(["", "garbage", "Final-Recipient: rfc822; jane@example.com\nAction: failed\n"])
                    + f"\n--b\nContent-Type: text/rfc822-headers\n\nMessage-ID: {trail_id}\n"
                ).encode()
            before = Message.search_count([])
            try:
                with self.env.cr.savepoint():
                    self.env["mail.thread"].message_process("iso10002.complaint", raw)
            except Exception as error:
                failures.append(f"{index} {kind}: {type(error).__name__}: {str(error)[:120]}")
                continue
            if kind not in ("bounce", "autoreply") and Message.search_count([]) <= before:
                failures.append(f"{index} {kind}: nothing recorded")
        self.assertFalse(failures, "BREAK: mail lost or raised:\n" + "\n".join(failures))


@tagged("post_install", "-at_install")
class TestMailIntakeThroughImap(HostileMailCase):
    """The seeded hostile corpus in a real IMAP mailbox (Debian's Dovecot, on a free port),
    fetched by Odoo's incoming mail server as its job does, with the worker killed in the
    middle of the batch."""

    def setUp(self):
        super().setUp()
        self.imap, self.server = imap_mailbox(self, "complaints", "Complaints mailbox")

    def _fetch(self, crash=None):
        """The fetch job, then the intake job it triggers."""
        with commits(self.env.cr, crash=crash):
            self.server.fetch_mail()
        self.Complaint._cron_acknowledge()

    @mute_logger(
        "odoo.addons.mail.models.mail_thread",
        "odoo.addons.mail_gateway_guard.models.mail_thread",
        "odoo.addons.mail.models.fetchmail",
    )
    def test_the_hostile_corpus_fetched_with_a_crash_loses_nothing_and_makes_nothing_twice(self):
        raws, expected, automatic = self._hostile_corpus(60)
        self.assertGreaterEqual(expected["automatic"], 8)
        before = self.Complaint.search([])
        team_messages = self.team_a.message_ids
        self.imap.deliver("complaints", raws)
        crashed = False
        try:  # the worker is killed at its 25th commit (not assertRaises: it rolls back)
            self._fetch(crash=lambda made: made == 24)
        except Crash:
            crashed = True
        self.assertTrue(crashed)
        unread = [key for key, flags in self.imap.flags("complaints").items() if "\\Seen" not in flags]
        self.assertEqual(len(unread), len(raws) - 24, "the messages not committed are unread on the server")
        self._fetch()  # the worker restarts
        self.assertFalse([key for key, flags in self.imap.flags("complaints").items() if "\\Seen" not in flags])
        new = self._assert_nothing_lost_no_loop(before, team_messages, expected, automatic)
        # each e-mail's Message-Id is recorded once
        recorded = (
            self.env["mail.message"]
            .sudo()
            .search(
                [("model", "in", ("iso10002.complaint", "iso10002.complaint.team")), ("message_type", "=", "email")]
            )
        )
        recorded = recorded.filtered(lambda m: m.res_id in new.ids or m.model == "iso10002.complaint.team")
        self.assertEqual(len(recorded.mapped("message_id")), len(set(recorded.mapped("message_id"))))
        # fetched again: nothing unread, nothing new
        self._fetch()
        self.assertEqual(self.Complaint.search_count([("id", "not in", before.ids)]), len(new))


@tagged("post_install", "-at_install")
class TestMailThroughServers(ComplaintsFromOutsideCase):
    """A complaint e-mailed in Persian through a mail server that pipes the team's domain
    to the mailgate script (Postfix's way, here an aiosmtpd server on a free port), its
    acknowledgement sent by Odoo through that SMTP server and read there, and the
    complainant's reply piped back into the complaint."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_persian(cls.env)
        cls.env["ir.mail_server"].search([]).active = False
        cls.mailgate = file_path("mail_gateway_guard/static/scripts/odoo-mailgate.py")

    def setUp(self):
        super().setUp()
        maildir = self.enterContext(tempfile.TemporaryDirectory(prefix="mailhub-"))
        admin = self.env.ref("base.user_admin")
        self.hub = MailHub(
            f"{maildir}/catch-all",
            pipe_domains=["complaints.example.com"],
            pipe_command=[
                sys.executable,
                self.mailgate,
                *("-d", self.env.cr.dbname, "-u", str(admin.id), "-p", "admin"),
                *("--host", HOST, "--port", str(self.http_port())),
            ],
        ).start()
        self.addCleanup(self.hub.stop)
        self.env["ir.mail_server"].create(
            {"name": "Local mail hub", "smtp_host": self.hub.host, "smtp_port": self.hub.port, "sequence": 1}
        )
        self.persian = self.env["res.partner"].create(
            {"name": "حسین مرادی", "email": "hossein@buyer.example", "lang": "fa_IR"}
        )

    def _send(self, message):
        """``message`` to the mail server, as the complainant's mail client sends it (the
        server then pipes it to Odoo, which serves it on this test's transaction)."""
        self.env.flush_all()
        try:
            with smtplib.SMTP(self.hub.host, self.hub.port, timeout=120) as smtp:
                smtp.send_message(message)
        finally:
            self.env.invalidate_all()

    def _sent_by_odoo(self, mails):
        """``mails`` (mail.mail) sent through the SMTP server for real: not as in tests."""
        with patch("odoo.modules.module.current_test", False):
            mails.send(raise_exception=True)

    def test_acknowledgement_at_the_smtp_server_and_the_reply_back_into_the_thread(self):
        first = EmailMessage()
        first["From"] = "حسین مرادی <hossein@buyer.example>"
        first["To"] = "complaints-a@complaints.example.com"
        first["Subject"] = "شکایت از تأخیر در ارسال"
        first["Message-Id"] = "<first-complaint@buyer.example>"
        first.set_content("سفارش من با سه هفته تأخیر رسید.")
        before = self.Complaint.search([])
        self._send(first)
        self.assertEqual([(rcpt, code) for rcpt, code, _out in self.hub.piped], [(first["To"], 0)], self.hub.piped)
        complaint = self.Complaint.search([("id", "not in", before.ids)])
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.partner_id, self.persian)
        self.Complaint._cron_acknowledge()
        outgoing = self.env["mail.mail"].sudo().search([("model", "=", complaint._name), ("res_id", "=", complaint.id)])
        outgoing = outgoing.filtered(lambda mail: self.persian in mail.recipient_ids)
        self.assertEqual(len(outgoing), 1, "one e-mail to the complainant: the acknowledgement")
        received, message_id = len(self.hub.received), outgoing.message_id
        self._sent_by_odoo(outgoing)

        # what the acknowledgement records: the auditor's figures, the owner's chatter, and
        # the figure "acknowledged twice" of the benchmarks and the demo (plain SQL), which
        # must find an acknowledgement written in Persian (its reference is not at the end)
        self.assertEqual(complaint.step, "acknowledged")
        self.assertEqual(complaint.stage_id, self.env.ref("iso10002_complaints.stage_acknowledged"))
        self.assertTrue(complaint.acknowledged_date)
        self.assertEqual(complaint.acknowledgement_channel, "email")
        history = (
            self.env["iso10002.complaint.step.history"]
            .sudo()
            .search([("complaint_id", "=", complaint.id), ("step", "=", "acknowledged"), ("moved", "=", True)])
        )
        self.assertEqual(len(history), 1, "the figures count one acknowledgement")
        self.assertEqual(history.ack_date, complaint.acknowledged_date)
        acknowledgement = self.env["mail.message"].sudo().search([("message_id", "=", message_id)])
        self.assertEqual((acknowledgement.model, acknowledgement.res_id), (complaint._name, complaint.id))
        owner = complaint.user_id
        self.assertTrue(owner, "the team's rule gave the complaint an owner")
        self.assertIn(acknowledgement, complaint.with_user(owner).message_ids, "the owner reads it in the chatter")
        self.env.flush_all()
        self.assertEqual(integrity.acknowledgements(self.env.cr, complaint.ids), {complaint.id: 1})
        self.assertEqual(integrity.double_acknowledgements(self.env.cr, complaint.ids), [])

        # what reached the SMTP server
        _mail_from, rcpt_tos, raw = self.hub.wait_for(received + 1)[received]
        self.assertEqual(rcpt_tos, ["hossein@buyer.example"])
        ack = email.message_from_bytes(raw, policy=email.policy.default)
        self.assertEqual(ack["Auto-Submitted"], "auto-generated", "an automatic reply says so (RFC 3834)")
        self.assertEqual(ack["Message-Id"], message_id)
        self.assertIn("<first-complaint@buyer.example>", ack["References"], "threaded under the complaint's e-mail")
        template = self.env.ref("iso10002_complaints.mail_template_complaint_acknowledgement")
        subject = template._render_field("subject", complaint.ids, compute_lang=True)[complaint.id]
        self.assertEqual(ack["Subject"], subject)
        self.assertIn("شکایت", subject, "in the complainant's language")
        html = ack.get_body(("html",)).get_content()
        self.assertIn(complaint.name, html)
        links = re.findall(r'href="([^"]+/complaints)"', html)
        self.assertTrue(links, "the link to the complaints-handling policy")
        self.assertTrue(links[0].endswith("/fa/complaints"), links)
        page = self.url_open(links[0][links[0].index("/fa/") :])
        self.assertEqual(page.status_code, 200)
        self.assertIn('lang="fa-IR"', page.text)

        # the complainant answers from their mail client
        reply = EmailMessage()
        reply["From"] = "حسین مرادی <hossein@buyer.example>"
        reply["To"] = ack["Reply-To"] or ack["From"]
        reply["Subject"] = "Re: " + ack["Subject"]
        reply["Message-Id"] = "<reply-to-ack@buyer.example>"
        reply["In-Reply-To"] = ack["Message-Id"]
        reply["References"] = f"{ack['References']} {ack['Message-Id']}"
        reply.set_content("شماره سفارش من ۴۲ است.")
        self.assertTrue(reply["To"].endswith("@complaints.example.com>") or "@complaints.example.com" in reply["To"])
        self._send(reply)
        self.assertEqual([code for _rcpt, code, _out in self.hub.piped], [0, 0], self.hub.piped)
        self.assertEqual(self.Complaint.search([("id", "not in", before.ids)]), complaint, "no new complaint")
        answer = complaint.message_ids.filtered(lambda m: m.message_id == "<reply-to-ack@buyer.example>")
        self.assertEqual(len(answer), 1)
        self.assertEqual(answer.author_id, self.persian)
        self.assertIn("۴۲", answer.body)

        # what the reply causes: the owner is told, the complainant reads it on the portal
        # (by the link of their e-mails), and nobody is acknowledged a second time
        self.assertIn(owner.partner_id, answer.notification_ids.res_partner_id, "the owner is notified")
        self.assertFalse(answer.is_internal)
        self.assertIn(complaint.access_token, html, "the acknowledgement links to the complaint's page")
        self.env.flush_all()
        shown = self.make_jsonrpc_request(
            "/mail/chatter_fetch",
            {"thread_model": complaint._name, "thread_id": complaint.id, "token": complaint.access_token, "limit": 50},
        )
        shown = {message["id"] for message in shown["data"]["mail.message"]}
        self.assertIn(answer.id, shown, "the complainant's reply on their portal page")
        self.assertIn(acknowledgement.id, shown, "and the acknowledgement it answers")
        self._sent_by_odoo(
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", complaint._name), ("res_id", "=", complaint.id), ("state", "=", "outgoing")])
        )
        to_complainant = [raw for _from, rcpts, raw in self.hub.received if rcpts == ["hossein@buyer.example"]]
        self.assertEqual(len(to_complainant), 1, "one e-mail reached the complainant: the acknowledgement")
        self.assertEqual(integrity.double_acknowledgements(self.env.cr, complaint.ids), [])

    def test_the_mail_server_keeps_what_odoo_could_not_take(self):
        """Odoo down: the mailgate script exits with EX_TEMPFAIL, the mail server answers
        451 and the complainant's server keeps the message to try again."""
        self.hub.pipe_command[self.hub.pipe_command.index("--port") + 1] = str(free_port())
        message = EmailMessage()
        message["From"] = "hossein@buyer.example"
        message["To"] = "complaints-a@complaints.example.com"
        message["Subject"] = "Odoo is down"
        message.set_content("Try again later.")
        with self.assertRaises(smtplib.SMTPDataError) as refused:
            self._send(message)
        self.assertEqual(refused.exception.smtp_code, 451)
        self.assertEqual([code for _rcpt, code, _out in self.hub.piped], [75])

    @mute_logger("odoo.http", "odoo.addons.mail.models.mail_thread")
    def test_a_mail_to_no_team_is_returned_at_once(self):
        """An address of the team's domain that is no alias (a typo): Odoo finds no route
        for it, and trying again will not find one. The script says so (EX_NOUSER; Odoo's
        own script fails too), and the mail server returns the message to its sender now
        rather than keeping it in its queue for days."""
        message = EmailMessage()
        message["From"] = "hossein@buyer.example"
        message["To"] = "complains-a@complaints.example.com"
        message["Subject"] = "A typo in the address"
        message.set_content("Where does this go?")
        before = self.Complaint.search([])
        with self.assertRaises(smtplib.SMTPDataError) as refused:
            self._send(message)
        self.assertEqual(refused.exception.smtp_code // 100, 5, refused.exception)
        self.assertEqual([code for _rcpt, code, _out in self.hub.piped], [67], self.hub.piped)
        self.assertFalse(self.Complaint.search([("id", "not in", before.ids)]))

    def test_an_eight_bit_mail_with_a_nul_byte_through_the_mailgate(self):
        """Mail servers pass 8-bit bodies in their own charset (8BITMIME) and, now and then,
        a NUL byte: the script sends the bytes as they came, and the gateway keeps them."""
        raw = (
            b"From: Ren\xe9e <renee@buyer.example>\r\nTo: complaints-a@complaints.example.com\r\n"
            b"Subject: Chaise cass\xe9e\r\nMessage-Id: <latin1-nul@buyer.example>\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\nLa chaise est cass\xe9e d\xe8s le premier jour.\x00 Merci.\r\n"
        )
        before = self.Complaint.search([])
        self.env.flush_all()
        try:
            with smtplib.SMTP(self.hub.host, self.hub.port, timeout=120) as smtp:
                smtp.sendmail("renee@buyer.example", ["complaints-a@complaints.example.com"], raw)
        finally:
            self.env.invalidate_all()
        self.assertEqual([code for _rcpt, code, _out in self.hub.piped], [0], self.hub.piped)
        complaint = self.Complaint.search([("id", "not in", before.ids)])
        self.assertEqual(len(complaint), 1)
        self.assertIn("cassée dès le premier jour", complaint.description)
        self.assertIn("Merci", complaint.description, "nothing cut at the NUL byte")
