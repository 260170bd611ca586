"""A decision changed on review or on referral is a new decision (ISO 10002 7.9, Annex H):
the complaint goes back to the Response step, the new decision is communicated again
(a new version, the old one kept) and answered, and only then closes, saying why; the
satisfaction is asked after the final decision. What the complainant receives, what
the owner and the auditor read (over XML-RPC), what nobody else reads or changes; the
figures and the SLA time the first decision; no outcome, offer or answer dated after
today; the upgrade of complaints closed the old way."""

import random
import xmlrpc.client
from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import Request
from odoo.modules.migration import load_script
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR

from .common import ComplaintsCase, MailGatewayCase
from .test_figures import oracle_figures

OFFICER = "iso10002_complaints.group_complaint_officer"

REFUSED = (AccessError, UserError, ValidationError)


def say(*args):
    """What a probe saw (kept for reading the probe; nothing is logged: the harness
    counts warnings as failures)."""


C = "iso10002.complaint"
D = "iso10002.complaint.decision"
SEED = 20261207
HAPPENED = ("event_date", "recourse_offered_date", "review_date", "external_referral_date", "referral_outcome_date")


class DecisionCase(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls.env["iso10002.dispute.provider"].create({"name": "Versions Ombudsman", "cost": "Free"})

    def _mails(self, complaint, subject_part):
        self.env.flush_all()
        mails = self.env["mail.mail"].sudo().search([("model", "=", C), ("res_id", "=", complaint.id)], order="id")
        return mails.filtered(lambda m: subject_part in (m.subject or "") and self.complainant in m.recipient_ids)

    def _rejected(self, **values):
        """A refund of 50 decided by officer A, e-mailed, rejected by the complainant, the
        recourse offered today."""
        complaint = self._complaint(user_id=self.officer_a.id, **values)
        self._walk_to(complaint, "investigation")
        officer = complaint.with_user(self.officer_a)
        officer.write({"remedy": "refund", "compensation_amount": 50, "root_cause_id": self.root_cause.id})
        officer.action_respond()
        officer.write({"response_text": "<p>We refund you fifty.</p>", "communication_channel": "email"})
        officer.action_communicate()
        officer.write({"complainant_response": "rejected", "complainant_feedback": "Fifty does not cover it."})
        officer.write({"recourse_offered_date": fields.Date.today(), "recourse_means": "email"})
        return complaint

    def _review_changes(self, complaint):
        complaint.with_user(self.officer_a).write(
            {
                "recourse_kind": "review",
                "reviewer_id": self.manager.id,
                "review_date": fields.Date.today(),
                "review_outcome": "changed",
            }
        )

    def _decide_again(self, complaint, user, amount=120, text="<p>On review we pay you one hundred and twenty.</p>"):
        as_user = complaint.with_user(user)
        as_user.write({"remedy": "compensation", "compensation_amount": amount, "response_text": text})
        as_user.action_communicate()


@tagged("post_install", "-at_install")
class TestADecisionChangedOnRecourse(HttpCase, DecisionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user in (cls.officer_a, cls.officer_b, cls.manager, cls.auditor, cls.employee, cls.officer_other_company):
            user.password = user.login
        cls.portal_user.password = cls.portal_user.login

    def setUp(self):
        super().setUp()
        self.enterContext(mute_logger("odoo.http"))

    def _rpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs)

    def _answer_by_the_e_mails_link(self, complaint, answer, reason=""):
        token = complaint.sudo()._portal_ensure_token()
        self.authenticate(None, None)
        data = {"answer": answer, "reason": reason, "access_token": token, "csrf_token": Request.csrf_token(self)}
        response = self.url_open(f"/my/complaints/{complaint.id}/answer", data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.env.invalidate_all()

    def test_the_review_changes_the_decision_the_complainant_gets_it_answers_it_then_it_closes(self):
        complaint = self._rejected()
        self._review_changes(complaint)
        asked_before = self._mails(complaint, "how did we handle")
        # Close on a changed decision does not close: back to Response for the new one
        complaint.with_user(self.manager).action_close()
        self.assertEqual(complaint.step, "response")
        self.assertFalse(complaint.closure_reason)
        self.assertEqual(self._mails(complaint, "how did we handle"), asked_before, "no satisfaction asked yet")
        self.assertTrue(
            complaint.activity_ids.filtered(
                lambda a: a.summary == "Decision changed: decide and communicate the new one"
            )
        )
        self.assertFalse(complaint._ready_to_close())
        first_letters = self._mails(complaint, "our answer")
        self.assertEqual(len(first_letters), 1)
        # the reviewer decides the new one (they took no part in the first)
        self._decide_again(complaint, self.manager)
        self.assertEqual(complaint.step, "communicated")
        self.assertFalse(complaint.complainant_response, "the new decision waits for a new answer")
        # what the complainant receives: the new decision, saying it replaces the first
        new_letter = self._mails(complaint, "our answer") - first_letters
        self.assertEqual(len(new_letter), 1)
        self.assertIn(self.complainant, new_letter.recipient_ids)
        body = " ".join(new_letter.body_html.split())
        self.assertIn("one hundred and twenty", body)
        self.assertIn("this answer replaces the one we gave you before", body)
        self.assertNotIn("fifty", body)
        self.assertEqual(self._mails(complaint, "how did we handle"), asked_before, "still nothing asked")
        # the complainant answers the new decision through the e-mail's link: it closes
        self._answer_by_the_e_mails_link(complaint, "accepted")
        self.assertEqual((complaint.step, complaint.closure_reason), ("closed", "changed_review"))
        self.assertEqual(len(self._mails(complaint, "how did we handle") - asked_before), 1, "asked once, now")

        # what the owner sees: the versions on the form, each as it was
        versions = self._rpc(
            self.officer_a, D, "search_read", [("complaint_id", "=", complaint.id)],
            fields=["version", "reason", "remedy", "compensation_amount", "decided_by_id", "response_text"],
            order="version",
        )  # fmt: skip
        self.assertEqual(
            [
                (v["version"], v["reason"], v["remedy"], v["compensation_amount"], v["decided_by_id"][0])
                for v in versions
            ],
            [(1, "first", "refund", 50.0, self.officer_a.id), (2, "review", "compensation", 120.0, self.manager.id)],
        )
        self.assertIn("fifty", versions[0]["response_text"], "the first decision is kept as it was")
        [form] = self._rpc(self.officer_a, C, "read", [complaint.id], ["decision_ids", "decision_id", "closure_reason"])
        self.assertEqual(len(form["decision_ids"]), 2)
        self.assertEqual(form["decision_id"][0], versions[1]["id"])
        self.assertEqual(form["closure_reason"], "changed_review")
        view = self._rpc(self.officer_a, C, "get_views", [[False, "form"]])
        self.assertIn('name="decision_ids"', view["views"]["form"]["arch"])
        # what the auditor reads: every version and why the complaint closed
        audited = self._rpc(self.auditor, D, "search_read", [("complaint_id", "=", complaint.id)], fields=["reason"])
        self.assertEqual(sorted(v["reason"] for v in audited), ["first", "review"])
        [closed] = self._rpc(self.auditor, C, "read", [complaint.id], ["closure_reason"])
        self.assertEqual(closed["closure_reason"], "changed_review")

        # who may not read the complaint reads none of its decisions
        for user in (self.officer_b, self.officer_other_company, self.employee, self.portal_user):
            with self.subTest(user=user.login):
                try:
                    found = self._rpc(user, D, "search_read", [("complaint_id", "=", complaint.id)], fields=["id"])
                except xmlrpc.client.Fault as fault:
                    self.assertEqual(fault.faultCode, RPC_FAULT_CODE_ACCESS_ERROR, fault.faultString)
                    found = []
                self.assertFalse(found)
                with self.assertRaises(xmlrpc.client.Fault):
                    self._rpc(user, D, "read", [versions[0]["id"]], ["remedy"])
        # and nobody rewrites, deletes or adds one, whatever the context
        for user in (self.officer_a, self.manager, self.auditor):
            with self.subTest(user=user.login):
                with self.assertRaises(xmlrpc.client.Fault):
                    self._rpc(user, D, "write", [versions[0]["id"]], {"compensation_amount": 500})
                with self.assertRaises(xmlrpc.client.Fault):
                    self._rpc(user, D, "unlink", [versions[0]["id"]], context={"module_uninstall": True})
                with self.assertRaises(xmlrpc.client.Fault):
                    self._rpc(user, D, "create", {"complaint_id": complaint.id, "version": 3, "reason": "first"})
                with self.assertRaises(xmlrpc.client.Fault):
                    self._rpc(user, C, "write", [complaint.id], {"decision_id": versions[0]["id"]})
        self.assertEqual(self.env[D].search_count([("complaint_id", "=", complaint.id)]), 2)
        self.assertEqual(complaint.decision_id.compensation_amount, 120)

    def test_the_letter_gives_the_decision_in_force_signed_by_who_decided_it(self):
        complaint = self._rejected()
        report = self.env["ir.actions.report"].with_user(self.officer_a)

        def letter():
            html, _type = report._render_qweb_html("iso10002_complaints.report_complaint_decision", complaint.ids)
            return " ".join(html.decode().split())

        first = letter()
        self.assertIn("fifty", first)
        self.assertIn(self.officer_a.name, first, "signed by who decided the first")
        self._review_changes(complaint)
        complaint.with_user(self.manager).action_close()
        complaint.with_user(self.manager).write(
            {
                "remedy": "compensation",
                "compensation_amount": 120,
                "response_text": "<p>Now one hundred and twenty.</p>",
            }
        )
        draft = letter()
        self.assertIn("one hundred and twenty", draft, "in the Response step: the decision being made")
        complaint.with_user(self.manager).action_communicate()
        final = letter()
        self.assertIn("one hundred and twenty", final)
        self.assertNotIn("fifty", final)
        self.assertIn("this answer replaces the one we gave you before", final)
        self.assertIn(self.manager.name, final, "signed by the reviewer who decided it")
        self.assertNotIn(self.officer_a.name, final.split("Kind regards")[-1], "not by the owner")


@tagged("post_install", "-at_install")
class TestDecisionVersions(DecisionCase):
    def test_a_referral_in_the_complainants_favour_or_settled_is_decided_again(self):
        for result, amount, expected in (
            ("complainant", 0, "changed_referral"),
            ("settled", 80, "changed_referral"),
            ("settled", 0, "rejected"),
            ("company", 0, "rejected"),
        ):
            with self.subTest(result=result, amount=amount):
                complaint = self._rejected()
                complaint.write(
                    {
                        "recourse_kind": "referral",
                        "dispute_provider_id": self.provider.id,
                        "external_referral_date": fields.Date.today(),
                        "referral_outcome_date": fields.Date.today(),
                        "referral_result": result,
                        "referral_amount": amount,
                    }
                )
                complaint.with_user(self.officer_a).action_close()
                if expected == "changed_referral":
                    self.assertEqual(complaint.step, "response")
                    self._decide_again(complaint, self.officer_a, amount=amount or 75)
                    complaint.write({"complainant_response": "no_reply"})
                    complaint.with_user(self.officer_a).action_close()
                    self.assertEqual(complaint.decision_ids.sorted("version").mapped("reason"), ["first", "referral"])
                self.assertEqual((complaint.step, complaint.closure_reason), ("closed", expected))

    def test_a_changed_decision_rejected_again_closes_without_a_loop(self):
        complaint = self._rejected()
        self._review_changes(complaint)
        complaint.with_user(self.officer_a).action_close()
        self._decide_again(complaint, self.manager)
        complaint.write({"complainant_response": "rejected", "complainant_feedback": "Still not enough."})
        self.assertTrue(complaint._ready_to_close(), "the recourse was followed and its decision communicated")
        complaint.with_user(self.officer_a).action_close()
        self.assertEqual((complaint.step, complaint.closure_reason), ("closed", "changed_review"))
        self.assertEqual(len(complaint.decision_ids), 2)

    def test_a_revision_before_any_answer_is_a_version_too(self):
        complaint = self._complaint(user_id=self.officer_a.id)
        self._walk_to(complaint, "communicated")
        complaint.with_user(self.officer_a).action_respond()
        complaint.with_user(self.officer_a).write({"response_text": "<p>Sorry, and a voucher.</p>"})
        complaint.with_user(self.officer_a).action_communicate()
        self.assertEqual(complaint.decision_ids.sorted("version").mapped("reason"), ["first", "revised"])
        complaint.complainant_response = "accepted"
        complaint.action_close()
        self.assertEqual(complaint.closure_reason, "resolved")

    def test_the_reviewer_may_decide_the_new_decision_not_review_their_own(self):
        complaint = self._rejected()
        complaint.investigator_id = self.manager  # the refusal below is for the first decision alone
        with self.assertRaises(ValidationError) as error:
            complaint.reviewer_id = self.officer_a  # decided the first version
        self.assertIn("not involved", str(error.exception))
        reviewer = new_test_user(
            self.env, login="second_level", groups="iso10002_complaints.group_complaint_manager", name="Second Level"
        )
        complaint.write(
            {
                "recourse_kind": "review",
                "reviewer_id": reviewer.id,
                "review_date": fields.Date.today(),
                "review_outcome": "changed",
            }
        )
        complaint.with_user(reviewer).action_close()  # the reviewer decides the new one
        self.assertEqual((complaint.step, complaint.decided_by_id), ("response", reviewer))

    def test_anonymisation_empties_the_versions_texts_and_keeps_the_figures(self):
        complaint = self._complaint(user_id=self.officer_a.id)
        self._walk_to(complaint, "closed")
        complaint.sudo()._anonymise(reason="test")
        self.assertEqual(complaint.decision_ids.mapped("response_text"), [False])
        self.assertEqual(complaint.decision_ids.remedy, "apology")
        with self.assertRaises(UserError):
            complaint.decision_ids.sudo().write({"response_text": False})  # not the process

    def test_the_figures_and_the_sla_time_the_first_decision(self):
        """decided_in_time, the median hours and the SLA are about the first decision
        communicated (ISO 10002 7.7): a decision changed on review, communicated long
        after the deadline, neither makes it late nor counts a second time; the catalogue
        and the independent oracle of test_figures agree."""
        self.company.complaint_sla_enabled = True
        with freeze_time("2026-01-05 08:00:00"):
            complaint = self._complaint(user_id=self.officer_a.id)
        with freeze_time("2026-01-06 10:00:00"):
            self._walk_to(complaint, "investigation")
            complaint.with_user(self.officer_a).write({"remedy": "apology", "root_cause_id": self.root_cause.id})
            complaint.with_user(self.officer_a).action_respond()
            complaint.with_user(self.officer_a).write(
                {"response_text": "<p>Sorry.</p>", "communication_channel": "phone"}
            )
            complaint.with_user(self.officer_a).action_communicate()
        deadline, hours = complaint.resolution_deadline, complaint.resolution_hours
        self.assertTrue(complaint.resolved_in_time)
        with freeze_time("2026-02-20 09:00:00"):
            complaint.write({"complainant_response": "rejected", "complainant_feedback": "No."})
            complaint.write({"recourse_offered_date": "2026-02-20", "recourse_means": "phone"})
            self._review_changes(complaint)
            complaint.with_user(self.manager).action_close()
        with freeze_time("2026-03-10 09:00:00"):  # long past the deadline
            complaint.with_user(self.manager).write({"remedy": "refund", "compensation_amount": 30})
            complaint.with_user(self.manager).action_communicate()
            self.assertGreater(complaint.communication_date, deadline)
            self.assertEqual((complaint.sla_state, complaint.resolved_in_time), ("met", True))
            self.assertEqual(complaint.resolution_hours, hours)
        with freeze_time("2026-03-12 09:00:00"):
            complaint.complainant_response = "accepted"
            complaint.action_close()
        codes = ["received", "closed", "decided_in_time", "decision_hours_median", "overdue_end", "answers_accepted"]
        with freeze_time("2026-04-01 08:00:00"):
            values = self.env(user=self.manager)["iso10002.figure"]._values(
                codes, date(2026, 1, 1), date(2026, 3, 31), domain=[("id", "=", complaint.id)]
            )
            self.env.flush_all()
            oracle = oracle_figures(
                self.env.cr, {complaint.id}, set(), datetime(2026, 1, 1), datetime(2026, 3, 31, 23, 59, 59)
            )
        self.assertEqual(values["decided_in_time"], 100.0)
        self.assertEqual(values["closed"], 1)
        self.assertEqual({code: oracle[code] for code in codes}, values)
        first_decided = complaint.step_history_ids.filtered("decision_date").mapped("decision_date")
        self.assertEqual(set(first_decided), {datetime(2026, 1, 6, 10, 0)}, "the history keeps the first decision")


@tagged("post_install", "-at_install")
class TestNothingRecordedAheadOfToday(DecisionCase):
    """Outcomes, offers, referrals, answers and the event itself are recorded once they
    happened: a date after today (the recorder's) is refused with a clear error."""

    def test_seeded_dates_are_refused_exactly_when_after_today(self):
        rng = random.Random(SEED)
        complaint = self._complaint(user_id=self.officer_a.id).with_user(self.officer_a)
        today = complaint._today()
        refused = accepted = 0
        for _index in range(60):
            field = rng.choice(HAPPENED)
            day = today + timedelta(days=rng.choice([rng.randint(-400, 400), 0, 1, -1]))
            # alone: the recourse's dates also follow each other (TestTheProcessDoesWhatItRecords)
            complaint.write({name: False for name in HAPPENED if name != field})
            with self.subTest(field=field, day=day):
                if day > today:
                    with self.assertRaises(ValidationError) as error:  # (in a savepoint: the value is undone)
                        complaint.write({field: day})
                    self.assertIn(f"{complaint._fields[field].string} of complaint", str(error.exception))
                    self.assertIn("after today", str(error.exception))
                    self.assertNotEqual(complaint[field], day)
                    refused += 1
                else:
                    complaint.write({field: day})
                    self.assertEqual(complaint[field], day)
                    accepted += 1
        self.assertTrue(refused and accepted, "the seed reaches both sides")

    def test_today_is_the_recorders_own_not_the_clients_context(self):
        with freeze_time("2026-03-20 22:30:00"):  # 21 March already in Tehran, still 20 March in Los Angeles
            complaint = self._complaint(user_id=self.officer_a.id)
            self.officer_a.tz = "Asia/Tehran"
            self.manager.tz = "America/Los_Angeles"
            complaint.with_user(self.officer_a).write({"review_date": "2026-03-21"})
            self.assertEqual(complaint.review_date, date(2026, 3, 21))
            with self.assertRaises(ValidationError) as tehran:
                complaint.with_user(self.officer_a).write({"review_date": "2026-03-22"})
            with self.assertRaises(ValidationError) as los_angeles:
                complaint.with_user(self.manager).write({"referral_outcome_date": "2026-03-21"})
            with self.assertRaises(ValidationError) as forged:
                complaint.with_user(self.manager).with_context(tz="Pacific/Kiritimati").write(
                    {"referral_outcome_date": "2026-03-21"}
                )
            for error in (tehran, los_angeles, forged):
                self.assertIn("after today", str(error.exception))
            self.assertEqual((complaint.review_date, complaint.referral_outcome_date), (date(2026, 3, 21), False))

    def test_an_answer_is_not_dated_ahead_even_by_an_import(self):
        with self.assertRaises(ValidationError) as error:
            self.env[C]._import_complaints(
                [
                    {
                        "subject": "Imported with a future answer",
                        "partner_id": self.complainant.id,
                        "team_id": self.team_a.id,
                        "stage_id": self.env.ref("iso10002_complaints.stage_communicated").id,
                        "communication_date": fields.Datetime.now() - timedelta(days=2),
                        "complainant_response": "accepted",
                        "complainant_response_date": fields.Datetime.now() + timedelta(days=3),
                    }
                ]
            )
        self.assertIn("Answered of complaint", str(error.exception))
        self.assertIn("cannot be in the future", str(error.exception))
        with self.assertRaises(AccessError):
            self._complaint().with_user(self.officer_a).write({"complainant_response_date": fields.Datetime.now()})


@tagged("post_install", "-at_install")
class TestDecisionsOfAnUpgradedDatabase(DecisionCase):
    """18.0.1.5.0 kept no versions: the upgrade gives each complaint whose decision was
    communicated its first version, and marks those closed on a changed decision."""

    def test_the_upgrade_keeps_the_decision_recorded_as_the_first_version(self):
        old_way = self._rejected()
        self._review_changes(old_way)
        accepted = self._complaint(user_id=self.officer_a.id)
        self._walk_to(accepted, "closed")
        untouched = self._complaint()
        # as 18.0.1.5.0 left them: the changed decision closed as rejected, no versions
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM iso10002_complaint_decision")
        self.env.cr.execute(
            "UPDATE iso10002_complaint SET stage_id = %s, step = 'closed', is_open = false, "
            "closure_reason = 'rejected', closed_date = now() WHERE id = %s",
            [self.env.ref("iso10002_complaints.stage_closed").id, old_way.id],
        )
        self.env.invalidate_all()
        script = load_script("iso10002_complaints/migrations/18.0.1.6.0/post-decisions.py", "iso10002_post_decisions")
        script.migrate(self.env.cr, "18.0.1.5.0")
        script.migrate(self.env.cr, "18.0.1.5.0")  # run twice: nothing added the second time
        self.env.invalidate_all()
        version = old_way.decision_ids
        self.assertEqual(
            (len(version), version.version, version.reason, version.remedy, version.compensation_amount),
            (1, 1, "first", "refund", 50.0),
        )
        self.assertEqual(version.decided_by_id, self.officer_a)
        self.assertEqual((old_way.step, old_way.closure_reason), ("closed", "rejected"), "its history stays")
        self.assertEqual(old_way.decision_id, version)
        self.assertEqual(
            len(old_way.message_ids.filtered(lambda m: "without a new decision being recorded" in (m.body or ""))),
            1,
            "the auditor reads why no new decision follows the changed review",
        )
        self.assertEqual(len(accepted.decision_ids), 1)
        self.assertFalse(accepted.message_ids.filtered(lambda m: "without a new decision" in (m.body or "")))
        self.assertFalse(untouched.decision_ids)
        report = self.env["ir.actions.report"].with_user(self.auditor)
        html, _type = report._render_qweb_html("iso10002_complaints.report_complaint_decision", old_way.ids)
        self.assertIn("fifty", html.decode())


@tagged("post_install", "-at_install")
class TestWhoDecidedAChangedDecision(ComplaintsCase):
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


@tagged("post_install", "-at_install")
class TestDecisionVersionsThroughTheComplaint(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.archived_officer = new_test_user(cls.env, login="gone_officer", groups=OFFICER, name="Gone Officer")
        cls.archived_officer.active = False

    # -------------------------------------------------------- 4. decision versions
    def test_20_decision_versions_through_the_complaint_one2many(self):
        c = self._walk_to(self._complaint(), "communicated")
        decision = c.decision_ids
        self.assertEqual(len(decision), 1)
        commands = [
            [Command.create({"version": 9, "reason": "review", "communication_date": "2020-01-01 00:00:00"})],
            [Command.update(decision.id, {"response_text": "<p>rewritten</p>"})],
            [Command.delete(decision.id)],
            [Command.unlink(decision.id)],
            [Command.clear()],
            [Command.set([])],
        ]
        for ctx in ({}, {"iso10002_engine": True}, {"module_uninstall": True}):
            for cmd in commands:
                with self.subTest(ctx=ctx, cmd=cmd):
                    try:
                        with self.env.cr.savepoint():
                            c.with_user(self.manager).with_context(**ctx).write({"decision_ids": cmd})
                            self.env.flush_all()
                            c.invalidate_recordset()
                            decision.invalidate_recordset()
                            ok = (
                                len(c.decision_ids) == 1
                                and decision.exists()
                                and "rewritten" not in str(decision.response_text)
                            )
                            self.assertTrue(ok, f"BREAK: decision versions changed by {cmd} {ctx}")
                    except REFUSED as refusal:
                        say("HELD20", cmd, refusal)
