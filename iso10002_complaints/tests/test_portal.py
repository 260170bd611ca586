from odoo.http import Request
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortal(HttpCase):
    """Complainants on the portal: their complaints, nobody else's; filing one, signed in or not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env,
            login="portal_complainant",
            password="portal_complainant",
            groups="base.group_portal",
            name="Portal Complainant",
            email="portal.complainant@example.com",
        )
        cls.other = cls.env["res.partner"].create({"name": "Someone Else", "email": "else@example.com"})
        channel = cls.env.ref("iso10002_complaints.channel_phone")
        Complaint = cls.env["iso10002.complaint"]
        cls.mine = Complaint.create(
            {"subject": "My parcel is lost", "partner_id": cls.portal_user.partner_id.id, "channel_id": channel.id}
        )
        cls.theirs = Complaint.create(
            {"subject": "Someone else's problem", "partner_id": cls.other.id, "channel_id": channel.id}
        )

    def test_portal_user_sees_own_complaints_only(self):
        self.authenticate("portal_complainant", "portal_complainant")
        listing = self.url_open("/my/complaints")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.mine.name, listing.text)
        self.assertNotIn(self.theirs.name, listing.text)
        self.mine.message_post(body="Internal: the courier is a cousin", subtype_xmlid="mail.mt_note")
        page = self.url_open(f"/my/complaints/{self.mine.id}")
        self.assertIn("My parcel is lost", page.text)
        self.assertNotIn("the courier is a cousin", page.text, "internal notes stay internal")
        refused = self.url_open(f"/my/complaints/{self.theirs.id}", allow_redirects=False)
        self.assertEqual(refused.status_code, 303)
        self.assertTrue(refused.headers["Location"].endswith("/my"))

    def test_link_with_token_works_without_login(self):
        url = self.theirs.get_portal_url()
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Someone else&#39;s problem", page.text)
        refused = self.url_open(f"/my/complaints/{self.theirs.id}?access_token=wrong", allow_redirects=False)
        self.assertEqual(refused.status_code, 403, "a wrong link gets a plain page that says so")
        self.assertIn("o_iso10002_link_invalid", refused.text)
        self.assertNotIn("Someone else", refused.text)

    def test_portal_user_files_a_complaint(self):
        self.authenticate("portal_complainant", "portal_complainant")
        form = self.url_open("/complaints/new")
        self.assertIn("File a complaint", form.text)
        for field in ("subject", "description", "remedy_sought"):
            self.assertIn(f'name="{field}"', form.text)
        self.assertNotIn('name="email"', form.text, "a signed-in complainant is not asked who they are")
        response = self.url_open(
            "/complaints/new",
            data={
                "subject": "Wrong size",
                "description": "The shoes are two sizes too big.",
                "consent": "on",
                "remedy_sought": "An exchange",
                "csrf_token": Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        complaint = self.env["iso10002.complaint"].search([("subject", "=", "Wrong size")])
        self.assertEqual(complaint.partner_id, self.portal_user.partner_id)
        self.assertEqual(complaint.channel_id.code, "portal")
        self.assertEqual(complaint.step, "acknowledged", "acknowledged by e-mail at once")
        self.assertIn("two sizes too big", complaint.description)

    def test_visitor_files_a_complaint_and_follows_it(self):
        self.authenticate(None, None)
        response = self.url_open(
            "/complaints/new",
            data={
                "name": "Walk In",
                "email": "walk.in@example.com",
                "subject": "Closed shop",
                "description": "The shop was closed during opening hours.",
                "consent": "on",
                "csrf_token": Request.csrf_token(self),
            },
        )
        complaint = self.env["iso10002.complaint"].search([("subject", "=", "Closed shop")])
        self.assertEqual((complaint.partner_id.name, complaint.partner_id.email), ("Walk In", "walk.in@example.com"))
        # the reference on screen; the link to follow it goes to the address typed
        self.assertTrue(response.url.endswith("/complaints/filed"), response.url)
        self.assertNotIn("access_token", response.url)
        self.assertIn(complaint.name, response.text)
        token = complaint.sudo().access_token
        self.assertNotIn(token, response.text)
        self.assertEqual(self.url_open(f"/my/complaints/{complaint.id}?access_token={token}").status_code, 200)

    def test_bad_input_is_refused_with_a_message(self):
        self.authenticate(None, None)
        form = self.url_open("/complaints/new")
        for field in ("name", "email", "subject", "description"):
            self.assertIn(f'name="{field}"', form.text)
        response = self.url_open(
            "/complaints/new", data={"subject": "", "description": "", "csrf_token": Request.csrf_token(self)}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("is required", response.text)
        response = self.url_open(
            "/complaints/new",
            data={
                "name": "X",
                "email": "not-an-address",
                "subject": "S",
                "description": "D",
                "consent": "on",
                "csrf_token": Request.csrf_token(self),
            },
        )
        self.assertIn("valid e-mail address", response.text)
        self.assertFalse(self.env["iso10002.complaint"].search([("subject", "=", "S")]))
