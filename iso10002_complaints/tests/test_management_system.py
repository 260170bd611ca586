"""The management-system layer (ISO 10002 5.4, 6.2, 8.1, 8.2, 8.5 to 8.7): objectives,
authority limits, audits, corrective actions that close the loop, analysis, retention."""

import json
import random
from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..models import iso10002_complaint_analysis as analysis
from .common import ComplaintsCase


def _received(case, when, **values):
    """A complaint received at ``when`` (through the import, which keeps the dates)."""
    vals = {
        "subject": "Parcel never arrived",
        "partner_id": case.complainant.id,
        "channel_id": case.channel_phone.id,
        "team_id": case.team_a.id,
        "received_date": when,
    }
    vals.update(values)
    return case.env["iso10002.complaint"]._import_complaints([vals])


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


@tagged("post_install", "-at_install")
class TestAuthorityLimits(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.complaint_officer_remedy_limit = 100.0
        cls.company.complaint_representative_id = cls.manager
        cls.team_a.member_ids |= cls.manager

    def _decided(self, amount):
        complaint = self._complaint().with_user(self.officer_a)
        self._walk_to(complaint, "investigation")
        complaint.write({"remedy": "refund", "compensation_amount": amount})
        complaint.action_respond()
        complaint.write({"response_text": "<p>We refund you.</p>", "communication_channel": "phone"})
        return complaint

    def test_an_officer_cannot_send_a_refund_above_the_limit(self):
        complaint = self._decided(500.0)
        self.assertTrue(complaint.needs_remedy_approval)
        approval = complaint.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("iso10002_complaints.mail_activity_type_remedy_approval")
        )
        self.assertEqual(approval.user_id, self.manager, "the representative is asked to approve")
        with self.assertRaisesRegex(UserError, "above the officers' limit"):
            complaint.action_communicate()
        with self.assertRaises(AccessError):
            complaint.action_approve_remedy()
        with self.assertRaises(AccessError):
            complaint.write({"remedy_approved_by_id": self.officer_a.id, "remedy_approved_amount": 1000.0})
        complaint.with_user(self.manager).action_approve_remedy()
        self.assertEqual(complaint.remedy_approved_by_id, self.manager)
        self.assertFalse(approval.exists(), "the approval activity is done")
        self.assertIn("approved by", "".join(complaint.message_ids.mapped("body")))
        with self.assertRaisesRegex(UserError, "no remedy waiting"):
            complaint.with_user(self.manager).action_approve_remedy()
        complaint.action_communicate()
        self.assertEqual(complaint.step, "communicated")

    def test_a_higher_amount_needs_a_new_approval(self):
        complaint = self._decided(500.0)
        complaint.with_user(self.manager).action_approve_remedy()
        complaint.compensation_amount = 900.0
        self.assertTrue(complaint.needs_remedy_approval, "approved up to 500 only")
        complaint.compensation_amount = 400.0
        self.assertFalse(complaint.needs_remedy_approval)

    def test_a_remedy_is_approved_once_decided(self):
        complaint = self._complaint().with_user(self.officer_a)
        self._walk_to(complaint, "investigation")
        complaint.write({"remedy": "refund", "compensation_amount": 500.0})
        self.assertTrue(complaint.needs_remedy_approval)
        with self.assertRaisesRegex(UserError, "once it is decided"):
            complaint.with_user(self.manager).action_approve_remedy()
        foreign = self._complaint(team_id=self.team_other_company.id, company_id=self.company_b.id)
        with self.assertRaises(AccessError):
            foreign.with_user(self.manager).action_approve_remedy()

    def test_within_the_limit_the_officer_decides_alone(self):
        complaint = self._decided(80.0)
        self.assertFalse(complaint.needs_remedy_approval)
        complaint.action_communicate()
        self.assertEqual(complaint.step, "communicated")


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
class TestSimilarComplaints(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls.env["res.partner"].create({"name": "Acme Ltd", "is_company": True})
        cls.acme_buyer = cls.env["res.partner"].create({"name": "Buyer", "parent_id": cls.acme.id})
        cls.acme_clerk = cls.env["res.partner"].create({"name": "Clerk", "parent_id": cls.acme.id})
        cls.stranger = cls.env["res.partner"].create({"name": "Stranger"})

    def test_similar_by_commercial_entity_and_by_text(self):
        when = datetime(2026, 3, 2, 9, 0)
        by_colleague = _received(
            self, when - timedelta(days=20), partner_id=self.acme_clerk.id, subject="Invoice wrong"
        )
        by_text = _received(
            self, when - timedelta(days=3), partner_id=self.stranger.id, subject="The parcel never arrived at my door"
        )
        unrelated = _received(self, when - timedelta(days=2), partner_id=self.stranger.id, subject="Rude call centre")
        too_old = _received(self, when - timedelta(days=400), partner_id=self.acme_clerk.id, subject="Old one")
        foreign = _received(
            self, when, partner_id=self.acme_clerk.id, team_id=self.team_other_company.id, company_id=self.company_b.id
        )
        new = _received(self, when, partner_id=self.acme_buyer.id, subject="My parcel never arrived")
        new.invalidate_recordset()  # as a new request reads it
        similar = new.with_user(self.officer_a).similar_complaint_ids
        self.assertIn(by_colleague, similar, "a colleague's complaint is the same commercial entity's")
        self.assertIn(by_text, similar, "pg_trgm finds the same words")
        self.assertNotIn(unrelated, similar)
        self.assertNotIn(too_old, similar, "outside the company's window")
        self.assertNotIn(foreign, similar, "another company's complaint")
        self.assertEqual(new.complainant_key, by_colleague.complainant_key)
        self.assertNotEqual(new.complainant_key, by_text.complainant_key)
        action = new.with_user(self.officer_a).action_view_similar()
        self.assertEqual(action["domain"], [("id", "in", similar.ids)])
        self.assertEqual(action["views"][0][1], "list", "side by side")
        self.assertEqual(action["display_name"], f"Similar to {new.name}", "the breadcrumb names them")

    def test_texts_are_compared_among_the_complaints_closest_in_time(self):
        """In a register busier than TEXT_NEIGHBOURS complaints, a text alike is looked
        for among the complaints received just before and just after; the same commercial
        entity is still found across the whole window."""
        when = datetime(2019, 3, 2, 9, 0)  # no demo complaint around
        far_text = _received(self, when - timedelta(days=30), partner_id=self.stranger.id)
        far_colleague = _received(
            self, when - timedelta(days=31), partner_id=self.acme_clerk.id, subject="Invoice wrong"
        )
        crowd = [
            _received(self, when - timedelta(days=day), partner_id=self.stranger.id, subject=f"Rude call centre {day}")
            for day in range(1, 4)
        ]
        near_after = _received(self, when + timedelta(days=1), partner_id=self.stranger.id)
        new = _received(self, when, partner_id=self.acme_buyer.id)
        with patch.object(analysis, "TEXT_NEIGHBOURS", 6):
            new.invalidate_recordset()
            similar = new.similar_complaint_ids
        self.assertIn(near_after, similar, "received just after, same words")
        self.assertIn(far_colleague, similar, "the same commercial entity, beyond the neighbours")
        self.assertNotIn(far_text, similar, "the same words, but more than 3 complaints before")
        self.assertFalse(set(crowd) & set(similar), "other words")
        with patch.object(analysis, "TEXT_NEIGHBOURS", 8):
            new.invalidate_recordset()
            self.assertIn(far_text, new.similar_complaint_ids, "within 4 complaints before")

    def test_a_busy_complainant_is_looked_at_closest_in_time(self):
        """However many complaints one commercial entity sent in the window, the lookup
        considers those received closest in time (SAME_CANDIDATES): a bounded cost."""
        when = datetime(2019, 3, 2, 9, 0)  # no demo complaint around
        earlier = [
            _received(self, when - timedelta(days=day), partner_id=self.acme_clerk.id, subject=f"Invoice {day}")
            for day in range(1, 7)
        ]
        new = _received(self, when, partner_id=self.acme_buyer.id, subject="Parcel never arrived")
        with patch.object(analysis, "SAME_CANDIDATES", 4):
            new.invalidate_recordset()
            similar = new.similar_complaint_ids
        self.assertEqual(similar, earlier[0] | earlier[1], "the two received just before (none after)")
        with patch.object(analysis, "SAME_CANDIDATES", 20):
            new.invalidate_recordset()
            self.assertEqual(set(new.similar_complaint_ids), set(earlier))

    def test_no_category_is_not_the_same_category(self):
        when = datetime(2019, 3, 2, 9, 0)
        without = _received(self, when - timedelta(days=10), partner_id=self.acme_clerk.id, subject="Invoice wrong")
        other = _received(
            self,
            when - timedelta(days=1),
            partner_id=self.acme_clerk.id,
            subject="Invoice wrong",
            category_id=self.category.id,
        )
        new = _received(self, when, partner_id=self.acme_buyer.id, subject="Parcel never arrived")
        self.assertEqual(
            new._similar_complaints().ids,
            [other.id, without.id],
            "the same entity both; the latest first, no bonus for none",
        )

    def test_the_officer_sees_only_what_they_may_read(self):
        when = datetime(2026, 3, 2, 9, 0)
        hidden = _received(self, when - timedelta(days=1), team_id=self.team_b.id, subject="Parcel never arrived!")
        confidential = _received(
            self,
            when - timedelta(days=1),
            subject="Parcel never arrived?",
            is_confidential=True,
            user_id=self.officer_b.id,
        )
        new = _received(self, when)
        new.invalidate_recordset()
        self.assertIn(hidden, new.similar_complaint_ids, "the manager sees it")
        new.invalidate_recordset()
        similar = new.with_user(self.officer_a).similar_complaint_ids
        self.assertNotIn(hidden, similar)
        self.assertNotIn(confidential, similar)
        for user in (self.portal_user, self.employee):
            with self.assertRaises(AccessError):
                new.with_user(user).read(["similar_complaint_ids"])
        with self.assertRaises(AccessError):
            new.with_user(self.officer_a).write({"related_complaint_ids": [Command.link(hidden.id)]})

    def test_linking_a_repeat_classifies_it_and_the_review_shows_clusters(self):
        when = datetime(2026, 3, 2, 9, 0)
        earlier = _received(self, when - timedelta(days=5), category_id=self.category.id)
        new = _received(self, when, category_id=self.category.id)
        self.assertEqual(new.classification, "one_off")
        earlier.with_user(self.officer_a).with_context(link_complaint_id=new.id).action_link_related()
        self.assertEqual(new.related_complaint_ids, earlier)
        self.assertEqual(earlier.repeated_by_ids, new)
        self.assertEqual(new.classification, "recurring")
        new.with_user(self.officer_a).classification = "systemic"
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2026, 2, 1), "date_to": date(2026, 3, 31), "team_ids": [Command.set(self.team_a.ids)]}
        )
        values = wizard._review_values()
        self.assertEqual(values["recurring_clusters"][0]["value"], 1)
        self.assertEqual(values["repeats"]["complainants"], 1, "the same complainant twice")

    def test_repeats_are_counted_by_commercial_entity(self):
        when = datetime(2026, 3, 2, 9, 0)
        _received(self, when, partner_id=self.acme_buyer.id)
        _received(self, when, partner_id=self.acme_clerk.id)
        _received(self, when, partner_id=self.stranger.id)
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31), "team_ids": [Command.set(self.team_a.ids)]}
        )
        repeats = wizard._review_values()["repeats"]
        self.assertEqual((repeats["complainants"], repeats["complaints"]), (1, 2))
        self.assertEqual(repeats["top"][0]["label"], "Acme Ltd")

    def test_the_lookup_uses_the_indexes(self):
        new = _received(self, datetime(2026, 3, 2, 9, 0), category_id=self.category.id, product_ids=[])
        first = new.similar_complaint_ids  # warm-up
        new.invalidate_recordset(["similar_complaint_ids"])
        with self.assertQueryCount(__system__=6):
            self.assertEqual(new.similar_complaint_ids, first)


@tagged("post_install", "-at_install")
class TestRetention(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.complaint_retention_months = 12
        cls.Complaint = cls.env["iso10002.complaint"]

    def _closed(self, when, **values):
        with freeze_time(when):
            complaint = self._complaint(**values)
            complaint.message_post(body="My card number is 1234", attachment_ids=[], subtype_xmlid="mail.mt_comment")
            self.env["ir.attachment"].create(
                {"name": "receipt.pdf", "raw": b"%PDF-1.4", "res_model": complaint._name, "res_id": complaint.id}
            )
            complaint.write({"description": "<p>Jane at 12 High Street</p>"})
            self._walk_to(complaint, "closed")
            complaint.rating_apply(2, token=complaint._rating_get_access_token(), feedback="Very slow, Jane")
        return complaint

    def test_expired_complaints_are_anonymised_and_the_figures_stay(self):
        old = self._closed("2025-01-10 09:00:00")
        held = self._closed("2025-01-11 09:00:00")
        recent = self._closed("2026-02-01 09:00:00")
        held.with_user(self.manager).write({"legal_hold": True, "legal_hold_reason": "Court case"})
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}
        )

        def figures():
            values = wizard._review_values()
            for item in values["repeats"]["top"]:
                item.pop("label")
            return values

        before = figures()
        with freeze_time("2026-03-01 02:00:00"):
            self.assertEqual(self.Complaint._cron_anonymise(), 1)
            self.assertEqual(self.Complaint._cron_anonymise(), 0, "done once")
        self.assertTrue(old.anonymised_date)
        self.assertFalse(held.anonymised_date, "on legal hold")
        self.assertFalse(recent.anonymised_date, "within its retention period")
        self.assertFalse(old.partner_id or old.email_from or old.description or old.response_text)
        self.assertEqual(old.subject, "Anonymised complaint")
        self.assertEqual(len(old.message_ids), 1, "only the anonymisation's own log")
        self.assertIn("Anonymised", old.message_ids.body)
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", old._name), ("res_id", "=", old.id)]))
        self.assertFalse(old.rating_ids.feedback)
        self.assertEqual(old.rating_last_value, 2)
        self.assertFalse(old.message_follower_ids)
        self.assertFalse(old.access_token, "the complainant's old link no longer opens it")
        self.assertEqual(figures(), before, "every figure of the review is the same")
        audit = self.env["iso10002.process.audit.wizard"].create(
            {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}
        )
        self.assertTrue(audit._audit_values()["checks"])

    def test_legal_hold_is_a_manager_s_and_refuses_anonymisation(self):
        complaint = self._closed("2025-01-10 09:00:00")
        for user in (self.officer_a, self.auditor, self.employee, self.portal_user):
            with self.assertRaises(AccessError):
                complaint.with_user(user).write({"legal_hold": True})
        complaint.with_user(self.manager).write({"legal_hold": True, "legal_hold_reason": "Claim"})
        with self.assertRaisesRegex(UserError, "legal hold"):
            complaint.with_user(self.manager).action_anonymise()
        with self.assertRaises(AccessError):
            complaint.with_user(self.officer_a).action_anonymise()
        with self.assertRaises(AccessError):
            complaint.with_user(self.officer_a).write({"anonymised_date": fields.Datetime.now()})
        open_one = self._complaint()
        with self.assertRaisesRegex(UserError, "Only closed"):
            open_one.with_user(self.manager).action_anonymise()

    @mute_logger("odoo.addons.iso10002_complaints.models.iso10002_complaint_retention")
    def test_the_job_at_100000_complaints(self):
        """100,000 complaints, 2,000 of them expired: one run anonymises a batch of them
        only, through the indexes, and says what remains."""
        template = self._closed("2024-01-10 09:00:00")
        self.env.flush_all()
        self.env.cr.execute(
            """
            INSERT INTO iso10002_complaint (name, subject, company_id, channel_id, currency_id, stage_id, step,
                                            received_date, closed_date, active, is_open, team_id, legal_hold)
            SELECT 'BULK/' || n, 'Bulk ' || n, company_id, channel_id, currency_id, stage_id, step,
                   received_date, CASE WHEN n <= 2000 THEN closed_date ELSE now() END, true, false, team_id,
                   false
              FROM iso10002_complaint, generate_series(1, 99999) AS n
             WHERE id = %s
            """,
            [template.id],
        )
        self.assertGreaterEqual(self.Complaint.with_context(active_test=False).search_count([]), 100000)
        with freeze_time("2026-03-01 02:00:00"):
            done = self.Complaint._cron_anonymise(limit=500)
        self.assertEqual(done, 500)
        self.assertEqual(self.Complaint.search_count([("anonymised_date", "!=", False)]), 500)
        self.assertEqual(
            self.Complaint.search_count([("subject", "=like", "Bulk %"), ("anonymised_date", "=", False)]), 99999 - 499
        )


@tagged("post_install", "-at_install")
class TestManagementSystemOverRpc(HttpCase):
    """The refusals as the web client and integrators reach them: JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(cls.env, login="ms_officer", groups="iso10002_complaints.group_complaint_officer")
        cls.verifier = new_test_user(cls.env, login="ms_verifier", groups="iso10002_complaints.group_complaint_officer")
        cls.action = cls.env["iso10002.corrective.action"].create(
            {"name": "Fix the labels", "user_id": cls.officer.id, "verifier_id": cls.verifier.id}
        )

    def _call(self, method, args, kwargs=None, route="/web/dataset/call_kw", model="iso10002.corrective.action"):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        }
        response = self.url_open(route, data=json.dumps(payload), headers={"Content-Type": "application/json"})
        return response.json()

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

    @mute_logger("odoo.http")
    def test_similar_complaints_over_rpc_as_officers_of_two_teams(self):
        """What the form reads over JSON-RPC: an officer sees the similar complaints of
        their team, never another team's, nor counted; another team's officer cannot read
        the complaint at all; text nobody types is refused to an officer as to anyone."""
        other = new_test_user(self.env, login="ms_other", groups="iso10002_complaints.group_complaint_officer")
        Team = self.env["iso10002.complaint.team"]
        mine = Team.create({"name": "Mine", "member_ids": [Command.set(self.officer.ids)]})
        theirs = Team.create({"name": "Theirs", "member_ids": [Command.set(other.ids)]})
        channel = self.env.ref("iso10002_complaints.channel_phone")
        acme = self.env["res.partner"].create({"name": "Acme RPC", "is_company": True})
        buyers = self.env["res.partner"].create([{"name": f"Buyer {i}", "parent_id": acme.id} for i in range(3)])
        Complaint = self.env["iso10002.complaint"]
        when = datetime(2019, 6, 3, 9, 0)
        ours, hidden, new = (
            Complaint._import_complaints(
                [
                    {
                        "subject": subject,
                        "partner_id": buyer.id,
                        "channel_id": channel.id,
                        "team_id": team.id,
                        "received_date": when - timedelta(days=days),
                    }
                ]
            )
            for subject, buyer, team, days in (
                ("Invoice wrong", buyers[0], mine, 2),
                ("Invoice wrong", buyers[1], theirs, 1),
                ("Parcel never arrived", buyers[2], mine, 0),
            )
        )
        self.authenticate("ms_officer", "ms_officer")
        answer = self._call("read", [new.ids, ["similar_complaint_ids", "similar_count"]], model="iso10002.complaint")
        [row] = answer["result"]
        self.assertEqual((row["similar_complaint_ids"], row["similar_count"]), ([ours.id], 1), "not the hidden one")
        self.assertEqual(Complaint.browse(new.id).similar_complaint_ids, ours | hidden, "the admin sees both")
        answer = self._call("write", [self.action.ids, {"name": "Fix\u202e it"}])
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError")
        self.authenticate("ms_other", "ms_other")
        answer = self._call("read", [new.ids, ["similar_complaint_ids"]], model="iso10002.complaint")
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")

    @mute_logger("odoo.http")
    def test_text_nobody_types_is_refused_with_a_clear_error(self):
        """NUL (which PostgreSQL refuses with a server error), other controls and direction
        overrides, typed into a complaint's or an action's texts over RPC: a clear refusal,
        nothing stored; Persian with its joiners, tabs and new lines pass."""
        rng = random.Random(2025)
        bad = [chr(code) for code in [*range(0, 9), 11, 12, *range(14, 32), 127, *range(128, 160)]]
        bad += ["\u202e", "\u202d", "\u2066", "\u2069"]
        team = self.env["iso10002.complaint.team"].create({"name": "RPC team"})
        channel = self.env.ref("iso10002_complaints.channel_phone")
        complaint = self.env["iso10002.complaint"].create(
            {"subject": "Fine", "channel_id": channel.id, "team_id": team.id}
        )
        self.authenticate("admin", "admin")
        texts = {
            "iso10002.complaint": ["subject", "description", "remedy_sought", "on_behalf_of"],
            "iso10002.corrective.action": ["name", "description"],
        }
        records = {"iso10002.complaint": complaint, "iso10002.corrective.action": self.action}
        for _i in range(30):
            model = rng.choice(sorted(texts))
            field = rng.choice(texts[model])
            text = "بازپرداخت\u200cها " * rng.randint(0, 3)
            position = rng.randint(0, len(text))
            value = text[:position] + rng.choice(bad) + text[position:]
            if field == "description":
                value = f"<p>{value}</p>"
            if rng.random() < 0.5:
                answer = self._call("write", [records[model].ids, {field: value}], model=model)
            else:
                values = {"subject": "New", "channel_id": channel.id, "team_id": team.id}
                if model == "iso10002.corrective.action":
                    values = {"name": "New"}
                answer = self._call("create", [{**values, field: value}], model=model)
            self.assertIn("error", answer, (model, field, value))
            self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError", (model, field, value))
        # through the defaults of the context, and as HTML references the sanitizer decodes
        for context, extra in (
            ({"default_subject": "a\x00b"}, {}),
            ({"default_subject": "FAKE\u202eFDP.exe"}, {}),
            ({}, {"description": "<p>x&#8238;gnp.exe</p>"}),
            ({}, {"description": "<p>x&#x202E;gnp.exe</p>"}),
            ({}, {"description": "<p>bell&#7;</p>"}),
        ):
            values = {"channel_id": channel.id, "team_id": team.id, "subject": "Subject", **extra}
            if "default_subject" in context:
                values.pop("subject")
            answer = self._call("create", [values], {"context": context}, model="iso10002.complaint")
            self.assertEqual(answer.get("error", {}).get("data", {}).get("name"), "odoo.exceptions.UserError", values)
        answer = self._call("create", [{}], {"context": {"default_name": "n\u202e\x00"}})
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError", "a corrective action's too")
        # what people type passes: new emoji, a flag of tag characters, a private-use logo,
        # the word joiner, the Arabic letter mark, Persian with its joiner, tabs and lines
        for typed in (
            "🫨 🩷",
            "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
            "\uf8ff",
            "a\u2060b",
            "\u061cسلام",
        ):
            answer = self._call("write", [complaint.ids, {"subject": typed}], model="iso10002.complaint")
            self.assertNotIn("error", answer, ascii(typed))
        fine = "گزارش\u200cها\tو\nسفارش‌ها"
        self.assertNotIn(
            "error", self._call("write", [complaint.ids, {"remedy_sought": fine}], model="iso10002.complaint")
        )
        complaint.invalidate_recordset()
        self.assertEqual(complaint.remedy_sought, fine)
        self.assertEqual(complaint.subject, "\u061cسلام")


@tagged("post_install", "-at_install")
class TestWhatAnOutsideTesterTried(ComplaintsCase):
    """The ways around the rules a second tester found (issue 13), each closed as a class."""

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

    def test_officers_see_the_actions_of_their_teams_and_no_complainant_words(self):
        theirs = self._complaint(team_id=self.team_b.id, subject="My neighbour's name is in here")
        result = theirs.with_user(self.officer_b).action_create_corrective_action()
        action = self.Action.browse(result["res_id"])
        self.assertNotIn("neighbour", action.name, "named by its reference, not by what was written")
        self.assertFalse(self.Action.with_user(self.officer_a).search([("id", "=", action.id)]))
        with self.assertRaises(AccessError):
            action.with_user(self.officer_a).write({"name": "hijacked"})
        self.assertTrue(action.with_user(self.auditor).read(["name"]))

    def test_portal_users_do_not_group_by_internal_relations(self):
        for field in ("related_complaint_ids", "repeated_by_ids", "classification", "legal_hold"):
            with self.assertRaises(AccessError):
                self.env["iso10002.complaint"].with_user(self.portal_user).read_group([], ["__count"], [field])

    def test_buttons_and_settings_refuse_bad_input_clearly(self):
        complaint = self._complaint()
        Complaint = self.env["iso10002.complaint"].with_user(self.officer_a)
        with self.assertRaisesRegex(UserError, "one record at a time"):
            Complaint.action_view_similar()
        rng = random.Random(13)
        for _i in range(10):
            bad = rng.choice(["abc", -0.5, [1], {"a": 1}, None, True, 10**12])
            with self.assertRaises(UserError):
                complaint.with_user(self.officer_a).with_context(link_complaint_id=bad).action_link_related()
        for values in (
            {"complaint_officer_remedy_limit": -1},
            {"complaint_retention_months": 2**31},
            {"complaint_similar_days": -5},
            {"complaint_action_escalation_days": 10**6},
        ):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                self.company.write(values)
        for target in (-5, 1e308):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                self.env["iso10002.objective"].create({"metric": "open_end", "target": target})

    def test_the_anonymisation_job_keeps_to_its_batch_across_companies(self):
        (self.company | self.company_b).write({"complaint_retention_months": 1})
        Complaint = self.env["iso10002.complaint"]
        for team in (self.team_a, self.team_other_company):
            for day in (2, 3):
                _received(
                    self,
                    datetime(2025, 1, day),
                    team_id=team.id,
                    company_id=team.company_id.id,
                    stage_id=Complaint._find_stage("closed", team).id,
                    closed_date=datetime(2025, 1, 10),
                )
        with freeze_time("2025-06-01 02:00:00"):
            self.assertEqual(self.env["iso10002.complaint"]._cron_anonymise(limit=3), 3)
