from odoo.exceptions import AccessError
from odoo.http import Request
from odoo.modules.migration import load_script
from odoo.tests import HttpCase, new_test_user, tagged

from .common import ComplaintsCase, MailGatewayCase, SecondTeamHttpCase

OFFICER = "iso10002_complaints.group_complaint_officer"


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


@tagged("post_install", "-at_install")
class TestPortalReads(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Customer Ltd", "is_company": True})
        cls.portal_user.partner_id.parent_id = cls.customer
        cls.colleague = cls.env["res.users"].create(
            {
                "name": "Portal Colleague",
                "login": "portal_colleague",
                "password": "portal_colleague",
                "email": "colleague@customer.example",
                "groups_id": [(6, 0, [cls.env.ref("base.group_portal").id])],
            }
        )
        cls.colleague.partner_id.parent_id = cls.customer
        cls.mine = cls._complaint(partner_id=cls.portal_user.partner_id.id, findings="<p>internal finding</p>")
        cls.secret = cls._complaint(partner_id=cls.colleague.partner_id.id, is_confidential=True)
        cls.open_one = cls._complaint(partner_id=cls.colleague.partner_id.id)

    def test_colleague_does_not_see_a_confidential_complaint(self):
        seen = self.env["iso10002.complaint"].with_user(self.portal_user).search([])
        self.assertIn(self.open_one, seen, "the company's complaints are shared")
        self.assertNotIn(self.secret, seen)
        self.assertIn(self.secret, self.env["iso10002.complaint"].with_user(self.colleague).search([]))

    def test_upgrade_closes_the_confidential_hole_of_existing_databases(self):
        rule = self.env.ref("iso10002_complaints.iso10002_complaint_rule_portal")
        rule.domain_force = "[('partner_id', 'child_of', [user.commercial_partner_id.id])]"  # as 18.0.1.0.0
        self.env.invalidate_all()
        self.assertIn(self.secret, self.env["iso10002.complaint"].with_user(self.portal_user).search([]))
        script = load_script("iso10002_complaints/migrations/18.0.1.1.0/post-migrate.py", "iso10002_post_migrate")
        script.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self.assertNotIn(self.secret, self.env["iso10002.complaint"].with_user(self.portal_user).search([]))

    def test_needs_assistance_note_is_for_complaint_roles(self):
        self.complainant.sudo().write({"complaint_needs_assistance": True, "complaint_assistance_note": "Deaf"})
        with self.assertRaises(AccessError):
            self.complainant.with_user(self.employee).read(["complaint_assistance_note"])
        note = self.complainant.with_user(self.officer_a).read(["complaint_assistance_note"])
        self.assertEqual(note[0]["complaint_assistance_note"], "Deaf")


@tagged("post_install", "-at_install")
class TestPortalReadsOverTheOrm(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.archived_officer = new_test_user(cls.env, login="gone_officer", groups=OFFICER, name="Gone Officer")
        cls.archived_officer.active = False

    def test_12_portal_reads_phone_and_large_say(self):
        c = self._complaint(partner_id=self.portal_user.partner_id.id, large_print=True, partner_phone="+44 1")
        for name in ("partner_phone", "large_print", "partner_street", "user_id"):
            with self.subTest(field=name), self.assertRaises(AccessError):
                c.with_user(self.portal_user).read([name])


@tagged("post_install", "-at_install")
class TestPortalReplies(SecondTeamHttpCase):
    """The complainant's replies from the portal page, and what the portal never reads."""

    def test_the_complainant_replies_from_the_portal_page(self):
        self.authenticate(self.portal.login, self.portal.login)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "iso10002.complaint",
                "thread_id": self.complaint.id,
                "post_data": {"body": "Here is my order number", "message_type": "comment"},
            },
        )
        self.complaint.invalidate_recordset(["message_ids"])
        self.assertIn("Here is my order number", " ".join(self.complaint.message_ids.mapped("body")))
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "iso10002.complaint",
                "thread_id": self.complaint.id,
                "post_data": {
                    "body": "Decision: rejected",
                    "message_type": "auto_comment",
                    "subtype_xmlid": "mail.mt_note",
                },
            },
        )
        self.complaint.invalidate_recordset(["message_ids"])
        posted = self.complaint.message_ids.filtered(lambda m: "Decision: rejected" in (m.body or ""))
        self.assertEqual(
            (posted.message_type, posted.subtype_id), ("comment", self.env.ref("mail.mt_comment")), "a comment"
        )

    def test_portal_never_reads_internal_logs(self):
        self.complaint.write({"findings": "<p>SECRET FINDING</p>"})
        self.complaint.write({"findings": "<p>revised</p>"})
        logs = self.complaint.message_ids.filtered(lambda m: "SECRET FINDING" in (m.body or ""))
        self.assertTrue(logs)
        with self.assertRaises(AccessError):
            logs.with_user(self.portal).read(["body"])
