"""Complaints-handling objectives (ISO 10002 6.2): targets, actual values from the complaints, who
reads them."""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ComplaintsCase


@tagged("post_install", "-at_install")
class TestObjectives(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Objective = cls.env["iso10002.objective"]

    def _objective(self, metric, target, **values):
        return self.Objective.create(
            {
                "metric": metric,
                "target": target,
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 3, 31),
                "company_ids": [Command.set(self.company.ids)],
                "team_ids": [Command.set(self.team_a.ids)],
                **values,
            }
        )

    def test_actual_values_come_from_the_complaints(self):
        with freeze_time("2026-02-02 09:00:00"):
            first = self._complaint(partner_id=self.person_about.id)
            self._walk_to(first, "closed")
            second = self._complaint(partner_id=self.person_about.id)
            self._walk_to(second, "acknowledged")
        with freeze_time("2026-04-01 09:00:00"):
            backlog = self._objective("open_end", 0)
            repeat = self._objective("repeat_rate", 10)
            ack = self._objective("ack_in_time", 95)
            self.assertEqual(backlog.actual, 1.0, "one complaint was still open at the end of March")
            self.assertEqual(backlog.status, "missed")
            self.assertEqual(repeat.actual, 100.0, "both complaints came from the same complainant")
            self.assertEqual(ack.actual, 100.0)
            self.assertEqual(ack.status, "met")
            self.assertEqual(ack.trend, "no_data", "nothing was received in the previous quarter")
            satisfaction = self._objective("satisfaction", 80)
            self.assertEqual(satisfaction.status, "no_data", "nobody rated: no figure, not a zero")
            # the objective narrowed to another category measures nothing
            other = self.env["iso10002.complaint.category"].create({"name": "Billing"})
            self.assertEqual(self._objective("open_end", 0, category_ids=[Command.set(other.ids)]).actual, 0.0)

    def test_the_review_lists_the_objectives_of_its_period(self):
        self._objective("ack_in_time", 95, name="Acknowledge 95% in time")
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2026, 2, 1), "date_to": date(2026, 2, 28)}
        )
        values = wizard._review_values()
        self.assertIn("Acknowledge 95% in time", [o["name"] for o in values["objectives"]])
        html = self.env["ir.qweb"]._render(
            "iso10002_complaints.report_management_review_figures",
            {"v": values, "charts": self.env["report.iso10002_complaints.report_management_review"]._charts(values)},
        )
        self.assertIn("Acknowledge 95% in time", html)

    def test_objectives_are_for_managers_and_auditors_of_their_company(self):
        objective = self._objective("open_end", 5)
        objective.with_user(self.auditor).read(["actual", "status"])
        with self.assertRaises(AccessError):
            objective.with_user(self.auditor).write({"target": 1})
        for user in (self.officer_a, self.employee, self.portal_user):
            with self.assertRaises(AccessError):
                objective.with_user(user).read(["actual"])
        manager_b = new_test_user(
            self.env,
            login="manager_b",
            groups="iso10002_complaints.group_complaint_manager",
            company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        self.assertFalse(self.Objective.with_user(manager_b).search([]), "another company's objectives stay its own")
