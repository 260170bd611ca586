"""Corrective actions that close the loop (ISO 10002 8.6): from a complaint or a review, done by
one person, judged effective by another."""

import random
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ComplaintsCase, CorrectiveActionRpcCase


@tagged("post_install", "-at_install")
class TestCorrectiveLoop(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Action = cls.env["iso10002.corrective.action"]

    def _action(self, **values):
        return self.Action.create({"name": "Retrain the drivers", "user_id": self.officer_a.id, **values})

    def test_one_click_from_a_complaint_and_from_several(self):
        first, second = self._complaint(), self._complaint(subject="Parcel late again")
        result = first.with_user(self.officer_a).action_create_corrective_action()
        action = self.Action.browse(result["res_id"])
        self.assertEqual(action.complaint_ids, first)
        self.assertIn(first.name, action.name)
        both = (first | second).with_user(self.officer_a).action_create_corrective_action()
        self.assertEqual(self.Action.browse(both["res_id"]).complaint_ids, first | second)
        self.assertIn("Linked to corrective action", first.message_ids[0].body)
        # an officer cannot make one from a complaint of a team not theirs
        other = self._complaint(team_id=self.team_b.id)
        with self.assertRaises(AccessError):
            other.with_user(self.officer_a).action_create_corrective_action()
        # nor from complaints of two companies
        foreign = self._complaint(team_id=self.team_other_company.id, company_id=self.company_b.id)
        with self.assertRaises(UserError):
            (first | foreign).action_create_corrective_action()

    def test_one_click_from_a_review_decision(self):
        review = self.env["iso10002.management.review"].create(
            {
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 3, 31),
                "decision_ids": [
                    Command.create(
                        {"name": "Change the carrier", "user_id": self.officer_a.id, "deadline": date(2026, 6, 30)}
                    )
                ],
            }
        )
        decision = review.decision_ids
        result = decision.with_user(self.manager).action_create_corrective_action()
        action = self.Action.browse(result["res_id"])
        self.assertEqual(
            (action.review_id, action.user_id, action.deadline), (review, self.officer_a, date(2026, 6, 30))
        )
        self.assertEqual(decision.corrective_action_id, action)
        with self.assertRaises(UserError):
            decision.with_user(self.manager).action_create_corrective_action()

    def test_the_verifier_is_not_the_owner(self):
        with self.assertRaises(ValidationError):
            self._action(verifier_id=self.officer_a.id)
        action = self._action(verifier_id=self.officer_b.id)
        with self.assertRaises(ValidationError):
            action.user_id = self.officer_b

    def test_effective_only_once_done_and_only_by_the_verifier(self):
        action = self._action(verifier_id=self.officer_b.id, effectiveness_note="Late deliveries fell to 1%")
        as_owner, as_verifier = action.with_user(self.officer_a), action.with_user(self.officer_b)
        with self.assertRaisesRegex(UserError, "not done yet"):
            as_verifier.action_verify_effective()
        # not through a write, an import or RPC either, before or after it is done
        for values in ({"effectiveness": "effective"}, {"state": "done"}, {"verified_by_id": self.officer_b.id}):
            with self.assertRaises(AccessError):
                as_verifier.write(values)
        with self.assertRaises(AccessError):
            self.Action.with_user(self.officer_a).create({"name": "Born done", "state": "done"})
        with self.assertRaises(AccessError):
            self.Action.with_user(self.officer_a).create({"name": "Born effective", "effectiveness": "effective"})
        as_owner.action_done()
        self.assertEqual(action.effectiveness_due_date, fields.Date.today() + timedelta(days=30))
        check = action.activity_ids.filtered(lambda a: a.user_id == self.officer_b)
        self.assertTrue(check, "the verifier is asked to check, by the due date")
        with self.assertRaisesRegex(AccessError, "yours"):
            as_owner.action_verify_effective()
        with self.assertRaises(AccessError):
            action.with_user(self.auditor).action_verify_effective()
        as_verifier.action_verify_effective()
        self.assertEqual((action.effectiveness, action.verified_by_id), ("effective", self.officer_b))
        with self.assertRaisesRegex(UserError, "already checked"):
            as_verifier.action_verify_not_effective()
        with self.assertRaisesRegex(UserError, "already checked"):
            as_verifier.write({"effectiveness_note": "Rewritten after the verdict"})

    def test_done_needs_a_verifier_and_not_effective_asks_for_a_new_action(self):
        action = self._action()
        with self.assertRaisesRegex(UserError, "verifier"):
            action.with_user(self.officer_a).action_done()
        action.verifier_id = self.manager
        action.with_user(self.officer_a).action_done()
        with self.assertRaisesRegex(UserError, "what was checked"):
            action.with_user(self.manager).action_verify_not_effective()
        action.effectiveness_note = "Complaints about late parcels did not fall"
        action.with_user(self.manager).action_verify_not_effective()
        self.assertIn("plan a new action", action.activity_ids.mapped("summary")[0])

    def test_overdue_actions_escalate_once_to_the_representative(self):
        self.company.complaint_representative_id = self.manager
        self.company.complaint_action_escalation_days = 7
        Mail = self.env["mail.mail"]
        with freeze_time("2026-03-01 09:00:00"):
            action = self._action(deadline=date(2026, 3, 5))
        with freeze_time("2026-03-06 09:00:00"):
            self.Action._cron_remind_overdue()
        self.assertEqual(action.escalation_level, 1)
        self.assertFalse(Mail.search([("recipient_ids", "in", self.manager.partner_id.id)]))
        for day in ("2026-03-12", "2026-03-13"):
            with freeze_time(f"{day} 09:00:00"):
                self.Action._cron_remind_overdue()
        self.assertEqual(action.escalation_level, 2)
        escalations = Mail.search([("recipient_ids", "in", self.manager.partner_id.id)])
        self.assertEqual(len(escalations), 1, "escalated once, however often the job runs")
        self.assertIn("escalated to you", escalations.subject)
        # a new deadline starts the escalation again
        action.with_user(self.officer_a).deadline = date(2026, 4, 30)
        self.assertEqual(action.escalation_level, 0)


@tagged("post_install", "-at_install")
class TestCorrectiveActionsOverRpc(CorrectiveActionRpcCase):
    """The refusals as the web client and integrators reach them: JSON-RPC."""

    @mute_logger("odoo.http")
    def test_the_verdict_cannot_be_written_or_forced_through_the_context(self):
        self.authenticate("ms_officer", "ms_officer")
        rng = random.Random(10002)
        for _i in range(20):
            values = {
                rng.choice(["effectiveness", "state", "verified_by_id", "done_date", "escalation_level"]): rng.choice(
                    ["effective", "done", 1, "2026-01-01", 2]
                )
            }
            context = {
                rng.choice(["iso10002_engine", "tracking_disable", "default_effectiveness"]): rng.choice([True, 1, "x"])
            }
            answer = self._call("write", [self.action.ids, values], {"context": context})
            self.assertIn("error", answer, values)
            self.assertNotEqual(answer["error"]["data"]["name"], "builtins.Exception")
        self.action.invalidate_recordset()
        self.assertEqual((self.action.state, self.action.effectiveness), ("open", "pending"))
        # the owner marks it done, then cannot judge it
        self.assertNotIn("error", self._call("action_done", [self.action.ids], route="/web/dataset/call_button"))
        answer = self._call("action_verify_effective", [self.action.ids], route="/web/dataset/call_button")
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.action.invalidate_recordset()
        self.assertEqual(self.action.effectiveness, "pending")


@tagged("post_install", "-at_install")
class TestCorrectiveActionRoles(ComplaintsCase):
    """Who may do, judge and read a corrective action."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Action = cls.env["iso10002.corrective.action"]
        cls.Audit = cls.env["iso10002.audit"]

    def test_the_owner_who_did_the_action_never_judges_it(self):
        action = self.Action.create({"name": "Swap", "user_id": self.officer_a.id, "verifier_id": self.officer_b.id})
        mine = action.with_user(self.officer_a)
        mine.write({"user_id": self.officer_b.id, "verifier_id": self.officer_a.id})
        mine.action_done()
        mine.effectiveness_note = "Looks fine to me"
        with self.assertRaises(AccessError):
            mine.action_verify_effective()
        with self.assertRaisesRegex(UserError, "record of what was done"):
            mine.write({"verifier_id": self.manager.id})
        with self.assertRaises(UserError):
            mine.write({"complaint_ids": [Command.clear()], "name": "Renamed"})

    def test_officers_see_the_actions_of_their_teams_and_no_complainant_words(self):
        theirs = self._complaint(team_id=self.team_b.id, subject="My neighbour's name is in here")
        result = theirs.with_user(self.officer_b).action_create_corrective_action()
        action = self.Action.browse(result["res_id"])
        self.assertNotIn("neighbour", action.name, "named by its reference, not by what was written")
        self.assertFalse(self.Action.with_user(self.officer_a).search([("id", "=", action.id)]))
        with self.assertRaises(AccessError):
            action.with_user(self.officer_a).write({"name": "hijacked"})
        self.assertTrue(action.with_user(self.auditor).read(["name"]))
