from odoo import Command
from odoo.http import Request
from odoo.tests import HttpCase, new_test_user, tagged

# what the portal tour types (static/tests/tours/complaint_journey.js)
SUBJECT = "Kettle leaks after two days"
PORTAL_TOUR = "iso10002_complaint_journey_portal"
BACKEND_URL = "/odoo/action-iso10002_complaints.iso10002_complaint_action/%s"


@tagged("post_install", "-at_install")
class TestComplaintTour(HttpCase):
    """In Chromium: a complaint filed on the portal by a portal user, then acknowledged
    and assessed by a complaints officer in the backend."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(
            cls.env,
            login="tour_officer",
            password="tour_officer",
            groups="iso10002_complaints.group_complaint_officer",
            name="Tour Officer",
            email="tour.officer@example.com",
        )
        # first of its company: the team of the complaints filed by complainants who are
        # no team's members (see _default_team_id); the officer leads it
        cls.team = cls.env["iso10002.complaint.team"].create(
            {
                "name": "Tour Team",
                "sequence": 0,
                "company_id": cls.env.ref("base.main_company").id,
                "user_id": cls.officer.id,
                "member_ids": [Command.set(cls.officer.ids)],
            }
        )
        cls.category = cls.env["iso10002.complaint.category"].create({"name": "Tour Leaking Appliances"})
        cls.ack_activity_type = cls.env.ref("iso10002_complaints.mail_activity_type_acknowledge")

    def _portal_user(self, login, email):
        return new_test_user(
            self.env, login=login, password=login, groups="base.group_portal", name="Tour Complainant", email=email
        )

    def _file_on_portal(self, user):
        """The portal tour, as ``user``: the complaint it filed."""
        self.start_tour("/my/complaints", PORTAL_TOUR, login=user.login)
        self.env.invalidate_all()
        complaint = self.env["iso10002.complaint"].search([("subject", "=", SUBJECT)])
        self.assertEqual(len(complaint), 1, "the portal tour files exactly one complaint")
        self.assertEqual(complaint.partner_id, user.partner_id, "filed as the signed-in complainant")
        self.assertEqual(complaint.channel_id.code, "portal")
        self.assertIn("leaks from its base", complaint.description)
        self.assertEqual(complaint.remedy_sought, "A new kettle")
        self.assertEqual(complaint.order_reference, "SO-2026-0042")
        self.assertTrue(complaint.consent_date)
        self.assertEqual(complaint.team_id, self.team, "the officer's team receives it")
        return complaint

    def _handle_in_backend(self, complaint, tour):
        self.start_tour(BACKEND_URL % complaint.id, tour, login=self.officer.login)
        self.env.invalidate_all()
        self.assertEqual(complaint.step, "assessment")
        self.assertEqual(complaint.severity, "high")
        self.assertEqual(complaint.category_id, self.category)
        self.assertEqual(complaint.assessed_by_id, self.officer)
        self.assertTrue(complaint.assessment_date)
        self.assertTrue(complaint.acknowledged_date, "the acknowledgement stays recorded")

    def test_portal_complaint_acknowledged_by_email_then_assessed(self):
        """A complainant with an e-mail address is acknowledged by e-mail as soon as the
        complaint is filed: the officer finds it acknowledged and assesses it."""
        user = self._portal_user("tour_complainant", "tour.complainant@example.com")
        complaint = self._file_on_portal(user)
        self.assertEqual(complaint.step, "acknowledged", "acknowledged by e-mail at once")
        self.assertEqual(complaint.acknowledgement_channel, "email")
        self.assertTrue(complaint.acknowledged_date)
        self.assertTrue(
            complaint.message_ids.filtered(lambda message: user.partner_id in message.partner_ids),
            "the acknowledgement is written to the complainant",
        )

        self._handle_in_backend(complaint, "iso10002_complaint_journey_assess")
        self.assertEqual(complaint.acknowledgement_channel, "email")

    def test_portal_complaint_acknowledged_by_officer_then_assessed(self):
        """A complainant without an e-mail address: nothing acknowledges the complaint on
        receipt, the officer is asked to, acknowledges it by phone and assesses it."""
        user = self._portal_user("tour_complainant_no_email", False)
        complaint = self._file_on_portal(user)
        self.assertEqual(complaint.step, "received")
        self.assertFalse(complaint.acknowledged_date)
        activity = complaint.activity_ids.filtered(lambda act: act.activity_type_id == self.ack_activity_type)
        self.assertEqual(activity.user_id, self.officer, "the team leader is asked to acknowledge it")

        self._handle_in_backend(complaint, "iso10002_complaint_journey_acknowledge")
        self.assertEqual(complaint.acknowledgement_channel, "phone")
        self.assertFalse(
            complaint.activity_ids.filtered(lambda act: act.activity_type_id == self.ack_activity_type),
            "the request to acknowledge is done",
        )


@tagged("post_install", "-at_install")
class TestOfficerDayTour(HttpCase):
    """In Chromium: an officer's day in the backend (static/tests/tours/officer_day.js),
    a complaint taken on the phone and followed to its closing, and the same work in
    Persian, right to left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(
            cls.env,
            login="day_officer",
            password="day_officer",
            groups="iso10002_complaints.group_complaint_officer",
            name="Day Officer",
            email="day.officer@example.com",
        )
        cls.team = cls.env["iso10002.complaint.team"].create(
            {
                "name": "Day Team",
                "sequence": 0,
                "company_id": cls.env.ref("base.main_company").id,
                "user_id": cls.officer.id,
                "member_ids": [Command.set(cls.officer.ids)],
            }
        )
        cls.category = cls.env["iso10002.complaint.category"].create({"name": "Day Broken Deliveries"})
        # called in: no e-mail address, nothing acknowledges the complaint by e-mail
        cls.complainant = cls.env["res.partner"].create({"name": "Day Caller Without Mail", "email": False})

    def test_officer_day(self):
        """A complaint recorded from a phone call, with the subject and the complainant
        only, followed through every step to its closing."""
        self.start_tour(
            "/odoo/action-iso10002_complaints.iso10002_complaint_action", "iso10002_officer_day", login="day_officer"
        )
        self.env.invalidate_all()
        complaint = self.env["iso10002.complaint"].search([("subject", "=", "Parcel arrived crushed")])
        self.assertEqual(len(complaint), 1, "the tour records exactly one complaint")
        self.assertEqual(complaint.partner_id, self.complainant)
        self.assertEqual(complaint.channel_id.code, "phone", "recorded by hand: the phone by default")
        self.assertEqual(complaint.team_id, self.team)
        self.assertEqual(complaint.acknowledgement_channel, "phone")
        self.assertTrue(complaint.acknowledged_date)
        self.assertEqual(complaint.severity, "medium")
        self.assertEqual(complaint.category_id, self.category)
        self.assertEqual(complaint.assessed_by_id, self.officer)
        self.assertEqual(complaint.investigator_id, self.officer)
        self.assertEqual(complaint.remedy, "apology")
        self.assertEqual(complaint.decided_by_id, self.officer)
        self.assertIn("the carrier has been told", complaint.response_text)
        self.assertEqual(complaint.communication_channel, "phone")
        self.assertTrue(complaint.communication_date)
        self.assertEqual(complaint.complainant_response, "accepted")
        self.assertTrue(complaint.complainant_response_date)
        self.assertEqual(complaint.step, "closed")
        self.assertEqual(complaint.closure_reason, "resolved")
        self.assertTrue(complaint.closed_date)

    def test_officer_day_persian(self):
        """The officer works in Persian: the form is right to left and translated, and a
        received complaint is acknowledged and assessed."""
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(["iso10002_complaints"], ["fa_IR"], overwrite=True)
        self.officer.lang = "fa_IR"
        complaint = self.env["iso10002.complaint"].create(
            {
                "subject": "Parcel left in the rain",
                "partner_id": self.complainant.id,
                "team_id": self.team.id,
            }
        )
        self.assertEqual(complaint.step, "received", "no e-mail acknowledges it")

        self.start_tour(BACKEND_URL % complaint.id, "iso10002_officer_day_fa", login="day_officer")
        self.env.invalidate_all()
        self.assertEqual(complaint.acknowledgement_channel, "phone")
        self.assertTrue(complaint.acknowledged_date)
        self.assertEqual(complaint.step, "assessment")
        self.assertEqual(complaint.severity, "medium")
        self.assertEqual(complaint.category_id, self.category)
        self.assertEqual(complaint.assessed_by_id, self.officer)


@tagged("post_install", "-at_install")
class TestLetterComplainantTour(HttpCase):
    """In Chromium: a visitor asks on the website to be written to by letter, in large
    print, without an e-mail address; the officer who owns the complaint takes it from
    receipt to the satisfaction the complainant gave by letter
    (static/tests/tours/letter_complainant.js)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.officer = new_test_user(
            cls.env,
            login="letter_officer",
            password="letter_officer",
            groups="iso10002_complaints.group_complaint_officer",
            name="Letter Officer",
            email="letter.officer@example.com",
        )
        cls.team = cls.env["iso10002.complaint.team"].create(
            {
                "name": "Letter Team",
                "sequence": -100,
                "company_id": cls.env.ref("base.main_company").id,
                "user_id": cls.officer.id,
                "member_ids": [Command.set(cls.officer.ids)],
                "assignment_rule": "leader",
            }
        )
        cls.env["iso10002.complaint.category"].create({"name": "Letter Overheating Lamps"})

    def test_letter_complainant_in_large_print(self):
        self.authenticate(None, None)
        response = self.url_open(
            "/complaints/new",
            data={
                "name": "Edith Large",
                "subject": "Desk lamp overheats by letter",
                "description": "The desk lamp gets too hot to touch.",
                "contact_preference": "letter",
                "address": "4 Abbey Road, Bath",
                "large_print": "on",
                "consent": "on",
                "csrf_token": Request.csrf_token(self),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        complaint = self.env["iso10002.complaint"].search([("subject", "=", "Desk lamp overheats by letter")])
        self.assertEqual(complaint.user_id, self.officer, "owned from receipt by the team's rule")
        self.assertEqual(complaint.step, "received")
        task = complaint.activity_ids
        self.assertEqual(task.user_id, self.officer)
        self.assertIn("large print", task.note)

        self.start_tour(BACKEND_URL % complaint.id, "iso10002_letter_complainant", login="letter_officer")
        self.env.invalidate_all()
        self.assertEqual(complaint.step, "closed")
        self.assertEqual(complaint.closure_reason, "resolved")
        self.assertEqual((complaint.acknowledgement_channel, complaint.communication_channel), ("letter", "letter"))
        self.assertEqual(complaint.decided_by_id, self.officer)
        letters = complaint.message_ids.attachment_ids.sorted("id")
        self.assertEqual(len(letters), 2, "the acknowledgement and the decision letters, as printed")
        for letter in letters:
            self.assertIn(b"o_iso10002_large_print", letter.raw)
            self.assertIn(b"4 Abbey Road", letter.raw)
        self.assertIn(b"We replace your lamp", letters[1].raw)
        self.assertFalse(
            self.env["mail.mail"].sudo().search([("recipient_ids", "in", complaint.partner_id.ids)]),
            "nothing was e-mailed to a complainant who asked for letters",
        )
        rating = complaint.rating_ids
        self.assertEqual(len(rating), 1)
        self.assertEqual((rating.rating, rating.satisfaction_means), (5, "letter"))
        self.assertEqual(rating.satisfaction_asked_by_id, self.officer)
        done = ("mail_activity_type_acknowledge", "mail_activity_type_communicate")
        self.assertFalse(
            complaint.activity_ids.activity_type_id
            & self.env.ref(f"iso10002_complaints.{done[0]}").union(self.env.ref(f"iso10002_complaints.{done[1]}")),
            "the owner's tasks to send the letters are done",
        )
