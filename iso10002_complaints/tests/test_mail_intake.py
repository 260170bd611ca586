import base64
from email.header import Header
from email.message import EmailMessage
from email.mime.text import MIMEText

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import MailGatewayCase


@tagged("post_install", "-at_install")
class TestMailIntake(MailGatewayCase):
    """Real RFC 822 messages through the mail gateway (``message_process``)."""

    def _mail(
        self,
        subject="Broken chair",
        body="The chair broke on day one.",
        sender="Bob Buyer <bob@buyer.example>",
        to="complaints-a@complaints.example.com",
        msgid="<m1@buyer.example>",
        **headers,
    ):
        msg = EmailMessage()
        if sender:
            msg["From"] = sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Message-Id"] = msgid
        msg["Date"] = "Tue, 03 Mar 2026 10:00:00 +0000"
        for key, value in headers.items():
            msg[key.replace("_", "-")] = value
        msg.set_content(body)
        return msg

    def _new(self, before):
        return self.Complaint.search([("id", "not in", before.ids)])

    def test_plain_text_creates_complaint(self):
        before = self.Complaint.search([])
        self._process(self._mail())
        complaint = self._new(before)
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.subject, "Broken chair")
        self.assertIn("The chair broke on day one.", complaint.description)
        self.assertEqual(complaint.channel_id.code, "email")
        self.assertEqual(complaint.team_id, self.team_a)
        self.assertEqual(complaint.company_id, self.company)
        self.assertFalse(complaint.user_id, "the gateway user does not become the owner")
        incoming = complaint.message_ids.filtered(lambda m: m.message_id == "<m1@buyer.example>")
        self.assertEqual(incoming.author_id, complaint.partner_id)

    def test_unknown_sender_becomes_partner(self):
        before = self.Complaint.search([])
        self._process(self._mail())
        complaint = self._new(before)
        self.assertEqual(complaint.partner_id.email, "bob@buyer.example")
        self.assertEqual(complaint.partner_id.name, "Bob Buyer")

    def test_known_sender_is_found(self):
        before = self.Complaint.search([])
        self._process(self._mail(sender="Jane <JANE@example.com>"))
        complaint = self._new(before)
        self.assertEqual(complaint.partner_id, self.complainant)
        self.assertEqual(self.env["res.partner"].search_count([("email", "=ilike", "jane@example.com")]), 1)

    def test_other_alias_routes_to_its_team(self):
        before = self.Complaint.search([])
        self._process(self._mail(to="complaints-b@complaints.example.com"))
        self.assertEqual(self._new(before).team_id, self.team_b)

    def test_html_mail_is_sanitized(self):
        msg = self._mail()
        msg.add_alternative(
            "<html><body><p>Chair <b>broken</b></p><script>alert('x')</script></body></html>", subtype="html"
        )
        before = self.Complaint.search([])
        self._process(msg)
        complaint = self._new(before)
        self.assertIn("<b>broken</b>", complaint.description)
        self.assertNotIn("<script", complaint.description)

    def test_attachments_are_kept(self):
        msg = self._mail()
        msg.add_attachment(b"%PDF-1.4 receipt", maintype="application", subtype="pdf", filename="receipt.pdf")
        msg.add_attachment(b"\x89PNG\r\n\x1a\nphoto", maintype="image", subtype="png", filename="photo.png")
        before = self.Complaint.search([])
        self._process(msg)
        complaint = self._new(before)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "iso10002.complaint"), ("res_id", "=", complaint.id)]
        )
        self.assertEqual(sorted(attachments.mapped("name")), ["photo.png", "receipt.pdf"])
        receipt = attachments.filtered(lambda a: a.name == "receipt.pdf")
        self.assertEqual(base64.b64decode(receipt.datas), b"%PDF-1.4 receipt")

    def test_persian_mail(self):
        msg = MIMEText("سلام. سفارش من با سه هفته تأخیر رسید و جعبه آسیب دیده بود.", "plain", "utf-8")
        msg["From"] = str(Header("علی رضایی", "utf-8")) + " <ali@example.ir>"
        msg["To"] = "complaints-a@complaints.example.com"
        msg["Subject"] = Header("تأخیر در ارسال سفارش", "utf-8").encode()
        msg["Message-Id"] = "<fa1@example.ir>"
        before = self.Complaint.search([])
        self._process(msg)
        complaint = self._new(before)
        self.assertEqual(complaint.subject, "تأخیر در ارسال سفارش")
        self.assertIn("سفارش من با سه هفته تأخیر رسید", complaint.description)
        self.assertEqual(complaint.partner_id.name, "علی رضایی")

    def test_no_sender_keeps_the_message(self):
        before = self.Complaint.search([])
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self._process(self._mail(sender=None, msgid="<nosender@x>"))
        complaint = self._new(before)
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

    def test_unreadable_sender_is_kept(self):
        before = self.Complaint.search([])
        self._process(self._mail(sender="not an address", msgid="<badfrom@x>"))
        complaint = self._new(before)
        self.assertEqual(len(complaint), 1)
        self.assertFalse(complaint.partner_id)
        self.assertEqual(complaint.step, "received")

    def test_empty_subject_and_body(self):
        before = self.Complaint.search([])
        self._process(self._mail(subject="", body="", msgid="<empty@x>"))
        complaint = self._new(before)
        self.assertEqual(complaint.subject, "(no subject)")

    def test_duplicate_message_id_is_ignored(self):
        before = self.Complaint.search([])
        self._process(self._mail(msgid="<dup@buyer.example>"))
        self._process(self._mail(msgid="<dup@buyer.example>"))
        self.assertEqual(len(self._new(before)), 1)

    def test_reply_to_acknowledgement_lands_in_complaint(self):
        before = self.Complaint.search([])
        self._process(self._mail())
        complaint = self._new(before)
        ack = complaint.message_ids.filtered(lambda m: "we received your complaint" in (m.subject or ""))
        self.assertEqual(len(ack), 1)
        self.assertEqual(complaint.step, "acknowledged")
        reply = self._mail(
            subject=f"Re: {ack.subject}",
            body="Thank you, here is my order number: S00042.",
            msgid="<reply1@buyer.example>",
            In_Reply_To=ack.message_id,
            References=ack.message_id,
        )
        self._process(reply)
        self.assertEqual(len(self._new(before)), 1, "a reply creates no new complaint")
        answer = complaint.message_ids.filtered(lambda m: m.message_id == "<reply1@buyer.example>")
        self.assertIn("S00042", answer.body)
        self.assertEqual(answer.author_id, complaint.partner_id)

    def test_acknowledgement_reply_to_is_the_alias(self):
        before = self.Complaint.search([])
        self._process(self._mail())
        complaint = self._new(before)
        ack = complaint.message_ids.filtered(lambda m: "we received your complaint" in (m.subject or ""))
        self.assertIn("complaints-a@complaints.example.com", ack.reply_to)

    def test_receipt_does_not_wait_for_the_acknowledgement(self):
        before = self.Complaint.search([])
        cron = self.env.ref("iso10002_complaints.ir_cron_acknowledge")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.env["mail.thread"].message_process(None, self._mail(msgid="<wait@buyer.example>").as_bytes())
        complaint = self._new(before)
        self.assertEqual(complaint.step, "received")
        self.assertTrue(complaint.acknowledgement_pending)
        self.assertFalse(complaint.sla_policy_id, "planned by the job, not in the gateway's transaction")
        self.assertGreater(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers)
        self.Complaint._cron_acknowledge()
        self.assertEqual(complaint.step, "acknowledged")
        self.assertFalse(complaint.acknowledgement_pending)
        self.assertTrue(complaint.sla_policy_id)
        self.assertTrue(complaint.resolution_deadline > complaint.received_date)
        ack = complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertIn(complaint._get_promised_decision_date(), ack.body)

    def test_a_broken_acknowledgement_template_loses_nothing(self):
        template = self.env.ref("iso10002_complaints.mail_template_complaint_acknowledgement")
        template.body_html = '<p t-out="object.no_such_field.name"/>'
        before = self.Complaint.search([])
        with mute_logger("odoo.addons.iso10002_complaints.models.iso10002_complaint", "odoo.addons.mail.models"):
            self._process(self._mail(msgid="<broken@buyer.example>"))
        complaint = self._new(before)
        self.assertEqual(len(complaint), 1, "the complaint is recorded all the same")
        self.assertEqual(complaint.step, "received")
        self.assertFalse(complaint.acknowledgement_pending)
        self.assertTrue(
            complaint.activity_ids.filtered(
                lambda a: a.activity_type_id == self.env.ref("iso10002_complaints.mail_activity_type_acknowledge")
            ),
            "its owner is asked to acknowledge it another way",
        )

    def test_not_an_email_is_refused_cleanly(self):
        before = self.Complaint.search([])
        with self.assertRaises(ValueError), mute_logger("odoo.addons.mail.models.mail_thread"):
            self._process(b"this is not an e-mail at all")
        self.assertFalse(self._new(before))
