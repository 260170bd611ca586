"""The public complaint form from outside: seeded bad submissions interleaved with valid
ones over HTTP, a visitor typing a customer's address, the throttle, a portal user's
acknowledgement."""

import random

from odoo.http import Request
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import new_test_user

from ..models.iso10002_complaint_portal import PORTAL_LIMITS

GOOD = {
    "name": "Walk In",
    "email": "walk.in@example.com",
    "subject": "Closed shop",
    "description": "The shop was closed during opening hours.",
}


def _bad_values(rng):
    """A form post with one hostile value: empty where required, a control character,
    over the field's limit, or an address that cannot be written to."""
    post = dict(GOOD, email=f"visitor{rng.randrange(10**6)}@example.com")
    field = rng.choice(["name", "email", "subject", "description", "remedy_sought"])
    choices = [
        "a\x00b",
        "ring \x07 bell",
        "red \x1b[31m text",
        "vertical\x0btab",
        "del\x7fete",
        "x" * (PORTAL_LIMITS[field] + rng.choice([1, 100, 2_000_000])),
    ]
    if field != "remedy_sought":
        choices += ["", " \t "]
    if field == "email":
        choices += ["a@", "@", "not an address", "a@b@c.example", "one@example.com, two@example.com", "x@localhost"]
    post[field] = rng.choice(choices)
    return post


@tagged("post_install", "-at_install")
class TestPublicForm(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        cls.env["ir.config_parameter"].sudo().set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.customer = cls.env["res.partner"].create({"name": "Real Customer", "email": "real@customer.example"})
        cls.Complaint = cls.env["iso10002.complaint"]

    def _post(self, data):
        self.authenticate(None, None)
        return self.url_open("/complaints/new", data={**data, "csrf_token": self._csrf()}, allow_redirects=False)

    def _csrf(self):
        return Request.csrf_token(self)

    @mute_logger("odoo.http", "odoo.addons.mail.models.mail_mail")
    def test_300_seeded_bad_submissions_never_500_and_never_stored(self):
        rng = random.Random(10002)
        before = self.Complaint.search_count([])
        good_sent = 0
        for index in range(320):
            if index % 8 == 0:
                data = dict(GOOD, subject=f"Valid {index}", email=f"ok{index}@example.com")
                response = self._post(data)
                self.assertIn(response.status_code, (200, 303), f"valid post {index}")
                good_sent += 1
                continue
            data = _bad_values(rng)
            response = self._post(data)
            shown = {key: value[:40] for key, value in data.items()}
            self.assertEqual(response.status_code, 400, f"bad post {index}: {shown}")
            self.assertIn("alert-danger", response.text)
        self.assertEqual(self.Complaint.search_count([]) - before, good_sent, "valid posts all stored, bad none")

    def test_visitor_never_files_under_an_existing_customer(self):
        response = self._post(dict(GOOD, email="REAL@customer.example", subject="In your name"))
        self.assertIn(response.status_code, (200, 303))
        complaint = self.Complaint.search([("subject", "=", "In your name")])
        self.assertEqual(len(complaint), 1)
        self.assertNotEqual(complaint.partner_id, self.customer)
        self.assertNotIn(complaint, self.customer.with_context(active_test=False).complaint_ids)

    @mute_logger("odoo.http")
    def test_submissions_are_throttled(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 3)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 2)
        codes = [self._post(dict(GOOD, subject=f"Same {n}")).status_code for n in range(3)]
        self.assertEqual(codes[:2], [303, 303])
        self.assertEqual(codes[2], 400, "the third from one e-mail within the hour is refused")
        codes = [self._post(dict(GOOD, subject=f"Other {n}", email=f"o{n}@x.example")).status_code for n in range(2)]
        self.assertEqual(codes, [303, 400], "the fourth from one address is refused")
        self.assertEqual(self.Complaint.search_count([("subject", "=like", "Same %")]), 2)

    def test_portal_user_gets_an_acknowledgement_e_mail(self):
        user = new_test_user(self.env, login="portal_filer", groups="base.group_portal", email="filer@example.com")
        self.authenticate("portal_filer", "portal_filer")
        response = self.url_open(
            "/complaints/new",
            data={"subject": "Portal ack", "description": "Nobody answered.", "csrf_token": self._csrf()},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        complaint = self.Complaint.search([("subject", "=", "Portal ack")])
        self.assertEqual(complaint.partner_id, user.partner_id)
        self.assertEqual(complaint.step, "acknowledged")
        self.assertEqual(complaint.acknowledgement_channel, "email")
        mails = self.env["mail.mail"].sudo().search([("model", "=", complaint._name), ("res_id", "=", complaint.id)])
        self.assertIn(user.partner_id, mails.recipient_ids, "the e-mail the record speaks of goes to the filer")

    def test_extra_form_fields_set_nothing(self):
        closed = self.env.ref("iso10002_complaints.stage_closed")
        response = self._post(
            dict(
                GOOD,
                subject="Extra fields",
                name="Walk In",
                stage_id=str(closed.id),
                partner_id=str(self.customer.id),
                is_confidential="1",
                user_id="2",
                findings="planted",
            )
        )
        self.assertEqual(response.status_code, 303)
        complaint = self.Complaint.search([("subject", "=", "Extra fields")])
        self.assertEqual(complaint.step, "acknowledged", "received, then acknowledged by e-mail")
        self.assertTrue(complaint.name.startswith("CMP/"))
        self.assertNotEqual(complaint.partner_id, self.customer)
        self.assertFalse(complaint.is_confidential or complaint.user_id or complaint.findings)
