from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestComplaintsOnTheWebsite(HttpCase):
    def test_the_website_menu_leads_to_the_complaints_page(self):
        home = self.url_open("/")
        self.assertEqual(home.status_code, 200)
        self.assertIn('href="/complaints"', home.text, "the Complaints menu is on the home page")
        menus = self.env["website.menu"].search([("url", "=", "/complaints")])
        self.assertEqual(
            set(menus.website_id.ids), set(self.env["website"].search([]).ids), "one entry in each website's menu"
        )
        page = self.url_open("/complaints")
        self.assertEqual(page.status_code, 200)
        self.assertIn("How to complain", page.text)
        self.assertIn("o_iso10002_policy_page", page.text)
        self.assertIn('id="wrapwrap"', page.text, "in the website's layout")
        self.assertIn('href="/complaints/new"', page.text)

    def test_a_new_website_gets_the_menu(self):
        website = self.env["website"].create({"name": "Second shop"})
        self.assertTrue(
            self.env["website.menu"].search([("url", "=", "/complaints"), ("website_id", "=", website.id)]),
            "a website created later has the Complaints entry too",
        )


@tagged("post_install", "-at_install")
class TestComplainantPhoneTour(HttpCase):
    """The whole journey of a visitor on a phone, in Chromium: the website's menu, the
    complaints page, the form, the reference; the decision answered through the e-mail's
    link, the handling rated."""

    browser_size = "390x844"
    touch_enabled = True

    def test_a_visitor_files_follows_and_answers_on_a_phone(self):
        self.env["iso10002.dispute.provider"].create({"name": "Tour Ombudsman", "cost": "Free"})
        self.start_tour("/", "iso10002_complainant_files_on_phone")
        complaint = self.env["iso10002.complaint"].search([("subject", "=", "Wardrobe door fell off")])
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.order_reference, "SO-PHONE-1")
        self.assertEqual(complaint.partner_id.email, "phone.visitor@example.com")
        self.assertTrue(complaint.consent_date)
        # the company handles it and sends its decision
        officer = self.env.ref("base.user_admin")
        complaint.write(
            {
                "severity": "low",
                "category_id": self.env["iso10002.complaint.category"].create({"name": "Tour furniture"}).id,
            }
        )
        complaint.action_assess()
        complaint.write({"investigator_id": officer.id})
        complaint.action_investigate()
        complaint.write({"remedy": "repair"})
        complaint.action_respond()
        complaint.write(
            {"response_text": "<p>We send a fitter to repair the door.</p>", "communication_channel": "email"}
        )
        complaint.action_communicate()
        token = complaint.sudo()._portal_ensure_token()
        self.start_tour(f"/my/complaints/{complaint.id}?access_token={token}", "iso10002_complainant_answers_on_phone")
        self.assertEqual(complaint.complainant_response, "rejected")
        self.assertEqual(complaint.complainant_feedback, "The door still wobbles after your repair.")
        self.assertEqual(complaint.rating_last_value, 1)
        self.assertEqual(complaint.rating_ids.filtered("consumed").feedback, "It took three calls to be heard.")
        self.assertTrue(complaint.activity_ids.filtered(lambda a: a.summary == "Complainant not satisfied"))


@tagged("post_install", "-at_install")
class TestComplaintsDemo(HttpCase):
    def test_the_demo_publishes_a_policy_and_each_recourse_path(self):
        policy = self.env.ref("iso10002_complaints.policy_v1_demo", raise_if_not_found=False)
        if not policy:
            self.skipTest("installed without demo data")
        self.assertEqual(policy.state, "approved")
        self.assertIn("We welcome complaints", self.url_open("/complaints").text)
        referred = self.env.ref("iso10002_complaints.complaint_recourse_referred_demo")
        reviewed = self.env.ref("iso10002_complaints.complaint_recourse_reviewed_demo")
        waiting = self.env.ref("iso10002_complaints.complaint_recourse_waiting_demo")
        unhappy = self.env.ref("iso10002_complaints.complaint_not_satisfied_demo")
        self.assertEqual(
            (referred.step, referred.recourse_kind, referred.referral_result), ("closed", "referral", "complainant")
        )
        self.assertEqual(
            (reviewed.step, reviewed.recourse_kind, reviewed.review_outcome), ("closed", "review", "changed")
        )
        # the changed decisions were decided again, communicated and answered before closing
        for complaint, reason in ((referred, "referral"), (reviewed, "review")):
            self.assertEqual(complaint.closure_reason, f"changed_{reason}")
            self.assertEqual(complaint.decision_ids.sorted("version").mapped("reason"), ["first", reason])
            self.assertEqual(complaint.decision_id.remedy, complaint.remedy)
        self.assertEqual((waiting.step, waiting.complainant_response), ("communicated", "rejected"))
        self.assertFalse(waiting._ready_to_close(), "it waits for its recourse")
        self.assertEqual(unhappy.rating_last_value, 1)
        self.assertTrue(unhappy.activity_ids.filtered(lambda a: a.summary == "Complainant not satisfied"))
