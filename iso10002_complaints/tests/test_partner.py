from odoo.tests import Form, tagged

from .common import ComplaintsCase


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
