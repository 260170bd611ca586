from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import ComplaintsCase, MailGatewayCase

OFFICER = "iso10002_complaints.group_complaint_officer"


def say(*args):
    """What a probe saw (kept for reading the probe; nothing is logged: the harness
    counts warnings as failures)."""


@tagged("post_install", "-at_install")
class TestPartner(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_partner = cls.env["res.partner"].create({"name": "Buyer Ltd", "is_company": True})
        cls.contact = cls.env["res.partner"].create(
            {"name": "Buyer Contact", "parent_id": cls.company_partner.id, "email": "contact@buyer.example"}
        )
        cls.c1 = cls._complaint(partner_id=cls.contact.id)
        cls.c2 = cls._complaint(partner_id=cls.company_partner.id, team_id=cls.team_b.id)

    def test_complaint_count_rolls_up_to_company(self):
        self.assertEqual(self.contact.complaint_count, 1)
        self.assertEqual(self.company_partner.complaint_count, 2)

    def test_count_follows_access(self):
        self.assertEqual(self.company_partner.with_user(self.officer_a).complaint_count, 1)
        self.assertEqual(self.company_partner.with_user(self.auditor).complaint_count, 2)

    def test_smart_button_action(self):
        action = self.company_partner.action_view_complaints()
        complaints = self.env["iso10002.complaint"].search(action["domain"])
        self.assertEqual(complaints, self.c1 | self.c2)
        self.assertEqual(action["context"]["default_partner_id"], self.company_partner.id)

    def test_history_includes_closed_and_archived(self):
        self._walk_to(self.c2, "closed")
        self.c2.action_archive()
        history = self.company_partner.with_context(active_test=False).complaint_ids
        self.assertIn(self.c2, history)

    def test_needs_assistance_shows_on_complaint(self):
        self.contact.complaint_needs_assistance = True
        self.assertTrue(self.c1.partner_needs_assistance)
        self.assertIn(
            self.c1, self.env["iso10002.complaint"].search([("partner_id.complaint_needs_assistance", "=", True)])
        )

    def test_partner_form_shows_complaints(self):
        with Form(self.company_partner.with_user(self.manager)) as form:
            self.assertEqual(form.complaint_count, 2)


@tagged("post_install", "-at_install")
class TestComplainantContact(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.archived_officer = new_test_user(cls.env, login="gone_officer", groups=OFFICER, name="Gone Officer")
        cls.archived_officer.active = False

    def test_11_officer_fills_another_users_contact_through_a_complaint(self):
        """Officer A names the manager's own contact as complainant and types a phone and
        an address: the user's contact is written as superuser."""
        victim = self.manager.partner_id
        victim.write({"phone": False, "street": False, "zip": False, "city": False})
        direct_ok = True
        try:
            with self.env.cr.savepoint():
                victim.with_user(self.officer_a).write({"phone": "direct"})
        except AccessError:
            direct_ok = False
        self.Complaint.with_user(self.officer_a).create(
            {
                "subject": "Writes someone else's contact",
                "partner_id": victim.id,
                "team_id": self.team_a.id,
                "partner_phone": "+44 900 666 666",
                "partner_street": "1 Attacker Lane",
            }
        )
        victim.invalidate_recordset()
        say("PROBE11 direct write allowed:", direct_ok, "victim phone:", victim.phone, "street:", victim.street)
        if not direct_ok:
            self.assertNotEqual(
                victim.phone, "+44 900 666 666", "BREAK: officer wrote a user's contact they may not write (sudo)"
            )

    def test_33_contact_of_another_company_complaint_is_kept(self):
        shared = self.env["res.partner"].create({"name": "Shared", "email": "shared@example.com", "company_id": False})
        gone = self._walk_to(self._complaint(partner_id=shared.id), "closed")
        self.env["iso10002.complaint"].sudo().create(
            {"subject": "In B", "partner_id": shared.id, "team_id": self.team_other_company.id}
        )
        gone.with_user(self.manager).action_anonymise()
        shared.invalidate_recordset()
        self.assertTrue(shared.active and shared.email, "BREAK: contact of another company's complaint erased")

    def test_15_corrected_complainant_inherits_previous_complainant_address(self):
        """The complainant is corrected from X to Y (no address yet): the letter goes where?"""
        x = self.env["res.partner"].create(
            {"name": "Wrong Person", "street": "1 Wrong Street", "city": "Leeds", "phone": "+44 111 1111"}
        )
        y = self.env["res.partner"].create({"name": "Right Person"})
        c = self._complaint(partner_id=x.id, contact_preference="letter")
        self.assertEqual(c.partner_street, "1 Wrong Street")
        c.with_user(self.officer_a).partner_id = y
        self.env.flush_all()
        say("PROBE15 after correction:", c.partner_street, c.partner_city, c.partner_phone, c._postal_address())
        self.assertFalse(
            c.partner_street or c.partner_phone,
            "BREAK: the corrected complaint keeps the previous complainant's address/phone (letters go to X)",
        )
