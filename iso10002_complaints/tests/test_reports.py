import base64
import io
import random
import statistics
from datetime import date, datetime, timedelta

import openpyxl
from freezegun import freeze_time
from PyPDF2 import PdfFileReader

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import REFUSED, ComplaintsCase, ComplaintsFromOutsideCase, SlaCase


def _report_args(xmlid, records):
    """The report name, ids and data a client sends: a period printed from the wizard
    goes to the review report as data (the wizard's print action)."""
    if records._name == "iso10002.management.review.wizard":
        return "iso10002_complaints.report_management_review", [], records._report_data()
    return xmlid, records.ids, None


@tagged("post_install", "-at_install")
class TestReports(SlaCase):
    """Dossier, letters, management review, process audit and register, against fixtures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = cls.env["ir.actions.report"]
        cls.pdf_ok = cls.Report.get_wkhtmltopdf_state() == "ok"
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.env["ir.module.module"]._load_module_terms(["iso10002_complaints"], ["fa_IR"], overwrite=True)
        cls.env.ref("base.EUR").active = True
        # c1: in time all along; c2: late for both targets; c3: still open, overdue
        with freeze_time("2026-03-02 08:00:00"):
            cls.c1 = cls._complaint(received_date=datetime(2026, 3, 2, 8, 0), partner_id=cls.person_about.id)
            cls._commit_tracking()
        with freeze_time("2026-03-02 10:00:00"):
            cls._ack(cls.c1)
        cls._decide(cls.c1, "2026-03-03 09:00:00", remedy="apology")
        with freeze_time("2026-03-04 09:00:00"):
            cls.c1.complainant_response = "accepted"
            cls.c1.action_close()
        with freeze_time("2026-03-04 08:00:00"):
            cls.c2 = cls._complaint(received_date=datetime(2026, 3, 4, 8, 0), partner_id=cls.person_about.id)
            cls._commit_tracking()
        with freeze_time("2026-03-05 10:00:00"):
            cls._ack(cls.c2)
        cls._decide(cls.c2, "2026-03-09 10:00:00", remedy="compensation", compensation_amount=1250.5)
        with freeze_time("2026-03-10 08:00:00"):
            cls.c3 = cls._complaint(received_date=datetime(2026, 3, 10, 8, 0), partner_id=cls.person_about.id)
            cls._commit_tracking()
        with freeze_time("2026-03-10 09:00:00"):
            cls._ack(cls.c3)
        with freeze_time("2026-02-20 08:00:00"):
            cls.c0 = cls._complaint(received_date=datetime(2026, 2, 20, 8, 0), partner_id=cls.person_about.id)
        with freeze_time("2026-03-12 08:00:00"):
            cls.confidential = cls._complaint(
                received_date=datetime(2026, 3, 12, 8, 0),
                is_confidential=True,
                user_id=cls.manager.id,
                subject="About a colleague",
            )
        cls.wizard = cls.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31), "team_ids": [(6, 0, cls.team_a.ids)]}
        )

    @classmethod
    def _ack(cls, complaint):
        complaint.acknowledgement_channel = "phone"
        complaint.action_acknowledge()
        cls._commit_tracking()

    @classmethod
    def _commit_tracking(cls):
        cls.env.flush_all()
        cls.env.cr.precommit.run()

    @classmethod
    def _decide(cls, complaint, when, **values):
        with freeze_time(when):
            complaint.write({"severity": "medium", "category_id": cls.category.id})
            complaint.action_assess()
            cls._commit_tracking()
            complaint.investigator_id = cls.officer_b
            complaint.action_investigate()
            cls._commit_tracking()
            complaint.write(dict(values, root_cause_id=cls.root_cause.id))
            complaint.action_respond()
            cls._commit_tracking()
            complaint.write(
                {"response_text": "<p>Our answer.</p>", "communication_channel": "letter", "partner_city": "Leeds"}
            )
            complaint.action_communicate()
            cls._commit_tracking()

    def _html(self, xmlid, records, lang="en_US", user=None):
        report = self.Report.with_context(lang=lang)
        if user:
            report = report.with_user(user)
        xmlid, ids, data = _report_args(xmlid, records)
        html, _type = report._render_qweb_html(xmlid, ids, data=data)
        return html.decode()

    # ------------------------------------------------------ management review
    def test_review_figures_match_hand_computation(self):
        values = self.wizard._review_values()
        self.assertEqual(values["received"], 4)  # c1, c2, c3, confidential
        self.assertEqual(values["received_previous"], 1)  # c0
        self.assertEqual(values["closed"], 1)  # c1
        # open at the end: c0 (received in February), c2 (decision sent, not closed), c3, confidential
        self.assertEqual(values["open"], 4)
        self.assertEqual(values["overdue"], 3)  # c0, c3 and the confidential one: decision due, not sent
        kpi = values["kpi"]
        self.assertEqual(kpi["ack_in_time_pct"], 75.0)  # c1, c3 and the confidential one in time; c2 late
        # c1 in time; c2 late; c3 and the confidential one undecided past their deadline at
        # the end of March: late too (a decision overdue is a decision not made in time)
        self.assertEqual(kpi["resolved_in_time_pct"], 25.0)
        # c1: 9 working hours (Mon 8-12, 13-17, Tue 8-9); c2: 26 (Wed, Thu, Fri, Mon 8-10)
        self.assertEqual(kpi["resolution_hours_median"], 17.5)
        self.assertEqual([m["value"] for m in values["trend"]], [4])
        self.assertEqual([m["previous"] for m in values["trend"]], [1])
        self.assertEqual(values["by_category"][0], {"label": "Delivery", "value": 2})
        self.assertEqual(values["root_causes"], [{"label": "Carrier failure", "value": 2}])

    def test_review_renders_in_english_and_persian(self):
        html = self._html("iso10002_complaints.report_management_review", self.wizard)
        self.assertIn("Complaints received", html)
        self.assertIn("75.0 %", html)
        self.assertIn("<svg", html)
        self.assertIn("<polyline", html)
        html_fa = self._html("iso10002_complaints.report_management_review", self.wizard, lang="fa_IR")
        self.assertIn('dir="rtl"', html_fa)
        self.assertIn("شکایت", html_fa)

    def test_review_of_an_empty_period(self):
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2020, 1, 1), "date_to": date(2020, 1, 31), "team_ids": [(6, 0, self.team_a.ids)]}
        )
        values = wizard._review_values()
        self.assertEqual(values["received"], 0)
        self.assertIsNone(values["kpi"]["resolution_hours_median"])
        html = self._html("iso10002_complaints.report_management_review", wizard)
        self.assertIn("None in the period", html)

    def test_review_of_one_complaint(self):
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2026, 2, 1), "date_to": date(2026, 2, 28), "team_ids": [(6, 0, self.team_a.ids)]}
        )
        self.assertEqual(wizard._review_values()["received"], 1)
        self.assertIn("Complaints received", self._html("iso10002_complaints.report_management_review", wizard))

    def _bulk(self, count, when):
        """``count`` complaints copied from c1 in SQL, fast, for volume tests, with their
        step history: received, acknowledged (3 of 4 in time), decision communicated (16
        of 40 in time, n mod 40 working hours)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """INSERT INTO iso10002_complaint (name, subject, partner_id, company_id, team_id, stage_id, step,
                       channel_id, category_id, severity, received_date, acknowledged_date, priority, currency_id,
                       active, reopen_count, sla_policy_id, ack_in_time, ack_hours, communication_date,
                       resolution_hours, resolved_in_time, create_uid, write_uid, create_date, write_date)
                SELECT 'BULK' || %s || '/' || n, c.subject, c.partner_id, c.company_id, c.team_id, c.stage_id, c.step,
                       c.channel_id, c.category_id, c.severity, %s, %s, c.priority, c.currency_id, true, 0,
                       c.sla_policy_id, mod(n, 4) > 0, 1.0, %s, mod(n, 40), mod(n, 40) < 16, 1, 1, now(), now()
                  FROM generate_series(1, %s) n, iso10002_complaint c WHERE c.id = %s""",
                count,
                when,
                when,
                when,
                count,
                self.c1.id,
            )
        )
        self.env.cr.execute(
            SQL(
                """INSERT INTO iso10002_complaint_step_history (complaint_id, company_id, date, first, moved, step,
                       team_id, paused, ack_deadline, resolution_deadline, rating, recorded_date, ack_date, ack_due,
                       ack_missed, decision_date, decision_due, decision_missed, decision_hours,
                       decision_under_policy, create_uid, write_uid, create_date, write_date)
                SELECT c.id, c.company_id, %(when)s, s.ord = 1, true, s.step, c.team_id, false, d.ack_due,
                       d.decision_due, 0, %(when)s,
                       CASE WHEN s.ord >= 2 THEN %(when)s END, CASE WHEN s.ord >= 2 THEN d.ack_due END, false,
                       CASE WHEN s.ord = 3 THEN %(when)s END, CASE WHEN s.ord = 3 THEN d.decision_due END, false,
                       CASE WHEN s.ord = 3 THEN mod(n, 40) ELSE 0 END, s.ord = 3, 1, 1, now(), now()
                  FROM (SELECT id, company_id, team_id, split_part(name, '/', 2)::int AS n FROM iso10002_complaint
                         WHERE name LIKE %(pattern)s) c,
                       LATERAL (SELECT
                           %(when)s + CASE WHEN mod(n, 4) > 0 THEN interval '1 hour' ELSE interval '-1 hour' END
                               AS ack_due,
                           %(when)s + CASE WHEN mod(n, 40) < 16 THEN interval '1 hour' ELSE interval '-1 hour' END
                               AS decision_due) AS d,
                       (VALUES (1, 'received'), (2, 'acknowledged'), (3, 'communicated')) AS s(ord, step)
              ORDER BY c.id, s.ord""",
                when=when,
                pattern=f"BULK{count}/%",
            )
        )
        self.env.cr.execute(
            """UPDATE iso10002_complaint c SET step_history_id = h.id, recorded_date = h.recorded_date
                 FROM iso10002_complaint_step_history h
                WHERE h.complaint_id = c.id AND h.step = 'communicated' AND c.name LIKE 'BULK%%'"""
        )

    def test_review_at_5000_complaints_uses_aggregates(self):
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2026, 4, 1), "date_to": date(2026, 4, 30), "team_ids": [(6, 0, self.team_a.ids)]}
        )
        self._bulk(3, datetime(2026, 4, 2, 9, 0))
        wizard._review_values()  # warm-up
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        small = wizard._review_values()
        few_queries = self.cr.sql_log_count - before
        self._bulk(4997, datetime(2026, 4, 3, 9, 0))
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        large = wizard._review_values()
        many_queries = self.cr.sql_log_count - before
        self.assertEqual(small["received"], 3)
        self.assertEqual(large["received"], 5000)
        self.assertEqual(few_queries, many_queries, "figures come from aggregates, not from reading every complaint")
        # mod(n, 4) > 0: 3 of 4 acknowledged in time; mod(n, 40) < 16: 16 of 40 resolved in time
        self.assertAlmostEqual(large["kpi"]["ack_in_time_pct"], 75.0, delta=0.1)
        self.assertAlmostEqual(large["kpi"]["resolved_in_time_pct"], 40.0, delta=0.1)
        hours = [n % 40 for n in range(1, 4)] + [n % 40 for n in range(1, 4998)]
        self.assertEqual(large["kpi"]["resolution_hours_median"], statistics.median(hours))
        self.assertIn("5,000", self._html("iso10002_complaints.report_management_review", wizard))

    def test_saved_review_keeps_its_figures_and_follows_decisions(self):
        february = self.env["iso10002.management.review.wizard"].create(
            {
                "date_from": date(2026, 2, 1),
                "date_to": date(2026, 2, 28),
                "name": "February review",
                "team_ids": [(6, 0, self.team_a.ids)],
            }
        )
        action = february.action_save_review()
        review = self.env["iso10002.management.review"].browse(action["res_id"])
        self.assertEqual(review.kpi_snapshot["received"], 1)
        review.decision_ids = [
            (0, 0, {"name": "Train the carriers", "state": "done"}),
            (0, 0, {"name": "Publish the complaints policy"}),
        ]
        review.action_hold()
        self.assertEqual(review.state, "done")
        self._complaint(received_date=datetime(2026, 2, 21, 8, 0))
        self.assertEqual(review._review_values()["received"], 1, "a held review keeps the figures it was held with")
        # and shows them on its form, as the PDF does
        self.assertIn("Key figures", review.figures_html)
        self.assertIn("Complaints received", review.with_user(self.auditor).figures_html)
        decisions = self.wizard._review_values()["previous_decisions"]
        self.assertIn("February review", decisions["review"])
        self.assertEqual([d["done"] for d in decisions["decisions"]], [True, False])
        html = self._html("iso10002_complaints.report_management_review", review)
        self.assertIn("Publish the complaints policy", html)

    def test_a_reviews_name_shows_its_date_as_the_reader_writes_it(self):
        review = self.env["iso10002.management.review"].create(
            {
                "name": "Spring review",
                "date": date(2026, 3, 31),
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 3, 31),
            }
        )
        self.assertEqual(review.display_name, "Spring review (03/31/2026)")
        self.env["res.lang"]._activate_lang("fr_FR")
        self.assertEqual(review.with_context(lang="fr_FR").display_name, "Spring review (31/03/2026)")

    def test_review_period_from_a_client_is_checked(self):
        """The review printed from the wizard takes its period from the client's data: a
        seeded generator of hostile periods gets a clear refusal or the reader's own
        companies, never a crash or another company's figures."""
        Review = self.env["report.iso10002_complaints.report_management_review"].with_user(self.auditor)
        rng = random.Random(9)
        junk = [None, "", "yesterday", "2026-13-45", 42, [], {}, "2026-03-01'; --", 10**12, -1, "1e9", True]
        junk += ["0001-01-01", "9999-12-31", "1900-01-01", 1e400]
        for _round in range(60):
            period = {
                "date_from": rng.choice([*junk, "2026-03-01"]),
                "date_to": rng.choice([*junk, "2026-03-31"]),
                "company_ids": rng.choice([[self.company_b.id], [self.company.id, self.company_b.id], "x", None]),
                "team_ids": rng.choice([[self.team_other_company.id], ["a"], [10**9], [True], [1e400], None]),
                "name": rng.choice(["<script>alert(1)</script>", None, 7]),
            }
            for key in rng.sample(sorted(period), rng.randint(0, 2)):
                del period[key]
            try:
                values = Review._get_report_values([], {"period": period})
            except UserError:
                continue
            self.assertNotIn(self.company_b.id, period.get("company_ids") or [], "another company is refused")
            entry = values["entries"][0]
            self.assertEqual(entry["o"].company_ids._origin, self.company, "never another company's figures")
            self.assertFalse(entry["o"].team_ids, "nor another company's teams")
        html = self._html(
            "iso10002_complaints.report_management_review",
            self.env["iso10002.management.review.wizard"].create(
                {"name": "<script>alert(1)</script>", "date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)}
            ),
        )
        self.assertNotIn("<script>alert(1)", html)

    def test_a_review_of_two_companies_is_read_by_members_of_both(self):
        manager_ab = new_test_user(
            self.env,
            login="manager_ab",
            groups="iso10002_complaints.group_complaint_manager",
            company_ids=[(6, 0, (self.company | self.company_b).ids)],
        )
        review = (
            self.env["iso10002.management.review"]
            .with_user(manager_ab)
            .with_context(allowed_company_ids=(self.company | self.company_b).ids)
            .create(
                {
                    "name": "Group review",
                    "date_from": date(2026, 3, 1),
                    "date_to": date(2026, 3, 31),
                    "company_ids": [(6, 0, (self.company | self.company_b).ids)],
                }
            )
        )
        review.action_snapshot()
        Review = self.env["iso10002.management.review"].with_user(self.auditor)
        self.assertNotIn(review, Review.search([]))
        with self.assertRaises(AccessError):
            review.with_user(self.auditor).read(["kpi_snapshot"])
        with self.assertRaises(AccessError):
            self._html("iso10002_complaints.report_management_review", review, user=self.auditor)
        self.assertIn("Group review", self._html("iso10002_complaints.report_management_review", review))

    # ------------------------------------------------------------- access
    def test_officer_cannot_print_a_review(self):
        with self.assertRaises(AccessError):
            self.env["iso10002.management.review.wizard"].with_user(self.officer_a).create(
                {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)}
            )
        with self.assertRaises(AccessError):
            self._html("iso10002_complaints.report_management_review", self.wizard, user=self.officer_a)
        with self.assertRaises(AccessError):
            self.env["iso10002.management.review"].with_user(self.officer_a).search([])

    def test_auditor_prints_everything_and_changes_nothing(self):
        wizard = (
            self.env["iso10002.management.review.wizard"]
            .with_user(self.auditor)
            .create({"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)})
        )
        self.assertIn(
            "Key figures", self._html("iso10002_complaints.report_management_review", wizard, user=self.auditor)
        )
        audit = (
            self.env["iso10002.process.audit.wizard"]
            .with_user(self.auditor)
            .create({"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31)})
        )
        self.assertIn(
            "Compliance per step", self._html("iso10002_complaints.report_process_audit", audit, user=self.auditor)
        )
        for xmlid in ("report_complaint_dossier", "report_complaint_acknowledgement"):
            self._html(f"iso10002_complaints.{xmlid}", self.c2 | self.confidential, user=self.auditor)
        self._html("iso10002_complaints.report_complaint_decision", self.c2, user=self.auditor)
        with self.assertRaisesRegex(UserError, "no decision is recorded yet"):
            self._html("iso10002_complaints.report_complaint_decision", self.c3, user=self.auditor)
        action = (self.c1 | self.c2).with_user(self.auditor).action_export_register()
        self.assertIn("/iso10002_complaints/register/", action["url"])
        with self.assertRaises(AccessError):
            wizard.action_save_review()
        with self.assertRaises(AccessError):
            self.c1.with_user(self.auditor).write({"subject": "Audited"})
        with self.assertRaises(AccessError):
            self.env["iso10002.corrective.action"].with_user(self.auditor).create({"name": "Fix it"})

    def test_other_company_actions_and_reviews_are_refused(self):
        action = self.env["iso10002.corrective.action"].create({"name": "Fix the carrier contract"})
        with self.assertRaises(AccessError):
            action.with_user(self.officer_other_company).read(["name"])
        review_b = self.env["iso10002.management.review"].create(
            {
                "name": "Other company review",
                "date_from": date(2026, 3, 1),
                "date_to": date(2026, 3, 31),
                "company_id": self.company_b.id,
                "company_ids": [(6, 0, self.company_b.ids)],
            }
        )
        self.assertNotIn(review_b, self.env["iso10002.management.review"].with_user(self.manager).search([]))
        with self.assertRaises(AccessError):
            review_b.with_user(self.manager).read(["name"])

    # ------------------------------------------------------------- process audit
    def test_process_audit_compliance(self):
        audit = self.env["iso10002.process.audit.wizard"].create(
            {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31), "team_ids": [(6, 0, self.team_a.ids)]}
        )
        values = audit._audit_values()
        checks = {check["key"]: check for check in values["checks"]}
        self.assertEqual(len(values["sample"]), 4)
        self.assertEqual((checks["acknowledged"]["applicable"], checks["acknowledged"]["passed"]), (4, 3))
        self.assertEqual((checks["assessed"]["applicable"], checks["assessed"]["passed"]), (2, 2))
        self.assertEqual((checks["independent"]["applicable"], checks["independent"]["passed"]), (2, 2))
        self.assertEqual((checks["communicated"]["applicable"], checks["communicated"]["passed"]), (2, 2))
        self.assertEqual((checks["answer"]["applicable"], checks["answer"]["passed"]), (1, 1))
        self.assertEqual((checks["satisfaction"]["applicable"], checks["satisfaction"]["passed"]), (1, 0))
        self.assertEqual((checks["closed_in_time"]["applicable"], checks["closed_in_time"]["passed"]), (1, 1))
        failing = {(e["complaint"], e["check"]) for e in values["exceptions"]}
        self.assertIn((self.c2, "Acknowledged within target"), failing)
        self.assertIn((self.c1, "Satisfaction asked"), failing, "c1's complainant has no e-mail: never asked")
        # the acknowledgement check now covers never-acknowledged complaints, and open
        # complaints past their decision deadline count against "decided in time"
        self.assertEqual(values["overall_pct"], round(100.0 * 12 / 17, 1))
        html = self._html("iso10002_complaints.report_process_audit", audit)
        self.assertIn(self.c2.name, html)

    def test_process_audit_random_sample_is_reproducible(self):
        audit = self.env["iso10002.process.audit.wizard"].create(
            {
                "date_from": date(2026, 3, 1),
                "date_to": date(2026, 3, 31),
                "sample_mode": "random",
                "team_ids": [(6, 0, self.team_a.ids)],
                "sample_size": 2,
                "sample_seed": 7,
            }
        )
        first = audit._sample()
        self.assertEqual(len(first), 2)
        self.assertEqual(audit._sample(), first)

    # ------------------------------------------------------------- dossier
    def test_dossier_holds_the_whole_trail(self):
        self.c2.message_post(body="Called the carrier", subtype_xmlid="mail.mt_note")
        html = self._html("iso10002_complaints.report_complaint_dossier", self.c2)
        for text in (
            self.c2.name,
            "Steps of the process",
            "Investigation",
            "Officer B",
            "Carrier failure",
            "Called the carrier",
            "Internal note",
            "o_iso10002_note",
            "Compensation",
        ):
            self.assertIn(text, html)
        trail = self.env["report.iso10002_complaints.report_complaint_dossier"]._step_trails(self.c2)[self.c2.id]
        self.assertEqual([row["step"] for row in trail][:3], ["Received", "Acknowledged", "Assessment"])

    def test_officer_cannot_print_a_confidential_dossier(self):
        with self.assertRaises(AccessError):
            self._html("iso10002_complaints.report_complaint_dossier", self.confidential, user=self.officer_a)

    # ------------------------------------------------------------- letters
    def _decided_again_in_euros(self):
        """The letter gives the decision as it was communicated: a decision in euros is a
        new one, communicated again (tests/test_decision_versions.py)."""
        self.c2.action_respond()
        self.c2.currency_id = self.env.ref("base.EUR")
        self.c2.action_communicate()

    def test_decision_letter_amount_in_words_english(self):
        self._decided_again_in_euros()
        html = self._html("iso10002_complaints.report_complaint_decision", self.c2)
        self.assertIn("One Thousand, Two Hundred And Fifty Euros and Fifty Cents", html)

    def test_decision_letter_in_persian(self):
        self.person_about.lang = "fa_IR"
        self._decided_again_in_euros()
        letter = self.env["report.iso10002_complaints.report_complaint_decision"]._letter(self.c2)
        self.assertEqual(letter["direction"], "rtl")
        words = letter["amount_in_words"]
        self.assertIn("هزار و دویست و پنجاه", words)
        self.assertIn("یورو", words)
        html = self._html("iso10002_complaints.report_complaint_decision", self.c2)
        self.assertIn('dir="rtl"', html)
        self.assertIn(words, html)
        self.assertIn("پاسخ ما به شکایت شما", html)

    def test_acknowledgement_letter(self):
        html = self._html("iso10002_complaints.report_complaint_acknowledgement", self.c3)
        self.assertIn(self.c3.name, html)
        self.assertIn("What happens next", html)

    def test_decision_mail_carries_the_letter(self):
        template = self.env.ref("iso10002_complaints.mail_template_complaint_decision")
        self.assertIn(
            self.env.ref("iso10002_complaints.action_report_complaint_decision"), template.report_template_ids
        )

    # ------------------------------------------------------------- register
    def _workbook(self, action):
        download = self.env["iso10002.register.download"].browse(int(action["url"].split("/")[3]))
        return openpyxl.load_workbook(io.BytesIO(base64.b64decode(download.data)))

    def test_register_xlsx(self):
        book = self._workbook((self.c1 | self.c2 | self.c3).action_export_register())
        sheet = book.worksheets[0]
        self.assertEqual(sheet.freeze_panes, "B2")
        self.assertTrue(sheet.auto_filter.ref)
        headers = [cell.value for cell in sheet[1]]
        self.assertEqual(headers[:3], ["Reference", "Received", "Channel"])
        rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
        self.assertEqual(set(rows), {self.c1.name, self.c2.name, self.c3.name})
        c2 = {headers[i]: cell for i, cell in enumerate(rows[self.c2.name])}
        local = fields.Datetime.context_timestamp(self.c2, datetime(2026, 3, 4, 8, 0)).replace(tzinfo=None)
        self.assertEqual(c2["Received"].value, local, "dates in the user's time zone")
        self.assertEqual(c2["Time to Resolve"].number_format, "[h]:mm")
        self.assertEqual(c2["Time to Resolve"].value, timedelta(hours=26))
        self.assertEqual(c2["Amount"].value, 1250.5)
        self.assertEqual(c2["Resolved in Time"].value, "No")
        kpis = {row[0].value: row[1].value for row in book.worksheets[1].iter_rows(min_row=2)}
        self.assertEqual(kpis["Complaints in this register"], 3)
        self.assertEqual(kpis["Received"], 3)
        # c1 in time, c2 late, c3 undecided past its deadline (now)
        self.assertAlmostEqual(kpis["Decided in time"], round(100 / 3, 1))

    def test_register_hides_confidential_from_officers(self):
        self.c3.is_confidential = True
        self.c3.user_id = self.officer_b
        visible = self.env["iso10002.complaint"].with_user(self.officer_a).search([])
        book = self._workbook(visible.action_export_register())
        names = {row[0].value for row in book.worksheets[0].iter_rows(min_row=2)}
        self.assertIn(self.c2.name, names)
        self.assertNotIn(self.c3.name, names)
        self.assertNotIn(self.confidential.name, names)

    def test_register_from_the_review_wizard(self):
        book = self._workbook(self.wizard.action_export_register())
        names = {row[0].value for row in book.worksheets[0].iter_rows(min_row=2)}
        self.assertEqual(names, {self.c1.name, self.c2.name, self.c3.name, self.confidential.name})


@tagged("post_install", "-at_install")
class TestReportsPdf(HttpCase):
    """Real PDFs with wkhtmltopdf (the HTTP server serves it the report's assets)."""

    def setUp(self):
        super().setUp()
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() != "ok":
            self.skipTest("wkhtmltopdf is not installed")
        # wkhtmltopdf fetches the report's assets from the test server
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())

    def _pdf(self, xmlid, records):
        self.assertTrue(records)
        xmlid, ids, data = _report_args(xmlid, records)
        pdf, _type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(xmlid, ids, data=data)
        )
        self.assertTrue(pdf.startswith(b"%PDF"))
        return pdf

    def test_pdfs_of_the_demo_data(self):
        complaints = self.env["iso10002.complaint"].search([("step", "=", "closed")], limit=3)
        pdf = self._pdf("iso10002_complaints.action_report_complaint_dossier", complaints)
        self.assertGreaterEqual(len(PdfFileReader(io.BytesIO(pdf)).pages), 3, "one dossier per complaint")
        money = self.env["iso10002.complaint"].search([("compensation_amount", ">", 0)], limit=2)
        self._pdf("iso10002_complaints.action_report_complaint_decision", money)
        self._pdf("iso10002_complaints.action_report_complaint_acknowledgement", complaints[:1])
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2025, 1, 1), "date_to": date(2026, 12, 31)}
        )
        self._pdf("iso10002_complaints.action_report_management_review", wizard)
        audit = self.env["iso10002.process.audit.wizard"].create(
            {"date_from": date(2025, 1, 1), "date_to": date(2026, 12, 31)}
        )
        self._pdf("iso10002_complaints.action_report_process_audit", audit)


@tagged("post_install", "-at_install")
class TestRegisterDownload(HttpCase):
    def test_downloading_the_register_leaves_no_attachment(self):
        """The register goes to the browser that asked for it, once: no ir.attachment is
        kept per download, nobody else fetches it, and it is not fetched twice."""
        auditor = new_test_user(self.env, "register_auditor", groups="iso10002_complaints.group_complaint_auditor")
        other = new_test_user(self.env, "register_other", groups="iso10002_complaints.group_complaint_auditor")
        complaints = self.env["iso10002.complaint"].with_user(auditor).search([], limit=5)
        self.assertTrue(complaints)
        Attachment = self.env["ir.attachment"].sudo()
        before = Attachment.search_count([])
        for _round in range(2):
            url = complaints.action_export_register()["url"]
            self.authenticate("register_other", "register_other")
            self.assertEqual(self.url_open(url).status_code, 404, "another user's register")
            self.authenticate("register_auditor", "register_auditor")
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200)
            self.assertIn("attachment", response.headers["Content-Disposition"])
            names = {
                row[0].value
                for row in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(min_row=2)
            }
            self.assertEqual(names, set(complaints.mapped("name")))
            self.assertEqual(self.url_open(url).status_code, 404, "served once")
        self.assertEqual(Attachment.search_count([]), before)
        self.assertFalse(
            self.env["iso10002.register.download"].sudo().search([("create_uid", "in", (auditor | other).ids)])
        )


@tagged("post_install", "-at_install")
class TestReviewGroupings(ComplaintsCase):
    """The review counts the period's complaints by all its groupings in one query
    (``_grouped``, GROUPING SETS): the same figures, the same rules and the same refusals
    as one ``_read_group`` each, whoever asks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        rng = random.Random(1002)
        Complaint = cls.env["iso10002.complaint"]
        categories = cls.category | cls.env["iso10002.complaint.category"].create({"name": "Billing"})
        teams = cls.team_a | cls.team_b
        when = datetime(2018, 5, 1, 9, 0)  # no demo complaint in 2018
        cls.complaints = Complaint._import_complaints(
            [
                {
                    "subject": f"Complaint {index}",
                    "partner_id": cls.complainant.id,
                    "channel_id": rng.choice([cls.channel_phone, cls.channel_email]).id,
                    "team_id": rng.choice(teams).id,
                    "received_date": when + timedelta(days=rng.randrange(60)),
                    "category_id": rng.choice([False, *categories.ids]),
                }
                for index in range(60)
            ]
        )

        def pick(name):
            field = Complaint._fields[name]
            return rng.choice([None, *(field.get_values(cls.env) if field.type == "selection" else [])])

        # the figures a lifecycle would leave, written as the database holds them (after
        # the computes of the import, which would overwrite them)
        cls.env.flush_all()
        for complaint in cls.complaints:
            cls.env.cr.execute(
                SQL(
                    """UPDATE iso10002_complaint SET severity = %s, complainant_response = %s, recourse_kind = %s,
                              review_level = %s, referral_result = %s, escalation_level = %s,
                              rating_last_value = %s, classification = %s, root_cause_id = %s,
                              referral_amount = %s WHERE id = %s""",
                    pick("severity"),
                    pick("complainant_response"),
                    pick("recourse_kind"),
                    rng.choice([None, 1, 2]),
                    pick("referral_result"),
                    rng.choice([None, 0, 1, 2]),
                    rng.choice([None, 0, 1, 3, 5]),
                    pick("classification"),
                    rng.choice([None, cls.root_cause.id]),
                    rng.choice([None, 0, 120.5, 300]),
                    complaint.id,
                )
            )
        cls.env.invalidate_all()
        cls.wizard = cls.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2018, 5, 1), "date_to": date(2018, 6, 30)}
        )

    def _as(self, user):
        wizard = self.wizard.with_user(user)
        return wizard, self.env["iso10002.complaint"].with_user(user).with_context(active_test=False)

    def test_the_same_counts_as_one_read_group_each(self):
        from ..models.iso10002_review_period_mixin import REVIEW_GROUPINGS

        for user in (self.env.user, self.manager, self.auditor, self.officer_a):
            wizard, Complaint = self._as(user)
            domain = wizard._received_domain()
            grouped = wizard._grouped(Complaint, domain, REVIEW_GROUPINGS, sums=("referral_amount",))
            seen = Complaint.search_count(domain)
            self.assertTrue(seen, user.name)
            for grouping in REVIEW_GROUPINGS:
                expected = Complaint._read_group(domain, list(grouping), ["__count", "referral_amount:sum"])
                self.assertEqual(
                    sorted(map(repr, grouped[grouping])),
                    sorted(repr((*keys, count, total or 0)) for *keys, count, total in expected),
                    f"{grouping} as {user.name}",
                )
                self.assertEqual(sum(row[-2] for row in grouped[grouping]), seen)
                counts = [row[-2] for row in grouped[grouping]]
                self.assertEqual(counts, sorted(counts, reverse=True), "biggest first")
        # the officer of team A counts team A's complaints only (the record rules hold)
        _wizard, Complaint = self._as(self.officer_a)
        self.assertEqual(
            Complaint.search_count(self.wizard._received_domain()),
            len(self.complaints.filtered(lambda complaint: complaint.team_id == self.team_a)),
        )

    def test_the_review_figures_are_those_of_one_query_each(self):
        values = self.wizard._review_values()
        Complaint = self.env["iso10002.complaint"].with_context(active_test=False)
        received = self.wizard._received_domain()
        Figure = self.env["iso10002.figure"]
        for team_values in values["satisfaction_by_team"]:
            team = self.env["iso10002.complaint.team"].search([("name", "=", team_values["label"])])
            scope = dict(self.wizard._figure_scope(), teams=team)
            expected = Figure._measures(["satisfaction"], *self.wizard._figure_period(), **scope)["satisfaction"]
            self.assertEqual(
                (team_values["rated"], team_values["satisfied"], team_values["satisfied_pct"]),
                (expected["denominator"], expected["numerator"], expected["value"]),
            )
        # the ratings above were written around the process, not given: the history,
        # which the figures are counted from, has none of them
        self.assertEqual(values["satisfaction_by_team"], [])
        [(awarded,)] = Complaint._read_group(
            [*received, ("recourse_kind", "=", "referral")], [], ["referral_amount:sum"]
        )
        self.assertEqual(values["decisions"]["referral_amount"], awarded or 0.0)
        answers = Figure._values(
            ["answers_accepted", "answers_rejected", "answers_no_reply"], *self.wizard._figure_period()
        )
        self.assertEqual(values["decisions"]["answered"], sum(answers.values()))
        self.assertEqual(
            values["escalations"], Figure._values(["escalations"], *self.wizard._figure_period())["escalations"]
        )
        self.assertEqual(
            sum(item["value"] for item in values["root_causes"]),
            Complaint.search_count([*received, ("root_cause_id", "!=", False)]),
        )
        self.assertEqual(
            sum(item["value"] for item in values["recurring_clusters"]),
            Complaint.search_count([*received, ("classification", "in", ("recurring", "systemic"))]),
        )
        for key in ("by_category", "by_channel", "by_team", "by_severity", "root_causes"):
            items = [(-item["value"], item["label"] == "None") for item in values[key]]
            self.assertEqual(items, sorted(items), f"{key}: biggest first, no value last among equals")

    def test_whoever_may_not_group_is_refused_as_by_read_group(self):
        from ..models.iso10002_review_period_mixin import REVIEW_GROUPINGS

        for user in (self.portal_user, self.employee, self.officer_a):
            wizard, Complaint = self._as(user)
            refused = set()
            for grouping in REVIEW_GROUPINGS:
                try:
                    expected = Complaint._read_group([], list(grouping), ["__count"])
                except AccessError:
                    refused.add(grouping)
                    with self.assertRaises(AccessError, msg=f"{grouping} as {user.name}"):
                        wizard.sudo()._grouped(Complaint, [], [grouping])
                else:
                    self.assertEqual(
                        sorted(map(repr, wizard.sudo()._grouped(Complaint, [], [grouping])[grouping])),
                        sorted(map(repr, expected)),
                    )
            self.assertEqual(bool(refused), user != self.officer_a, user.name)
            if refused:
                with self.assertRaises(AccessError):
                    wizard.sudo()._grouped(Complaint, [], REVIEW_GROUPINGS)


@tagged("post_install", "-at_install")
class TestRegisterCells(ComplaintsCase):
    def test_register_never_writes_formulas(self):
        complaint = self._complaint(subject='=HYPERLINK("http://evil.example","click")')
        data = self.env["report.iso10002_complaints.register_xlsx"]._generate(complaint)
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value and "HYPERLINK" in str(cell.value)]
        self.assertTrue(cells)
        self.assertTrue(all(cell.data_type == "s" for cell in cells))


@tagged("post_install", "-at_install")
class TestOutputsForTheirReaders(ComplaintsCase):
    def test_the_register_is_for_the_complaints_roles(self):
        complaint = self._complaint(partner_id=self.portal_user.partner_id.id)
        for user in (self.portal_user, self.employee):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                complaint.with_user(user).action_export_register()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["report.iso10002_complaints.register_xlsx"].with_user(user)._generate(complaint)
        with self.assertRaises(AccessError):
            # an officer of another team names a complaint it cannot read
            self.env["report.iso10002_complaints.register_xlsx"].with_user(self.officer_b)._generate(complaint)
        self.assertTrue(complaint.with_user(self.officer_a).action_export_register()["url"])

    def test_the_digest_counts_what_its_reader_may_read(self):
        self._complaint(partner_id=self.person_about.id)
        self._complaint(partner_id=self.person_about.id, team_id=self.team_b.id)
        digest = self.env["digest.digest"].create({"name": "Weekly", "kpi_iso10002_complaints_received": True})
        period = {"start_datetime": datetime(2000, 1, 1), "end_datetime": datetime(2100, 1, 1)}
        counts = {}
        for user in (self.officer_a, self.officer_b, self.manager):
            digest.invalidate_model(["kpi_iso10002_complaints_received_value"])  # as the digest does per reader
            counts[user.login] = digest.with_user(user).with_context(**period).kpi_iso10002_complaints_received_value
        self.assertLess(counts["officer_a"], counts["cmp_manager"], "an officer counts only their teams'")
        self.assertLess(counts["officer_b"], counts["cmp_manager"])
        digest.invalidate_model(["kpi_iso10002_complaints_received_value"])
        with self.assertRaises(AccessError):
            # (the digest leaves the KPI out of their e-mail)
            digest.with_user(self.employee).with_context(**period).kpi_iso10002_complaints_received_value  # noqa: B018


@tagged("post_install", "-at_install")
class TestTheRegisterDownloadFromOutside(ComplaintsFromOutsideCase):
    """The register's download is its creator's, once, and never served as a page."""

    def _download_of(self, user, data=b"PK\x03\x04register", name="complaints-register.xlsx"):
        return (
            self.env["iso10002.register.download"]
            .with_user(user)
            .create({"name": name, "data": base64.b64encode(data)})
        )

    def test_a_register_download_is_its_creators_only_over_rpc(self):
        download = self._download_of(self.officer_a)
        for user in (self.officer_b, self.auditor, self.manager, self.admin, self.officer_other_company):
            Download = self.env["iso10002.register.download"].with_user(user).with_context(active_test=False)
            with self.subTest(user=user.login):
                self.assertFalse(Download.search([("id", "=", download.id)]))
                self.assertFalse(Download.search_read([], ["data"]))
                self.assertEqual(Download.search_count([]), 0)
                self.assertFalse(Download.read_group([], ["name"], ["name"]))
                for attempt in (
                    lambda D=Download: D.browse(download.id).read(["data"]),
                    lambda D=Download: D.browse(download.id).write({"data": base64.b64encode(b"<script>")}),
                    lambda D=Download: D.browse(download.id).unlink(),
                ):
                    with self.assertRaises(AccessError):
                        attempt()
                # export: refused for lack of export rights, or of access to the row
                try:
                    rows = Download.browse(download.id).export_data(["data"])
                except REFUSED:
                    rows = {"datas": []}
                self.assertFalse(rows["datas"], "BREAK: another user exported the register")
        for user in (self.employee, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._download_of(user)
        # the creator column is not the creator's to rewrite
        download.with_user(self.officer_a).write({"create_uid": self.officer_b.id})
        self.assertEqual(download.create_uid, self.officer_a)

    @mute_logger("odoo.http", "odoo.addons.http_routing.models.ir_http")
    def test_the_register_route_streams_once_to_its_creator_and_never_as_a_page(self):
        hostile = self._download_of(
            self.officer_a, data=b"<html><script>alert(document.cookie)</script></html>", name="register.html"
        )
        url = f"/iso10002_complaints/register/{hostile.id}"
        self.authenticate("officer_b", "officer_b")
        self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 404)
        self.authenticate("admin", "admin")
        self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 404)
        for guess in ("0", "-1", "abc", "99999999"):
            self.assertIn(
                self.url_open(f"/iso10002_complaints/register/{guess}", allow_redirects=False).status_code, (404,)
            )
        self.authenticate(None, None)
        self.assertNotEqual(self.url_open(url, allow_redirects=False).status_code, 200)
        self.assertTrue(hostile.exists(), "others' attempts consumed nothing")
        self.authenticate("officer_a", "officer_a")
        response = self.url_open(url, allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("html", response.headers["Content-Type"])
        self.assertTrue(response.headers["Content-Disposition"].startswith("attachment"))
        self.assertEqual(response.headers.get("X-Content-Type-Options"), "nosniff")
        self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 404, "streamed once")
        # nor through call_kw: the private method that serves it
        other = self._download_of(self.officer_a)
        with mute_logger("odoo.http"), self.assertRaises(Exception):  # noqa: B017 - any refusal
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/iso10002.register.download/_serve",
                {"model": "iso10002.register.download", "method": "_serve", "args": [[other.id]], "kwargs": {}},
            )
        self.assertTrue(other.exists())


@tagged("post_install", "-at_install")
class TestTheAuditorsRegister(SlaCase):
    """The register an auditor downloads: the rows SQL counts, theirs only."""

    def test_an_auditors_register_has_the_rows_sql_counts_and_is_theirs_only(self):
        """The register an auditor downloads lists the complaints they asked for (the
        same rows as before), and its transient row is read by nobody else."""
        auditor = new_test_user(self.env, "audit_register", groups="iso10002_complaints.group_complaint_auditor")
        with freeze_time("2026-03-09 11:00:00"):
            for when in (datetime(2026, 3, 9, 8, 0), datetime(2026, 3, 9, 9, 0)):
                self._received(when)
        complaints = self.env["iso10002.complaint"].with_user(auditor).search([])
        action = complaints.action_export_register()
        download_id = int(action["url"].rsplit("/", 1)[1])
        Download = self.env["iso10002.register.download"]
        self.assertFalse(Download.with_user(self.manager).search([("id", "=", download_id)]))
        self.assertFalse(Download.with_user(self.auditor).search([("id", "=", download_id)]))
        download = Download.with_user(auditor).browse(download_id)
        book = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download.data)))
        names = [row[0].value for row in book.worksheets[0].iter_rows(min_row=2)]
        expected = [
            row[0]
            for row in self.env.execute_query(
                SQL(
                    "SELECT name FROM iso10002_complaint WHERE id = ANY(%s) ORDER BY received_date, id",
                    complaints.ids,
                )
            )
        ]
        self.assertEqual(names, expected)
        name, _content = download._serve()
        self.assertTrue(name.endswith(".xlsx"))
        self.assertFalse(Download.sudo().search([("id", "=", download_id)]), "served once")
