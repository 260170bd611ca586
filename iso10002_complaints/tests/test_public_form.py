"""The public complaint form from outside: seeded bad submissions interleaved with valid
ones over HTTP, a visitor typing a customer's address, the throttle, a portal user's
acknowledgement."""

import random
import uuid

import psycopg2

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.http import Request
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import new_test_user

from ..controllers.complaint_form import PORTAL_LIMITS
from ..models.iso10002_intake_attempt import LATCH_DATE
from .common import FORGED_CONTEXT, GOOD_FORM, ComplaintsFromOutsideCase

GOOD = {
    "name": "Walk In",
    "email": "walk.in@example.com",
    "subject": "Closed shop",
    "description": "The shop was closed during opening hours.",
    "consent": "on",
}
# a one-pixel PNG: a picture by its content
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _bad_values(rng):
    """A form post with one hostile value: empty where required, a control character,
    over the field's limit, or an address that cannot be written to."""
    post = dict(GOOD, email=f"visitor{rng.randrange(10**6)}@example.com")
    field = rng.choice(
        [
            *("name", "email", "subject", "description", "remedy_sought", "phone", "address", "order_reference"),
            *("on_behalf_of", "accessibility_needs", "event_date", "contact_preference", "consent"),
        ]
    )
    if field == "event_date":
        post[field] = rng.choice(["2999-01-01", "1800-01-01", "yesterday", "2026-02-30", "2026-1-1", "0" * 10, "x" * 9])
        return post
    if field == "contact_preference":
        post[field] = rng.choice(["fax", "carrier pigeon", "", "phone", "letter"])
        if not post[field]:
            post[field] = "EMAIL"
        return post  # phone and letter: without the number or the address they need
    if field == "consent":
        post.pop("consent") if rng.random() < 0.5 else post.update(consent=rng.choice(["off", "0", "", "no"]))
        return post
    choices = [
        "a\x00b",
        "ring \x07 bell",
        "red \x1b[31m text",
        "vertical\x0btab",
        "del\x7fete",
        "x" * (PORTAL_LIMITS[field] + rng.choice([1, 100, 2_000_000])),
    ]
    if field == "phone":
        choices += ["call me", "12", "+1 555 <script>", "☎☎☎☎"]
    elif field in ("name", "email", "subject", "description"):
        choices += ["", " \t ", "\u200c\u200d", "\u200e"]
    choices += ["bom\ufeff", "soft\xadhyphen", "non\uffffchar", "line\u2028separator", "\u202eevil"]
    if field == "email":
        choices += ["a@", "@", "not an address", "a@b@c.example", "one@example.com, two@example.com", "x@localhost"]
    post[field] = rng.choice(choices)
    return post


class PublicFormCase(HttpCase):
    """The form's throttle off, a customer already known, and posts as a visitor."""

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

    @staticmethod
    def _alert(response):
        """The refusal the form shows, for a failing assertion's message."""
        text = response.text
        start = text.find("alert-danger")
        return text[start : start + 300] if start >= 0 else ""

    def _csrf(self):
        return Request.csrf_token(self)

    def _seeded_bad_submissions_never_500_and_never_stored(self, count):
        """``count`` seeded posts (the first ones of the same seed whatever the count), one
        in eight valid."""
        rng = random.Random(10002)
        before = self.Complaint.search_count([])
        good_sent = 0
        for index in range(count):
            if index % 8 == 0:
                data = dict(GOOD, subject=f"Valid {index}", email=f"ok{index}@example.com")
                response = self._post(data)
                self.assertIn(response.status_code, (200, 303), f"valid post {index}: {self._alert(response)}")
                good_sent += 1
                continue
            data = _bad_values(rng)
            response = self._post(data)
            shown = {key: value[:40] for key, value in data.items()}
            self.assertEqual(response.status_code, 400, f"bad post {index}: {shown}")
            self.assertIn("alert-danger", response.text)
        self.assertEqual(self.Complaint.search_count([]) - before, good_sent, "valid posts all stored, bad none")


@tagged("post_install", "-at_install")
class TestPublicForm(PublicFormCase):
    @mute_logger("odoo.http", "odoo.addons.mail.models.mail_mail")
    def test_24_seeded_bad_submissions_never_500_and_never_stored(self):
        """The first 24 of the 320 seeded posts of the fuzz run, in the quick suite."""
        self._seeded_bad_submissions_never_500_and_never_stored(24)

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
            data={
                "subject": "Portal ack",
                "description": "Nobody answered.",
                "consent": "on",
                "csrf_token": self._csrf(),
            },
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
        # the team the form files into, whose rule gives the owner (never the one posted)
        officer = new_test_user(self.env, login="form_owner", groups="iso10002_complaints.group_complaint_officer")
        team = self.env["iso10002.complaint.team"].create(
            {"name": "Form team", "sequence": -100, "user_id": officer.id, "assignment_rule": "leader"}
        )
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
        self.assertFalse(complaint.is_confidential or complaint.findings)
        self.assertEqual((complaint.team_id, complaint.user_id), (team, officer), "the team's rule, not user_id=2")

    def _post_files(self, data, files):
        self.authenticate(None, None)
        return self.url_open(
            "/complaints/new", data={**data, "csrf_token": self._csrf()}, files=files, allow_redirects=False
        )

    def test_a_complete_complaint_with_documents(self):
        """Everything ISO 10002 Annex C asks, with two documents, from a visitor."""
        data = dict(
            GOOD,
            subject="Complete complaint",
            email="complete@example.com",
            phone="+98 ۹۱۲ ۵۵۵ ۰۱۹۹",
            address="12 Valiasr St\nTehran",
            contact_preference="phone",
            event_date="2026-11-20",
            order_reference="SO-4711",
            on_behalf_of="My mother, Parvin",
            accessibility_needs="Large print letters, please.",
            remedy_sought="A refund",
        )
        files = [
            ("attachments", ("receipt.pdf", PDF, "application/pdf")),
            ("attachments", ("photo.png", PNG, "image/png")),
        ]
        response = self._post_files(data, files)
        self.assertEqual(response.status_code, 303, self._alert(response))
        self.assertTrue(response.headers["Location"].endswith("/complaints/filed"), "the reference, not the link")
        complaint = self.Complaint.search([("subject", "=", "Complete complaint")])
        self.assertEqual(len(complaint), 1)
        self.assertEqual(complaint.event_date.isoformat(), "2026-11-20")
        self.assertEqual(complaint.order_reference, "SO-4711")
        self.assertEqual(complaint.contact_preference, "phone")
        self.assertEqual(complaint.on_behalf_of, "My mother, Parvin")
        self.assertEqual(complaint.accessibility_needs, "Large print letters, please.")
        self.assertTrue(complaint.consent_date)
        partner = complaint.partner_id
        self.assertEqual(partner.phone, "+98 912 555 0199", "Persian digits are kept as digits one can dial")
        self.assertEqual(partner.street, "12 Valiasr St Tehran")
        self.assertTrue(partner.complaint_needs_assistance)
        documents = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", complaint._name), ("res_id", "=", complaint.id)])
        )
        self.assertEqual(sorted(documents.mapped("mimetype")), ["application/pdf", "image/png"])
        self.assertFalse(any(documents.mapped("public")))
        # the reference on screen
        page = self.url_open(response.headers["Location"])
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_iso10002_filed", page.text)
        self.assertIn(complaint.name, page.text)

    @mute_logger("odoo.http")
    def test_documents_are_capped_and_checked_by_content(self):
        rng = random.Random(4242)
        before = self.Complaint.search_count([])
        hostile = [
            [("attachments", ("invoice.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"))],
            [("attachments", ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x"/>', "image/png"))],
            [("attachments", ("run.exe", b"MZ\x90\x00" + bytes(rng.randrange(256) for _i in range(200)), "x"))],
            [("attachments", (f"p{n}.pdf", PDF, "application/pdf")) for n in range(6)],
            [("attachments", ("big.pdf", PDF + (b"0" * 1023 + b"\n") * (10 * 1024), "application/pdf"))],
        ]
        hostile += [
            [("attachments", (f"r{n}.pdf", bytes(rng.randrange(256) for _i in range(rng.randrange(1, 500))), "x"))]
            for n in range(5)
        ]
        for index, files in enumerate(hostile):
            with self.subTest(case=index):
                data = dict(GOOD, subject=f"Hostile documents {index}", email=f"h{index}@example.com")
                response = self._post_files(data, files)
                self.assertEqual(response.status_code, 400)
                self.assertIn("alert-danger", response.text)
        self.assertEqual(self.Complaint.search_count([]), before, "nothing is filed with a refused document")

    def test_document_names_lose_their_folders(self):
        files = [
            ("attachments", ("../../../etc/passwd.pdf", PDF, "application/pdf")),
            ("attachments", ("C:\\Users\\x\\..\\evil.pdf", PDF, "application/pdf")),
        ]
        response = self._post_files(dict(GOOD, subject="Folders", email="folders@example.com"), files)
        self.assertEqual(response.status_code, 303)
        complaint = self.Complaint.search([("subject", "=", "Folders")])
        names = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", complaint._name), ("res_id", "=", complaint.id)])
        )
        self.assertEqual(sorted(names.mapped("name")), ["evil.pdf", "passwd.pdf"])

    def test_find_mails_the_link_and_never_shows_it(self):
        self._post(dict(GOOD, subject="To find again", email="finder@example.com"))
        complaint = self.Complaint.search([("subject", "=", "To find again")])
        Mail = self.env["mail.mail"].sudo()

        def find(reference, email):
            self.authenticate(None, None)
            return self.url_open(
                "/complaints/find", data={"reference": reference, "email": email, "csrf_token": self._csrf()}
            )

        before = Mail.search([])
        answer = find(complaint.name.lower(), "FINDER@example.com")
        self.assertEqual(answer.status_code, 200)
        self.assertNotIn(complaint.access_token, answer.text, "the link is never shown")
        sent = Mail.search([]) - before
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent.recipient_ids, complaint.partner_id, "to the complainant, and to nobody else")
        self.assertEqual(sent.recipient_ids.email, "finder@example.com")
        self.assertIn(complaint.access_token, sent.body_html)
        self.assertNotIn(complaint.access_token, "".join(complaint.message_ids.mapped("body")), "nor in the chatter")
        # a wrong address gets the same answer, and no e-mail
        # as a file name writes the reference (the PDFs of the acknowledgement)
        before = Mail.search([])
        find(complaint.name.replace("/", "-"), "finder@example.com")
        self.assertEqual(len(Mail.search([]) - before), 1)
        before = Mail.search([])
        wrong = find(complaint.name, "someone.else@example.com")
        self.assertEqual(wrong.status_code, 200)
        self.assertIn("If a complaint has this reference", wrong.text)
        self.assertFalse(Mail.search([]) - before)
        for reference in ("CMP/%", "%", "*", complaint.name + "0"):
            self.assertEqual(find(reference, "finder@example.com").status_code, 200)
        self.assertFalse(Mail.search([]) - before, "no pattern matches a reference")

    @mute_logger("odoo.http")
    def test_the_lookup_is_throttled_apart_from_the_form(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 2)
        self._post(dict(GOOD, subject="Throttled find", email="throttle@example.com"))
        complaint = self.Complaint.search([("subject", "=", "Throttled find")])
        codes = []
        for _n in range(3):
            self.authenticate(None, None)
            data = {"reference": complaint.name, "email": "throttle@example.com", "csrf_token": self._csrf()}
            codes.append(self.url_open("/complaints/find", data=data).status_code)
        self.assertEqual(codes, [200, 200, 400], "the third lookup for one address within the hour is refused")
        # the lookups did not use up the address's complaints
        response = self._post(dict(GOOD, subject="Second after lookups", email="throttle@example.com"))
        self.assertEqual(response.status_code, 303)


@tagged("-standard", "iso10002_fuzz", "post_install", "-at_install")
class TestPublicFormFuzz(PublicFormCase):
    """The 320 seeded posts: run by ``make test`` (tag ``iso10002_fuzz``), not by ``make test-fast``."""

    @mute_logger("odoo.http", "odoo.addons.mail.models.mail_mail")
    def test_300_seeded_bad_submissions_never_500_and_never_stored(self):
        self._seeded_bad_submissions_never_500_and_never_stored(320)


@tagged("post_install", "-at_install")
class TestThePublicFormFromOutside(ComplaintsFromOutsideCase):
    """Seeded hostile posts on the complaints pages: a 400 with a message, nothing stored, never a 500."""

    @mute_logger("odoo.http", "odoo.addons.http_routing.models.ir_http", "odoo.addons.mail.models.mail_mail")
    def test_seeded_hostile_form_posts_are_400_with_a_message_and_store_nothing(self):
        rng = random.Random(24)
        self.authenticate(None, None)
        before = self._stored()
        fields_ = ["name", "email", "subject", "description", "phone", "address", "event_date", "consent"]
        fields_ += ["contact_preference", "large_print", "remedy_sought", "order_reference"]
        for index in range(36):
            kind = rng.choice(["as_file", "repeated", "too_many", "too_big", "wrong_type", "bad_name", "no_consent"])
            data = {**GOOD_FORM, "email": f"hostile{index}@example.com", "csrf_token": self._csrf()}
            files = []
            if kind == "as_file":
                field = rng.choice(fields_)
                data.pop(field, None)
                files = [(field, ("x.txt", b"text", "text/plain"))]
                if field == "large_print":
                    data.pop("consent")  # a box ticked by a file is no box ticked: refused for the consent
            elif kind == "repeated":
                # the hostile value first, the good one after: whichever is read, never a 500
                field = rng.choice([name for name in fields_ if name != "large_print"])
                good = data.get(field, "on")
                data = [(key, value) for key, value in data.items() if key != field]
                data += [(field, rng.choice(["\x00", "x" * 300_000, "\u202e"])), (field, good)]
                if field in ("remedy_sought", "order_reference", "phone", "address"):
                    data = [(key, value) for key, value in data if key != "consent"]
            elif kind == "too_many":
                files = [("attachments", (f"p{i}.png", PNG, "image/png")) for i in range(rng.randint(6, 9))]
            elif kind == "too_big":
                big = b"%PDF-1.4\n" + (b"0" * 1023 + b"\n") * (10 * 1024)
                files = [("attachments", ("big.pdf", big, "application/pdf"))]
            elif kind == "wrong_type":
                payload = rng.choice([b"MZ\x90\x00binary", b"<html><script>alert(1)</script>", b"<svg onload=x>"])
                files = [("attachments", ("innocent.pdf", payload, "application/pdf"))]
            elif kind == "bad_name":
                files = [
                    (
                        "attachments",
                        (rng.choice(["\u202egnp.exe", "x" * 5000 + ".png"]), PNG, "image/png"),
                    )
                ]
            else:
                data.pop("consent")
            response = self.url_open("/complaints/new", data=data, files=files or None, allow_redirects=False)
            with self.subTest(index=index, kind=kind):
                self.assertEqual(response.status_code, 400, f"{kind}: {response.status_code}")
                self.assertIn("alert-danger", response.text)
        self.assertEqual(self._stored(), before, "BREAK: a refused post left something stored")

    @mute_logger("odoo.http", "odoo.addons.http_routing.models.ir_http")
    def test_the_lookup_and_the_answer_refuse_values_that_are_not_text_without_a_500(self):
        self.authenticate(None, None)
        for field in ("reference", "email"):
            data = {"reference": "CMP/2026/00001", "email": "jane@example.com", "csrf_token": self._csrf()}
            data.pop(field)
            response = self.url_open(
                "/complaints/find", data=data, files=[(field, ("x.txt", b"text", "text/plain"))], allow_redirects=False
            )
            with self.subTest(route="find", field=field):
                self.assertEqual(response.status_code, 400)
        complaint = self.complaint.sudo()
        complaint._portal_ensure_token()
        url = f"/my/complaints/{complaint.id}/answer"
        for field in ("answer", "reason", "access_token"):
            data = {"answer": "rejected", "reason": "No", "access_token": complaint.access_token}
            data.pop(field)
            data["csrf_token"] = self._csrf()
            response = self.url_open(
                url, data=data, files=[(field, ("x.txt", b"text", "text/plain"))], allow_redirects=False
            )
            with self.subTest(route="answer", field=field):
                self.assertIn(
                    response.status_code, (400, 403), f"BREAK: {field} sent as a file: {response.status_code}"
                )
        self.assertFalse(complaint.complainant_response)

    def test_json_rpc_context_cannot_seal_or_unseal_for_a_client(self):
        """Over JSON-RPC the context is JSON: no value a client sends is the process's own."""
        self.authenticate("admin", "admin")
        with mute_logger("odoo.http"), self.assertRaises(Exception):  # noqa: B017 - any refusal
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/mail.message/unlink",
                {
                    "model": "mail.message",
                    "method": "unlink",
                    "args": [self.trail_message.ids],
                    "kwargs": {"context": {**FORGED_CONTEXT, "iso10002_engine": {"__object__": True}}},
                },
            )
        self.assertTrue(self.trail_message.exists())
        # and the complaint still takes the officer's own note: nothing broken by the seal
        note = self.complaint.with_user(self.officer_a).message_post(body="Still writing", message_type="comment")
        self.assertEqual(note.author_id, self.officer_a.partner_id)

    @mute_logger("odoo.http", "odoo.addons.http_routing.models.ir_http", "odoo.addons.website.models.ir_ui_view")
    def test_a_document_too_large_in_one_line_is_refused_and_nothing_is_stored(self):
        """A document over the cap without line breaks is refused before the form is read:
        Werkzeug's parser holds such a part in memory and stops at 10 MB, so the visitor
        gets Odoo's error page rather than the form's message (left as Odoo's). Never a
        server error, and nothing is stored."""
        self.authenticate(None, None)
        data = {**GOOD_FORM, "email": "one.line@example.com", "csrf_token": self._csrf()}
        big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1)
        response = self.url_open(
            "/complaints/new",
            data=data,
            files=[("attachments", ("big.pdf", big, "application/pdf"))],
            allow_redirects=False,
        )
        self.assertGreaterEqual(response.status_code, 400)
        self.assertLess(response.status_code, 500)
        self.assertFalse(self.env["res.partner"].search_count([("email", "=", "one.line@example.com")]))

    @mute_logger("odoo.http", "odoo.addons.http_routing.models.ir_http", "odoo.addons.mail.models.mail_mail")
    def test_a_document_name_with_a_nul_is_never_stored_with_it(self):
        self.authenticate(None, None)
        data = {**GOOD_FORM, "email": "nul.name@example.com", "subject": "NUL name", "csrf_token": self._csrf()}
        response = self.url_open(
            "/complaints/new",
            data=data,
            files=[("attachments", ("a\x00b.png", PNG, "image/png"))],
            allow_redirects=False,
        )
        self.assertIn(response.status_code, (303, 400))
        complaint = self.Complaint.sudo().search([("subject", "=", "NUL name")])
        names = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", complaint._name), ("res_id", "in", complaint.ids)])
        )
        for name in names.mapped("name"):
            self.assertTrue(all(char.isprintable() for char in name), f"stored document name {name!r}")


@tagged("post_install", "-at_install")
class TestThrottleAcrossServers(TransactionCase):
    """Two Odoo servers (or two workers) receive posts of one visitor at the same moment:
    each request is a transaction of its own, which counts what was committed when it
    started. Real transactions here, committed, and their rows removed at the end."""

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    @mute_logger("odoo.sql_db")
    def test_posts_at_the_same_moment_count_against_one_limit(self):
        email = f"burst.{uuid.uuid4().hex[:12]}@example.com"  # the e-mail limit: 3 an hour
        # the cursors and their first environment are made here: a new transaction looks
        # its registry up under the registry's lock, which the test runner holds
        first, second, setup = (self.registry.cursor() for _index in range(3))
        try:
            Attempt = self._env(setup)["iso10002.intake.attempt"]
            for _index in range(2):
                Attempt._check_and_record(None, email)
            setup.commit()
            # the second server's request starts (its snapshot) before the first one's ends
            second_env = self._env(second)
            second.execute("SELECT 1")
            self._env(first)["iso10002.intake.attempt"]._check_and_record(None, email)
            first.commit()  # the third of the hour, filed
            # the fourth: it counts 2 in its snapshot; it must not pass the limit of 3
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                second_env["iso10002.intake.attempt"]._check_and_record(None, email)
            second.rollback()
            # as Odoo retries a request after a serialization failure: refused now
            with self.assertRaisesRegex(UserError, "Too many complaints"):
                second_env["iso10002.intake.attempt"]._check_and_record(None, email)
            second.rollback()
            key = Attempt._hash(email)
            setup.execute(
                "SELECT count(*) FROM iso10002_intake_attempt WHERE kind = 'email' AND key = %s AND date > %s",
                [key, LATCH_DATE],
            )
            self.assertEqual(setup.fetchone()[0], 3, "three posts counted, not four")
        finally:
            for cr in (first, second):
                cr.rollback()
                cr.close()
            setup.rollback()
            setup.execute(
                "DELETE FROM iso10002_intake_attempt WHERE key = %s",
                [self._env(setup)["iso10002.intake.attempt"]._hash(email)],
            )
            setup.commit()
            setup.close()
