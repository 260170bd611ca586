from datetime import datetime

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import ComplaintsCase, SecondTeamHttpCase


@tagged("post_install", "-at_install")
class TestComplaintLifecycle(ComplaintsCase):
    """ISO 10002 clause 7, step by step, with each guard's refusal."""

    def setUp(self):
        super().setUp()
        self.complaint = self._complaint()

    # --------------------------------------------------------------- receipt
    def test_reference_from_sequence_per_company(self):
        other = self._complaint()
        self.assertRegex(self.complaint.name, r"^CMP/\d{4}/\d{5}$")
        self.assertEqual(int(other.name[-5:]), int(self.complaint.name[-5:]) + 1)
        in_b = self.env["iso10002.complaint"].create(
            {"subject": "B", "channel_id": self.channel_phone.id, "team_id": self.team_other_company.id}
        )
        self.assertEqual(in_b.company_id, self.company_b)
        self.assertTrue(in_b.name.endswith("00001"), "each company numbers its own complaints")
        sequences = self.env["ir.sequence"].search([("code", "=", "iso10002.complaint")])
        self.assertEqual(
            set(sequences.company_id.ids) & {self.company.id, self.company_b.id}, {self.company.id, self.company_b.id}
        )

    def test_reference_year_is_the_year_received(self):
        old = self._complaint(received_date=datetime(2024, 12, 30, 10, 0))
        self.assertTrue(old.name.startswith("CMP/2024/"))

    def test_reference_is_unique_per_company(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["iso10002.complaint"]._import_complaints(
                [{"subject": "Twin", "name": self.complaint.name, "channel_id": self.channel_phone.id}]
            )
            self.env.flush_all()

    def test_received_values_recorded(self):
        product = self.env["product.product"].create({"name": "Office chair"})
        complaint = self._complaint(
            product_ids=[(6, 0, product.ids)],
            remedy_sought="A new chair",
            immediate_action="Offered a loan chair",
        )
        self.assertEqual(complaint.channel_id, self.channel_phone)
        self.assertTrue(complaint.received_date)
        self.assertEqual(complaint.product_ids, product)
        self.assertEqual(complaint.company_id, self.company)
        self.assertIn(self.complainant, complaint.message_partner_ids)

    def test_backend_form_defaults(self):
        form = Form(self.env["iso10002.complaint"].with_user(self.officer_a))
        form.subject = "Rude driver"
        form.partner_id = self.complainant
        form.channel_id = self.channel_phone
        self.assertEqual(form.team_id, self.team_a, "the officer's team comes by default")
        self.assertEqual(form.email_from, "jane@example.com")
        complaint = form.save()
        self.assertEqual(complaint.step, "acknowledged")

    def test_channel_is_required(self):
        """Recorded in the backend, a complaint came by phone unless said otherwise; a
        client cannot empty the channel."""
        self.assertEqual(self.env["iso10002.complaint"].create({"subject": "By phone"}).channel_id, self.channel_phone)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.env["iso10002.complaint"].create({"subject": "No channel", "channel_id": False})
            self.env.flush_all()

    # ---------------------------------------------------------- the full walk
    def test_full_lifecycle(self):
        with freeze_time("2026-03-02 09:00:00"):
            complaint = self._complaint(partner_id=self.person_about.id)
            self.assertEqual(complaint.step, "received")
            self.flush_tracking()
        with freeze_time("2026-03-02 11:00:00"):
            complaint.acknowledgement_channel = "phone"
            complaint.action_acknowledge()
            self.flush_tracking()
            self.assertEqual(complaint.acknowledged_date, datetime(2026, 3, 2, 11, 0))
        with freeze_time("2026-03-03 09:00:00"):
            complaint.write({"severity": "medium", "category_id": self.category.id})
            complaint.with_user(self.officer_a).action_assess()
            self.flush_tracking()
            self.assertEqual(complaint.assessed_by_id, self.officer_a)
        with freeze_time("2026-03-04 09:00:00"):
            complaint.investigator_id = self.officer_a
            complaint.action_investigate()
            self.flush_tracking()
            self.assertEqual(complaint.investigation_date, datetime(2026, 3, 4, 9, 0))
        with freeze_time("2026-03-05 09:00:00"):
            complaint.write({"remedy": "refund", "compensation_amount": 49.5})
            complaint.action_respond()
            self.flush_tracking()
            self.assertEqual(complaint.decision_date, datetime(2026, 3, 5, 9, 0))
        with freeze_time("2026-03-06 09:00:00"):
            complaint.write(
                {"response_text": "<p>Refund made.</p>", "communication_channel": "letter", "partner_city": "Leeds"}
            )
            complaint.action_communicate()
            self.flush_tracking()
            self.assertEqual(complaint.communication_date, datetime(2026, 3, 6, 9, 0))
        with freeze_time("2026-03-10 09:00:00"):
            complaint.complainant_response = "accepted"
            complaint.action_close()
            self.flush_tracking()
        self.assertEqual(complaint.step, "closed")
        self.assertEqual(complaint.closure_reason, "resolved")
        self.assertEqual(complaint.closed_date, datetime(2026, 3, 10, 9, 0))
        self.assertEqual(complaint.complainant_response_date, datetime(2026, 3, 10, 9, 0))
        tracked_stages = complaint.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "stage_id")
        self.assertEqual(len(tracked_stages), 6, "every step change is tracked in the chatter")

    # ------------------------------------------------------------------ guards
    def test_acknowledge_needs_how(self):
        complaint = self._complaint(partner_id=self.person_about.id)
        with self.assertRaisesRegex(UserError, "Say how complaint .* was acknowledged"):
            complaint.action_acknowledge()

    def test_acknowledge_twice_refused(self):
        with self.assertRaisesRegex(UserError, "already acknowledged"):
            self.complaint.action_acknowledge()

    def test_assessment_needs_severity_and_category(self):
        with self.assertRaisesRegex(UserError, "Severity and a Category, on the Assessment tab"):
            self.complaint.action_assess()
        self.complaint.severity = "low"
        with self.assertRaisesRegex(UserError, "Severity and a Category, on the Assessment tab"):
            self.complaint.action_assess()
        self.complaint.category_id = self.category
        self.complaint.action_assess()
        self.assertEqual(self.complaint.step, "assessment")

    def test_investigation_needs_investigator(self):
        self._walk_to(self.complaint, "assessment")
        with self.assertRaisesRegex(UserError, "Investigator, on the Investigation tab"):
            self.complaint.action_investigate()

    def test_investigator_is_not_the_person_complained_about(self):
        self._walk_to(self.complaint, "assessment")
        self.complaint.user_id = self.officer_b  # nor may they own it (TestEveryComplaintHasAnOwner)
        self.complaint.person_complained_about_id = self.officer_a.partner_id
        with self.assertRaisesRegex(ValidationError, "Annex D"):
            self.complaint.investigator_id = self.officer_a
        self.complaint.investigator_id = self.officer_b
        self.complaint.action_investigate()
        self.assertEqual(self.complaint.step, "investigation")

    def test_response_needs_remedy(self):
        self._walk_to(self.complaint, "investigation")
        with self.assertRaisesRegex(UserError, "Remedy Decided, on the Response tab"):
            self.complaint.action_respond()

    def test_money_remedy_needs_amount(self):
        self._walk_to(self.complaint, "investigation")
        self.complaint.remedy = "compensation"
        with self.assertRaisesRegex(UserError, "Compensation Amount, on the Response tab"):
            self.complaint.action_respond()

    def test_negative_compensation_refused(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            self.complaint.compensation_amount = -5
            self.env.flush_all()

    def test_response_straight_after_assessment(self):
        self._walk_to(self.complaint, "assessment")
        self.complaint.remedy = "explanation"
        self.complaint.action_respond()
        self.assertEqual(self.complaint.step, "response")

    def test_communication_needs_text_and_channel(self):
        self._walk_to(self.complaint, "response")
        with self.assertRaisesRegex(UserError, "Write the Response to the complainant, on the Response tab"):
            self.complaint.action_communicate()
        # the decision goes the complainant's chosen way by default; an officer who empties it is asked
        self.assertEqual(self.complaint.communication_channel, "email")
        self.complaint.write({"response_text": "<p>Answer</p>", "communication_channel": False})
        with self.assertRaisesRegex(UserError, "how the decision was sent"):
            self.complaint.action_communicate()

    def test_decision_by_email_sends_the_decision(self):
        self._walk_to(self.complaint, "response")
        self.complaint.write({"response_text": "<p>We refund you.</p>", "communication_channel": "email"})
        self.complaint.action_communicate()
        sent = self.complaint.message_ids.filtered(lambda m: "our answer to your complaint" in (m.subject or ""))
        self.assertEqual(len(sent), 1)
        self.assertIn(self.complainant, sent.partner_ids)
        self.assertIn("We refund you.", sent.body)

    def test_close_needs_complainant_answer(self):
        self._walk_to(self.complaint, "communicated")
        with self.assertRaisesRegex(UserError, "Complainant's Answer .*, on the Decision & Answer tab"):
            self.complaint.action_close()

    def test_close_needs_decision_communicated(self):
        self._walk_to(self.complaint, "investigation")
        with self.assertRaisesRegex(UserError, "once the decision was communicated"):
            self.complaint.action_close()

    def test_close_sends_satisfaction_request(self):
        self._walk_to(self.complaint, "communicated")
        self.complaint.complainant_response = "no_reply"
        self.complaint.action_close()
        self.assertEqual(self.complaint.closure_reason, "no_reply")
        rating = self.env["rating.rating"].search(
            [("res_model", "=", "iso10002.complaint"), ("res_id", "=", self.complaint.id)]
        )
        self.assertEqual(rating.partner_id, self.complainant)
        # e-mailed with its links; the chatter only says it was asked (its token is the complainant's)
        request = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", self.complaint._name),
                    ("res_id", "=", self.complaint.id),
                    ("subject", "ilike", "how did we handle"),
                ]
            )
        )
        self.assertIn(f"/rate/{rating.access_token}/5", request.body_html)
        self.assertIn(self.complainant, request.recipient_ids)
        self.assertNotIn(rating.access_token, "".join(self.complaint.message_ids.mapped("body")))

    def test_rejected_decision_goes_back_to_response(self):
        self._walk_to(self.complaint, "communicated")
        self.complaint.complainant_response = "rejected"
        self.complaint.action_respond()
        self.assertEqual(self.complaint.step, "response")

    def test_skipping_steps_is_refused(self):
        closed = self.env.ref("iso10002_complaints.stage_closed")
        with self.assertRaisesRegex(UserError, "cannot go from Acknowledged to Closed"):
            self.complaint.stage_id = closed
        investigation = self.env.ref("iso10002_complaints.stage_investigation")
        with self.assertRaisesRegex(UserError, "cannot go from Acknowledged to Investigation"):
            self.complaint.write({"stage_id": investigation.id})

    def test_kanban_move_checks_the_same_guards(self):
        assessment = self.env.ref("iso10002_complaints.stage_assessment")
        with self.assertRaisesRegex(UserError, "Severity and a Category, on the Assessment tab"):
            self.complaint.write({"stage_id": assessment.id})
        # with the values in the same write, the move is accepted
        self.complaint.write({"stage_id": assessment.id, "severity": "low", "category_id": self.category.id})
        self.assertEqual(self.complaint.step, "assessment")

    # ------------------------------------------------------ withdrawn / scope
    def test_withdrawal_needs_reason_and_closes(self):
        with self.assertRaisesRegex(UserError, "Withdrawal Reason, on the Closing tab"):
            self.complaint.action_withdraw()
        self.complaint.withdrawal_reason = "Solved by the customer"
        self.complaint.action_withdraw()
        self.assertEqual(self.complaint.step, "withdrawn")
        self.complaint.action_close()
        self.assertEqual(self.complaint.step, "closed")
        self.assertEqual(self.complaint.closure_reason, "withdrawn")

    def test_out_of_scope_needs_reason(self):
        with self.assertRaisesRegex(UserError, "why the complaint is out of scope .*on the Closing tab"):
            self.complaint.action_out_of_scope()
        self.complaint.write({"out_of_scope_reason": "external", "external_referral": True})
        with self.assertRaisesRegex(UserError, "Dispute Resolution Provider, on the Closing tab"):
            self.complaint.action_out_of_scope()
        self.complaint.external_provider = "Consumer Ombudsman"
        self.complaint.action_out_of_scope()
        self.assertEqual(self.complaint.step, "out_of_scope")

    def test_employment_dispute_is_recorded_out_of_scope(self):
        self.complaint.out_of_scope_reason = "employment"
        self.complaint.action_out_of_scope()
        self.complaint.action_close()
        self.assertEqual(self.complaint.closure_reason, "out_of_scope")

    # ---------------------------------------------------------------- closed
    def test_closed_complaint_is_locked(self):
        self._walk_to(self.complaint, "closed")
        with self.assertRaisesRegex(UserError, "is closed: reopen it"):
            self.complaint.subject = "Rewritten history"
        with self.assertRaisesRegex(UserError, "is closed: reopen it"):
            self.complaint.compensation_amount = 1000
        # the chatter and archiving stay open
        self.complaint.message_post(body="Auditor's remark")
        self.complaint.action_archive()
        self.assertFalse(self.complaint.active)

    def test_reopen_keeps_history(self):
        self._walk_to(self.complaint, "closed")
        closed_on = self.complaint.closed_date
        messages_before = len(self.complaint.message_ids)
        self.complaint.action_reopen()
        self.assertEqual(self.complaint.step, "assessment")
        self.assertEqual(self.complaint.reopen_count, 1)
        self.assertFalse(self.complaint.closed_date)
        self.assertFalse(self.complaint.complainant_response)
        self.flush_tracking()
        self.assertGreater(len(self.complaint.message_ids), messages_before)
        old_values = self.complaint.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "closed_date")
        self.assertIn(closed_on, old_values.mapped("old_value_datetime"))
        # and it can be closed again
        self._walk_to(self.complaint, "closed")

    def test_closing_goes_through_the_close_button(self):
        """Dragging a complaint to a closed column (or writing the stage over RPC) would
        close it without its reason and the satisfaction request: refused."""
        self._walk_to(self.complaint, "communicated")
        self.complaint.complainant_response = "accepted"
        closed = self.env.ref("iso10002_complaints.stage_closed")
        with self.assertRaisesRegex(UserError, "Close button"):
            self.complaint.with_user(self.officer_a).write({"stage_id": closed.id})
        self.assertEqual(self.complaint.step, "communicated")
        self.complaint.with_user(self.officer_a).action_close()
        self.assertEqual((self.complaint.step, self.complaint.closure_reason), ("closed", "resolved"))

    def test_a_complaint_reopened_back_to_received_is_not_deleted(self):
        complaint = self._complaint(partner_id=self.person_about.id, withdrawal_reason="By mistake")
        complaint.action_withdraw()
        complaint.action_close()
        complaint.action_reopen()
        self.assertEqual(complaint.step, "received")
        self.assertFalse(complaint.can_delete, "it has a history")
        with self.assertRaisesRegex(UserError, "never deleted"):
            complaint.unlink()
        fresh = self._complaint(partner_id=self.person_about.id)
        self.assertTrue(fresh.can_delete)

    def test_empty_answers_do_not_pass_the_steps(self):
        self._walk_to(self.complaint, "response")
        self.complaint.write({"response_text": "<p><br></p>", "communication_channel": "phone"})
        with self.assertRaisesRegex(UserError, "Write the Response"):
            self.complaint.action_communicate()
        self.complaint.withdrawal_reason = "   "
        with self.assertRaisesRegex(UserError, "Withdrawal Reason"):
            self.complaint.action_withdraw()

    def test_reopen_open_complaint_refused(self):
        with self.assertRaisesRegex(UserError, "is not closed"):
            self.complaint.action_reopen()

    # ---------------------------------------------------------------- stages
    def test_manager_adds_renames_and_reorders_stages(self):
        waiting = (
            self.env["iso10002.complaint.stage"]
            .with_user(self.manager)
            .create({"name": "Waiting for the lab", "step": "investigation", "sequence": 41})
        )
        self.env.ref("iso10002_complaints.stage_assessment").with_user(self.manager).name = "Triage"
        self._walk_to(self.complaint, "investigation")
        self.complaint.stage_id = waiting
        self.assertEqual(self.complaint.step, "investigation", "a new stage keeps its ISO step")
        self.complaint.write({"remedy": "repair"})
        self.complaint.action_respond()
        self.assertEqual(self.complaint.step, "response")

    def test_team_stage_refused_for_other_team(self):
        stage = self.env["iso10002.complaint.stage"].create(
            {"name": "B only", "step": "acknowledged", "team_ids": [(6, 0, self.team_b.ids)]}
        )
        with self.assertRaisesRegex(UserError, "not used by team"):
            self.complaint.stage_id = stage

    def test_missing_stage_gives_clear_error(self):
        self.env["iso10002.complaint.stage"].search([("step", "=", "withdrawn")]).active = False
        self.complaint.withdrawal_reason = "Changed their mind"
        with self.assertRaisesRegex(UserError, "No stage is defined for the step Withdrawn"):
            self.complaint.action_withdraw()

    # -------------------------------------------------------------- priority
    def test_priority_from_assessment(self):
        self.assertEqual(self._complaint(severity="critical").priority, "3", "computed on create too")
        self.complaint.severity = "medium"
        self.assertEqual(self.complaint.priority, "1")
        self.complaint.write({"impact": "critical", "urgency": "critical"})
        self.assertEqual(self.complaint.priority, "3")
        self.complaint.write({"severity": "low", "impact": "low", "urgency": "low", "safety_issue": True})
        self.assertEqual(self.complaint.priority, "3", "a safety issue is always urgent")

    def test_a_complaint_is_never_duplicated(self):
        # a copy would acknowledge the complainant again under another reference
        self._walk_to(self.complaint, "assessment")
        count = self.env["iso10002.complaint"].search_count([])
        with self.assertRaises(UserError):
            self.complaint.copy()
        self.assertEqual(self.env["iso10002.complaint"].search_count([]), count)


@tagged("post_install", "-at_install")
class TestStagesAndReopening(SecondTeamHttpCase):
    """Stages keep their step, and a reopened complaint walks the steps again."""

    def test_a_stage_keeps_its_step_while_complaints_are_in_it(self):
        with self.assertRaises(UserError):
            self.complaint.stage_id.write({"step": "closed"})

    def test_reopening_does_not_skip_steps(self):
        complaint = self._new(partner_id=False)  # no e-mail: stays received
        self.assertEqual(complaint.step, "received")
        complaint.write({"withdrawal_reason": "Changed their mind"})
        complaint.with_user(self.officer).action_withdraw()
        complaint.with_user(self.officer).action_reopen()
        self.assertEqual(complaint.step, "received")
        self.assertFalse(complaint.assessment_date)
