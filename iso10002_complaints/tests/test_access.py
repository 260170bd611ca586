import inspect

from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import tagged

from .common import COMPLAINT_EMAIL, FORGED_CONTEXT, ComplaintsCase, ComplaintsFromOutsideCase, SecondTeamHttpCase


@tagged("post_install", "-at_install")
class TestComplaintAccess(ComplaintsCase):
    """Each role against create, read, write and unlink, refusals first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.complaint_a = cls._complaint(subject="Team A complaint")
        cls.complaint_b = cls._complaint(subject="Team B complaint", team_id=cls.team_b.id)
        # without a team, escalation manager or representative, nobody can own it: every officer reads it
        cls.company.sudo().write({"complaint_escalation_user_id": False, "complaint_representative_id": False})
        cls.complaint_unassigned = cls._complaint(subject="Nobody's yet", team_id=False)
        cls.confidential_a = cls._complaint(subject="About a colleague", is_confidential=True, user_id=cls.manager.id)
        cls.portal_complaint = cls._complaint(subject="From the portal user", partner_id=cls.portal_user.partner_id.id)
        cls.complaint_other_company = cls.env["iso10002.complaint"].create(
            {
                "subject": "Other company complaint",
                "partner_id": cls.complainant.id,
                "channel_id": cls.channel_phone.id,
                "team_id": cls.team_other_company.id,
            }
        )

    def _visible(self, user):
        return self.env["iso10002.complaint"].with_user(user).search([]).ids

    # ---------------------------------------------------------------- officer
    def test_officer_reads_team_complaints(self):
        visible = self._visible(self.officer_a)
        self.assertIn(self.complaint_a.id, visible)
        self.assertEqual(self.complaint_a.with_user(self.officer_a).subject, "Team A complaint")

    def test_officer_cannot_read_other_team(self):
        self.assertNotIn(self.complaint_a.id, self._visible(self.officer_b))
        with self.assertRaises(AccessError):
            self.complaint_a.with_user(self.officer_b).read(["subject"])

    def test_officer_reads_complaints_assigned_to_them_in_other_team(self):
        self.complaint_b.user_id = self.officer_a
        self.assertIn(self.complaint_b.id, self._visible(self.officer_a))

    def test_officer_reads_unassigned(self):
        self.assertIn(self.complaint_unassigned.id, self._visible(self.officer_a))
        self.assertIn(self.complaint_unassigned.id, self._visible(self.officer_b))

    def test_officer_cannot_read_confidential_of_others(self):
        self.assertNotIn(self.confidential_a.id, self._visible(self.officer_a))
        with self.assertRaises(AccessError):
            self.confidential_a.with_user(self.officer_a).read(["description"])

    def test_officer_reads_own_confidential(self):
        self.confidential_a.user_id = self.officer_a
        self.assertIn(self.confidential_a.id, self._visible(self.officer_a))

    def test_officer_writes_team_complaint(self):
        self.complaint_a.with_user(self.officer_a).write({"severity": "high"})
        self.assertEqual(self.complaint_a.severity, "high")

    def test_officer_cannot_write_other_team(self):
        with self.assertRaises(AccessError):
            self.complaint_a.with_user(self.officer_b).write({"severity": "low"})

    def test_officer_creates(self):
        complaint = (
            self.env["iso10002.complaint"]
            .with_user(self.officer_a)
            .create(
                {
                    "subject": "Called in",
                    "partner_id": self.complainant.id,
                    "channel_id": self.channel_phone.id,
                    "team_id": self.team_a.id,
                }
            )
        )
        self.assertTrue(complaint.name.startswith("CMP/"))

    def test_officer_cannot_create_in_other_team(self):
        with self.assertRaises(AccessError):
            self.env["iso10002.complaint"].with_user(self.officer_b).create(
                {
                    "subject": "Not mine",
                    "partner_id": self.complainant.id,
                    "channel_id": self.channel_phone.id,
                    "team_id": self.team_a.id,
                    "user_id": self.officer_a.id,
                }
            )

    def test_officer_cannot_unlink(self):
        received = self._complaint(partner_id=self.person_about.id)
        self.assertEqual(received.step, "received")
        with self.assertRaises(AccessError):
            received.with_user(self.officer_a).unlink()

    def test_officer_cannot_configure(self):
        stage = self.env.ref("iso10002_complaints.stage_received")
        with self.assertRaises(AccessError):
            stage.with_user(self.officer_a).write({"name": "Inbox"})
        with self.assertRaises(AccessError):
            self.env["iso10002.complaint.category"].with_user(self.officer_a).create({"name": "X"})
        with self.assertRaises(AccessError):
            self.team_a.with_user(self.officer_a).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.root_cause.with_user(self.officer_a).unlink()
        with self.assertRaises(AccessError):
            self.channel_phone.with_user(self.officer_a).write({"name": "Tel"})

    # ---------------------------------------------------------------- manager
    def test_manager_reads_everything_of_company(self):
        visible = self._visible(self.manager)
        for complaint in (self.complaint_a, self.complaint_b, self.confidential_a, self.complaint_unassigned):
            self.assertIn(complaint.id, visible)

    def test_manager_configures(self):
        stage = (
            self.env["iso10002.complaint.stage"]
            .with_user(self.manager)
            .create({"name": "Waiting for the customer", "step": "investigation", "sequence": 45})
        )
        stage.name = "Waiting for customer"
        self.env["iso10002.complaint.category"].with_user(self.manager).create({"name": "Packaging"})
        self.team_a.with_user(self.manager).write({"response_days": 5})
        self.assertEqual(self.team_a.response_days, 5)

    def test_manager_deletes_received_complaint(self):
        received = self._complaint(partner_id=self.person_about.id)
        received.with_user(self.manager).unlink()
        self.assertFalse(received.exists())

    def test_nobody_deletes_complaint_that_left_received(self):
        self.assertEqual(self.complaint_a.step, "acknowledged")
        with self.assertRaisesRegex(UserError, "never deleted"):
            self.complaint_a.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "never deleted"):
            self.complaint_a.sudo().unlink()

    def test_archive_instead_of_delete(self):
        with self.assertRaises(UserError, msg="an open complaint is handled, not archived"):
            self.complaint_a.with_user(self.manager).action_archive()
        self._walk_to(self.complaint_a, "closed")
        self.complaint_a.with_user(self.manager).action_archive()
        self.assertFalse(self.complaint_a.active)
        self.assertTrue(self.complaint_a.exists())

    # ---------------------------------------------------------------- auditor
    def test_auditor_reads_everything(self):
        visible = self._visible(self.auditor)
        for complaint in (self.complaint_a, self.complaint_b, self.confidential_a, self.complaint_unassigned):
            self.assertIn(complaint.id, visible)
        self.assertTrue(self.confidential_a.with_user(self.auditor).message_ids)

    def test_auditor_writes_nothing(self):
        with self.assertRaises(AccessError):
            self.complaint_a.with_user(self.auditor).write({"severity": "low"})
        with self.assertRaises(AccessError):
            self.env["iso10002.complaint"].with_user(self.auditor).create(
                {"subject": "x", "channel_id": self.channel_phone.id}
            )
        with self.assertRaises(AccessError):
            self.complaint_unassigned.with_user(self.auditor).unlink()
        with self.assertRaises(AccessError):
            self.team_a.with_user(self.auditor).write({"name": "Audited"})
        with self.assertRaises(AccessError):
            self.category.with_user(self.auditor).write({"name": "Audited"})

    def test_auditor_cannot_act(self):
        with self.assertRaises(AccessError):
            self.complaint_a.with_user(self.auditor).write({"severity": "high", "category_id": self.category.id})
        with self.assertRaises(AccessError):
            self.complaint_a.with_user(self.auditor).action_assess()

    # ----------------------------------------------------------------- portal
    def test_portal_reads_own(self):
        visible = self._visible(self.portal_user)
        self.assertEqual(visible, self.portal_complaint.ids)
        self.assertEqual(self.portal_complaint.with_user(self.portal_user).subject, "From the portal user")

    def test_portal_refused_other_complaints(self):
        with self.assertRaises(AccessError):
            self.complaint_a.with_user(self.portal_user).read(["subject"])

    def test_portal_writes_and_creates_nothing_directly(self):
        with self.assertRaises(AccessError):
            self.portal_complaint.with_user(self.portal_user).write({"subject": "Changed"})
        with self.assertRaises(AccessError):
            self.env["iso10002.complaint"].with_user(self.portal_user).create(
                {"subject": "x", "channel_id": self.channel_phone.id}
            )
        with self.assertRaises(AccessError):
            self.portal_complaint.with_user(self.portal_user).unlink()

    def test_portal_reads_company_complaints(self):
        company = self.env["res.partner"].create({"name": "Jane's Company", "is_company": True})
        self.portal_user.partner_id.parent_id = company
        colleague = self.env["res.partner"].create({"name": "Colleague", "parent_id": company.id})
        colleague_complaint = self._complaint(partner_id=colleague.id)
        self.assertIn(colleague_complaint.id, self._visible(self.portal_user))

    # ----------------------------------------------------- plain employee
    def test_employee_without_group_is_refused(self):
        with self.assertRaises(AccessError):
            self.env["iso10002.complaint"].with_user(self.employee).search([])
        with self.assertRaises(AccessError):
            self.complaint_a.with_user(self.employee).read(["subject"])

    # ------------------------------------------------------------ companies
    def test_other_company_user_is_refused(self):
        visible = self._visible(self.officer_other_company)
        self.assertEqual(visible, self.complaint_other_company.ids)
        with self.assertRaises(AccessError):
            self.complaint_a.with_user(self.officer_other_company).read(["subject"])
        with self.assertRaises(AccessError):
            self.team_a.with_user(self.officer_other_company).read(["name"])

    def test_manager_does_not_see_other_company(self):
        self.assertNotIn(self.complaint_other_company.id, self._visible(self.manager))

    def test_company_specific_category_is_hidden_from_other_company(self):
        private = self.env["iso10002.complaint.category"].create(
            {"name": "Company B only", "company_id": self.company_b.id}
        )
        categories = self.env["iso10002.complaint.category"].with_user(self.officer_a).search([])
        self.assertNotIn(private, categories)
        self.assertIn(self.category, categories)


@tagged("post_install", "-at_install")
class TestReadersAndTheToken(SecondTeamHttpCase):
    """Who holds the complainant's access token: nobody who only reads the complaint."""

    def test_readers_do_not_hold_the_complainants_token(self):
        self.complaint.sudo()._portal_ensure_token()
        for user in (self.auditor, self.officer):
            with self.assertRaises(AccessError):
                self.complaint.with_user(user).read(["access_token"])
        self.assertIn("access_token=", self.complaint.with_user(self.officer).get_portal_url())


@tagged("post_install", "-at_install")
class TestTheSurfaceAClientReaches(ComplaintsFromOutsideCase):
    """What a client reaches over RPC: no hook of the technical addons, no gateway, no company option."""

    def test_the_new_hooks_are_not_callable_over_rpc(self):
        private = {
            "iso10002.complaint": [
                "_mail_thread_sealed_by_process",
                "_mail_thread_sealed_check_new_messages",
                "_mail_gateway_keep_automatic_mail",
                "_mail_gateway_keep_delivery_report",
                "_mail_gateway_keep_looping_mail",
                "_mail_gateway_is_guarded",
                "_mail_gateway_guarded_models",
                "_mail_gateway_is_own_address",
                "_message_unreadable",
                "_bounce_from_report_text",
                "_review_company_ids" if hasattr(self.Complaint, "_review_company_ids") else "_portal_answer",
            ],
            "ir.actions.report": ["_reader_locale_lang", "_reader_locale_for", "_reader_locale_page_numbers"],
            "mail.message": ["_check_sealed", "_check_new_sealed_messages", "_mail_thread_sealed_fields"],
            "ir.attachment": ["_check_sealed", "_mail_thread_sealed_fields"],
            "rating.rating": ["_check_sealed", "_models_of"],
            "iso10002.register.download": ["_serve"],
        }
        for model, names in private.items():
            for name in names:
                with self.subTest(method=f"{model}.{name}"), self.assertRaises(AccessError):
                    get_public_method(self.env[model], name)
        # what the new model offers besides the ORM: nothing
        download = type(self.env["iso10002.register.download"])
        own = {name for name, value in vars(download).items() if not name.startswith("_") and inspect.isfunction(value)}
        self.assertFalse(own, "public methods on iso10002.register.download")

    def test_the_gateway_is_the_systems_only_whatever_the_context(self):
        raw = COMPLAINT_EMAIL.format(
            email_from="mallory@evil.example",
            to="complaints-a@complaints.example.com",
            subject="Forged",
            msg_id="<forged@evil.example>",
            extra="",
            body="forged",
        )
        for user in (self.employee, self.officer_a, self.manager, self.auditor, self.portal_user):
            for model in ("mail.thread", "iso10002.complaint", "res.partner"):
                with self.subTest(user=user.login, model=model), self.assertRaises(AccessError):
                    self.env[model].with_user(user).with_context(**FORGED_CONTEXT).message_process(
                        "iso10002.complaint", raw, custom_values={"user_id": user.id}
                    )
        self.assertFalse(self.env["mail.message"].search([("message_id", "=", "<forged@evil.example>")]))

    def test_company_reader_options_are_an_administrators_to_set(self):
        for user in (self.employee, self.officer_a, self.manager, self.auditor, self.officer_other_company):
            for company in (self.company, self.company_b):
                for values in ({"reader_calendar": "solar_hijri"}, {"reader_rial_unit": "toman"}):
                    with self.subTest(user=user.login, company=company.name, values=values):
                        with self.assertRaises(AccessError):
                            company.with_user(user).with_context(**FORGED_CONTEXT).write(values)
            with self.subTest(user=user.login, settings=True), self.assertRaises(AccessError):
                self.env["res.config.settings"].with_user(user).create({"reader_calendar": "solar_hijri"}).execute()
        self.assertEqual(self.company.reader_calendar, "language")
