"""The three promises of ISO 10002 (every complaint kept, a record that cannot change
without trace, nothing shown to the wrong person), tried from outside: the mail gateway
with hostile messages, RPC-style calls as each role with the context keys a client may
send, and the portal user's reads."""

import email
import email.policy
import io
from datetime import timedelta

import openpyxl

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.modules.migration import load_script
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.iso10002_complaint_mail import HTML_TRACED
from ..tools.text import BIDI_CONTROLS
from .common import ComplaintsCase, MailGatewayCase
from .hostile_mail import HostileMail

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
# context keys a client may send that must switch nothing off
HOSTILE_CONTEXT = {
    "tracking_disable": True,
    "mail_notrack": True,
    "mail_create_nolog": True,
    "_force_unlink": True,
    "iso10002_reopen": True,
    "iso10002_sla_write": True,
    "iso10002_no_acknowledgement": True,
    "iso10002_engine": True,
    "iso10002_sync": True,
}


@tagged("post_install", "-at_install")
class TestHostileMail(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.email = "info@ourcompany.example"

    @mute_logger("odoo.addons.mail.models.mail_thread", "odoo.addons.iso10002_complaints.models.mail_thread")
    def test_300_hostile_messages_nothing_lost_no_loop(self):
        generator = HostileMail(10002, "complaints-a@complaints.example.com", "info@ourcompany.example")
        expected = {"complaint": 0, "automatic": 0, "duplicate": 0}
        errors = []
        before = self.Complaint.search([])
        team_messages = self.team_a.message_ids
        automatic = set()  # the Message-Id of each automatic message
        for index, (raw, expect) in enumerate(generator.messages(320)):
            expected[expect] += 1
            if expect == "automatic":
                automatic.add(str(email.message_from_bytes(raw, policy=email.policy.SMTP)["Message-Id"]).strip())
            try:
                with self.env.cr.savepoint():
                    self._process(raw)
            except Exception as error:
                errors.append(f"{index} {expect}: {type(error).__name__}: {error}")
        self.assertFalse(errors, "\n".join(errors[:10]))
        self.assertGreaterEqual(expected["automatic"], 60)
        new = self.Complaint.search([("id", "not in", before.ids)])
        self.assertEqual(len(new), expected["complaint"], "one complaint per readable message, none per automatic one")
        self.assertTrue(all(c.name.startswith("CMP/") for c in new), "references come from the sequence")
        self.assertEqual(len(set(new.mapped("name"))), len(new))
        # automatic mail (auto-replies, delivery reports, our own) is kept on the team,
        # each message once, without acknowledgement
        self.assertEqual(len(automatic), expected["automatic"])
        kept = (self.team_a.message_ids - team_messages).filtered(lambda m: m.message_type == "email")
        self.assertEqual(sorted(kept.mapped("message_id")), sorted(automatic))
        acks = self.env["mail.message"].search(
            [("model", "=", "iso10002.complaint"), ("res_id", "in", new.ids), ("message_type", "=", "auto_comment")]
        )
        self.assertLessEqual(len(acks), len(new))

    def test_controls_and_overrides_in_a_mail_lose_nothing(self):
        """A body or subject full of direction overrides and controls still makes its
        complaint (the form refuses such text from a client; the gateway keeps the mail and
        drops the characters from the complaint's fields); the message is kept as sent."""
        generator = HostileMail(2025, "complaints-a@complaints.example.com", "info@ourcompany.example")
        for index in range(20):
            raw, _expect = generator.make(["controls_body", "controls_html"][index % 2])
            before = self.Complaint.search([])
            self._process(raw)
            complaint = self.Complaint.search([("id", "not in", before.ids)])
            self.assertEqual(len(complaint), 1, raw[:300])
            for text in (complaint.subject, complaint.description or ""):
                self.assertFalse(
                    [char for char in text if char in BIDI_CONTROLS or (char < " " and char not in "\r\n\t")],
                    text,
                )
            self.assertTrue(complaint.message_ids.filtered(lambda m: m.message_type == "email"), "the mail, kept")

    def test_same_subject_twice_two_numbered_complaints(self):
        before = self.Complaint.search([])
        for number in (1, 2):
            self._process(
                (
                    "From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Complaint\n"
                    f"Message-Id: <same-{number}@buyer.example>\n\nIt broke again.\n"
                ).encode()
            )
        new = self.Complaint.search([("id", "not in", before.ids)])
        self.assertEqual(len(new), 2)
        self.assertEqual(set(new.mapped("subject")), {"Complaint"})
        self.assertTrue(all(name.startswith("CMP/") for name in new.mapped("name")))

    def test_auto_reply_to_acknowledgement_lands_in_thread_without_new_ack(self):
        self._process(
            b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Broken\n"
            b"Message-Id: <first@buyer.example>\n\nBroken.\n"
        )
        complaint = self.Complaint.search([("email_from", "=", "bob@buyer.example")])
        self.assertEqual(len(complaint), 1)
        ack = complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")
        self.assertEqual(len(ack), 1)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", ack.id), ("recipient_ids", "in", complaint.partner_id.ids)])
        )
        self.assertIn("Auto-Submitted", mail.headers or "", "our acknowledgements say they are automatic")
        count = self.Complaint.search_count([])
        self._process(
            (
                "From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Out of office\n"
                f"Auto-Submitted: auto-replied\nIn-Reply-To: {ack.message_id}\nMessage-Id: <ooo@buyer.example>\n\n"
                "I am away.\n"
            ).encode()
        )
        self.assertEqual(self.Complaint.search_count([]), count)
        self.assertIn("<ooo@buyer.example>", complaint.message_ids.mapped("message_id"))
        self.assertEqual(len(complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")), 1)

    def test_loop_guard_sees_senders_with_display_names(self):
        self.env["ir.config_parameter"].sudo().set_param("mail.gateway.loop.threshold", 3)
        before = self.Complaint.search([])
        for number in range(6):
            self._process(
                (
                    'From: "Auto Responder" <robot@buyer.example>\nTo: complaints-a@complaints.example.com\n'
                    f"Subject: Thanks {number}\nMessage-Id: <loop-{number}@buyer.example>\n\nThanks.\n"
                ).encode()
            )
        self.assertEqual(len(self.Complaint.search([("id", "not in", before.ids)])), 3)

    def test_one_mail_to_two_teams_is_one_complaint(self):
        before = self.Complaint.search([])
        self._process(
            b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com, "
            b"complaints-b@complaints.example.com\nSubject: Both\nMessage-Id: <both@buyer.example>\n\nBoth.\n"
        )
        self.assertEqual(len(self.Complaint.search([("id", "not in", before.ids)])), 1)

    def test_a_mail_without_message_id_delivered_twice_is_one_complaint(self):
        raw = b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: No id\n\nNo id.\n"
        before = self.Complaint.search([])
        self._process(raw)
        self._process(raw)
        self.assertEqual(len(self.Complaint.search([("id", "not in", before.ids)])), 1)

    def test_a_body_that_cannot_be_read_is_kept_whole(self):
        raw = (
            b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Lost text\n"
            b"Message-Id: <lost@buyer.example>\nContent-Type: multipart/mixed\n\nThe chair broke, no boundary.\n"
        )
        before = self.Complaint.search([])
        self._process(raw)
        complaint = self.Complaint.search([("id", "not in", before.ids)])
        self.assertEqual(len(complaint), 1)
        originals = self.env["ir.attachment"].search(
            [("res_model", "=", complaint._name), ("res_id", "=", complaint.id), ("name", "=", "original_email.eml")]
        )
        self.assertIn(b"The chair broke", originals.raw)

    def test_the_loop_guard_keeps_what_it_stops(self):
        self.env["ir.config_parameter"].sudo().set_param("mail.gateway.loop.threshold", 2)
        messages = len(self.team_a.message_ids)
        for number in range(3):
            self._process(
                (
                    "From: Flood <flood@buyer.example>\nTo: complaints-a@complaints.example.com\n"
                    f"Subject: Flood {number}\nMessage-Id: <flood-{number}@buyer.example>\n\nFlood {number}.\n"
                ).encode()
            )
        kept = self.team_a.message_ids.filtered(lambda m: m.message_id == "<flood-2@buyer.example>")
        self.assertEqual(len(kept), 1, "the stopped message is kept on the team")
        self.assertGreater(len(self.team_a.message_ids), messages)

    def test_a_contact_of_another_company_still_complains(self):
        self.env["res.partner"].create(
            {"name": "Other company's Bob", "email": "bob@buyer.example", "company_id": self.company_b.id}
        )
        before = self.Complaint.search([])
        self._process(
            b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Cross\n"
            b"Message-Id: <cross@buyer.example>\n\nCross.\n"
        )
        complaint = self.Complaint.search([("id", "not in", before.ids)])
        self.assertEqual(len(complaint), 1)
        self.assertIn(complaint.partner_id.company_id, (self.company, self.env["res.company"]))

    def test_a_reply_with_copies_lands_on_a_closed_complaint(self):
        complaint = self._walk_to(self._complaint(), "closed")
        ack = complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")[:1]
        self._process(
            (
                "From: Jane <jane@example.com>\nTo: complaints-a@complaints.example.com\nCc: lawyer@law.example\n"
                f"Subject: Re: closed\nIn-Reply-To: {ack.message_id}\nMessage-Id: <late@example.com>\n\n"
                "One more thing.\n"
            ).encode()
        )
        self.assertIn("<late@example.com>", complaint.message_ids.mapped("message_id"))

    def test_redelivered_message_stays_one_complaint(self):
        raw = (
            b"From: Bob <bob@buyer.example>\nTo: complaints-a@complaints.example.com\nSubject: Once\n"
            b"Message-Id: <once@buyer.example>\n\nOnce.\n"
        )
        before = self.Complaint.search([])
        self._process(raw)
        self._process(raw)
        self.assertEqual(len(self.Complaint.search([("id", "not in", before.ids)])), 1)


@tagged("post_install", "-at_install")
class TestTamperEvident(ComplaintsCase):
    def _as(self, user, records):
        """``records`` as a client calling over RPC would have them: that user, a hostile context."""
        return records.with_user(user).with_context(**HOSTILE_CONTEXT)

    def test_closed_complaint_cannot_be_rewritten_through_context_keys(self):
        complaint = self._complaint(remedy="refund", compensation_amount=50)
        self._walk_to(complaint, "closed")
        for user in (self.officer_a, self.manager):
            with self.assertRaises(UserError):
                self._as(user, complaint).write({"compensation_amount": 0})
        self.assertEqual(complaint.compensation_amount, 50)

    def test_process_dates_cannot_be_set(self):
        complaint = self._walk_to(self._complaint(), "acknowledged")
        for field in ("acknowledged_date", "received_date", "closed_date", "sla_state", "name", "reopen_count"):
            if field == "received_date":
                continue  # the date a complaint reached us is recorded at receipt, then tracked
            with self.subTest(field=field), self.assertRaises(AccessError):
                value = "2020-01-01 00:00:00" if "date" in field else ("met" if field == "sla_state" else "X")
                value = 7 if field == "reopen_count" else value
                self._as(self.officer_a, complaint).write({field: value})

    def test_create_in_a_later_step_is_refused(self):
        closed = self.env.ref("iso10002_complaints.stage_closed")
        vals = {"subject": "Forged", "partner_id": self.complainant.id, "channel_id": self.channel_phone.id}
        for user in (self.officer_a, self.manager):
            Complaint = self._as(user, self.env["iso10002.complaint"])
            with self.assertRaises(UserError):
                Complaint.create({**vals, "team_id": self.team_a.id, "stage_id": closed.id})
            with self.assertRaises(UserError):
                Complaint.with_context(default_stage_id=closed.id).create({**vals, "team_id": self.team_a.id})
            with self.assertRaises(AccessError):
                Complaint.create({**vals, "acknowledged_date": "2020-01-01 00:00:00"})

    def test_the_trail_is_not_written_through_the_complaint(self):
        complaint = self._complaint()
        for values in (
            {"message_ids": [(5, 0, 0)]},
            {"sla_event_ids": [(5, 0, 0)]},
            {"rating_ids": [(5, 0, 0)]},
            {"acknowledgement_pending": True},
        ):
            with self.subTest(field=list(values)), self.assertRaises(AccessError):
                self._as(self.officer_a, complaint).write(values)
        self.assertTrue(complaint.message_ids)
        self.assertTrue(complaint.sla_event_ids)

    def test_the_reference_comes_from_the_sequence(self):
        complaint = self._as(self.officer_a, self.env["iso10002.complaint"]).create(
            {"subject": "Mine", "partner_id": self.complainant.id, "channel_id": self.channel_phone.id}
        )
        self.assertTrue(complaint.name.startswith("CMP/"))
        with self.assertRaises(AccessError):
            self._as(self.officer_a, self.env["iso10002.complaint"]).create(
                {"subject": "Mine", "name": "CMP/1999/00001", "channel_id": self.channel_phone.id}
            )

    def test_complaints_that_left_received_are_never_deleted(self):
        complaint = self._walk_to(self._complaint(), "acknowledged")
        with self.assertRaises(UserError):
            self._as(self.manager, complaint).unlink()
        self.assertTrue(complaint.exists())

    def test_received_complaint_deleted_keeps_its_sla_history(self):
        complaint = self._complaint(partner_id=self.person_about.id)  # no e-mail: stays received
        events = complaint.sla_event_ids
        self.assertTrue(events)
        name = complaint.name
        complaint.with_user(self.manager).unlink()
        self.assertTrue(events.exists())
        self.assertEqual(set(events.mapped("complaint_name")), {name})
        self.assertEqual(events.company_id, self.company)

    def test_every_content_field_leaves_a_trace(self):
        complaint = self._walk_to(self._complaint(), "assessment")
        self.flush_tracking()
        changes = {
            "impact": "high",
            "urgency": "critical",
            "complexity": "low",
            "remedy_sought": "Money back",
            "immediate_action": "Recalled the batch",
            "complainant_feedback": "Thanks",
            "description": "<p>A new story</p>",
            "findings": "<p>The carrier lost it</p>",
        }
        before = complaint.message_ids
        self._as(self.officer_a, complaint).write(changes)
        self.flush_tracking()
        new = complaint.message_ids - before
        tracked = set(new.sudo().tracking_value_ids.field_id.mapped("name"))
        for field in ("impact", "urgency", "complexity", "remedy_sought", "immediate_action", "complainant_feedback"):
            self.assertIn(field, tracked)
        logged = " ".join(new.mapped("body"))
        self.assertIn("Description", logged)
        self.assertIn("Findings", logged)

    def test_every_field_a_person_writes_is_tracked(self):
        """A class check: a new field that people edit and nobody tracks fails here."""

        exempt = {"color", "access_token", "message_main_attachment_id", "rating_last_value", "email_cc"}
        untracked = [
            name
            for name, field in self.env["iso10002.complaint"]._fields.items()
            if field.store
            and not field.readonly
            and name not in exempt
            and not name.startswith(("message_", "activity_", "rating_", "website_message"))
            and field.type not in ("one2many",)
            and not getattr(field, "tracking", None)
            and name not in HTML_TRACED
        ]
        self.assertFalse(untracked, "fields that change without a trace")

    def test_messages_of_a_complaint_cannot_be_edited_or_deleted(self):
        complaint = self._complaint()
        complaint.with_user(self.officer_a).message_post(body="Called the customer", message_type="comment")
        for message in complaint.message_ids:
            for user in (self.officer_a, self.manager):
                with self.assertRaises(AccessError):
                    message.with_user(user).with_context(**HOSTILE_CONTEXT).write({"body": "<p>nothing</p>"})
                with self.assertRaises(AccessError):
                    message.with_user(user).with_context(**HOSTILE_CONTEXT).unlink()

    def test_attachments_of_a_complaint_stay(self):
        complaint = self._complaint()
        attachment = self.env["ir.attachment"].create(
            {"name": "photo.png", "raw": b"img", "res_model": complaint._name, "res_id": complaint.id}
        )
        with self.assertRaises(AccessError):
            attachment.with_user(self.officer_a).unlink()
        with self.assertRaises(AccessError):
            attachment.with_user(self.officer_a).write({"raw": b"other"})

    def test_employees_do_not_create_ratings(self):
        complaint = self._complaint()
        with self.assertRaises(AccessError):
            self.env["rating.rating"].with_user(self.officer_a).create(
                {
                    "res_model_id": self.env["ir.model"]._get_id(complaint._name),
                    "res_id": complaint.id,
                    "rating": 5,
                    "consumed": True,
                }
            )

    def test_only_final_complaints_are_archived(self):
        complaint = self._walk_to(self._complaint(), "assessment")
        with self.assertRaises(UserError):
            self._as(self.officer_a, complaint).write({"active": False})
        self._walk_to(complaint, "closed")
        complaint.with_user(self.officer_a).write({"active": False})
        self.assertFalse(complaint.active)

    def test_a_later_decision_date_is_told_to_the_complainant(self):
        complaint = self._complaint()  # acknowledged by e-mail, with a date
        self.assertEqual(complaint.step, "acknowledged")
        promised = complaint.resolution_deadline
        self.env["iso10002.sla.policy"].create(
            {
                "name": "Low severity, slower",
                "severity": "low",
                "sequence": 1,
                "ack_target_hours": 8,
                "resolution_target_hours": 400,
            }
        )
        complaint.with_user(self.officer_a).write({"severity": "low", "category_id": self.category.id})
        self.assertGreater(complaint.resolution_deadline, promised)
        told = complaint.message_ids.filtered(lambda m: "We now expect to give you our answer" in (m.body or ""))
        self.assertEqual(len(told), 1)
        self.assertIn(self.complainant, told.partner_ids)
        self.assertIn(complaint._get_promised_decision_date(), told.body)

    def test_import_path_keeps_history_without_acknowledgement(self):
        closed = self.env.ref("iso10002_complaints.stage_closed")
        complaint = self.env["iso10002.complaint"]._import_complaints(
            [
                {
                    "subject": "From the old system",
                    "partner_id": self.complainant.id,
                    "channel_id": self.channel_phone.id,
                    "stage_id": closed.id,
                    "closed_date": fields.Datetime.now(),
                }
            ]
        )
        self.assertEqual(complaint.step, "closed")
        self.assertFalse(complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment"))


@tagged("post_install", "-at_install")
class TestPortalReads(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Customer Ltd", "is_company": True})
        cls.portal_user.partner_id.parent_id = cls.customer
        cls.colleague = cls.env["res.users"].create(
            {
                "name": "Portal Colleague",
                "login": "portal_colleague",
                "password": "portal_colleague",
                "email": "colleague@customer.example",
                "groups_id": [(6, 0, [cls.env.ref("base.group_portal").id])],
            }
        )
        cls.colleague.partner_id.parent_id = cls.customer
        cls.mine = cls._complaint(partner_id=cls.portal_user.partner_id.id, findings="<p>internal finding</p>")
        cls.secret = cls._complaint(partner_id=cls.colleague.partner_id.id, is_confidential=True)
        cls.open_one = cls._complaint(partner_id=cls.colleague.partner_id.id)

    def test_portal_reads_only_the_portal_safe_fields(self):
        Complaint = self.env["iso10002.complaint"].with_user(self.portal_user)
        readable = set(Complaint.fields_get())
        readable = {
            name for name in readable if not name.startswith(("message_", "website_message", "rating_", "activity_"))
        }
        readable -= {"access_url", "access_warning", "has_message", "my_activity_date_deadline", "create_date"}
        readable -= {"create_uid", "write_date", "write_uid", "duration_tracking"}
        readable = {name for name in readable if Complaint._fields[name].is_accessible(Complaint.env)}
        self.assertEqual(readable - PORTAL_FIELDS, set(), "internal fields a portal user can read")
        mine = Complaint.browse(self.mine.id)
        for field in ("findings", "person_complained_about_id", "immediate_action", "severity", "user_id"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                mine.read([field])
        with self.assertRaises(AccessError):
            Complaint.search([("findings", "ilike", "internal")])
        with self.assertRaises(AccessError):
            Complaint.read_group([], ["severity"], ["severity"])
        with self.assertRaises(UserError):  # AccessError is one too
            mine.export_data(["findings"])
        self.assertEqual(mine.read(["subject"])[0]["subject"], self.mine.subject)

    def test_colleague_does_not_see_a_confidential_complaint(self):
        seen = self.env["iso10002.complaint"].with_user(self.portal_user).search([])
        self.assertIn(self.open_one, seen, "the company's complaints are shared")
        self.assertNotIn(self.secret, seen)
        self.assertIn(self.secret, self.env["iso10002.complaint"].with_user(self.colleague).search([]))

    def test_upgrade_closes_the_confidential_hole_of_existing_databases(self):
        rule = self.env.ref("iso10002_complaints.iso10002_complaint_rule_portal")
        rule.domain_force = "[('partner_id', 'child_of', [user.commercial_partner_id.id])]"  # as 18.0.1.0.0
        self.env.invalidate_all()
        self.assertIn(self.secret, self.env["iso10002.complaint"].with_user(self.portal_user).search([]))
        script = load_script("iso10002_complaints/migrations/18.0.1.1.0/post-migrate.py", "iso10002_post_migrate")
        script.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self.assertNotIn(self.secret, self.env["iso10002.complaint"].with_user(self.portal_user).search([]))

    def test_needs_assistance_note_is_for_complaint_roles(self):
        self.complainant.sudo().write({"complaint_needs_assistance": True, "complaint_assistance_note": "Deaf"})
        with self.assertRaises(AccessError):
            self.complainant.with_user(self.employee).read(["complaint_assistance_note"])
        note = self.complainant.with_user(self.officer_a).read(["complaint_assistance_note"])
        self.assertEqual(note[0]["complaint_assistance_note"], "Deaf")


@tagged("post_install", "-at_install")
class TestSmallLeaks(ComplaintsCase):
    def test_register_never_writes_formulas(self):
        complaint = self._complaint(subject='=HYPERLINK("http://evil.example","click")')
        data = self.env["report.iso10002_complaints.register_xlsx"]._generate(complaint)
        sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value and "HYPERLINK" in str(cell.value)]
        self.assertTrue(cells)
        self.assertTrue(all(cell.data_type == "s" for cell in cells))

    def test_process_audit_lists_never_acknowledged_and_overdue(self):
        # received by letter three weeks ago, recorded today: both deadlines passed, no
        # e-mail to acknowledge it with
        complaint = self._complaint(
            partner_id=self.person_about.id, received_date=fields.Datetime.now() - timedelta(days=21)
        )
        self.assertEqual(complaint.step, "received")
        wizard = self.env["iso10002.process.audit.wizard"].create(
            {"date_from": fields.Date.today() - timedelta(days=30), "date_to": fields.Date.today()}
        )
        self.company.complaint_sla_enabled = False
        without_sla = self._complaint(
            partner_id=self.person_about.id, received_date=fields.Datetime.now() - timedelta(days=20)
        )
        self.assertFalse(without_sla.sla_policy_id)
        values = wizard._audit_values()
        failing = {(e["complaint"], str(e["check"])) for e in values["exceptions"]}
        for late in (complaint, without_sla):
            checks = {str(e[1]) for e in failing if e[0] == late}
            self.assertIn("Acknowledged within target", checks, late.name)
            self.assertIn("Decision communicated within target", checks, late.name)
