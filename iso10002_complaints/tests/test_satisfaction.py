"""The complainant's satisfaction, asked the way they can be reached (ISO 10002 8.3): the
e-mailed rating link, or a task for the owner, who asks by phone, letter or in person and
records the answer; either counts in the satisfaction figures, the response rate and the
process audit. Driven from outside: XML-RPC as each role."""

import random
import xmlrpc.client
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.migration import load_script
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import ComplaintsCase

C = "iso10002.complaint"
W = "iso10002.satisfaction.wizard"
SATISFACTION_ACTIVITY = "iso10002_complaints.mail_activity_type_satisfaction"
SEED = 20261206


@tagged("post_install", "-at_install", "satisfaction")
class TestSatisfactionByAnyMeans(HttpCase, ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user in (
            cls.officer_a,
            cls.officer_b,
            cls.auditor,
            cls.employee,
            cls.manager,
            cls.portal_user,
            cls.officer_other_company,
        ):
            user.password = user.login
        cls.by_letter = cls.env["res.partner"].create(
            {"name": "Letter Writer", "email": "letters@example.com", "street": "1 Paper Lane"}
        )
        cls.without_email = cls.env["res.partner"].create({"name": "Walk-in Visitor", "phone": "+1 555 0100"})

    def setUp(self):
        super().setUp()
        self.enterContext(mute_logger("odoo.http"))

    # ------------------------------------------------------------- helpers
    def _rpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs)

    def _closed(self, **values):
        complaint = self._complaint(user_id=self.officer_a.id, **values)
        return self._walk_to(complaint, "closed")

    def _requests_mailed(self, complaint):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", C), ("res_id", "=", complaint.id), ("subject", "ilike", "how did we handle")])
        )

    def _tasks(self, complaint):
        activity_type = self.env.ref(SATISFACTION_ACTIVITY)
        return complaint.sudo().activity_ids.filtered(lambda a: a.activity_type_id == activity_type)

    def _record(self, user, complaint, **values):
        """The wizard, as ``user`` over XML-RPC: created, then recorded."""
        vals = {"complaint_id": complaint.id, "means": "phone", "answer": "5", **values}
        wizard_id = self._rpc(user, W, "create", vals)
        return self._rpc(user, W, "action_record", [wizard_id])

    def _figures(self, complaints):
        today = fields.Date.today()
        return self.env(user=self.manager)["iso10002.figure"]._measures(
            ["satisfaction", "satisfaction_response_rate"], today, today, domain=[("id", "in", complaints.ids)]
        )

    def _audit_check(self, complaints):
        today = fields.Date.today()
        wizard = (
            self.env(user=self.auditor)["iso10002.process.audit.wizard"]
            .with_context(active_test=False)
            .create({"date_from": today, "date_to": today, "sample_mode": "all"})
        )
        values = wizard._audit_values()
        failing = {e["complaint"] for e in values["exceptions"] if e["check"] == wizard._check_labels()["satisfaction"]}
        return {complaint: complaint not in failing for complaint in complaints}, values

    # ------------------------------------------------------- who is asked how
    def test_a_complainant_by_email_is_asked_by_email_and_the_owner_gets_no_task(self):
        complaint = self._closed(contact_preference="email")
        mail = self._requests_mailed(complaint)
        rating = complaint.sudo().rating_ids
        self.assertEqual(len(mail), 1)
        self.assertIn(f"/rate/{rating.access_token}/5", mail.body_html)
        self.assertEqual(rating.satisfaction_means, "email")
        self.assertTrue(rating.satisfaction_asked_date)
        self.assertFalse(rating.consumed)
        self.assertFalse(self._tasks(complaint))
        self.assertTrue(complaint.step_history_id.satisfaction_asked, "the request is a row of the history")
        # asked: the audit passes it; not answered yet: the response rate is 0 of 1
        self.assertTrue(self._audit_check(complaint)[0][complaint])
        measures = self._figures(complaint)
        self.assertEqual(
            (
                measures["satisfaction_response_rate"]["numerator"],
                measures["satisfaction_response_rate"]["denominator"],
            ),
            (0, 1),
        )

    def test_a_letter_or_phone_complainant_gets_no_email_and_the_owner_a_task(self):
        for preference, partner in (
            ("letter", self.by_letter),
            ("phone", self.complainant),
            (False, self.without_email),
        ):
            with self.subTest(preference=preference):
                complaint = self._closed(contact_preference=preference, partner_id=partner.id)
                self.assertFalse(self._requests_mailed(complaint), "no e-mail to who chose another means")
                self.assertFalse(complaint.sudo().rating_ids, "no request made yet: nobody asked")
                task = self._tasks(complaint)
                self.assertEqual(len(task), 1)
                self.assertEqual(task.user_id, self.officer_a, "the owner asks")
                self.assertIn("Record Satisfaction", str(task.note))
                self.assertFalse(complaint.step_history_id.satisfaction_asked)
                self.assertFalse(self._audit_check(complaint)[0][complaint], "not asked yet: the audit says so")
                self.assertIsNone(self._figures(complaint)["satisfaction_response_rate"]["value"])

    # --------------------------------------------------- recording, over RPC
    def test_the_owner_records_a_phone_answer_and_it_counts_like_an_emailed_one(self):
        by_phone = self._closed(contact_preference="phone")
        by_email = self._closed(contact_preference="email", partner_id=self.by_letter.id)
        both = by_phone | by_email
        before = self._figures(both)
        self.assertEqual(before["satisfaction"]["denominator"], 0)
        self.assertEqual(before["satisfaction_response_rate"]["denominator"], 1, "only the e-mail was asked")
        # the e-mailed link answered by its complainant, the phone answer recorded by the owner
        token = by_email.sudo()._rating_get_access_token()
        by_email.sudo().rating_apply(1, token=token, feedback="Too slow")
        asked = by_phone.communication_date  # before the answer is recorded
        result = self._record(
            self.officer_a,
            by_phone,
            means="phone",
            answer="5",
            asked_date=fields.Datetime.to_string(asked),
            feedback="Very kind on the phone",
        )
        self.assertEqual(result, {"type": "ir.actions.act_window_close"})
        rating = by_phone.sudo().rating_ids
        self.assertRecordValues(
            rating,
            [
                {
                    "rating": 5.0,
                    "consumed": True,
                    "feedback": "Very kind on the phone",
                    "partner_id": self.complainant.id,
                    "satisfaction_means": "phone",
                    "satisfaction_asked_by_id": self.officer_a.id,
                    "satisfaction_asked_date": asked.replace(microsecond=0),
                    "satisfaction_recorded_by_id": self.officer_a.id,
                    "satisfaction_declined": False,
                }
            ],
        )
        # for the owner: the task is done, the chatter says who asked how and what was said
        self.assertFalse(self._tasks(by_phone))
        note = by_phone.message_ids.filtered(lambda m: "Very kind on the phone" in (m.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("Satisfaction asked by Officer A (Phone): Satisfied.", note.body)
        self.assertIn("Very kind on the phone", note.body)
        self.assertTrue(note.is_internal or note.subtype_id == self.env.ref("mail.mt_note"))
        # for the complainant: no e-mail, nothing on their page's messages
        self.assertFalse(self._requests_mailed(by_phone))
        # in the history and the figures, with the e-mailed rating
        self.assertEqual(by_phone.step_history_id.rating, 5.0)
        self.assertTrue(by_phone.step_history_id.satisfaction_asked)
        after = self._figures(both)
        self.assertEqual((after["satisfaction"]["numerator"], after["satisfaction"]["denominator"]), (1, 2))
        self.assertEqual(after["satisfaction"]["value"], 50.0)
        self.assertEqual(
            (after["satisfaction_response_rate"]["numerator"], after["satisfaction_response_rate"]["denominator"]),
            (2, 2),
        )
        # for the auditor: both asked, and the audit shows the response rate
        passed, values = self._audit_check(both)
        self.assertEqual(passed, {by_phone: True, by_email: True})
        shown = {figure["code"]: figure["value"] for figure in values["satisfaction"]}
        self.assertEqual(shown["satisfaction_response_rate"], 100.0)

    def test_a_refusal_to_answer_is_a_request_made_without_an_answer(self):
        complaint = self._closed(contact_preference="letter", partner_id=self.by_letter.id)
        self._record(self.officer_a, complaint, means="letter", answer="declined")
        rating = complaint.sudo().rating_ids
        self.assertEqual((rating.rating, rating.consumed, rating.satisfaction_declined), (0.0, True, True))
        measures = self._figures(complaint)
        self.assertEqual(measures["satisfaction"]["denominator"], 0, "no rating to count")
        self.assertEqual(
            (
                measures["satisfaction_response_rate"]["numerator"],
                measures["satisfaction_response_rate"]["denominator"],
            ),
            (0, 1),
        )
        self.assertTrue(self._audit_check(complaint)[0][complaint], "asked")
        self.assertFalse(self._tasks(complaint))

    def test_not_satisfied_in_person_asks_the_owner_to_follow_it_up(self):
        complaint = self._closed(contact_preference="phone")
        self._record(self.officer_a, complaint, means="in_person", answer="1")
        followups = complaint.sudo().activity_ids.filtered(lambda a: a.summary == "Complainant not satisfied")
        self.assertEqual(followups.user_id, self.officer_a)

    def test_who_may_not_handle_the_complaint_records_or_alters_nothing(self):
        complaint = self._closed(contact_preference="phone")
        emailed = self._closed(contact_preference="email", partner_id=self.by_letter.id)
        request = emailed.sudo().rating_ids
        for user in (self.officer_b, self.auditor, self.employee, self.portal_user, self.officer_other_company):
            with self.subTest(user=user.login):
                with self.assertRaises(xmlrpc.client.Fault):
                    self._record(user, complaint)
                with self.assertRaises(xmlrpc.client.Fault):
                    self._rpc(user, C, "action_record_satisfaction", [complaint.id])
                with self.assertRaises(xmlrpc.client.Fault):
                    self._rpc(user, "rating.rating", "write", [request.id], {"rating": 5, "consumed": True})
        # the owner neither: a rating is the complainant's, or the wizard's record of their answer
        for method, args in (
            ("write", ([request.id], {"rating": 5, "consumed": True})),
            ("write", ([request.id], {"satisfaction_means": "phone"})),
            ("unlink", ([request.id],)),
            (
                "create",
                (
                    {
                        "res_model_id": self.env["ir.model"]._get_id(C),
                        "res_id": complaint.id,
                        "rating": 5,
                        "consumed": True,
                        "satisfaction_means": "phone",
                    },
                ),
            ),
        ):
            with self.subTest(method=method, args=args), self.assertRaises(xmlrpc.client.Fault):
                self._rpc(self.officer_a, "rating.rating", method, *args)
        self.assertFalse(complaint.sudo().rating_ids)
        self.assertRecordValues(request, [{"rating": 0.0, "consumed": False, "satisfaction_means": "email"}])
        # a rating of any other document does not say how a complainant was asked either
        with self.assertRaisesRegex(AccessError, "recorded by the process only"):
            self.env["rating.rating"].with_user(self.officer_a).create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": 1,
                    "satisfaction_means": "phone",
                }
            )
        self.assertTrue(self._tasks(complaint), "the task stays until an answer is recorded")

    def test_what_the_wizard_refuses(self):
        complaint = self._closed(contact_preference="phone")
        now = fields.Datetime.now()
        open_one = self._walk_to(self._complaint(user_id=self.officer_a.id), "communicated")
        Wizard = self.env[W].with_user(self.officer_a)
        with self.assertRaises(ValidationError):
            Wizard.create(
                {"complaint_id": complaint.id, "means": "phone", "answer": "5", "asked_date": now + timedelta(hours=1)}
            )
        with self.assertRaises(ValidationError):
            Wizard.create(
                {
                    "complaint_id": complaint.id,
                    "means": "phone",
                    "answer": "5",
                    "asked_date": complaint.communication_date - timedelta(days=1),
                }
            ).action_record()
        with self.assertRaises(ValidationError):
            Wizard.create(
                {"complaint_id": complaint.id, "means": "phone", "answer": "5", "asked_by_id": self.portal_user.id}
            ).action_record()
        with self.assertRaises(ValidationError):
            Wizard.create(
                {"complaint_id": complaint.id, "means": "phone", "answer": "5", "asked_by_id": self.officer_b.id}
            ).action_record()
        with self.assertRaisesRegex(UserError, "once complaint .* is closed"):
            Wizard.create({"complaint_id": open_one.id, "means": "phone", "answer": "5"}).action_record()
        with self.assertRaisesRegex(UserError, "once complaint .* is closed"):
            open_one.with_user(self.officer_a).action_record_satisfaction()
        self.assertFalse(complaint.sudo().rating_ids, "nothing recorded by a refused attempt")
        # once answered, by any means, the answer is not replaced
        action = complaint.with_user(self.officer_a).action_record_satisfaction()
        self.assertEqual(action["context"]["default_means"], "phone")
        Wizard.create({"complaint_id": complaint.id, "means": "phone", "answer": "3"}).action_record()
        with self.assertRaisesRegex(UserError, "already answered"):
            Wizard.create({"complaint_id": complaint.id, "means": "letter", "answer": "5"}).action_record()
        emailed = self._closed(contact_preference="email", partner_id=self.by_letter.id)
        emailed.sudo().rating_apply(5, token=emailed.sudo()._rating_get_access_token())
        with self.assertRaisesRegex(UserError, "already answered"):
            Wizard.create({"complaint_id": emailed.id, "means": "phone", "answer": "1"}).action_record()
        # reopened and closed again after a new decision: asked again
        with freeze_time(now + timedelta(hours=1)):
            complaint.action_reopen()
            self._walk_to(complaint, "closed")
            self.assertTrue(self._tasks(complaint))
            Wizard.create({"complaint_id": complaint.id, "means": "phone", "answer": "5"}).action_record()
        self.assertEqual(len(complaint.sudo().rating_ids), 2)
        self.assertEqual(complaint.step_history_id.rating, 5.0)

    def test_the_callers_context_sets_nothing_of_a_request(self):
        """Closing over RPC with defaults in the context: the e-mailed request is neither
        rated nor sent to anyone else."""
        complaint = self._walk_to(self._complaint(user_id=self.officer_a.id), "communicated")
        complaint.complainant_response = "accepted"
        context = {
            "default_rating": 5,
            "default_consumed": True,
            "default_feedback": "forged",
            "default_satisfaction_means": "phone",
            "default_email_to": "attacker@example.com",
            "default_partner_ids": [(4, self.officer_b.partner_id.id)],
        }
        self._rpc(self.officer_a, C, "action_close", [complaint.id], context=context)
        rating = complaint.sudo().rating_ids
        self.assertRecordValues(
            rating, [{"rating": 0.0, "consumed": False, "feedback": False, "satisfaction_means": "email"}]
        )
        mail = self._requests_mailed(complaint)
        self.assertEqual(mail.recipient_ids, self.complainant)
        self.assertFalse(mail.email_to)

    def test_the_complainants_comments_are_text_or_refused(self):
        """Seeded comments, some with what a person does not type (NUL, controls, direction
        overrides, an invisible BOM): refused as on every form, nothing recorded; the others
        recorded as given."""
        rng = random.Random(SEED)
        alphabet = ["a", "ب", " ", "\n", "\x00", "\x07", "\u202e", "\u200c", "é", "😀", "\ufeff"]
        refused = recorded = 0
        for index in range(20):
            complaint = self._closed(contact_preference="phone", subject=f"Seeded {index}")
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
            values = {"complaint_id": complaint.id, "means": "phone", "answer": rng.choice(["1", "3", "5"])}
            if any(char in "\x00\x07\u202e\ufeff" for char in text):
                with self.assertRaisesRegex(UserError, "characters that are not text"):
                    self.env[W].with_user(self.officer_a).create(dict(values, feedback=text))
                self.assertFalse(complaint.sudo().rating_ids)
                self.assertTrue(self._tasks(complaint), "still to ask")
                refused += 1
                continue
            self.env[W].with_user(self.officer_a).create(dict(values, feedback=text)).action_record()
            self.assertEqual(complaint.sudo().rating_ids.feedback or "", text.strip(), repr(text))
            recorded += 1
        self.assertTrue(refused and recorded, "the seed reaches both")

    def test_the_review_shows_the_response_rate(self):
        complaint = self._closed(contact_preference="phone")
        self._record(self.officer_a, complaint, answer="3")
        today = fields.Date.today()
        wizard = self.env(user=self.manager)["iso10002.management.review.wizard"].create(
            {"date_from": today, "date_to": today, "team_ids": [(6, 0, self.team_a.ids)]}
        )
        values = wizard._review_values()
        measures = self.env(user=self.manager)["iso10002.figure"]._measures(
            ["satisfaction_response_rate"], today, today, teams=self.team_a
        )["satisfaction_response_rate"]
        self.assertEqual(values["satisfaction"]["response_pct"], measures["value"])
        self.assertEqual(values["satisfaction"]["asked"], measures["denominator"])
        self.assertGreaterEqual(measures["numerator"], 1)
        figures = {figure["code"]: figure for figure in values["figures"]}
        self.assertEqual(figures["satisfaction_response_rate"]["value"], measures["value"])
        team = next(row for row in values["satisfaction_by_team"] if row["label"] == "Team A")
        self.assertEqual(team["response_pct"], measures["value"])
        # an objective may target it
        objective = self.env["iso10002.objective"].create(
            {
                "metric": "satisfaction_response_rate",
                "target": 80,
                "date_from": today,
                "date_to": today,
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
            }
        )
        value = self.env["iso10002.figure"]._values(
            ["satisfaction_response_rate"], today, today, companies=self.company
        )["satisfaction_response_rate"]
        self.assertIsNotNone(value)
        self.assertEqual(objective.actual, value)


@tagged("post_install", "-at_install", "satisfaction")
class TestSatisfactionOfAnUpgradedDatabase(ComplaintsCase):
    """A database of 18.0.1.5.0 has e-mailed rating requests and a history that does not
    say satisfaction was asked: the upgrade says so from each complaint's first request."""

    def test_the_upgrade_records_the_requests_made_before(self):
        asked = self._walk_to(self._complaint(user_id=self.officer_a.id), "closed")
        token = asked.sudo()._rating_get_access_token()
        asked.sudo().rating_apply(5, token=token)
        never = self._walk_to(self._complaint(user_id=self.officer_a.id, contact_preference="phone"), "closed")
        today = fields.Date.today()
        Figure = self.env["iso10002.figure"]
        domain = [("id", "in", (asked | never).ids)]
        before = Figure._values(["satisfaction", "satisfaction_response_rate"], today, today, domain=domain)
        self.assertEqual(before["satisfaction_response_rate"], 100.0)
        self.env.flush_all()
        # as 18.0.1.5.0 left them: no request date, no column in the history (a test's
        # transaction dates all its records at its start: the request's own moment is set)
        self.env.cr.execute(
            "UPDATE rating_rating SET satisfaction_asked_date = NULL, satisfaction_means = NULL, create_date = %s "
            "WHERE res_model = 'iso10002.complaint'",
            [asked.sudo().rating_ids.satisfaction_asked_date],
        )
        self.env.cr.execute("UPDATE iso10002_complaint_step_history SET satisfaction_asked = NULL")
        self.env.invalidate_all()
        self.assertIsNone(
            Figure._values(["satisfaction_response_rate"], today, today, domain=domain)["satisfaction_response_rate"]
        )
        script = load_script("iso10002_complaints/migrations/18.0.1.6.0/post-satisfaction.py", "iso10002_post_sat")
        script.migrate(self.env.cr, "18.0.1.5.0")
        self.env.invalidate_all()
        self.assertEqual(
            Figure._values(["satisfaction", "satisfaction_response_rate"], today, today, domain=domain), before
        )
        self.assertTrue(asked.sudo().rating_ids.satisfaction_asked_date)
        self.assertFalse(never.step_history_ids.filtered("satisfaction_asked"))
        self.env.cr.execute("SELECT count(*) FROM iso10002_complaint_step_history WHERE satisfaction_asked IS NULL")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        # answered before the upgrade: not recorded again by phone
        with self.assertRaisesRegex(UserError, "already answered"):
            self.env[W].create({"complaint_id": asked.id, "means": "phone", "answer": "1"}).action_record()
