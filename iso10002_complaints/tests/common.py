import json

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import Request
from odoo.tests import HttpCase, RecordCapturer, TransactionCase, new_test_user

from odoo.addons.mail.tests.common import MailCommon
from odoo.addons.report_reader_locale.tools import READER_KEY

# A plain-text e-mail as it reaches a team's alias, in the form of Odoo's own gateway tests:
# MailCommon.format() fills the fields; ``extra`` holds more header lines, each ending with
# a newline (In-Reply-To, References...).
COMPLAINT_EMAIL = """From: {email_from}
To: {to}
Subject: {subject}
Message-ID: {msg_id}
Date: Tue, 03 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit
{extra}
{body}
"""

# The same with an HTML part next to the text one, as mail clients send it.
COMPLAINT_EMAIL_HTML = """From: {email_from}
To: {to}
Subject: {subject}
Message-ID: {msg_id}
Date: Tue, 03 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt-boundary"
{extra}
--alt-boundary
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{body}
--alt-boundary
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

{body_html}
--alt-boundary--
"""

# The text of the complaint and two documents (base64, as mail clients encode them).
COMPLAINT_EMAIL_ATTACHMENTS = """From: {email_from}
To: {to}
Subject: {subject}
Message-ID: {msg_id}
Date: Tue, 03 Mar 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed-boundary"
{extra}
--mixed-boundary
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

{body}
--mixed-boundary
Content-Type: application/pdf
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="receipt.pdf"

{pdf_base64}
--mixed-boundary
Content-Type: image/png
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="photo.png"

{png_base64}
--mixed-boundary--
"""


# what a portal user may read of a complaint: the rest is internal (ISO 10002 4.10)
PORTAL_FIELDS = {
    "id",
    "event_date",
    "order_reference",
    "contact_preference",
    "display_name",
    "name",
    "subject",
    "description",
    "active",
    "company_id",
    "partner_id",
    "email_from",
    "team_id",
    "stage_id",
    "step",
    "is_open",
    "channel_id",
    "received_date",
    "product_ids",
    "remedy_sought",
    "acknowledged_date",
    "acknowledgement_channel",
    "currency_id",
    "communication_date",
    "communication_channel",
    "complainant_response",
    "complainant_response_date",
    "complainant_feedback",
    "closed_date",
    "closure_reason",
    "withdrawal_reason",
    "out_of_scope_reason",
    "external_referral",
    "external_provider",
    "external_referral_date",
    "external_outcome",
    "resolution_deadline",
    # mail.thread.cc: the addresses the complainant copied
    "email_cc",
}


class ComplaintsCase(TransactionCase):
    """Two companies, two teams, one user per role, a complainant."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notify_force_send=False))
        cls.company = cls.env.ref("base.main_company")
        cls.company_b = cls.env["res.company"].create({"name": "Other Company"})
        # the tests set the remedy limit they are about (the demo company has one)
        cls.company.complaint_officer_remedy_limit = 0.0
        groups = {
            "officer": "iso10002_complaints.group_complaint_officer",
            "manager": "iso10002_complaints.group_complaint_manager",
            "auditor": "iso10002_complaints.group_complaint_auditor",
        }
        cls.officer_a = new_test_user(
            cls.env, login="officer_a", groups=groups["officer"], name="Officer A", email="officer.a@example.com"
        )
        cls.officer_b = new_test_user(
            cls.env, login="officer_b", groups=groups["officer"], name="Officer B", email="officer.b@example.com"
        )
        cls.manager = new_test_user(cls.env, login="cmp_manager", groups=groups["manager"], name="Complaints Manager")
        cls.auditor = new_test_user(cls.env, login="cmp_auditor", groups=groups["auditor"], name="Auditor")
        cls.employee = new_test_user(cls.env, login="plain_employee", groups="base.group_user", name="Employee")
        cls.officer_other_company = new_test_user(
            cls.env,
            login="officer_c",
            groups=groups["officer"],
            name="Officer of Other Company",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.team_a = cls.env["iso10002.complaint.team"].create(
            {
                "name": "Team A",
                "user_id": cls.officer_a.id,
                "member_ids": [(6, 0, cls.officer_a.ids)],
                "alias_name": "complaints-a",
            }
        )
        cls.team_b = cls.env["iso10002.complaint.team"].create(
            {"name": "Team B", "member_ids": [(6, 0, cls.officer_b.ids)], "alias_name": "complaints-b"}
        )
        cls.team_other_company = cls.env["iso10002.complaint.team"].create(
            {
                "name": "Team C",
                "company_id": cls.company_b.id,
                "member_ids": [(6, 0, cls.officer_other_company.ids)],
            }
        )
        cls.complainant = cls.env["res.partner"].create(
            {"name": "Jane Complainant", "email": "jane@example.com", "is_company": False}
        )
        cls.portal_user = new_test_user(
            cls.env, login="portal_jane", groups="base.group_portal", name="Portal Jane", email="portal@example.com"
        )
        cls.person_about = cls.env["res.partner"].create({"name": "Person Complained About"})
        cls.channel_phone = cls.env.ref("iso10002_complaints.channel_phone")
        cls.channel_email = cls.env.ref("iso10002_complaints.channel_email")
        cls.category = cls.env["iso10002.complaint.category"].create({"name": "Delivery"})
        cls.root_cause = cls.env["iso10002.root.cause"].create({"name": "Carrier failure"})

    @classmethod
    def _complaint(cls, **values):
        vals = {
            "subject": "Parcel never arrived",
            "partner_id": cls.complainant.id,
            "channel_id": cls.channel_phone.id,
            "team_id": cls.team_a.id,
        }
        vals.update(values)
        return cls.env["iso10002.complaint"].create(vals)

    def flush_tracking(self):
        """Write the tracking messages, as the end of a transaction would."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _walk_to(self, complaint, step):
        """Take a complaint through the real actions up to ``step``."""
        order = ["acknowledged", "assessment", "investigation", "response", "communicated", "closed"]
        for current in order:
            if complaint.step == step:
                break
            if current == "acknowledged" and complaint.step == "received":
                complaint.acknowledgement_channel = "phone"
                complaint.action_acknowledge()
            elif current == "assessment" and complaint.step == "acknowledged":
                complaint.write({"severity": "high", "category_id": self.category.id})
                complaint.action_assess()
            elif current == "investigation" and complaint.step == "assessment":
                complaint.investigator_id = self.officer_a
                complaint.action_investigate()
            elif current == "response" and complaint.step == "investigation":
                complaint.write({"remedy": "apology", "root_cause_id": self.root_cause.id})
                complaint.action_respond()
            elif current == "communicated" and complaint.step == "response":
                complaint.write({"response_text": "<p>We are sorry.</p>", "communication_channel": "phone"})
                complaint.action_communicate()
            elif current == "closed" and complaint.step == "communicated":
                complaint.complainant_response = "accepted"
                complaint.action_close()
            self.flush_tracking()
        self.assertEqual(complaint.step, step)
        return complaint


class ComplaintsMailCase(ComplaintsCase, MailCommon):
    """ComplaintsCase on Odoo's mail test tooling (``MailCommon``): ``mock_mail_gateway()``
    records the ``mail.mail`` created (``_new_mails``) and the e-mails that leave
    (``_mails``), for ``assertMailMail``, ``assertSentEmail``, ``assertMessageFields``.

    MailCommon's own set-up runs first (its companies, users, alias domain and mail
    servers); the complaints fixtures of ComplaintsCase come after, unchanged."""

    def _mails_to(self, partner):
        """The ``mail.mail`` queued for ``partner`` during the mock."""
        return self._new_mails.filtered(lambda mail: partner in mail.recipient_ids)

    def _send_queue(self):
        """Send what was queued during the mock, as the mail queue job does, so that the
        e-mails that leave can be checked (``assertSentEmail``)."""
        self.env["mail.mail"].process_email_queue(ids=self._new_mails.ids)


class MailGatewayCase(ComplaintsMailCase):
    """The teams' aliases on a mail domain, and RFC 822 messages through the gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # not MailCommon's ``alias_domain`` (the name of its own test domain)
        cls.complaints_alias_domain = cls.env["mail.alias.domain"].create(
            {"name": "complaints.example.com", "bounce_alias": "bounce", "catchall_alias": "catchall"}
        )
        cls.company.alias_domain_id = cls.complaints_alias_domain
        (cls.team_a | cls.team_b).alias_id.alias_domain_id = cls.complaints_alias_domain
        cls.Complaint = cls.env["iso10002.complaint"].with_context(active_test=False)

    def _process(self, raw):
        """The gateway, then the intake job it triggers (SLA planning, acknowledgement)."""
        if hasattr(raw, "as_bytes"):
            raw = raw.as_bytes()
        thread_id = self.env["mail.thread"].message_process(None, raw)
        self.Complaint._cron_acknowledge()
        return thread_id

    def _intake(
        self,
        template=COMPLAINT_EMAIL,
        email_from="Bob Buyer <bob@buyer.example>",
        to="complaints-a@complaints.example.com",
        subject="Broken chair",
        body="The chair broke on day one.",
        acknowledge=True,
        **kwargs,
    ):
        """An e-mail from ``template`` through the gateway (MailCommon's
        ``format_and_process``), then the intake job unless ``acknowledge`` is False.
        Returns the complaints it created (archived ones too)."""
        with RecordCapturer(self.Complaint, []) as capture:
            self.format_and_process(
                template,
                email_from,
                to,
                subject=subject,
                body=body,
                target_model="iso10002.complaint",
                target_field="subject",
                **kwargs,
            )
            if acknowledge:
                self.Complaint._cron_acknowledge()
        return capture.records


class ComplaintsHttpCase(HttpCase):
    """One user per role for the tests that go through HTTP (routes, JSON-RPC, the portal),
    built once per class; each password is the login (``self.authenticate(user.login,
    user.login)``). The class builds its own teams and complaints: the officers belong to
    no team here.

    ``officer`` and ``officer_b`` (for a second team), ``manager``, ``auditor``,
    ``employee`` (an internal user without complaint rights), ``portal`` and
    ``portal_colleague`` (two contacts of ``portal_customer``), and ``officer_other_company``
    in ``company_b``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        officer = "iso10002_complaints.group_complaint_officer"
        cls.officer = new_test_user(cls.env, login="http_officer", groups=officer, email="officer@http.example")
        cls.officer_b = new_test_user(cls.env, login="http_officer_b", groups=officer, email="officer.b@http.example")
        cls.manager = new_test_user(cls.env, login="http_manager", groups="iso10002_complaints.group_complaint_manager")
        cls.auditor = new_test_user(cls.env, login="http_auditor", groups="iso10002_complaints.group_complaint_auditor")
        cls.employee = new_test_user(cls.env, login="http_employee", groups="base.group_user")
        cls.portal_customer = cls.env["res.partner"].create({"name": "Portal Customer Ltd", "is_company": True})
        cls.portal = new_test_user(
            cls.env, login="http_portal", groups="base.group_portal", email="portal@http.example"
        )
        cls.portal_colleague = new_test_user(
            cls.env, login="http_portal_colleague", groups="base.group_portal", email="colleague@http.example"
        )
        (cls.portal | cls.portal_colleague).partner_id.parent_id = cls.portal_customer
        cls.company_b = cls.env["res.company"].create({"name": "Other HTTP Company"})
        cls.officer_other_company = new_test_user(
            cls.env,
            login="http_officer_c",
            groups=officer,
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )


class SlaCase(ComplaintsCase):
    """Teams on an office calendar (UTC, Mon-Fri 8-12 and 13-17) and the default policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls._calendar("Office UTC", "UTC")
        cls.team_a.resource_calendar_id = cls.calendar
        cls.team_b.resource_calendar_id = cls.calendar
        cls.manager.email = "manager@example.com"
        cls.officer_b.email = "officer.b@example.com"
        cls.company.complaint_escalation_user_id = cls.manager
        cls.policy = cls.env.ref("iso10002_complaints.sla_policy_default")
        cls.policy.write({"ack_target_hours": 8, "resolution_target_hours": 16, "at_risk_percent": 75})
        cls.policy.escalation_ids.filtered(lambda r: r.level == 2).delay_hours = 8
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.Mail = cls.env["mail.mail"].sudo()

    @classmethod
    def _calendar(cls, name, tz):
        attendances = []
        for day in range(5):
            attendances += [
                (0, 0, {"name": "AM", "dayofweek": str(day), "hour_from": 8, "hour_to": 12, "day_period": "morning"}),
                (
                    0,
                    0,
                    {"name": "PM", "dayofweek": str(day), "hour_from": 13, "hour_to": 17, "day_period": "afternoon"},
                ),
            ]
        return cls.env["resource.calendar"].create({"name": name, "tz": tz, "attendance_ids": attendances})

    def _received(self, when, **values):
        """A complaint without e-mail address: it waits for its acknowledgement."""
        values.setdefault("partner_id", self.person_about.id)
        complaint = self._complaint(received_date=when, **values)
        self.flush_tracking()  # as if created in its own transaction
        return complaint

    def _sweep(self):
        self.env.flush_all()
        done = self.Complaint._cron_sla_sweep()
        self.flush_tracking()
        self.env.invalidate_all()
        return done

    def _digests(self, user):
        return self.Mail.search([("recipient_ids", "in", user.partner_id.id), ("subject", "like", "Complaints SLA")])


# the attacker's probes of the platform addons (issue 24), by feature: their shared set-up
REFUSED = (AccessError, UserError, ValidationError)
# context keys a client may send over RPC, hoping one of them is trusted
FORGED_CONTEXT = {
    "iso10002_engine": True,
    "iso10002_sync": True,
    "mail_thread_sealed": True,
    "mail_thread_sealed_by_process": True,
    "mail_gateway_guard": True,
    READER_KEY: True,
    "tracking_disable": True,
    "mail_notrack": True,
    "mail_create_nolog": True,
    "module_uninstall": True,
    "_force_unlink": True,
    "install_mode": True,
}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
GOOD_FORM = {
    "name": "Walk In",
    "email": "walk.in@example.com",
    "subject": "Closed shop",
    "description": "The shop was closed during opening hours.",
    "consent": "on",
}


class ComplaintsFromOutsideCase(HttpCase, MailGatewayCase):
    """A complaint with a note in its trail, seen over HTTP and RPC by every role; the
    public form's throttle off."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.admin = cls.env.ref("base.user_admin")
        cls.Complaint = cls.env["iso10002.complaint"].with_context(active_test=False)
        cls.complaint = cls._complaint(subject="Sealed from outside")
        cls.trail_message = cls.complaint.with_user(cls.officer_a).message_post(
            body="Called the customer", message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    def _csrf(self):
        return Request.csrf_token(self)

    def _stored(self):
        return (
            self.Complaint.sudo().search_count([]),
            self.env["ir.attachment"].sudo().search_count([("res_model", "=", "iso10002.complaint")]),
            self.env["res.partner"].sudo().with_context(active_test=False).search_count([]),
        )


class SecondTeamHttpCase(ComplaintsHttpCase):
    """The role users, a team of the officer's own with a category, and a complaint of the
    portal user's recorded by phone (``_new`` records more)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notify_force_send=False))
        cls.team = cls.env["iso10002.complaint.team"].create({"name": "Second", "member_ids": cls.officer.ids})
        cls.category = cls.env["iso10002.complaint.category"].create({"name": "Second category"})
        cls.complaint = cls._new()

    @classmethod
    def _new(cls, **values):
        return cls.env["iso10002.complaint"].create(
            {
                "subject": "Second",
                "partner_id": cls.portal.partner_id.id,
                "channel_id": cls.env.ref("iso10002_complaints.channel_phone").id,
                "team_id": cls.team.id,
                **values,
            }
        )


class CorrectiveActionRpcCase(HttpCase):
    """A corrective action of an officer, verified by another, reached over JSON-RPC as the
    web client and integrators reach it."""

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
