"""The assessment feeds the process (ISO 10002 7.5): the complexity chooses the SLA
policy. Over RPC as the officer owning the complaint."""

from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .test_escalation import C, EscalationCase


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
