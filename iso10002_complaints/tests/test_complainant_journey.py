"""The complainant follows the complaint and answers the decision, over HTTP: signed in,
or through the link of the decision e-mail; and what anyone else gets from the same
routes."""

import io
import random
from datetime import timedelta

import openpyxl

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.http import Request
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ComplaintsCase

ANSWER_URL = "/my/complaints/%s/answer"


@tagged("post_install", "-at_install")
class TestComplainantAnswers(HttpCase, ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_partner = cls.env["res.partner"].create({"name": "Answering Customer Ltd", "is_company": True})
        cls.complainant_user = new_test_user(
            cls.env,
            login="answering",
            groups="base.group_portal",
            name="Answering Complainant",
            email="ans@example.com",
        )
        cls.colleague = new_test_user(
            cls.env, login="answering_colleague", groups="base.group_portal", email="colleague.ans@example.com"
        )
        cls.complainant_user.partner_id.parent_id = cls.company_partner
        cls.colleague.partner_id.parent_id = cls.company_partner
        cls.stranger = new_test_user(cls.env, login="answering_stranger", groups="base.group_portal")

    def setUp(self):
        super().setUp()
        self.complaint = self._complaint(partner_id=self.complainant_user.partner_id.id, user_id=self.officer_a.id)
        self._walk_to(self.complaint, "communicated")
        self.token = self.complaint.sudo()._portal_ensure_token()

    def _answer(self, complaint, data, token=None, login=None):
        self.authenticate(login, login)
        payload = {**data, "csrf_token": Request.csrf_token(self)}
        if token:
            payload["access_token"] = token
        return self.url_open(ANSWER_URL % complaint.id, data=payload, allow_redirects=False)

    def test_the_link_of_the_decision_e_mail_accepts_without_an_account(self):
        page = self.url_open(f"/my/complaints/{self.complaint.id}?access_token={self.token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_iso10002_answer", page.text, "the decision waits for an answer")
        self.assertIn("o_iso10002_progress", page.text)
        response = self._answer(self.complaint, {"answer": "accepted"}, token=self.token)
        self.assertEqual(response.status_code, 303)
        self.assertIn(f"access_token={self.token}", response.headers["Location"])
        self.assertEqual((self.complaint.step, self.complaint.closure_reason), ("closed", "resolved"))
        self.assertTrue(self.complaint.complainant_response_date)
        page = self.url_open(response.headers["Location"])
        self.assertIn("o_iso10002_answered", page.text)
        self.assertIn("/rate/", page.text, "then the satisfaction rating, on the same page")
        again = self._answer(self.complaint, {"answer": "rejected", "reason": "changed my mind"}, token=self.token)
        self.assertEqual(again.status_code, 400, "a decision is answered once")
        self.assertEqual(self.complaint.complainant_response, "accepted")

    def test_a_rejection_needs_its_reason_and_asks_the_owner_for_recourse(self):
        self.authenticate("answering", "answering")
        refused = self._answer(self.complaint, {"answer": "rejected", "reason": "  "}, login="answering")
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(self.complaint.complainant_response)
        response = self._answer(
            self.complaint, {"answer": "rejected", "reason": "The refund is too small."}, login="answering"
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.complaint.complainant_response, "rejected")
        self.assertEqual(self.complaint.complainant_feedback, "The refund is too small.")
        self.assertEqual(self.complaint.step, "communicated", "open until the recourse is settled")
        activity = self.complaint.activity_ids.filtered(lambda a: "recourse" in (a.summary or ""))
        self.assertEqual(activity.user_id, self.officer_a)
        posted = self.complaint.message_ids.filtered(lambda m: m.author_id == self.complainant_user.partner_id)
        self.assertIn("The refund is too small.", posted[:1].body, "the answer is in the trail, as the complainant's")

    def test_the_complainants_answer_stays_theirs(self):
        self._answer(self.complaint, {"answer": "rejected", "reason": "Not enough."}, token=self.token)
        officer = self.complaint.with_user(self.officer_a)
        for vals in (
            {"complainant_response": "accepted"},
            {"complainant_response": "no_reply"},
            {"complainant_feedback": "Fine"},
        ):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "their answer is not changed"):
                officer.write(vals)
        with self.assertRaisesRegex(UserError, "Recourse tab"):
            officer.action_close()
        # a new decision, communicated again, asks for a new answer; the first stays in the trail
        officer.action_respond()
        officer.write({"response_text": "<p>A full refund.</p>", "communication_channel": "email"})
        officer.action_communicate()
        self.assertFalse(self.complaint.complainant_response)
        self.assertTrue(self.complaint.message_ids.filtered(lambda m: "Not enough." in (m.body or "")))
        self._answer(self.complaint, {"answer": "accepted"}, token=self.token)
        self.assertEqual((self.complaint.step, self.complaint.closure_reason), ("closed", "resolved"))

    def test_the_rating_token_is_never_in_the_chatter(self):
        self._answer(self.complaint, {"answer": "accepted"}, token=self.token)
        self.env.flush_all()
        rating = self.complaint.sudo().rating_ids.filtered(lambda r: not r.consumed)[:1]
        self.assertTrue(rating)
        bodies = "".join(self.complaint.sudo().message_ids.mapped("body"))
        self.assertNotIn(rating.access_token, bodies, "an officer reading the chatter could rate for the complainant")
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", self.complaint._name), ("res_id", "=", self.complaint.id)])
        )
        self.assertIn(rating.access_token, "".join(mails.mapped("body_html")), "the e-mail carries the links")

    @mute_logger("odoo.http")
    def test_nobody_else_answers(self):
        other = self._complaint(partner_id=self.stranger.partner_id.id)
        self._walk_to(other, "communicated")
        other_token = other.sudo()._portal_ensure_token()
        # another complainant's token, as a visitor
        self.assertEqual(self._answer(self.complaint, {"answer": "accepted"}, token=other_token).status_code, 403)
        # a colleague who may read the complaint, signed in
        self.assertTrue(self.complaint.with_user(self.colleague).has_access("read"))
        self.assertEqual(
            self._answer(self.complaint, {"answer": "accepted"}, login="answering_colleague").status_code, 403
        )
        # another complainant, signed in, with their own token on this complaint
        response = self._answer(self.complaint, {"answer": "accepted"}, token=other_token, login="answering_stranger")
        self.assertEqual(response.status_code, 403)
        # an officer is not the complainant either
        self.assertEqual(self._answer(self.complaint, {"answer": "accepted"}, login="officer_a").status_code, 403)
        self.assertFalse(self.complaint.complainant_response, "nobody answered for the complainant")
        page = self.url_open(f"/my/complaints/{self.complaint.id}")
        self.assertNotIn("o_iso10002_answer", page.text, "the officer is not offered the buttons")

    @mute_logger("odoo.http")
    def test_only_a_decision_waiting_is_answered(self):
        fresh = self._complaint(partner_id=self.complainant_user.partner_id.id)
        token = fresh.sudo()._portal_ensure_token()
        self.assertEqual(self._answer(fresh, {"answer": "accepted"}, token=token).status_code, 400)
        self.assertNotEqual(fresh.step, "closed")
        self._answer(self.complaint, {"answer": "accepted"}, token=self.token)
        self.assertEqual(self._answer(self.complaint, {"answer": "accepted"}, token=self.token).status_code, 400)

    @mute_logger("odoo.http")
    def test_seeded_hostile_answers_are_refused_cleanly(self):
        rng = random.Random(7)
        hostile = [{"answer": rng.choice(["yes", "", "ACCEPTED", "closed", "1", "accepted\x00"])} for _i in range(10)]
        hostile += [
            {"answer": "rejected", "reason": rng.choice(["a\x00b", "x" * 4001, "\u202eevil", "", "bell\x07"])}
            for _i in range(10)
        ]
        for data in hostile:
            with self.subTest(data={k: v[:20] for k, v in data.items()}):
                response = self._answer(self.complaint, data, token=self.token)
                self.assertEqual(response.status_code, 400)
        self.assertFalse(self.complaint.complainant_response)
        self.assertEqual(self.complaint.step, "communicated")

    def test_not_satisfied_asks_the_owner_to_follow_up(self):
        self._answer(self.complaint, {"answer": "accepted"}, token=self.token)
        rating = self.complaint.sudo().rating_ids.filtered(lambda r: not r.consumed)[:1]
        self.assertTrue(rating, "the page and the e-mail offer the rating")
        page = self.url_open(f"/rate/{rating.access_token}/1")
        self.assertEqual(page.status_code, 200)
        self.assertIn("submit_feedback", page.text)
        response = self.url_open(
            f"/rate/{rating.access_token}/submit_feedback",
            data={"rate": "1", "feedback": "Three calls to be heard.", "csrf_token": Request.csrf_token(self)},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(rating.rating, 1)
        follow_up = self.complaint.activity_ids.filtered(lambda a: a.summary == "Complainant not satisfied")
        self.assertEqual(follow_up.user_id, self.officer_a)

    def test_the_page_shows_the_next_step_and_its_date(self):
        complaint = self._complaint(partner_id=self.complainant_user.partner_id.id)
        self._walk_to(complaint, "assessment")
        token = complaint.sudo()._portal_ensure_token()
        progress = complaint._portal_progress()
        self.assertEqual([step["state"] for step in progress], ["done", "done", "done", "next", "todo"])
        self.assertEqual(progress[3]["due"], complaint.resolution_deadline)
        page = self.url_open(f"/my/complaints/{complaint.id}?access_token={token}")
        self.assertIn("o_iso10002_step_next", page.text)
        self.assertNotIn("o_iso10002_answer", page.text, "no decision yet")


@tagged("post_install", "-at_install")
class TestComplainantIsTold(ComplaintsCase):
    def test_assessment_tells_the_complainant_in_their_language(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.complainant.lang = "fa_IR"
        complaint = self._complaint()
        self.flush_tracking()
        before = complaint.message_ids
        self._walk_to(complaint, "assessment")
        told = (complaint.message_ids - before).filtered(lambda m: self.complainant in m.partner_ids)
        self.assertEqual(len(told), 1, "one progress e-mail at the assessment")
        self.assertFalse(told.subtype_id.internal, "the complainant reads it on the portal too")
        self.assertEqual(
            complaint.stage_id.mail_template_id, self.env.ref("iso10002_complaints.mail_template_complaint_progress")
        )

    def test_the_decision_e_mail_carries_the_link_and_the_trail_does_not(self):
        complaint = self._complaint()
        self._walk_to(complaint, "response")
        complaint.write({"response_text": "<p>We refund you.</p>", "communication_channel": "email"})
        complaint.action_communicate()
        self.env.flush_all()
        token = complaint.sudo().access_token
        mails = self.env["mail.mail"].sudo().search([("model", "=", complaint._name), ("res_id", "=", complaint.id)])
        # (the owner, a follower, gets a copy without the complainant's link)
        decision = mails.filtered(lambda m: "our answer" in (m.subject or "") and self.complainant in m.recipient_ids)
        self.assertTrue(decision)
        self.assertIn(token, decision[0].body_html, "the complainant answers through the e-mail's link")
        self.assertNotIn(token, "".join(complaint.message_ids.mapped("body")), "the stored trail keeps no token")


@tagged("post_install", "-at_install")
class TestRecourse(ComplaintsCase):
    """A rejected decision closes only once the recourse was offered and followed to its
    end (ISO 10002 7.9, Annex H); the letter, the review and the register show it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env["iso10002.dispute.provider"].create(
            {"name": "Retail Ombudsman Recourse", "cost": "Free for consumers", "website": "https://ombuds.example"}
        )

    def _rejected(self):
        complaint = self._complaint()
        self._walk_to(complaint, "communicated")
        complaint.write({"complainant_response": "rejected", "complainant_feedback": "Not enough."})
        return complaint

    def _close_refused(self, complaint, field):
        with self.assertRaises(UserError) as refused:
            complaint.with_user(self.officer_a).action_close()
        self.assertEqual(refused.exception.context["iso10002_field"], field)
        self.assertEqual(refused.exception.context["iso10002_page"], "recourse")
        self.assertIn("Recourse tab", str(refused.exception))
        self.assertEqual(complaint.step, "communicated")

    def test_an_internal_review_by_someone_not_involved(self):
        complaint = self._rejected()
        self._close_refused(complaint, "recourse_offered_date")
        complaint.write({"recourse_offered_date": "2026-03-20", "recourse_means": "email"})
        self._close_refused(complaint, "recourse_kind")
        complaint.recourse_kind = "review"
        self._close_refused(complaint, "reviewer_id")
        with self.assertRaisesRegex(ValidationError, "not involved"):
            complaint.reviewer_id = complaint.investigator_id  # took part in the first decision
        complaint.write({"reviewer_id": self.manager.id, "review_date": "2026-03-25"})
        self._close_refused(complaint, "review_outcome")
        complaint.review_outcome = "upheld"
        complaint.with_user(self.officer_a).action_close()
        self.assertEqual((complaint.step, complaint.closure_reason), ("closed", "rejected"))

    def test_a_referral_followed_to_its_outcome(self):
        complaint = self._rejected()
        complaint.write(
            {"recourse_offered_date": "2026-03-20", "recourse_means": "letter", "recourse_kind": "referral"}
        )
        self._close_refused(complaint, "dispute_provider_id")
        complaint.write({"dispute_provider_id": self.provider.id, "external_referral_date": "2026-03-21"})
        self._close_refused(complaint, "referral_outcome_date")
        complaint.write(
            {"referral_outcome_date": "2026-05-02", "referral_result": "complainant", "referral_amount": 120}
        )
        # in the complainant's favour: a new decision first (tests/test_decision_versions.py)
        complaint.with_user(self.officer_a).action_close()
        self.assertEqual(complaint.step, "response")
        complaint.write({"remedy": "refund", "compensation_amount": 120})
        complaint.with_user(self.officer_a).action_communicate()
        complaint.complainant_response = "accepted"
        complaint.with_user(self.officer_a).action_close()
        self.assertEqual((complaint.step, complaint.closure_reason), ("closed", "changed_referral"))

    def test_the_decision_letter_names_the_recourse(self):
        complaint = self._rejected()
        report = self.env["ir.actions.report"]
        html, _type = report._render_qweb_html("iso10002_complaints.report_complaint_decision", complaint.ids)
        html = html.decode()
        self.assertIn("Retail Ombudsman Recourse", html)
        self.assertIn("Free for consumers", html)
        self.assertIn("not involved in this decision", " ".join(html.split()))

    def test_the_review_and_the_register_show_answers_and_recourse(self):
        reviewed = self._rejected()
        reviewed.write(
            {
                "recourse_offered_date": "2026-03-20",
                "recourse_means": "email",
                "recourse_kind": "review",
                "review_level": 2,
                "reviewer_id": self.manager.id,
                "review_date": "2026-03-22",
                "review_outcome": "changed",
            }
        )
        referred = self._rejected()
        referred.write(
            {
                "recourse_offered_date": "2026-03-20",
                "recourse_means": "email",
                "recourse_kind": "referral",
                "dispute_provider_id": self.provider.id,
                "external_referral_date": "2026-03-21",
                "referral_outcome_date": "2026-04-01",
                "referral_result": "settled",
                "referral_amount": 80,
            }
        )
        accepted = self._complaint()
        self._walk_to(accepted, "closed")
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": "2026-01-01", "date_to": "2026-12-31", "team_ids": [(6, 0, self.team_a.ids)]}
        )
        decisions = wizard._review_values()["decisions"]
        self.assertEqual((decisions["answered"], decisions["accepted"], decisions["rejected"]), (3, 1, 2))
        self.assertAlmostEqual(decisions["rejected_pct"], 66.7, delta=0.1)
        self.assertEqual(decisions["reviews"], [{"label": "2", "value": 1}])
        self.assertEqual(decisions["referrals"], [{"label": "Settled between the parties", "value": 1}])
        self.assertEqual(decisions["referral_amount"], 80)
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "iso10002_complaints.report_management_review", wizard.ids, data=wizard._report_data()
        )
        self.assertIn("Recourse after a rejection", html.decode())
        Register = self.env["report.iso10002_complaints.register_xlsx"]
        book = openpyxl.load_workbook(io.BytesIO(Register._generate(reviewed | referred | accepted)))
        sheet = book.worksheets[0]
        header = [cell.value for cell in sheet[1]]
        rows = {row[header.index("Reference")]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
        self.assertEqual(rows[referred.name][header.index("Dispute-resolution Provider")], "Retail Ombudsman Recourse")
        self.assertEqual(rows[referred.name][header.index("Referral Outcome")], "Settled between the parties")
        self.assertEqual(rows[reviewed.name][header.index("Review Level")], 2)


@tagged("post_install", "-at_install")
class TestRecourseChronology(ComplaintsCase):
    # ------------------------------------------------------------- item 4
    def _rejected(self):
        complaint = self._complaint(user_id=self.officer_a.id)
        self._walk_to(complaint, "investigation")
        officer = complaint.with_user(self.officer_a)
        officer.write({"remedy": "refund", "compensation_amount": 50, "root_cause_id": self.root_cause.id})
        officer.action_respond()
        officer.write({"response_text": "<p>We refund you fifty.</p>", "communication_channel": "phone"})
        officer.action_communicate()
        officer.write({"complainant_response": "rejected", "complainant_feedback": "No."})
        officer.write({"recourse_offered_date": fields.Date.today(), "recourse_means": "email"})
        return complaint

    def test_08_recourse_chronology(self):
        """Annex H: an outcome is not dated before the referral it ends; a review is
        not dated before the recourse was offered."""
        complaint = self._rejected()
        today = fields.Date.today()
        with self.assertRaises(UserError, msg="referral outcome before the referral"):
            with self.env.cr.savepoint():
                complaint.with_user(self.officer_a).write(
                    {
                        "recourse_kind": "referral",
                        "external_referral_date": today,
                        "referral_outcome_date": today - timedelta(days=30),
                    }
                )
                self.env.flush_all()

    def test_08b_review_not_before_the_recourse_was_offered(self):
        complaint = self._rejected()
        today = fields.Date.today()
        complaint.with_user(self.officer_a).recourse_offered_date = today - timedelta(days=2)
        with self.assertRaises(UserError, msg="a review dated before the recourse was offered"):
            with self.env.cr.savepoint():
                complaint.with_user(self.officer_a).write(
                    {"recourse_kind": "review", "review_date": today - timedelta(days=3)}
                )
                self.env.flush_all()
        complaint.with_user(self.officer_a).write({"recourse_kind": "review", "review_date": today})
        self.assertEqual(complaint.review_date, today)

    # ------------------------------------------------------------- item 7
    def test_17_reviewer_is_not_the_person_complained_about(self):
        """4.7, Annex D, 7.9: the internal review is not made by the person complained about."""
        complaint = self._rejected()
        complaint.sudo().person_complained_about_id = self.manager.partner_id
        with self.assertRaises(UserError, msg="reviewed by the person complained about"):
            complaint.with_user(self.officer_a).write(
                {
                    "recourse_kind": "review",
                    "reviewer_id": self.manager.id,
                    "review_date": fields.Date.today(),
                    "review_outcome": "upheld",
                }
            )
