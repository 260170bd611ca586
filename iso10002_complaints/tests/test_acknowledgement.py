from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL, format_date

from .common import ComplaintsCase, ComplaintsMailCase, SecondTeamHttpCase


@tagged("post_install", "-at_install")
class TestAcknowledgement(ComplaintsMailCase):
    """ISO 10002 7.4: every complaint is acknowledged promptly, whatever its channel."""

    def _ack_messages(self, complaint):
        return complaint.message_ids.filtered(lambda m: "we received your complaint" in (m.subject or ""))

    def _assert_acknowledged_by_mail(self, channel_xmlid):
        with self.mock_mail_gateway():
            complaint = self._complaint(channel_id=self.env.ref(channel_xmlid).id)
            self.flush_tracking()
        ack = self._ack_messages(complaint)
        self.assertEqual(len(ack), 1)
        self.assertMessageFields(
            ack,
            {
                # the company writes: the complainant is told, and only them
                "author_id": complaint.company_id.partner_id,
                "partner_ids": self.complainant,
                # an automatic message (RFC 3834)
                "message_type": "auto_comment",
                "subtype_id": self.env.ref("mail.mt_comment"),
            },
        )
        self.assertIn(complaint.name, ack.subject)
        self.assertIn(complaint.name, ack.body)
        self.assertIn("What happens next", ack.body)
        self.assertEqual(complaint.step, "acknowledged")
        self.assertEqual(complaint.acknowledgement_channel, "email")
        self.assertTrue(complaint.acknowledged_date)
        mail = self.assertMailMail(
            self.complainant,
            "outgoing",
            mail_message=ack,
            author=complaint.company_id.partner_id,
            content="What happens next",
            fields_values={"model": complaint._name, "res_id": complaint.id, "subject": ack.subject},
        )
        self.assertEqual(self._mails_to(self.complainant), mail, "one e-mail to the complainant: the acknowledgement")
        return complaint, ack

    def test_ack_for_phone_complaint(self):
        self._assert_acknowledged_by_mail("iso10002_complaints.channel_phone")

    def test_ack_for_letter_complaint(self):
        self._assert_acknowledged_by_mail("iso10002_complaints.channel_letter")

    def test_ack_for_in_person_complaint(self):
        self._assert_acknowledged_by_mail("iso10002_complaints.channel_in_person")

    def test_ack_for_portal_complaint(self):
        self._assert_acknowledged_by_mail("iso10002_complaints.channel_portal")

    def test_ack_for_email_complaint(self):
        self._assert_acknowledged_by_mail("iso10002_complaints.channel_email")

    def test_ack_for_social_media_complaint(self):
        self._assert_acknowledged_by_mail("iso10002_complaints.channel_social")

    def test_ack_promises_the_sla_deadline(self):
        complaint, ack = self._assert_acknowledged_by_mail("iso10002_complaints.channel_phone")
        self.assertTrue(complaint.resolution_deadline)
        promised = complaint._get_promised_decision_date()
        self.assertIn(promised, ack.body)
        self.assertEqual(
            promised,
            format_date(self.env, complaint.resolution_deadline, lang_code=complaint.partner_id.lang or "en_US"),
        )

    def test_ack_in_the_complainant_language(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        template = self.env.ref("iso10002_complaints.mail_template_complaint_acknowledgement")
        template.with_context(lang="fa_IR").subject = "شکایت شما با شماره {{ object.name }} دریافت شد"
        self.complainant.lang = "fa_IR"
        with self.mock_mail_gateway():
            complaint = self._complaint()
        ack = complaint.message_ids.filtered(lambda m: "دریافت شد" in (m.subject or ""))
        self.assertEqual(ack.subject, f"شکایت شما با شماره {complaint.name} دریافت شد")
        self.assertMailMail(self.complainant, "outgoing", mail_message=ack, fields_values={"subject": ack.subject})
        self.complainant.lang = "en_US"
        with self.mock_mail_gateway():
            english = self._complaint()
        self.assertEqual(len(self._ack_messages(english)), 1)
        self.assertMailMail(self.complainant, "outgoing", mail_message=self._ack_messages(english))

    def test_no_email_schedules_activity_for_owner(self):
        with self.mock_mail_gateway():
            complaint = self._complaint(partner_id=self.person_about.id, user_id=self.officer_b.id)
        self.assertEqual(complaint.step, "received")
        self.assertFalse(self._ack_messages(complaint))
        self.assertFalse(self._mails_to(self.person_about))
        activity = complaint.activity_ids
        self.assertEqual(activity.activity_type_id, self.env.ref("iso10002_complaints.mail_activity_type_acknowledge"))
        self.assertEqual(activity.user_id, self.officer_b)
        told = self._mails_to(self.officer_b.partner_id).filtered(
            lambda m: "Acknowledge by phone, letter or in person" in (m.subject or "")
        )
        self.assertEqual(len(told), 1, "the owner is told of the activity by e-mail")

    def test_no_email_no_owner_goes_to_team_leader(self):
        complaint = self._complaint(partner_id=self.person_about.id)
        self.assertEqual(complaint.activity_ids.user_id, self.officer_a, "team A's leader")

    def test_manual_acknowledgement_closes_activity(self):
        complaint = self._complaint(partner_id=self.person_about.id)
        complaint.write({"acknowledgement_channel": "letter", "partner_street": "1 Letter Lane"})
        complaint.action_acknowledge()
        self.assertEqual(complaint.step, "acknowledged")
        self.assertFalse(complaint.activity_ids)
        self.assertTrue(complaint.acknowledged_date)

    def test_manual_acknowledgement_by_email_needs_address(self):
        complaint = self._complaint(partner_id=self.person_about.id)
        complaint.acknowledgement_channel = "email"
        with self.assertRaisesRegex(Exception, "no e-mail address"):
            complaint.action_acknowledge()

    def test_late_email_address_then_email_acknowledgement(self):
        complaint = self._complaint(partner_id=self.person_about.id)
        complaint.email_from = "found@later.example"
        self.assertEqual(self.person_about.email, "found@later.example")
        complaint.acknowledgement_channel = "email"
        with self.mock_mail_gateway():
            complaint.action_acknowledge()
        ack = self._ack_messages(complaint)
        self.assertEqual(len(ack), 1)
        mail = self.assertMailMail(
            self.person_about, "outgoing", mail_message=ack, author=complaint.company_id.partner_id
        )
        self.assertEqual(self._mails_to(self.person_about), mail)

    def test_acknowledgement_can_be_switched_off_for_imports(self):
        with self.mock_mail_gateway():
            complaint = self.env["iso10002.complaint"]._import_complaints(
                [{"subject": "Imported", "partner_id": self.complainant.id, "channel_id": self.channel_phone.id}]
            )
            self.flush_tracking()
        self.assertFalse(self._ack_messages(complaint))
        self.assertEqual(complaint.step, "received")
        self.assertFalse(self._mails_to(self.complainant), "nothing mailed to the complainant of an import")

    def test_ack_leaves_as_an_automatic_email(self):
        """What the queue sends: from the company, to the complainant, marked automatic
        (RFC 3834) so that out-of-office replies do not answer it."""
        complaint, ack = self._assert_acknowledged_by_mail("iso10002_complaints.channel_phone")
        mail = self._mails_to(self.complainant)
        with self.mock_mail_gateway():
            self.env["mail.mail"].process_email_queue(ids=mail.ids)
        self.assertEqual(mail.state, "sent")
        self.assertSentEmail(
            complaint.company_id.partner_id,
            [self.complainant],
            subject=ack.subject,
            body_content=complaint.name,
            headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
        )


@tagged("post_install", "-at_install")
class TestAcknowledgementLetter(ComplaintsCase):
    def test_06_ack_letter_signed_by_who_acknowledged(self):
        """Letters signed by whoever decided: the acknowledgement letter, recorded by the
        manager, is printed in the owner's name while the chatter says the manager sent it."""
        complaint = self._complaint(
            contact_preference="letter",
            user_id=self.officer_a.id,
            partner_street="1 Main St",
            partner_city="Town",
        )
        complaint = complaint.with_user(self.manager)
        complaint.acknowledgement_channel = "letter"
        complaint.action_acknowledge()
        report = self.env["ir.actions.report"].with_user(self.manager)
        html, _t = report._render_qweb_html(
            "iso10002_complaints.action_report_complaint_acknowledgement", complaint.ids
        )
        signature = " ".join(html.decode().split()).split("Kind regards")[-1]
        notes = " ".join(complaint.sudo().message_ids.mapped("body"))
        self.assertIn(self.manager.name, notes)
        self.assertIn(self.manager.name, signature, "letter signed by someone other than who sent it")


@tagged("post_install", "-at_install")
class TestAcknowledgementByEmailNeedsAnEmail(SecondTeamHttpCase):
    """An acknowledgement recorded as sent by e-mail needs an e-mail address."""

    def test_no_acknowledgement_by_e_mail_without_an_e_mail(self):
        complaint = self._new(partner_id=False)
        complaint.write({"email_from": "somebody@x.example", "acknowledgement_channel": "email"})
        with self.assertRaises(UserError):
            complaint.with_user(self.officer).action_acknowledge()
        self.assertEqual(complaint.step, "received")


@tagged("post_install", "-at_install")
class TestJobsClaimTheirComplaints(ComplaintsCase):
    """The acknowledgement job and the SLA sweep run by two workers or two Odoo servers at
    once (``_claim_ids``): each complaint is handled by one run; the other run neither
    waits for it nor fails. Another worker is a connection of its own, on complaints of
    the demo data (committed, so that it sees them)."""

    def setUp(self):
        super().setUp()
        # two committed complaints this test's transaction has not written (nor locked)
        self.env.cr.execute(
            "SELECT id FROM iso10002_complaint WHERE xmin::text <> (txid_current() % 4294967296)::text "
            "ORDER BY id LIMIT 3"
        )
        self.ids = [row[0] for row in self.env.cr.fetchall()]
        self.assertEqual(len(self.ids), 3, "the demo data's complaints")
        # the first two for the test of a lock held; the third for the one that commits
        self.condition = SQL("id IN %s", tuple(self.ids[:2]))
        self.Complaint = self.env["iso10002.complaint"]

    def _other_worker(self):
        other = self.enterContext(self.env.registry.cursor())
        other.execute("SET lock_timeout = '5s'")
        return other

    def test_a_complaint_another_run_holds_is_skipped_without_waiting(self):
        other = self._other_worker()
        other.execute("SELECT id FROM iso10002_complaint WHERE id = %s FOR NO KEY UPDATE", (self.ids[0],))
        self.env.cr.execute("SET LOCAL lock_timeout = '5s'")  # a wait would fail the test
        self.assertEqual(self.Complaint._claim_ids(self.condition, SQL("id"), 10), [self.ids[1]])
        other.rollback()

    def test_a_complaint_another_run_handled_meanwhile_ends_this_run_well(self):
        """Another run changed a complaint and committed after this transaction began:
        PostgreSQL refuses to lock it here (repeatable read). This run takes nothing, and
        its transaction goes on: no failed job, no error in the log."""
        other = self._other_worker()
        other.execute("UPDATE iso10002_complaint SET write_date = write_date WHERE id = %s", (self.ids[2],))
        other.commit()
        condition = SQL("id = %s", self.ids[2])
        self.assertEqual(self.Complaint._claim_ids(condition, SQL("id"), 10), [])
        self.assertEqual(self.Complaint.browse(self.ids).exists().ids, self.ids, "the transaction goes on")
