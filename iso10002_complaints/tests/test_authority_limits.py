"""Authority limits (ISO 10002 5.4): the remedy an officer may decide alone, and the approval above
it."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ComplaintsCase


@tagged("post_install", "-at_install")
class TestAuthorityLimits(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.complaint_officer_remedy_limit = 100.0
        cls.company.complaint_representative_id = cls.manager
        cls.team_a.member_ids |= cls.manager

    def _decided(self, amount):
        complaint = self._complaint().with_user(self.officer_a)
        self._walk_to(complaint, "investigation")
        complaint.write({"remedy": "refund", "compensation_amount": amount})
        complaint.action_respond()
        complaint.write({"response_text": "<p>We refund you.</p>", "communication_channel": "phone"})
        return complaint

    def test_an_officer_cannot_send_a_refund_above_the_limit(self):
        complaint = self._decided(500.0)
        self.assertTrue(complaint.needs_remedy_approval)
        approval = complaint.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("iso10002_complaints.mail_activity_type_remedy_approval")
        )
        self.assertEqual(approval.user_id, self.manager, "the representative is asked to approve")
        with self.assertRaisesRegex(UserError, "above the officers' limit"):
            complaint.action_communicate()
        with self.assertRaises(AccessError):
            complaint.action_approve_remedy()
        with self.assertRaises(AccessError):
            complaint.write({"remedy_approved_by_id": self.officer_a.id, "remedy_approved_amount": 1000.0})
        complaint.with_user(self.manager).action_approve_remedy()
        self.assertEqual(complaint.remedy_approved_by_id, self.manager)
        self.assertFalse(approval.exists(), "the approval activity is done")
        self.assertIn("approved by", "".join(complaint.message_ids.mapped("body")))
        with self.assertRaisesRegex(UserError, "no remedy waiting"):
            complaint.with_user(self.manager).action_approve_remedy()
        complaint.action_communicate()
        self.assertEqual(complaint.step, "communicated")

    def test_a_higher_amount_needs_a_new_approval(self):
        complaint = self._decided(500.0)
        complaint.with_user(self.manager).action_approve_remedy()
        complaint.compensation_amount = 900.0
        self.assertTrue(complaint.needs_remedy_approval, "approved up to 500 only")
        complaint.compensation_amount = 400.0
        self.assertFalse(complaint.needs_remedy_approval)

    def test_a_remedy_is_approved_once_decided(self):
        complaint = self._complaint().with_user(self.officer_a)
        self._walk_to(complaint, "investigation")
        complaint.write({"remedy": "refund", "compensation_amount": 500.0})
        self.assertTrue(complaint.needs_remedy_approval)
        with self.assertRaisesRegex(UserError, "once it is decided"):
            complaint.with_user(self.manager).action_approve_remedy()
        foreign = self._complaint(team_id=self.team_other_company.id, company_id=self.company_b.id)
        with self.assertRaises(AccessError):
            foreign.with_user(self.manager).action_approve_remedy()

    def test_within_the_limit_the_officer_decides_alone(self):
        complaint = self._decided(80.0)
        self.assertFalse(complaint.needs_remedy_approval)
        complaint.action_communicate()
        self.assertEqual(complaint.step, "communicated")
