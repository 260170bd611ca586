"""The complainant's satisfaction, asked the way they can be reached (ISO 10002 8.3): the
e-mailed rating link, or a task for the owner, who asks by phone, letter or in person and
records the answer; either counts in the satisfaction figures, the response rate and the
process audit. Driven from outside: XML-RPC as each role."""

import random
import xmlrpc.client
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.migration import load_script
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ComplaintsCase, MailGatewayCase, SecondTeamHttpCase

OFFICER = "iso10002_complaints.group_complaint_officer"

REFUSED = (AccessError, UserError, ValidationError)


def say(*args):
    """What a probe saw (kept for reading the probe; nothing is logged: the harness
    counts warnings as failures)."""


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


@tagged("post_install", "-at_install")
class TestSatisfactionRecorded(ComplaintsCase):
    # ------------------------------------------------------------- item 3 (8.3)
    def _sat_record(self, complaint, means, answer):
        wizard = (
            self.env["iso10002.satisfaction.wizard"]
            .with_user(self.officer_a)
            .create({"complaint_id": complaint.id, "means": means, "answer": answer})
        )
        wizard.action_record()

    def test_18_satisfaction_response_rate_screens_and_sql(self):
        """8.3: seeded complaints, each closed and asked its way: the response rate of the
        catalogue, the review, the process audit and a plain SQL count agree; a request
        made by letter that got no reply is a request without an answer."""
        mail_partner = self.env["res.partner"].create({"name": "Mailer", "email": "mailer@example.com"})
        letter_partner = self.env["res.partner"].create(
            {"name": "Letter Writer", "email": "lw@example.com", "street": "1 Paper Lane", "city": "Town"}
        )
        phone_partner = self.env["res.partner"].create({"name": "Caller", "phone": "+1 555 0100"})
        with freeze_time("2031-03-10 09:00:00"):
            unanswered = self._walk_to(self._complaint(user_id=self.officer_a.id, partner_id=mail_partner.id), "closed")
            rated = self._walk_to(self._complaint(user_id=self.officer_a.id, partner_id=mail_partner.id), "closed")
            rated.sudo().rating_apply(5, token=rated.sudo()._rating_get_access_token())
            by_phone = self._walk_to(
                self._complaint(user_id=self.officer_a.id, partner_id=phone_partner.id, contact_preference="phone"),
                "closed",
            )
            self._sat_record(by_phone, "phone", "3")
            declined = self._walk_to(
                self._complaint(user_id=self.officer_a.id, partner_id=phone_partner.id, contact_preference="phone"),
                "closed",
            )
            self._sat_record(declined, "phone", "declined")
            # asked by letter (the owner's task says: write to ask); no reply ever came
            by_letter = self._walk_to(
                self._complaint(user_id=self.officer_a.id, partner_id=letter_partner.id, contact_preference="letter"),
                "closed",
            )
            self._sat_record(by_letter, "letter", "no_reply")
        seeded = unanswered | rated | by_phone | declined | by_letter
        with freeze_time("2031-04-20 09:00:00"):
            ids = tuple(seeded.ids)
            self.env.flush_all()
            self.env.cr.execute(
                """SELECT count(DISTINCT c.id) FILTER (WHERE r.id IS NOT NULL),
                          count(DISTINCT c.id) FILTER (WHERE r.consumed AND r.rating > 0)
                     FROM iso10002_complaint c
                LEFT JOIN rating_rating r ON r.res_model = 'iso10002.complaint' AND r.res_id = c.id
                    WHERE c.id IN %s AND c.closed_date BETWEEN '2031-03-01' AND '2031-03-31 23:59:59'""",
                (ids,),
            )
            asked_sql, answered_sql = self.env.cr.fetchone()
            period = (date(2031, 3, 1), date(2031, 3, 31))
            env = self.env(user=self.manager)
            measure = env["iso10002.figure"]._measures(
                ["satisfaction_response_rate"], *period, domain=[("id", "in", seeded.ids)]
            )["satisfaction_response_rate"]
            review = (
                env["iso10002.management.review.wizard"]
                .create({"date_from": period[0], "date_to": period[1]})
                ._review_values()
            )
            audit = (
                env["iso10002.process.audit.wizard"]
                .with_context(active_test=False)
                .create({"date_from": period[0], "date_to": period[1], "sample_mode": "all"})
            )._audit_values()
            shown_audit = {f["code"]: f for f in audit["satisfaction"]}["satisfaction_response_rate"]
            checks = {c["key"]: c for c in audit["checks"]}
            report = (
                f"sql asked={asked_sql} answered={answered_sql}; figure {measure}; review {review['satisfaction']}; "
                f"audit figure {shown_audit.get('value')} "
                f"{shown_audit.get('numerator')}/{shown_audit.get('denominator')}; "
                f"audit check 'satisfaction asked' {checks['satisfaction'].get('passed')}/"
                f"{checks['satisfaction'].get('applicable')}; letter complaint ratings {by_letter.sudo().rating_ids}; "
                f"letter tasks {by_letter.sudo().activity_ids.mapped('summary')}"
            )
            self.assertEqual((measure["numerator"], measure["denominator"]), (answered_sql, asked_sql), report)
            self.assertEqual(review["satisfaction"]["response_pct"], measure["value"], report)
            self.assertEqual(shown_audit["value"], measure["value"], report)
            # the letter asking for satisfaction was sent (that is what the task asked): it is
            # a request, not answered
            self.assertEqual(measure["denominator"], 5, "the letter request with no reply is not counted: " + report)

    # ------------------------------------------------------------- item 2
    def test_19_reopened_and_closed_again_is_asked_again(self):
        """8.3: a complaint reopened, decided again and closed is asked again: the
        answer given to the first closing does not count as asked/answered for the second."""
        phone_partner = self.env["res.partner"].create({"name": "Caller Two", "phone": "+1 555 0101"})
        complaint = self._walk_to(
            self._complaint(user_id=self.officer_a.id, partner_id=phone_partner.id, contact_preference="phone"),
            "closed",
        )
        self._sat_record(complaint, "phone", "5")
        # reopened the next day (an answer of the same second as a reopening would count for it)
        with freeze_time(fields.Datetime.now() + timedelta(days=1)):
            complaint.with_user(self.officer_a).action_reopen()
            self._walk_to(complaint, "closed")
        self.assertTrue(complaint.sudo().activity_ids, "the owner is asked to ask again")
        self.assertFalse(
            complaint.step_history_id.satisfaction_asked and complaint.step_history_id.rating,
            "the first closing's answer counts as the answer after the second",
        )

    # ------------------------------------------------------------- item 3
    def test_21_one_answer_per_request(self):
        """8.3: the answer recorded by phone closes the e-mailed request: the e-mail link
        does not add a second, different answer afterwards."""
        partner = self.env["res.partner"].create({"name": "Both Ways", "email": "both@example.com"})
        complaint = self._walk_to(self._complaint(user_id=self.officer_a.id, partner_id=partner.id), "closed")
        token = complaint.sudo().rating_ids.access_token
        self.assertTrue(token)
        self._sat_record(complaint, "phone", "1")
        complaint.sudo().rating_apply(5, token=token)
        ratings = complaint.sudo().rating_ids.filtered("consumed")
        self.assertEqual(len(ratings), 1, "two answers to one request, by phone (1) and by e-mail (5)")


@tagged("post_install", "-at_install")
class TestWhoRecordsSatisfaction(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.archived_officer = new_test_user(cls.env, login="gone_officer", groups=OFFICER, name="Gone Officer")
        cls.archived_officer.active = False

    # ------------------------------------------------------- 3. satisfaction wizard
    def _sat_closed(self, **values):
        c = self._complaint(user_id=self.officer_a.id, **values)
        return self._walk_to(c, "closed")

    def _sat_record(self, user, complaint, **values):
        vals = {"complaint_id": complaint.id, "means": "phone", "answer": "5", **values}
        wizard = self.env["iso10002.satisfaction.wizard"].with_user(user).create(vals)
        return wizard.action_record()

    def test_50_phone_answer_then_the_emailed_link_answers_again(self):
        """E-mailed request sent on close; the owner records a phone answer; then the
        complainant's e-mailed link still rates: two answers to one request."""
        c = self._sat_closed()
        emailed = c.sudo().rating_ids.filtered(lambda r: not r.consumed)
        say("PROBE50 e-mailed requests", len(emailed), emailed.mapped("satisfaction_means"))
        self._sat_record(self.officer_a, c, answer="1")
        if emailed:
            try:
                c.sudo().rating_apply(5, token=emailed[0].access_token)
            except REFUSED as e:
                say("HELD50", e)
        answers = c.sudo().rating_ids.filtered("consumed")
        say("PROBE50 consumed answers", [(r.rating, r.satisfaction_means) for r in answers])
        self.assertLessEqual(len(answers), 1, "BREAK: two satisfaction answers for one request")

    def test_51_record_satisfaction_on_an_anonymised_complaint(self):
        c = self._sat_closed(contact_preference="phone")
        c.with_user(self.manager).action_anonymise()
        try:
            self._sat_record(self.officer_a, c, feedback="Jane Doe of 1 High Street said it was fine")
            rated = c.sudo().rating_ids.filtered("consumed")
            say("BREAK51 rating on anonymised complaint", rated.mapped("feedback"))
            self.fail("BREAK: personal words recorded on an anonymised complaint")
        except REFUSED as e:
            say("HELD51", e)

    def test_52_who_may_record_and_when(self):
        c = self._sat_closed(contact_preference="phone")
        for user in (self.officer_b, self.auditor, self.employee, self.officer_other_company):
            with self.subTest(user=user.login):
                try:
                    with self.env.cr.savepoint():
                        self._sat_record(user, c)
                        self.fail(f"BREAK: {user.login} recorded the satisfaction")
                except REFUSED as e:
                    say("HELD52", user.login, type(e).__name__)
        for asked_by in (self.auditor, self.manager):
            c = self._sat_closed(contact_preference="phone")
            with self.subTest(asked_by=asked_by.login):
                try:
                    with self.env.cr.savepoint():
                        self._sat_record(self.officer_a, c, asked_by_id=asked_by.id)
                        say("PROBE52 officer_a recorded it as asked by", asked_by.login)
                        if asked_by == self.auditor:
                            self.fail("BREAK: the answer is attributed to the auditor, who does not handle it")
                except REFUSED as e:
                    say("HELD52-asked-by", asked_by.login, e)
        c = self._sat_closed(contact_preference="phone")
        for asked in (fields.Datetime.now() + timedelta(minutes=3), c.communication_date - timedelta(seconds=1)):
            with self.subTest(asked=asked):
                try:
                    with self.env.cr.savepoint():
                        self._sat_record(self.officer_a, c, asked_date=asked)
                        self.fail(f"BREAK: asked_date {asked} accepted")
                except REFUSED as e:
                    say("HELD52-date", asked, e)
        self._sat_record(self.officer_a, c)
        with self.assertRaises(UserError):
            self._sat_record(self.officer_a, c, answer="1")
        with self.assertRaises(UserError):
            self._sat_record(self.manager, c, answer="declined")

    def test_53_forged_rating_through_context_defaults(self):
        c = self._sat_closed(contact_preference="phone")
        wizard = (
            self.env["iso10002.satisfaction.wizard"]
            .with_user(self.officer_a)
            .with_context(
                default_satisfaction_means="email",
                default_rating=5,
                default_consumed=True,
                default_satisfaction_recorded_by_id=self.manager.id,
                default_res_id=self.complainant.id,
            )
            .create({"complaint_id": c.id, "means": "phone", "answer": "1"})
        )
        try:
            wizard.action_record()
        except REFUSED as e:
            say("HELD53", e)
        r = c.sudo().rating_ids.filtered("consumed")
        say("PROBE53", [(x.rating, x.satisfaction_means, x.satisfaction_recorded_by_id.login, x.res_id) for x in r])
        if r:
            self.assertEqual(
                (r.rating, r.satisfaction_means, r.satisfaction_recorded_by_id), (1, "phone", self.officer_a)
            )


@tagged("post_install", "-at_install")
class TestSatisfactionOnlyThroughTheRequest(SecondTeamHttpCase):
    """Satisfaction is asked when an officer closes, and rated only through the request."""

    def _walk(self, complaint, user):
        complaint = complaint.with_user(user)
        complaint.write({"severity": "high", "category_id": self.category.id})
        complaint.action_assess()
        complaint.write({"remedy": "apology", "response_text": "<p>Sorry</p>", "communication_channel": "email"})
        complaint.action_respond()
        complaint.action_communicate()
        complaint.write({"complainant_response": "accepted"})
        complaint.action_close()
        return complaint

    def test_an_officer_closes_and_the_company_asks_for_satisfaction(self):
        complaint = self._walk(self._new(), self.officer)
        self.assertEqual(complaint.step, "closed")
        self.assertTrue(
            self.env["rating.rating"].search([("res_model", "=", complaint._name), ("res_id", "=", complaint.id)])
        )

    def test_ratings_only_through_the_satisfaction_request(self):
        token = self.complaint.sudo()._rating_get_access_token()
        with self.assertRaises(AccessError):
            self.complaint.with_user(self.officer).rating_apply(1, token=token, feedback="forged")
        with self.assertRaises(AccessError):
            self.complaint.with_user(self.officer).message_post(body="x", rating_value=1)
        ratings = self.env["rating.rating"].with_user(self.employee).search([("res_model", "=", "iso10002.complaint")])
        self.assertFalse(ratings, "employees outside the complaint roles read no complaint's rating (nor its token)")
        followers = (
            self.env["mail.followers"].with_user(self.employee).search([("res_model", "=", "iso10002.complaint")])
        )
        self.assertFalse(followers)
