"""The complainant's chosen way drives every communication (ISO 10002 4.5, 7.4, 7.8): a
letter complainant gets letters (in large print when they need it), tasks go to the owner,
the letter sent or the call made is kept as evidence; the form asks an e-mail address only
of who chose e-mail; a promise is never a date already past."""

import random
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.http import Request
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..controllers.complaint_form import ComplaintForm
from .common import ComplaintsCase, ComplaintsMailCase, MailGatewayCase


def say(*args):
    """What a probe saw (kept for reading the probe; nothing is logged: the harness
    counts warnings as failures)."""


OFFICER = "iso10002_complaints.group_complaint_officer"
FORM = {
    "name": "Letter Writer",
    "subject": "Broken lamp",
    "description": "The desk lamp overheats.",
    "consent": "on",
}


@tagged("post_install", "-at_install")
class TestTheFormAsksWhatTheChosenWayNeeds(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.officer = new_test_user(cls.env, login="letters_officer", groups=OFFICER, name="Letters Officer")
        cls.team = cls.env["iso10002.complaint.team"].create(
            {"name": "Letters team", "sequence": -100, "user_id": cls.officer.id, "assignment_rule": "leader"}
        )
        cls.Complaint = cls.env["iso10002.complaint"]

    def _post(self, data):
        self.authenticate(None, None)
        return self.url_open(
            "/complaints/new", data={**data, "csrf_token": Request.csrf_token(self)}, allow_redirects=False
        )

    @mute_logger("odoo.http", "odoo.addons.mail.models.mail_mail")
    def test_a_letter_complainant_in_large_print_gets_no_e_mail_and_the_owner_a_task(self):
        response = self._post(
            dict(FORM, contact_preference="letter", address="12 High Street, Leeds LS1 1AA", large_print="on")
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        complaint = self.Complaint.search([("subject", "=", "Broken lamp")])
        self.assertEqual((complaint.contact_preference, complaint.large_print), ("letter", True))
        self.assertFalse(complaint.partner_id.email)
        self.assertEqual(complaint.step, "received", "acknowledged when the letter is posted, not before")
        to_complainant = self.env["mail.mail"].sudo().search([("recipient_ids", "in", complaint.partner_id.ids)])
        self.assertFalse(to_complainant, "no e-mail to the complainant")
        task = complaint.activity_ids
        self.assertEqual(task.user_id, self.officer)
        self.assertEqual(task.activity_type_id, self.env.ref("iso10002_complaints.mail_activity_type_acknowledge"))
        self.assertIn("large print", task.note)
        self.assertIn("12 High Street", task.note)
        # the page after filing promises no e-mail
        page = self.url_open(response.headers["Location"])
        self.assertIn("the way you chose", page.text)
        self.assertNotIn("We have e-mailed", page.text)

    @mute_logger("odoo.http", "odoo.addons.mail.models.mail_mail")
    def test_seeded_ways_and_details(self):
        """Each way asks what it needs, and only that: e-mail an address, phone a number,
        letter a postal address; the acknowledgement goes by e-mail only to who chose it."""
        rng = random.Random(2310)
        for index in range(60):
            way = rng.choice(["email", "phone", "letter", ""])
            email = rng.choice(["", f"w{index}@example.com"])
            phone = rng.choice(["", "+44 20 7946 0000", "۰۲۱ ۸۸۷۷ ۶۶۵۵"])
            address = rng.choice(["", "1 Station Road, York"])
            data = dict(FORM, subject=f"Way {index}", email=email, phone=phone, address=address)
            if way:
                data["contact_preference"] = way
            needs = {"email": email, "": email, "phone": phone, "letter": address}[way]
            response = self._post(data)
            complaint = self.Complaint.search([("subject", "=", f"Way {index}")])
            shown = {key: data.get(key) for key in ("contact_preference", "email", "phone", "address")}
            if not needs:
                self.assertEqual(response.status_code, 400, shown)
                self.assertFalse(complaint, shown)
                continue
            self.assertEqual(response.status_code, 303, f"{shown}: {response.text[:300]}")
            self.assertEqual(len(complaint), 1, shown)
            emailed = self.env["mail.mail"].sudo().search([("recipient_ids", "in", complaint.partner_id.ids)])
            by_email = way in ("", "email")
            self.assertEqual(bool(emailed), by_email, shown)
            self.assertEqual(complaint.step, "acknowledged" if by_email else "received", shown)
            self.assertEqual(bool(complaint.activity_ids), not by_email, shown)


class TestTheChosenWayDrivesTheProcess(ComplaintsMailCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.writer = cls.env["res.partner"].create(
            {"name": "Mrs Letter", "street": "3 Church Lane", "city": "Bath", "zip": "BA1 1AA"}
        )

    def _complaint_by(self, way, **values):
        return self._complaint(partner_id=self.writer.id, contact_preference=way, **values)

    def _notes(self, complaint):
        return complaint.message_ids.filtered(lambda m: m.subtype_id == self.env.ref("mail.mt_note"))

    def test_a_letter_is_printed_large_kept_and_the_task_done(self):
        with self.mock_mail_gateway():
            complaint = self._complaint_by("letter", large_print=True).with_user(self.officer_a)
        self.assertFalse(self._mails_to(self.writer), "no e-mail to a letter complainant")
        self.assertEqual(complaint.user_id, self.officer_a)
        task = complaint.activity_ids
        self.assertEqual(len(task), 1)
        complaint.acknowledgement_channel = "letter"
        complaint.action_acknowledge()
        self.assertFalse(complaint.activity_ids, "the task is done")
        evidence = self._notes(complaint).filtered("attachment_ids")
        self.assertEqual(len(evidence), 1)
        self.assertIn("3 Church Lane", evidence.body)
        self.assertIn("large print", evidence.body)
        letter = evidence.attachment_ids
        self.assertIn(b"o_iso10002_large_print", letter.sudo().raw, "the letter as printed, in large print")
        self.assertIn(b"Mrs Letter", letter.sudo().raw)
        # the auditor reads the evidence with the complaint
        audited = complaint.with_user(self.auditor).message_ids.filtered("attachment_ids")
        self.assertEqual(audited.attachment_ids.mapped("name"), letter.mapped("name"))

        # the decision goes by letter too: the owner is asked, the printed letter is kept
        complaint = self._walk_to(complaint, "response")
        self.assertEqual(complaint.communication_channel, "letter", "the chosen way, unless the officer says otherwise")
        send = complaint.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("iso10002_complaints.mail_activity_type_communicate")
        )
        self.assertEqual(send.user_id, self.officer_a)
        # the progress at the assessment was the owner's to tell, by letter, written by them
        progress = complaint.activity_ids.filtered(lambda a: a.summary == "Tell the progress")
        self.assertEqual(len(progress), 1)
        self.assertIn("by letter", progress.note)
        self.assertNotIn("Print menu", progress.note, "no printed letter says the progress")
        complaint.response_text = "<p>We replace the lamp.</p>"
        with self.mock_mail_gateway():
            complaint.action_communicate()
        self.assertFalse(self._mails_to(self.writer), "no e-mail to a letter complainant")
        self.assertFalse(complaint.activity_ids & send, "the task is done")
        self.assertFalse(progress.exists(), "the news of the progress is overtaken by the decision")
        self.assertTrue(complaint.message_ids.filtered(lambda m: "overtaken by the decision" in (m.body or "")))
        decision = self._notes(complaint).filtered("attachment_ids") - evidence
        self.assertEqual(len(decision), 1)
        self.assertIn(b"We replace the lamp.", decision.attachment_ids.sudo().raw)

    def test_a_letter_in_ordinary_print_is_ordinary(self):
        complaint = self._complaint_by("letter")
        complaint.acknowledgement_channel = "letter"
        complaint.action_acknowledge()
        letter = self._notes(complaint).attachment_ids
        self.assertNotIn(b"o_iso10002_large_print", letter.sudo().raw)

    def test_a_caller_s_number_is_typed_on_the_complaint_and_the_call_recorded(self):
        caller = self.env["res.partner"].create({"name": "Mr Caller"})
        complaint = self._complaint(partner_id=caller.id, contact_preference="phone").with_user(self.officer_a)
        self.assertIn("no number yet", complaint.activity_ids.note)
        complaint.partner_phone = "+44 113 496 0000"
        self.assertEqual(caller.phone, "+44 113 496 0000", "the contact had none: it keeps the number")
        # a number for this complaint only, when the contact has another
        other = self._complaint(partner_id=caller.id, contact_preference="phone")
        other.partner_phone = "+44 7700 900000"
        self.assertEqual((other.partner_phone, caller.phone), ("+44 7700 900000", "+44 113 496 0000"))
        complaint.partner_street = "9 Mill Road"
        self.assertEqual(caller.street, "9 Mill Road")
        complaint.acknowledgement_channel = "phone"
        complaint.action_acknowledge()
        call = self._notes(complaint).filtered(lambda m: "by phone" in m.body)
        self.assertEqual(len(call), 1)
        self.assertIn("+44 113 496 0000", call.body)
        self.assertIn(self.officer_a.name, call.body)

    def test_a_promise_is_never_a_date_already_past(self):
        now = fields.Datetime.now()
        with self.mock_mail_gateway():
            late = self._complaint(received_date=now - timedelta(days=40), subject="Recorded late")
        self.assertLess(late.resolution_deadline, now, "the SLA deadline from receipt has passed")
        promised = late._promised_decision_deadline()
        self.assertGreaterEqual(promised, now)
        acknowledgement = self._mails_to(self.complainant).filtered(lambda m: late.name in (m.subject or ""))
        self.assertEqual(len(acknowledgement), 1)
        self.assertIn(late._get_promised_decision_date(), acknowledgement.body_html)
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "iso10002_complaints.action_report_complaint_acknowledgement", late.ids
        )
        self.assertNotIn(
            fields.Date.to_string(late.resolution_deadline.date()).encode(), html, "the past deadline is not promised"
        )
        # an ordinary complaint is promised its SLA deadline
        fresh = self._complaint(subject="On time")
        self.assertEqual(fresh._promised_decision_deadline(), fresh.resolution_deadline)

    def test_a_later_decision_date_is_told_the_chosen_way(self):
        complaint = self._complaint_by("letter")
        complaint._tell_new_decision_date()
        told = complaint.activity_ids.filtered(lambda a: "new date" in (a.note or ""))
        self.assertEqual(told.user_id, complaint.user_id)
        self.assertIn("by letter", told.note)


@tagged("post_install", "-at_install")
class TestTheChosenWayIsRecordedTruly(ComplaintsCase):
    # ------------------------------------------------------------- item 2
    def test_02_letter_acknowledgement_needs_an_address(self):
        """7.4 / 4.5: a letter recorded as sent needs an address to send it to."""
        complaint = self._complaint(contact_preference="letter")
        self.assertFalse(complaint._postal_address())
        complaint = complaint.with_user(self.officer_a)
        complaint.acknowledgement_channel = "letter"
        with self.assertRaises(UserError, msg="acknowledged 'by letter' to no postal address"):
            complaint.action_acknowledge()

    def test_04_decision_by_letter_needs_an_address(self):
        complaint = self._complaint(contact_preference="letter", user_id=self.officer_a.id)
        self._walk_to(complaint, "response")
        complaint = complaint.with_user(self.officer_a)
        complaint.write({"response_text": "<p>Sorry.</p>", "communication_channel": "letter"})
        with self.assertRaises(UserError, msg="decision 'sent by letter' to no postal address"):
            complaint.action_communicate()

    def test_05_email_decision_without_email_is_not_recorded_as_sent(self):
        """Decision Sent By e-mail to a complainant with no e-mail address: nothing is
        sent, nothing is attached, but the decision is recorded as communicated."""
        partner = self.env["res.partner"].create({"name": "No Mail"})
        complaint = self._complaint(partner_id=partner.id, user_id=self.officer_a.id)
        self._walk_to(complaint, "response")
        complaint = complaint.with_user(self.officer_a)
        complaint.write({"response_text": "<p>Sorry.</p>", "communication_channel": "email"})
        with self.assertRaises(UserError, msg="communicated 'by e-mail' with no e-mail address"):
            complaint.action_communicate()

    def test_20_progress_task_of_a_letter_complainant(self):
        """7.4/7.8: a letter complainant's progress tasks are either done with their evidence
        or closed with the complaint: none is left open on a closed complaint."""
        partner = self.env["res.partner"].create({"name": "Letter Two", "street": "2 Paper Lane", "city": "Town"})
        complaint = self._walk_to(
            self._complaint(user_id=self.officer_a.id, partner_id=partner.id, contact_preference="letter"), "closed"
        )
        progress = complaint.sudo().activity_ids.filtered(lambda a: a.summary == "Tell the progress")
        self.assertFalse(progress, "a 'Tell the progress' task left open on a closed complaint")


@tagged("post_install", "-at_install")
class TestContactMeansFromOutside(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.archived_officer = new_test_user(cls.env, login="gone_officer", groups=OFFICER, name="Gone Officer")
        cls.archived_officer.active = False

    def _mails_for(self, partner):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(["|", ("recipient_ids", "in", partner.ids), ("email_to", "ilike", partner.email or "@@none@@")])
        )

    # ------------------------------------------------------------ 2. chosen means
    def test_10_public_form_address_injects_html_into_owner_task(self):
        """A visitor's postal address becomes live HTML (a phishing link) in the owner's task."""
        self.team_a.write({"sequence": -100, "assignment_rule": "leader"})
        public = self.env.ref("base.public_user")
        evil = '<a href="https://evil.example/sso">Verify your Odoo session</a>'
        post = {
            "name": "Letter Writer",
            "subject": "Injected address",
            "description": "Lamp.",
            "consent": "on",
            "contact_preference": "letter",
            "address": "1 Road " + evil,
        }
        c = self.Complaint._portal_submit(
            ComplaintForm(self.env).complaint(post, public), public, remote_addr="10.0.0.9"
        )
        notes = " ".join(c.activity_ids.mapped(lambda a: str(a.note)))
        say("PROBE10 note:", notes)
        self.assertNotIn("<a ", notes, "BREAK: visitor's address is a live link in the task")
        self.assertIn("&lt;a href", notes, "what they typed is shown as text")

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_13_letter_complainant_gets_satisfaction_email_on_close(self):
        letter = self.env["res.partner"].create({"name": "Letter Only", "email": "letter.only@example.com"})
        c = self._complaint(partner_id=letter.id, contact_preference="letter")
        before = self._mails_for(letter)
        self._walk_to(c, "closed")
        after = self._mails_for(letter) - before
        say("PROBE13 mails to letter complainant on close:", after.mapped("subject"))
        self.assertFalse(after, "BREAK: a letter complainant is e-mailed (satisfaction request)")

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_14_letter_complainant_e_mailed_on_complainant_change(self):
        c = self._walk_to(self._complaint(contact_preference="letter"), "acknowledged")
        letter = self.env["res.partner"].create({"name": "New Letter", "email": "new.letter@example.com"})
        c.with_user(self.officer_a).partner_id = letter
        self.env.flush_all()
        mails = self._mails_for(letter)
        msgs = c.message_ids.filtered(lambda m: letter in m.partner_ids)
        say("PROBE14 mails:", mails.mapped("subject"), "messages to:", msgs.mapped("subject"))
        self.assertFalse(mails or msgs, "BREAK: the corrected letter complainant is acknowledged by e-mail")
