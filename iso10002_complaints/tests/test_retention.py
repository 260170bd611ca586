"""Retention (ISO 10002 7.7): expired complaints anonymised with the figures kept, legal hold, the
job's batches."""

from datetime import date, datetime

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import ComplaintsCase, MailGatewayCase

OFFICER = "iso10002_complaints.group_complaint_officer"

MANAGER = "iso10002_complaints.group_complaint_manager"


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
class TestRetentionAcrossCompanies(ComplaintsCase):
    """The anonymisation job across companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Action = cls.env["iso10002.corrective.action"]
        cls.Audit = cls.env["iso10002.audit"]

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


@tagged("post_install", "-at_install")
class TestDisposalLog(ComplaintsCase):
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


@tagged("post_install", "-at_install")
class TestDisposalLogThroughTheComplaint(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.archived_officer = new_test_user(cls.env, login="gone_officer", groups=OFFICER, name="Gone Officer")
        cls.archived_officer.active = False

    # --------------------------------------------------------------- 6. erasure
    def test_32_disposal_log_through_complaint_and_read_group(self):
        visitor = self.env["res.partner"].create({"name": "Logged", "email": "logged@example.com"})
        gone = self._walk_to(self._complaint(partner_id=visitor.id), "closed")
        gone.with_user(self.manager).action_anonymise()
        Log = self.env["iso10002.disposal.log"]
        for user in (self.officer_a, self.employee, self.portal_user, self.officer_other_company):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    Log.with_user(user).search_read([], ["complaint_name"])
                with self.assertRaises(AccessError):
                    Log.with_user(user).read_group([], ["rule"], ["rule"])
        manager_b = new_test_user(
            self.env,
            login="mgr_b_break",
            groups=MANAGER,
            company_id=self.company_b.id,
            company_ids=[(6, 0, self.company_b.ids)],
        )
        self.assertFalse(Log.with_user(manager_b).search([]))
