"""What this module's newer outputs give to whoever reaches them from outside: the
management review printed over HTTP with a period the client sends, the XLSX register
over RPC, the digest's complaint KPIs, the overview's buttons."""

import json
import random
from datetime import datetime
from urllib.parse import quote

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ComplaintsCase

REVIEW_URL = "/report/html/iso10002_complaints.report_management_review?options=%s"


@tagged("post_install", "-at_install")
class TestReviewOverHttp(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Other Review Company"})
        cls.auditor = new_test_user(cls.env, login="http_auditor", groups="iso10002_complaints.group_complaint_auditor")
        cls.officer = new_test_user(cls.env, login="http_officer", groups="iso10002_complaints.group_complaint_officer")
        cls.portal = new_test_user(cls.env, login="http_portal", groups="base.group_portal")

    def _get(self, period):
        return self.url_open(REVIEW_URL % quote(json.dumps({"period": period})), allow_redirects=False)

    @mute_logger("odoo.http", "odoo.addons.http_routing.models.ir_http")
    def test_the_review_period_comes_from_the_client_and_is_checked(self):
        period = {"date_from": "2026-01-01", "date_to": "2026-03-31", "company_ids": [], "team_ids": [], "name": "Q1"}
        self.authenticate("http_auditor", "http_auditor")
        response = self._get(period)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Key figures", response.text)
        rng = random.Random(10)
        hostile = [
            {**period, "company_ids": [self.company_b.id]},
            {**period, "date_from": "0001-01-01"},
            {**period, "date_to": "9999-12-31"},
            {**period, "team_ids": [True]},
            {**period, "company_ids": "1"},
            {"date_from": "2026-03-31", "date_to": "2026-01-01"},
            {"name": "no dates"},
        ]
        hostile += [{**period, "date_from": "".join(rng.choice("0123456789-x") for _n in range(10))} for _i in range(8)]
        for bad in hostile:
            with self.subTest(period=bad):
                response = self._get(bad)
                self.assertEqual(response.status_code, 400, "a clear refusal, never a server error")
                self.assertNotIn("Key figures", response.text)
        for login in ("http_officer", "http_portal"):
            self.authenticate(login, login)
            with self.subTest(login=login):
                response = self._get(period)
                self.assertIn(response.status_code, (303, 403), "refused, not rendered")
                self.assertNotIn("Key figures", response.text)


@tagged("post_install", "-at_install")
class TestOutputsFromOutside(ComplaintsCase):
    def test_the_register_is_for_the_complaints_roles(self):
        complaint = self._complaint(partner_id=self.portal_user.partner_id.id)
        for user in (self.portal_user, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                complaint.with_user(user).action_export_register()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["report.iso10002_complaints.register_xlsx"].with_user(user)._generate(complaint)
        with self.assertRaises(AccessError):
            # an officer of another team names a complaint it cannot read
            self.env["report.iso10002_complaints.register_xlsx"].with_user(self.officer_b)._generate(complaint)
        self.assertTrue(complaint.with_user(self.officer_a).action_export_register()["url"])

    def test_the_digest_counts_what_its_reader_may_read(self):
        self._complaint(partner_id=self.person_about.id)
        self._complaint(partner_id=self.person_about.id, team_id=self.team_b.id)
        digest = self.env["digest.digest"].create({"name": "Weekly", "kpi_iso10002_complaints_received": True})
        period = {"start_datetime": datetime(2000, 1, 1), "end_datetime": datetime(2100, 1, 1)}
        counts = {}
        for user in (self.officer_a, self.officer_b, self.manager):
            digest.invalidate_model(["kpi_iso10002_complaints_received_value"])  # as the digest does per reader
            counts[user.login] = digest.with_user(user).with_context(**period).kpi_iso10002_complaints_received_value
        self.assertLess(counts["officer_a"], counts["cmp_manager"], "an officer counts only their teams'")
        self.assertLess(counts["officer_b"], counts["cmp_manager"])
        digest.invalidate_model(["kpi_iso10002_complaints_received_value"])
        with self.assertRaises(AccessError):
            # (the digest leaves the KPI out of their e-mail)
            digest.with_user(self.employee).with_context(**period).kpi_iso10002_complaints_received_value  # noqa: B018

    def test_the_overview_buttons_open_only_the_figures_they_count(self):
        self._complaint(partner_id=self.person_about.id, user_id=self.officer_a.id)
        self._complaint(partner_id=self.person_about.id, user_id=self.officer_b.id)
        team = self.team_a.with_user(self.officer_a)
        opened = set(team.action_open_backlog()["domain"][0][2])
        for sent in ("received", 42, {"open_end": 1}, ["open_end"], None, "__import__('os')", "actions_open_end"):
            with self.subTest(sent=sent):
                action = team.with_context(backlog_figure=sent, backlog_mine=sent).action_open_backlog()
                self.assertEqual(set(action["domain"][0][2]), opened, "anything else opens the open complaints")
                self.assertEqual(action["context"], {"default_team_id": self.team_a.id, "active_test": False})
        mine = team.with_context(backlog_mine=True).action_open_backlog()
        self.assertEqual(len(mine["domain"][0][2]), 1)


@tagged("post_install", "-at_install")
class TestFormOverHttp(HttpCase):
    """The form's buttons as the web client calls them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(
            cls.env, login="http_form_officer", groups="iso10002_complaints.group_complaint_officer"
        )
        cls.manager = new_test_user(
            cls.env, login="http_form_manager", groups="iso10002_complaints.group_complaint_manager"
        )
        cls.team = cls.env["iso10002.complaint.team"].create(
            {"name": "HTTP form team", "member_ids": [Command.set((cls.officer | cls.manager).ids)]}
        )
        # without an e-mail address: the complaints stay Received until acknowledged
        cls.caller = cls.env["res.partner"].create({"name": "Caller without e-mail"})
        cls.complaint = cls._received("Refused over HTTP")

    @classmethod
    def _received(cls, subject):
        return cls.env["iso10002.complaint"].create(
            {"subject": subject, "partner_id": cls.caller.id, "team_id": cls.team.id}
        )

    def _button(self, method, record):
        return self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {"model": record._name, "method": method, "args": [record.ids], "kwargs": {}},
        )

    def _raw_button(self, method, record):
        """The JSON-RPC answer as the web client gets it, errors included."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": record._name, "method": method, "args": [record.ids], "kwargs": {}},
        }
        response = self.url_open(
            "/web/dataset/call_button", data=json.dumps(payload), headers={"Content-Type": "application/json"}
        )
        return response.json()

    @mute_logger("odoo.http")
    def test_a_refused_step_tells_the_form_which_tab_to_open(self):
        self.authenticate("http_form_officer", "http_form_officer")
        answer = self._raw_button("action_acknowledge", self.complaint)
        error = answer["error"]["data"]
        self.assertEqual(error["name"], "odoo.exceptions.UserError", "a warning, not a server error")
        self.assertIn("Say how complaint", error["message"])
        self.assertEqual(
            error["context"], {"iso10002_field": "acknowledgement_channel", "iso10002_page": "acknowledgement"}
        )

    @mute_logger("odoo.http")
    def test_delete_is_offered_only_while_it_works(self):
        Complaint = self.env["iso10002.complaint"]
        arch = Complaint.with_user(self.manager).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('delete="0"', arch.split(">", 1)[0], "no Delete in the form's menu, which would refuse")
        # an officer has no Delete and cannot call it
        self.authenticate("http_form_officer", "http_form_officer")
        self.assertEqual(
            self._raw_button("action_delete", self.complaint)["error"]["data"]["name"], "odoo.exceptions.AccessError"
        )
        self.assertTrue(self.complaint.exists())
        # a manager deletes a complaint that is still Received, and is taken back to the list
        self.authenticate("http_form_manager", "http_form_manager")
        spam = self._received("Spam")
        self.assertTrue(spam.with_user(self.manager).can_delete)
        action = self._raw_button("action_delete", spam)["result"]
        self.assertEqual((action["res_model"], action["target"]), ("iso10002.complaint", "main"))
        self.assertFalse(spam.exists())
        # once acknowledged, the button is gone, and calling it is refused
        self.complaint.write({"acknowledgement_channel": "phone"})
        self.complaint.action_acknowledge()
        self.assertFalse(self.complaint.with_user(self.manager).can_delete)
        error = self._raw_button("action_delete", self.complaint)["error"]["data"]
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.assertIn("never deleted", error["message"])
        self.assertTrue(self.complaint.exists())
