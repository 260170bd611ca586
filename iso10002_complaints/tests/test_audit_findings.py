"""What an ISO 10002 auditor checked of the process (issue 23), each test asserting what
the standard asks: a step recorded has its consequence for the complainant, the owner and
the auditor, and a figure agrees with a plain SQL count on the raw records."""

from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import ComplaintsCase


@tagged("post_install", "-at_install")
class TestTheProcessDoesWhatItRecords(ComplaintsCase):
    # ------------------------------------------------------------- item 1
    def test_01_owner_cannot_be_removed_while_received(self):
        """5.4, 7.3: a responsible person from receipt: removing the owner of a complaint
        still in Received is refused as it is once acknowledged."""
        complaint = self._complaint(contact_preference="letter")
        self.assertEqual(complaint.step, "received")
        self.assertTrue(complaint.user_id)
        with self.assertRaises(UserError):
            complaint.with_user(self.officer_a).write({"user_id": False})

    # ------------------------------------------------------------- item 2
    def test_02_letter_acknowledgement_needs_an_address(self):
        """7.4 / 4.5: a letter recorded as sent needs an address to send it to."""
        complaint = self._complaint(contact_preference="letter")
        self.assertFalse(complaint._postal_address())
        complaint = complaint.with_user(self.officer_a)
        complaint.acknowledgement_channel = "letter"
        with self.assertRaises(UserError, msg="acknowledged 'by letter' to no postal address"):
            complaint.action_acknowledge()

    def test_04_decision_by_letter_needs_an_address(self):
        complaint = self._complaint(contact_preference="letter", user_id=self.officer_a.id)
        self._walk_to(complaint, "response")
        complaint = complaint.with_user(self.officer_a)
        complaint.write({"response_text": "<p>Sorry.</p>", "communication_channel": "letter"})
        with self.assertRaises(UserError, msg="decision 'sent by letter' to no postal address"):
            complaint.action_communicate()

    def test_05_email_decision_without_email_is_not_recorded_as_sent(self):
        """Decision Sent By e-mail to a complainant with no e-mail address: nothing is
        sent, nothing is attached, but the decision is recorded as communicated."""
        partner = self.env["res.partner"].create({"name": "No Mail"})
        complaint = self._complaint(partner_id=partner.id, user_id=self.officer_a.id)
        self._walk_to(complaint, "response")
        complaint = complaint.with_user(self.officer_a)
        complaint.write({"response_text": "<p>Sorry.</p>", "communication_channel": "email"})
        with self.assertRaises(UserError, msg="communicated 'by e-mail' with no e-mail address"):
            complaint.action_communicate()

    def test_06_ack_letter_signed_by_who_acknowledged(self):
        """Letters signed by whoever decided: the acknowledgement letter, recorded by the
        manager, is printed in the owner's name while the chatter says the manager sent it."""
        complaint = self._complaint(
            contact_preference="letter",
            user_id=self.officer_a.id,
            partner_street="1 Main St",
            partner_city="Town",
        )
        complaint = complaint.with_user(self.manager)
        complaint.acknowledgement_channel = "letter"
        complaint.action_acknowledge()
        report = self.env["ir.actions.report"].with_user(self.manager)
        html, _t = report._render_qweb_html(
            "iso10002_complaints.action_report_complaint_acknowledgement", complaint.ids
        )
        signature = " ".join(html.decode().split()).split("Kind regards")[-1]
        notes = " ".join(complaint.sudo().message_ids.mapped("body"))
        self.assertIn(self.manager.name, notes)
        self.assertIn(self.manager.name, signature, "letter signed by someone other than who sent it")

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

    def test_07_changed_decision_recorded_as_decided_by_who_decided_it(self):
        """7.9: the decision changed on review is made by someone not involved. The owner
        closes (which sends it back to Response), the reviewer decides the new one: the
        new version must name the reviewer, not the first decider."""
        complaint = self._rejected()
        complaint.with_user(self.officer_a).write(
            {
                "recourse_kind": "review",
                "reviewer_id": self.manager.id,
                "review_date": fields.Date.today(),
                "review_outcome": "changed",
            }
        )
        complaint.with_user(self.officer_a).action_close()  # the owner's Close button
        self.assertEqual(complaint.step, "response")
        manager = complaint.with_user(self.manager)
        manager.write({"remedy": "compensation", "compensation_amount": 120, "response_text": "<p>On review: 120.</p>"})
        manager.action_communicate()
        v2 = complaint.decision_ids.sorted("version")[-1]
        self.assertEqual(v2.reason, "review")
        html, _t = (
            self.env["ir.actions.report"]
            .with_user(self.manager)
            ._render_qweb_html("iso10002_complaints.report_complaint_decision", complaint.ids)
        )
        signature = " ".join(html.decode().split()).split("Kind regards")[-1]
        self.assertNotEqual(v2.decided_by_id, self.officer_a, "changed decision recorded as the first decider's")
        self.assertIn(self.manager.name, signature, "the new letter is signed by who decided it anew")

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

    def test_10_escalation_not_to_the_person_complained_about(self):
        """4.7, Annex D: a complaint about the team leader, owned by another officer: the
        escalation does not go to the leader it is about."""
        self.company.complaint_sla_enabled = True
        self.team_a.member_ids = [(4, self.officer_b.id)]
        complaint = self._complaint(person_complained_about_id=self.officer_a.partner_id.id)
        self.assertEqual(complaint.user_id, self.officer_b)
        self.assertTrue(complaint.sla_policy_id)
        ladder = complaint._sla_escalation_ladders({complaint: 1})[complaint]
        self.assertNotIn(self.officer_a, ladder[0][0], "escalated to the person complained about")

    # ------------------------------------------------------------- item 8/9
    def test_11_repeat_rate_review_and_figure_agree_with_sql(self):
        """8.2: two complaints from one e-mail address (one typed later on the complaint):
        the catalogue's figure, the review's list and a plain SQL count agree."""
        with freeze_time("2031-03-10 09:00:00"):
            first = self._complaint(partner_id=False, email_from="Bob@Example.com")
            second = self._complaint(partner_id=False)
            third = self._complaint(partner_id=False, email_from="carol@example.com")
        with freeze_time("2031-03-11 09:00:00"):
            second.with_user(self.officer_a).write({"email_from": " bob@example.com"})
            self.env.flush_all()
        with freeze_time("2031-03-20 09:00:00"):
            self.assertEqual(first.complainant_key, second.complainant_key)
            period = (date(2031, 3, 1), date(2031, 3, 31))
            ids = (first | second | third).ids
            self.env.cr.execute(
                """SELECT count(*) FILTER (WHERE complainant_key IN (
                        SELECT complainant_key FROM iso10002_complaint WHERE id IN %s
                         GROUP BY complainant_key HAVING count(*) > 1)),
                          count(*) FILTER (WHERE complainant_key IS NOT NULL)
                     FROM iso10002_complaint WHERE id IN %s""",
                (tuple(ids), tuple(ids)),
            )
            numerator, denominator = self.env.cr.fetchone()
            sql_rate = round(100.0 * numerator / denominator, 1)
            measure = self.env(user=self.manager)["iso10002.figure"]._measures(
                ["repeat_rate"], *period, domain=[("id", "in", ids)]
            )["repeat_rate"]
            wizard = self.env(user=self.manager)["iso10002.management.review.wizard"].create(
                {"date_from": period[0], "date_to": period[1]}
            )
            review = wizard._review_values()
            figures = {f["code"]: f["value"] for f in review["figures"]}
            report = (
                f"sql {numerator}/{denominator}={sql_rate}; figure {measure}; review figure "
                f"{figures['repeat_rate']}; review repeats {review['repeats']}"
            )
            self.assertEqual((measure["numerator"], measure["denominator"]), (numerator, denominator), report)
            self.assertEqual(review["repeats"]["complaints"], sum(t["value"] for t in review["repeats"]["top"]), report)

    def test_12_erased_contact_no_longer_in_other_records(self):
        """4.10: after erasure, the complainant's name is nowhere in the complaint's SLA
        trail or notices."""
        partner = self.env["res.partner"].create({"name": "Zebedee Uniquename", "email": "zeb@example.com"})
        complaint = self._complaint(
            partner_id=partner.id, user_id=self.officer_a.id, subject="Zebedee Uniquename parcel"
        )
        self._walk_to(complaint, "closed")
        complaint.with_user(self.manager).action_anonymise()
        self.env.flush_all()
        leaks = []
        for model in self.env.registry.models:
            Model = self.env[model].sudo()
            if Model._abstract or Model._transient or not Model._auto:
                continue
            for name, field in Model._fields.items():
                if field.type in ("char", "text", "html") and field.store and not field.translate:
                    if field.company_dependent:
                        continue
                    table, column = Model._table, name
                    self.env.cr.execute(
                        f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s', ("%Zebedee Uniquename%",)
                    )
                    if self.env.cr.fetchone()[0]:
                        leaks.append(f"{model}.{name}")
        self.assertFalse(leaks)

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

    # ------------------------------------------------------------- item 6 (7.5)
    # ------------------------------------------------------------- item 8
    def test_15_disposal_log_sampled_by_the_auditor(self):
        partner = self.env["res.partner"].create({"name": "Erase Me", "email": "erase.me@example.com"})
        complaint = self._complaint(partner_id=partner.id, user_id=self.officer_a.id)
        self._walk_to(complaint, "closed")
        complaint.with_user(self.manager).action_anonymise()
        logs = self.env["iso10002.disposal.log"].with_user(self.auditor).search([("complaint_id", "=", complaint.id)])
        self.assertEqual(len(logs), 1)
        self.assertEqual(logs.contact_outcome, "anonymised")
        self.assertFalse(partner.active)
        self.assertNotEqual(partner.name, "Erase Me")
        self.assertFalse(partner.email)
        self.assertTrue(complaint.complainant_key, "repeat key kept, pseudonymous")
        self.assertNotIn("erase", complaint.complainant_key)

    # ------------------------------------------------------------- item 5
    def test_16_ladder_adding_nobody_warns(self):
        policy = self.env["iso10002.sla.policy"].create(
            {
                "name": "Flat ladder",
                "company_id": self.company.id,
                "escalation_ids": [
                    (0, 0, {"level": 1, "notify": "team_leader"}),
                    (0, 0, {"level": 2, "delay_hours": 8, "notify": "users", "user_ids": [(6, 0, self.officer_a.ids)]}),
                    (
                        0,
                        0,
                        {"level": 3, "delay_hours": 16, "notify": "users", "user_ids": [(6, 0, self.officer_a.ids)]},
                    ),
                ],
            }
        )
        self.assertTrue(policy.escalation_warning)
        self.assertIn("3", policy.escalation_warning)

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

    def test_20_progress_task_of_a_letter_complainant(self):
        """7.4/7.8: a letter complainant's progress tasks are either done with their evidence
        or closed with the complaint: none is left open on a closed complaint."""
        partner = self.env["res.partner"].create({"name": "Letter Two", "street": "2 Paper Lane", "city": "Town"})
        complaint = self._walk_to(
            self._complaint(user_id=self.officer_a.id, partner_id=partner.id, contact_preference="letter"), "closed"
        )
        progress = complaint.sudo().activity_ids.filtered(lambda a: a.summary == "Tell the progress")
        self.assertFalse(progress, "a 'Tell the progress' task left open on a closed complaint")

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
