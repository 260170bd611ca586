"""The trail of a complaint through Odoo's own routes, which run as superuser: the
chatter's message edit and attachment delete, the rating link answered twice, and the
mail gateway called over RPC by people who are not the gateway."""

from odoo.exceptions import AccessError, UserError
from odoo.http import Request
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import new_test_user

from .common import ComplaintsHttpCase, SecondTeamHttpCase


@tagged("post_install", "-at_install")
class TestSealedRoutes(ComplaintsHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.env["iso10002.complaint.team"].create({"name": "Sealed team"})
        cls.team.member_ids = cls.officer
        cls.complaint = cls.env["iso10002.complaint"].create(
            {
                "subject": "Sealed",
                "partner_id": cls.portal.partner_id.id,
                "channel_id": cls.env.ref("iso10002_complaints.channel_phone").id,
                "team_id": cls.team.id,
            }
        )
        cls.note = cls.complaint.with_user(cls.officer).message_post(
            body="Called the customer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        cls.attachment = (
            cls.env["ir.attachment"]
            .with_user(cls.officer)
            .create({"name": "photo.png", "raw": b"img", "res_model": "mail.compose.message", "res_id": 0})
        )
        cls.with_photo = cls.complaint.with_user(cls.officer).message_post(
            body="Photo", attachment_ids=cls.attachment.ids, message_type="comment"
        )

    def _refused(self, route, params):
        with self.assertRaises(Exception), mute_logger("odoo.http"):  # noqa: B017 - any refusal, never a success
            self.make_jsonrpc_request(route, params)

    def test_chatter_cannot_edit_or_blank_a_message(self):
        self.authenticate(self.officer.login, self.officer.login)
        for body in ("REWRITTEN", ""):
            self._refused(
                "/mail/message/update_content", {"message_id": self.note.id, "body": body, "attachment_ids": []}
            )
        self.assertIn("Called the customer", self.note.body)

    def test_portal_token_cannot_edit_a_message(self):
        self.authenticate(None, None)
        token = self.complaint.sudo()._portal_ensure_token()
        self._refused(
            "/mail/message/update_content",
            {"message_id": self.note.id, "body": "I withdraw", "attachment_ids": [], "token": token},
        )
        self.assertIn("Called the customer", self.note.body)

    def test_chatter_cannot_delete_a_document(self):
        self.assertEqual(self.attachment.res_model, "iso10002.complaint")
        self.authenticate(self.officer.login, self.officer.login)
        self._refused("/mail/attachment/delete", {"attachment_id": self.attachment.id})
        self.assertTrue(self.attachment.exists())

    def test_answering_the_rating_twice_keeps_the_first_answer(self):
        token = self.complaint.sudo()._rating_get_access_token()
        self.authenticate(None, None)
        for rate, feedback in ((5, "great"), (1, "CHANGED: terrible")):
            response = self.url_open(
                f"/rate/{token}/submit_feedback",
                data={"rate": rate, "feedback": feedback, "csrf_token": Request.csrf_token(self)},
            )
            self.assertEqual(response.status_code, 200)
        rating = self.env["rating.rating"].search([("access_token", "=", token)])
        self.assertEqual(rating.rating, 1)
        bodies = self.complaint.message_ids.mapped("body")
        self.assertTrue(any("great" in body for body in bodies), "the first answer stays in the trail")
        self.assertTrue(any("Rating changed from 5 to 1" in body for body in bodies))

    def test_portal_colleague_cannot_read_the_complainants_token(self):
        self.complaint.sudo()._portal_ensure_token()
        with self.assertRaises(AccessError):
            self.complaint.with_user(self.portal).read(["access_token"])


@tagged("post_install", "-at_install")
class TestNoBackDoor(ComplaintsHttpCase):
    """What RPC callers other than the process cannot do, whatever the method."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notify_force_send=False))
        cls.team = cls.env["iso10002.complaint.team"].create({"name": "Door team"})
        cls.team.member_ids = cls.officer
        cls.complainant = cls.env["res.partner"].create({"name": "Door Complainant", "email": "door@x.example"})
        cls.complaint = cls.env["iso10002.complaint"].create(
            {
                "subject": "Door",
                "partner_id": cls.complainant.id,
                "channel_id": cls.env.ref("iso10002_complaints.channel_phone").id,
                "team_id": cls.team.id,
            }
        )

    def test_the_gateway_is_not_an_rpc_back_door(self):
        raw = b"From: x@y.example\nTo: nobody@nowhere.example\nSubject: planted\nMessage-Id: <planted@y>\n\nhi\n"
        for user in (self.employee, self.officer):
            with self.assertRaises(AccessError):
                self.env["mail.thread"].with_user(user).message_process(
                    "iso10002.complaint", raw, custom_values={"findings": "<p>planted</p>", "active": False}
                )
        self.assertFalse(
            self.env["iso10002.complaint"].with_context(active_test=False).search([("subject", "=", "planted")])
        )

    def test_a_reader_does_not_write_to_the_complainant(self):
        complaint = self.complaint.with_user(self.auditor)
        with self.assertRaises(AccessError):
            complaint.message_post(body="Your complaint was rejected", partner_ids=self.complainant.ids)
        with self.assertRaises(AccessError):
            complaint.message_notify(body="Pay here", partner_ids=self.complainant.ids, author_id=1)

    def test_messages_are_not_forged(self):
        complaint = self.complaint.with_user(self.officer)
        forged = [
            {"author_id": self.complainant.id},
            {"date": "2020-01-01 00:00:00"},
            {"message_type": "email"},
        ]
        for values in forged:
            with self.subTest(values=values), self.assertRaises(AccessError):
                complaint.message_post(body="I withdraw my complaint", **values)
        with self.assertRaises(AccessError):
            self.env["mail.message"].with_user(self.officer).create(
                {
                    "model": "iso10002.complaint",
                    "res_id": self.complaint.id,
                    "body": "old",
                    "date": "2019-05-05 00:00:00",
                    "author_id": self.complainant.id,
                }
            )

    def test_no_skipping_steps_through_an_empty_stage(self):
        complaint = self.complaint.with_user(self.officer)
        with self.assertRaises(UserError):
            complaint.write({"stage_id": False})
        with self.assertRaises(UserError):
            self.env["iso10002.complaint"].with_user(self.officer).create(
                {"subject": "No stage", "channel_id": self.complaint.channel_id.id, "stage_id": False}
            )

    def test_actions_ignore_the_callers_context(self):
        complaint = self.complaint
        complaint.write({"withdrawal_reason": "Settled by phone"})
        # end of the transaction that created it (Odoo does not track a record in the
        # transaction that creates it)
        self.env.flush_all()
        self.env.cr.precommit.run()
        before = complaint.message_ids
        complaint.with_user(self.officer).with_context(tracking_disable=True, mail_notrack=True).action_withdraw()
        self.assertEqual(complaint.step, "withdrawn")
        self.env.flush_all()
        self.env.cr.precommit.run()
        complaint.invalidate_recordset(["message_ids"])
        new = complaint.message_ids - before
        self.assertTrue(new.sudo().tracking_value_ids, "the move is tracked whatever the caller's context")

    def test_no_open_complaint_born_archived_nor_copied_nor_backdated(self):
        Complaint = self.env["iso10002.complaint"].with_user(self.officer)
        vals = {"subject": "Hidden", "channel_id": self.complaint.channel_id.id, "team_id": self.team.id}
        with self.assertRaises(UserError):
            Complaint.create({**vals, "active": False})
        with self.assertRaises(UserError):
            Complaint.with_context(default_active=False).create(vals)
        with self.assertRaises(UserError):
            self.complaint.with_user(self.officer).copy()
        with self.assertRaises(AccessError):
            self.complaint.with_user(self.officer).write({"received_date": "2020-01-01 00:00:00"})

    def test_documents_are_neither_hidden_nor_published(self):
        attachment = self.env["ir.attachment"].create(
            {"name": "photo.png", "raw": b"img", "res_model": self.complaint._name, "res_id": self.complaint.id}
        )
        for values in ({"res_field": "hidden"}, {"public": True}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                attachment.with_user(self.officer).write(values)


@tagged("post_install", "-at_install")
class TestReportDownloads(HttpCase):
    """The reports of a complaint over /report: for those who may read the complaint only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        officer_group = "iso10002_complaints.group_complaint_officer"
        cls.officer_a = new_test_user(cls.env, login="report_officer_a", groups=officer_group)
        cls.officer_b = new_test_user(cls.env, login="report_officer_b", groups=officer_group)
        new_test_user(cls.env, login="report_employee", groups="base.group_user")
        cls.portal = new_test_user(cls.env, login="report_portal", groups="base.group_portal", email="rp@x.example")
        team_a = cls.env["iso10002.complaint.team"].create({"name": "Report A", "member_ids": cls.officer_a.ids})
        cls.env["iso10002.complaint.team"].create({"name": "Report B", "member_ids": cls.officer_b.ids})
        cls.complaint = cls.env["iso10002.complaint"].create(
            {
                "subject": "Report me",
                "partner_id": cls.portal.partner_id.id,
                "channel_id": cls.env.ref("iso10002_complaints.channel_phone").id,
                "team_id": team_a.id,
            }
        )

    @mute_logger("odoo.http", "odoo.addons.http_routing.models.ir_http")
    def test_reports_only_for_readers(self):
        reports = ("report_complaint_dossier", "report_complaint_acknowledgement", "report_complaint_decision")
        for login, allowed in (
            ("report_officer_a", True),
            ("report_officer_b", False),
            ("report_employee", False),
            ("report_portal", False),
            (None, False),
        ):
            self.authenticate(login, login)
            for report in reports:
                with self.subTest(login=login, report=report):
                    url = f"/report/html/iso10002_complaints.{report}/{self.complaint.id}"
                    response = self.url_open(url, allow_redirects=False)
                    if allowed and report == "report_complaint_decision":
                        # readable, but nothing is decided yet: a clear refusal, not an empty letter
                        self.assertEqual(response.status_code, 400)
                        self.assertIn("no decision is recorded yet", response.text)
                    elif allowed:
                        self.assertEqual(response.status_code, 200)
                        self.assertIn(self.complaint.name, response.text)
                    else:
                        self.assertNotIn("Report me", response.text)
                        self.assertIn(response.status_code, (303, 403), "refused (or sent to log in), not rendered")


@tagged("post_install", "-at_install")
class TestMessagesNotForgedByDefaults(SecondTeamHttpCase):
    """Context defaults do not forge the messages of a complaint."""

    def test_context_defaults_do_not_forge_messages(self):
        company_partner = self.complaint.company_id.partner_id
        for user, context in (
            (self.portal, {"default_author_id": company_partner.id, "default_date": "2019-01-01 08:00:00"}),
            (self.officer, {"default_author_id": self.portal.partner_id.id}),
            (self.officer, {"default_message_type": "email"}),
        ):
            with self.subTest(user=user.login, context=context), self.assertRaises(AccessError):
                self.env["mail.message"].with_user(user).with_context(**context).create(
                    {"model": "iso10002.complaint", "res_id": self.complaint.id, "body": "Decision: we reject"}
                )
