"""Audits of the complaints-handling process (ISO 10002 8.5): from plan to review, and a done audit
stays as it was."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import ComplaintsCase


@tagged("post_install", "-at_install")
class TestAudits(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-02-02 09:00:00"):
            cls.decided = cls._complaint(subject="Audited")
        cls.Audit = cls.env["iso10002.audit"]

    def _audit(self, user):
        return self.Audit.with_user(user).create(
            {
                "name": "Q1 audit",
                "planned_date": date(2026, 4, 10),
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 3, 31),
                "auditor_type": "internal",
                "auditor_user_id": self.auditor.id,
                "team_ids": [Command.set(self.team_a.ids)],
            }
        )

    def test_an_audit_from_plan_to_review(self):
        audit = self._audit(self.auditor)
        audit.action_start()
        self.assertEqual(audit.state, "in_progress")
        keys = audit.finding_ids.mapped("check_key")
        self.assertIn("acknowledged", keys, "the checklist of the process audit")
        acknowledged = audit.finding_ids.filtered(lambda f: f.check_key == "acknowledged")
        self.assertEqual((acknowledged.applicable, acknowledged.passed), (1, 1))
        finding = audit.finding_ids.filtered(lambda f: f.check_key == "satisfaction")
        finding.with_user(self.auditor).write({"result": "nonconformity", "evidence": "Nobody is asked"})
        with self.assertRaisesRegex(UserError, "opens a corrective action"):
            audit.action_done()
        # the auditor records; the process owner acts
        with self.assertRaises(AccessError):
            finding.with_user(self.auditor).action_create_corrective_action()
        result = finding.with_user(self.manager).action_create_corrective_action()
        action = self.env["iso10002.corrective.action"].browse(result["res_id"])
        self.assertEqual(action.finding_id, finding)
        others = audit.finding_ids.filtered(lambda f: f.result == "nonconformity" and not f.corrective_action_ids)
        for other in others:
            other.with_user(self.manager).action_create_corrective_action()
        with freeze_time("2026-04-15"):
            audit.action_done()
        self.assertEqual((audit.state, audit.nonconformity_count), ("done", 1 + len(others)))
        with self.assertRaises(UserError):
            audit.write({"conclusion": "<p>Rewritten</p>"})
        with self.assertRaises(UserError):
            finding.with_user(self.auditor).write({"result": "conformity"})
        with freeze_time("2026-06-30"):
            wizard = self.env["iso10002.management.review.wizard"].create(
                {"date_from": date(2026, 4, 1), "date_to": date(2026, 6, 30)}
            )
            audits = wizard._review_values()["audits"]
        self.assertEqual([a["name"] for a in audits], ["Q1 audit"])
        self.assertIn("nonconformity", [f["result"] for f in audits[0]["findings"]])

    def test_who_may_touch_an_audit(self):
        audit = self._audit(self.manager)
        audit.with_user(self.officer_a).read(["name", "state"])
        with self.assertRaises(AccessError):
            audit.with_user(self.officer_a).write({"name": "Mine"})
        with self.assertRaises(AccessError):
            self._audit(self.officer_a)
        with self.assertRaises(AccessError):
            audit.with_user(self.auditor).unlink()
        with self.assertRaises(UserError):
            audit.with_user(self.auditor).write({"state": "done"})
        with self.assertRaises(AccessError):
            audit.with_user(self.officer_other_company).read(["name"])
        with self.assertRaises(ValidationError):
            audit.auditor_partner_id = self.person_about


@tagged("post_install", "-at_install")
class TestNothingSetAroundTheRules(ComplaintsCase):
    """No context default nor later write sets what the auditor's process did not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Action = cls.env["iso10002.corrective.action"]
        cls.Audit = cls.env["iso10002.audit"]

    def test_no_default_context_key_sets_what_a_role_may_not_write(self):
        complaint = (
            self.env["iso10002.complaint"]
            .with_user(self.officer_a)
            .with_context(default_legal_hold=True, default_legal_hold_reason="mine")
            .create({"subject": "Held by a default?", "team_id": self.team_a.id, "channel_id": self.channel_phone.id})
        )
        self.assertFalse(complaint.legal_hold)
        audit = (
            self.Audit.with_user(self.auditor)
            .with_context(default_state="done", default_done_date="2026-01-01")
            .create({"name": "Born done?"})
        )
        self.assertEqual((audit.state, audit.done_date), ("planned", False))
        with self.assertRaises(UserError):
            audit.with_user(self.auditor).write({"state": "done"})

    def test_a_done_audit_stays_as_it_was(self):
        audit = self.Audit.with_user(self.auditor).create(
            {"name": "Frozen", "team_ids": [Command.set(self.team_a.ids)]}
        )
        audit.action_start()
        finding = audit.finding_ids[:1]
        with self.assertRaisesRegex(UserError, "figures of a finding"):
            finding.with_user(self.auditor).write({"applicable": 1, "passed": 1})
        with self.assertRaisesRegex(UserError, "figures of a finding"):
            self.env["iso10002.audit.finding"].with_user(self.auditor).create(
                {"audit_id": audit.id, "name": "Typed figures", "applicable": 5, "passed": 5}
            )
        audit.finding_ids.write({"result": "conformity"})
        audit.with_user(self.auditor).action_done()
        with self.assertRaises(UserError):
            self.env["iso10002.audit.finding"].with_user(self.auditor).create(
                {"audit_id": audit.id, "name": "Injected", "result": "conformity"}
            )
        with self.assertRaises(AccessError):
            self.Action.with_user(self.officer_a).create({"name": "Linked late", "finding_id": finding.id})
        with self.assertRaises(UserError):
            audit.with_user(self.manager).unlink()
        with self.assertRaises(UserError):
            finding.with_user(self.manager).unlink()


@tagged("post_install", "-at_install")
class TestProcessAuditLists(ComplaintsCase):
    def test_process_audit_lists_never_acknowledged_and_overdue(self):
        # received by letter three weeks ago, recorded today: both deadlines passed, no
        # e-mail to acknowledge it with
        complaint = self._complaint(
            partner_id=self.person_about.id, received_date=fields.Datetime.now() - timedelta(days=21)
        )
        self.assertEqual(complaint.step, "received")
        wizard = self.env["iso10002.process.audit.wizard"].create(
            {"date_from": fields.Date.today() - timedelta(days=30), "date_to": fields.Date.today()}
        )
        self.company.complaint_sla_enabled = False
        without_sla = self._complaint(
            partner_id=self.person_about.id, received_date=fields.Datetime.now() - timedelta(days=20)
        )
        self.assertFalse(without_sla.sla_policy_id)
        values = wizard._audit_values()
        failing = {(e["complaint"], str(e["check"])) for e in values["exceptions"]}
        for late in (complaint, without_sla):
            checks = {str(e[1]) for e in failing if e[0] == late}
            self.assertIn("Acknowledged within target", checks, late.name)
            self.assertIn("Decision communicated within target", checks, late.name)
