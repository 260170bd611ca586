"""The complaints page (/complaints) and what it publishes: the approved policy version,
the ways to complain, the SLA time limits, the recourse. Reached as a visitor would."""

import random

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestComplaintsPage(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.ref("base.main_company")
        cls.other_company = cls.env["res.company"].create({"name": "Other Page Company"})
        cls.manager = new_test_user(
            cls.env, login="page_manager", groups="iso10002_complaints.group_complaint_manager", name="Page Manager"
        )
        cls.officer = new_test_user(cls.env, login="page_officer", groups="iso10002_complaints.group_complaint_officer")
        cls.portal = new_test_user(cls.env, login="page_portal", groups="base.group_portal")
        cls.Policy = cls.env["iso10002.policy"]
        cls.Provider = cls.env["iso10002.dispute.provider"]
        # what the page is compared with: the company's SLA policies, 8 working hours a day
        cls.company.resource_calendar_id.hours_per_day = 8.0
        others = [("company_id", "=", cls.company.id), ("is_default", "=", False)]
        cls.env["iso10002.sla.policy"].search(others).unlink()
        cls.default_policy = cls.company.complaint_sla_policy_id
        cls.default_policy.write({"ack_target_hours": 8, "resolution_target_hours": 80})
        cls.provider = cls.Provider.create(
            {"name": "Consumer Ombudsman Page Test", "scope": "Retail disputes", "cost": "Free for consumers"}
        )
        cls.foreign_provider = cls.Provider.create(
            {"name": "Provider Of Another Company", "company_id": cls.other_company.id}
        )

    def _page(self):
        response = self.url_open("/complaints")
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_a_visitor_reads_the_published_version_only(self):
        first = self.Policy.with_user(self.manager).create({"body": "<p>First commitment PUB-ONE</p>"})
        first.action_approve()
        draft = self.Policy.with_user(self.manager).create({"body": "<p>Unapproved draft DRAFT-TWO</p>"})
        page = self._page()
        self.assertIn("PUB-ONE", page)
        self.assertNotIn("DRAFT-TWO", page, "a draft is not published")
        self.assertIn("Complaining is free of charge", page)
        self.assertIn('href="/complaints/new"', page)
        draft.action_approve()
        self.assertEqual(first.state, "superseded")
        self.assertEqual(
            (draft.state, draft.version, draft.approved_by_id), ("approved", first.version + 1, self.manager)
        )
        page = self._page()
        self.assertIn("DRAFT-TWO", page)
        self.assertNotIn("PUB-ONE", page, "one version is published at a time")

    def test_the_time_limits_are_those_of_the_sla_policies(self):
        page = self._page()
        self.assertIn("within 1 working day", page)
        self.assertIn("within 10 working days", page)
        self.env["iso10002.sla.policy"].create(
            {"name": "Urgent", "severity": "critical", "ack_target_hours": 4, "resolution_target_hours": 16}
        )
        page = self._page()
        self.assertIn("within 2 to 10 working days, depending on the complaint", page)
        self.default_policy.resolution_target_hours = 120
        self.assertIn("within 2 to 15 working days", self._page(), "the page follows the policies")
        self.company.complaint_sla_enabled = False
        self.assertNotIn("working days", self._page(), "no time limit is promised that nothing holds")

    def test_ways_to_complain_and_recourse(self):
        team = self.env["iso10002.complaint.team"].create({"name": "Page Team", "alias_name": "page-complaints"})
        page = self._page()
        if team.alias_email:
            self.assertIn(team.alias_email, page)
        self.assertIn("Consumer Ombudsman Page Test", page)
        self.assertIn("Free for consumers", page)
        self.assertNotIn("Provider Of Another Company", page, "another company's providers are not ours")
        self.provider.active = False
        self.assertNotIn("Consumer Ombudsman Page Test", self._page())

    def test_the_time_limits_follow_each_teams_calendar(self):
        short_days = self.env["resource.calendar"].create({"name": "35 hours", "hours_per_day": 7.0})
        self.env["iso10002.complaint.team"].create({"name": "Short days", "resource_calendar_id": short_days.id})
        # 80 hours are 10 days of 8 hours, 12 of 7: the page says both
        self.assertIn("within 10 to 12 working days, depending on the complaint", self._page())

    def test_a_provider_links_to_the_web_only(self):
        rng = random.Random(3)
        hostile = [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>",
            "//evil.example",
            "http://x y",
        ]
        hostile += ["".join(rng.choice("abc:/<>\"' ") for _i in range(12)) for _n in range(10)]
        for website in hostile:
            with self.subTest(website=website), self.assertRaises(ValidationError):
                self.provider.website = website
        self.provider.website = "https://ombudsman.example/complaints"
        self.assertIn('href="https://ombudsman.example/complaints"', self._page())

    def test_the_acknowledgement_links_to_the_page(self):
        partner = self.env["res.partner"].create({"name": "Linked Complainant", "email": "linked@example.com"})
        complaint = self.env["iso10002.complaint"].create({"subject": "Link to policy", "partner_id": partner.id})
        message = complaint.message_ids.filtered(lambda m: partner in m.partner_ids)
        self.assertTrue(message)
        self.assertIn("/complaints", message.body)
        self.assertIn("complaints-handling policy", message.body)

    @mute_logger("odoo.models.unlink")
    def test_versions_are_frozen_and_approved_by_managers_only(self):
        policy = self.Policy.with_user(self.manager).create({"body": "<p>v1</p>"})
        with self.assertRaises(AccessError):
            policy.with_user(self.officer).action_approve()
        with self.assertRaises(AccessError):
            self.Policy.with_user(self.portal).search([])
        with self.assertRaises(UserError):
            policy.write({"state": "approved"})  # only the button publishes, with who and when
        with self.assertRaises(UserError):
            policy.write({"approved_by_id": self.officer.id})
        policy.action_approve()
        for vals in ({"body": "<p>rewritten</p>"}, {"name": "Other"}, {"version": 7}):
            with self.assertRaises(UserError):
                policy.write(vals)
        with self.assertRaises(UserError):
            policy.unlink()
        action = policy.action_new_version()
        new = self.Policy.browse(action["res_id"])
        self.assertEqual((new.state, new.version, str(new.body)), ("draft", policy.version + 1, "<p>v1</p>"))
        new.body = "<p>v2</p>"
        new.unlink()  # a draft may go

    def test_only_managers_write_what_the_page_publishes(self):
        """Over RPC, as each role: officers and auditors read the policy and the
        providers, write neither; internal users without complaints rights and portal
        users read neither."""
        policy = self.Policy.with_user(self.manager).create({"body": "<p>RPC</p>"})
        auditor = new_test_user(self.env, login="page_auditor", groups="iso10002_complaints.group_complaint_auditor")
        employee = new_test_user(self.env, login="page_employee", groups="base.group_user")
        for user in (self.officer, auditor):
            with self.subTest(user=user.login):
                self.assertTrue(self.Provider.with_user(user).search([("id", "=", self.provider.id)]))
                self.assertTrue(self.Policy.with_user(user).search([("id", "=", policy.id)]))
                with self.assertRaises(AccessError):
                    self.Provider.with_user(user).create({"name": "Planted", "cost": "Free"})
                with self.assertRaises(AccessError):
                    self.provider.with_user(user).write({"website": "https://planted.example"})
                with self.assertRaises(AccessError):
                    policy.with_user(user).write({"body": "<p>rewritten</p>"})
                with self.assertRaises(AccessError):
                    policy.with_user(user).action_new_version()
        for user in (employee, self.portal):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.Provider.with_user(user).search([])
                with self.assertRaises(AccessError):
                    self.Policy.with_user(user).search([])
        self.assertEqual((self.provider.website, str(policy.body)), (False, "<p>RPC</p>"))

    def test_each_company_publishes_its_own(self):
        mine = self.Policy.with_user(self.manager).create({"body": "<p>MAIN-CO</p>"})
        mine.action_approve()
        theirs = self.Policy.create({"body": "<p>OTHER-CO</p>", "company_id": self.other_company.id})
        theirs.action_approve()
        self.assertEqual(mine.state, "approved", "approving another company's version leaves ours published")
        self.assertEqual(theirs.version, 1)
        self.assertFalse(self.Policy.with_user(self.manager).search([("id", "=", theirs.id)]))
        self.manager.write({"company_ids": [Command.link(self.other_company.id)]})
        page = self._page()
        self.assertIn("MAIN-CO", page)
        self.assertNotIn("OTHER-CO", page)
