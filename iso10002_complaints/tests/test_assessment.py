"""The assessment feeds the process (ISO 10002 7.5): a safety issue is told at once and
acted on before the assessment ends; the complexity chooses the SLA policy. Over RPC as
the officer owning the complaint and as the manager."""

import json
from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import ComplaintsCase, MailGatewayCase
from .test_escalation import C, EscalationCase

OFFICER = "iso10002_complaints.group_complaint_officer"


@tagged("post_install", "-at_install")
class TestSafetyIssue(EscalationCase):
    """A safety issue is told at once to the representative and the escalation manager,
    once per marking; it cannot leave the assessment without its immediate action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.complaint_representative_id = cls.representative
        cls.company.complaint_escalation_user_id = cls.manager

    def _alerts(self, complaint):
        return complaint.message_ids.filtered(lambda m: "Marked as a safety issue" in (m.body or ""))

    def _notified(self, message):
        return message.sudo().notification_ids.res_partner_id

    def test_marked_over_rpc_by_the_owner_alerts_once_per_marking(self):
        complaint = self._complaint(user_id=self.officer_a.id)
        self._rpc(self.officer_a, C, "write", complaint.ids, {"safety_issue": True})
        [alert] = self._alerts(complaint)
        self.assertEqual(self._notified(alert), (self.representative | self.manager).partner_id)
        self.assertNotIn(self.complainant, self._notified(alert), "an internal note: not to the complainant")
        self.assertEqual(alert.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(alert.author_id, self.officer_a.partner_id, "who marked it")
        self.assertIn("Representative", alert.body)
        self.assertIn("Complaints Manager", alert.body)
        # every later write, the mark repeated or not: no new alert
        self._rpc(self.officer_a, C, "write", complaint.ids, {"safety_issue": True, "impact": "high"})
        self._rpc(self.officer_a, C, "write", complaint.ids, {"urgency": "high"})
        self.assertEqual(len(self._alerts(complaint)), 1)
        # unmarked (by a manager: the officer may not, TestTheProcessDoesWhatItRecords), then
        # marked again: a new marking, a new alert
        self._rpc(self.manager, C, "write", complaint.ids, {"safety_issue": False})
        self.assertEqual(len(self._alerts(complaint)), 1)
        self._rpc(self.manager, C, "write", complaint.ids, {"safety_issue": True})
        self.assertEqual(len(self._alerts(complaint)), 2)
        # the complainant hears of none of it: no mail to them about it
        mails = self.env["mail.mail"].sudo().search([("model", "=", C), ("res_id", "=", complaint.id)])
        self.assertFalse(mails.filtered(lambda m: self.complainant in m.recipient_ids and "safety" in m.body_html))
        # the representative reads the alert in the chatter over RPC
        messages = self._rpc(
            self.representative,
            "mail.message",
            "search_read",
            [("model", "=", C), ("res_id", "=", complaint.id)],
            fields=["body"],
        )
        self.assertEqual(sum("Marked as a safety issue" in row["body"] for row in messages), 2)

    def test_created_as_a_safety_issue_over_rpc_alerts_at_once(self):
        complaint_id = self._rpc(
            self.officer_a,
            C,
            "create",
            {
                "subject": "Heater sparks",
                "partner_id": self.complainant.id,
                "channel_id": self.channel_phone.id,
                "team_id": self.team_a.id,
                "safety_issue": True,
            },
        )
        complaint = self.env[C].browse(complaint_id)
        [alert] = self._alerts(complaint)
        self.assertEqual(self._notified(alert), (self.representative | self.manager).partner_id)

    def test_an_import_marked_as_a_safety_issue_alerts_too(self):
        complaint = self.env[C]._import_complaints(
            [{"subject": "Imported hazard", "partner_id": self.complainant.id, "safety_issue": True}]
        )
        self.assertEqual(len(self._alerts(complaint)), 1)

    def test_without_representative_nor_escalation_manager_the_managers_are_alerted(self):
        self.company.complaint_representative_id = False
        self.company.complaint_escalation_user_id = False
        complaint = self._complaint(user_id=self.officer_a.id)
        self._rpc(self.officer_a, C, "write", complaint.ids, {"safety_issue": True})
        notified = self._notified(self._alerts(complaint))
        self.assertIn(self.manager.partner_id, notified)
        self.assertIn(self.representative.partner_id, notified, "a manager of the company")
        self.assertNotIn(self.manager_b.partner_id, notified)
        self.assertNotIn(self.gone_manager.partner_id, notified)
        self.assertNotIn(self.officer_a.partner_id, notified)

    def test_who_may_not_read_the_complaint_is_not_alerted(self):
        self.company.complaint_representative_id = self.officer_b  # another team's officer
        complaint = self._complaint(user_id=self.officer_a.id)
        self._rpc(self.officer_a, C, "write", complaint.ids, {"safety_issue": True})
        alert = self._alerts(complaint)
        self.assertEqual(self._notified(alert), self.manager.partner_id)
        self.assertNotIn("Officer B", alert.body)

    def _call_button(self, login, method, complaint):
        self.env.flush_all()
        self.authenticate(login, login)
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": C, "method": method, "args": [complaint.ids], "kwargs": {}},
        }
        response = self.url_open(
            "/web/dataset/call_button", data=json.dumps(payload), headers={"Content-Type": "application/json"}
        )
        self.env.invalidate_all()
        return response.json()

    @mute_logger("odoo.http")
    def test_a_safety_issue_leaves_the_assessment_only_with_its_immediate_action(self):
        complaint = self._walk_to(self._complaint(user_id=self.officer_a.id, safety_issue=True), "assessment")
        complaint.investigator_id = self.officer_b
        complaint.remedy = "apology"
        for login, method in (("officer_a", "action_investigate"), ("cmp_manager", "action_respond")):
            error = self._call_button(login, method, complaint)["error"]["data"]
            self.assertEqual(error["name"], "odoo.exceptions.UserError")
            self.assertIn("Immediate Action", error["message"])
            self.assertEqual(error["context"], {"iso10002_field": "immediate_action", "iso10002_page": "description"})
        self.assertEqual(complaint.step, "assessment")
        # blank text is no action
        self._rpc(self.officer_a, C, "write", complaint.ids, {"immediate_action": "   "})
        self.assertIn("error", self._call_button("officer_a", "action_investigate", complaint))
        self._rpc(self.officer_a, C, "write", complaint.ids, {"immediate_action": "Told the customer to unplug it."})
        self.assertNotIn("error", self._call_button("officer_a", "action_investigate", complaint))
        self.assertEqual(complaint.step, "investigation")

    def test_a_complaint_without_safety_issue_needs_no_immediate_action(self):
        complaint = self._walk_to(self._complaint(user_id=self.officer_a.id), "investigation")
        self.assertFalse(complaint.immediate_action)


@tagged("post_install", "-at_install")
class TestComplexityChoosesThePolicy(EscalationCase):
    def test_a_complex_complaint_gets_the_complex_policy_deadlines(self):
        complex_policy = self.env["iso10002.sla.policy"].create(
            {"name": "Complex", "complexity": "high", "ack_target_hours": 8, "resolution_target_hours": 40}
        )
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._received(datetime(2026, 3, 9, 8, 0))
            simple = self._received(datetime(2026, 3, 9, 8, 0), complexity="low")
            self.assertEqual(complaint.sla_policy_id, self.policy)
        self._rpc(self.officer_a, C, "write", complaint.ids, {"complexity": "high"})
        self.assertEqual(complaint.sla_policy_id, complex_policy, "re-matched when the complexity changes")
        self.assertEqual(simple.sla_policy_id, self.policy)
        # 40 working hours from Monday 08:00: Friday 17:00, against 16 (Tuesday 17:00)
        self.assertEqual(complaint.resolution_deadline, datetime(2026, 3, 13, 17, 0))
        self.assertEqual(simple.resolution_deadline, datetime(2026, 3, 10, 17, 0))
        self.assertEqual(
            complaint.sla_event_ids.filtered(lambda e: e.kind == "policy").sorted("id").policy_id,
            self.policy | complex_policy,
        )
        # created complex: matched at once
        with freeze_time("2026-03-09 08:00:00"):
            born_complex = self._received(datetime(2026, 3, 9, 8, 0), complexity="high")
        self.assertEqual(born_complex.sla_policy_id, complex_policy)


@tagged("post_install", "-at_install")
class TestSafetyMarking(ComplaintsCase):
    # ------------------------------------------------------------- item 6/7
    def test_09_safety_alert_not_to_the_person_complained_about(self):
        """4.7, Annex D: the representative is the person complained about: the alert
        (asking the immediate action) goes to someone else."""
        self.company.complaint_representative_id = self.manager
        self.company.complaint_escalation_user_id = False
        complaint = self._complaint(user_id=self.officer_a.id, person_complained_about_id=self.manager.partner_id.id)
        complaint.with_user(self.officer_a).write({"safety_issue": True})
        alert = complaint.sudo().message_ids.filtered(lambda m: "safety issue" in (m.body or ""))
        self.assertTrue(alert)
        self.assertNotIn(self.manager.partner_id, alert.partner_ids, "alert sent to the person complained about")

    # ------------------------------------------------------------- item 6
    def test_13_safety_unmarked_to_skip_immediate_action(self):
        """7.5: a safety issue, once alerted, is not unmarked by the officer to pass the
        immediate-action gate."""
        complaint = self._complaint(user_id=self.officer_a.id, safety_issue=True)
        self._walk_to(complaint, "assessment")
        officer = complaint.with_user(self.officer_a)
        officer.investigator_id = self.officer_a
        with self.assertRaises(UserError):
            officer.action_investigate()
        with self.assertRaises(UserError, msg="safety issue unmarked by the officer after the alert"):
            officer.write({"safety_issue": False})


@tagged("post_install", "-at_install")
class TestSafetyEscalationManager(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.archived_officer = new_test_user(cls.env, login="gone_officer", groups=OFFICER, name="Gone Officer")
        cls.archived_officer.active = False

    def test_40_safety_marking_fails_when_escalation_manager_has_no_complaint_rights(self):
        """The company's escalation manager is an internal user without complaint rights
        (misconfigured, or an officer who changed job): marking a safety issue crashes."""
        self.company.write({"complaint_escalation_user_id": self.employee.id})
        c = self._complaint()
        try:
            c.with_user(self.officer_a).safety_issue = True
            self.env.flush_all()
        except AccessError as e:
            self.fail(f"BREAK: marking a safety issue is refused: {e}")
