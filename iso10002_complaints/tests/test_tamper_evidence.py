"""A record that cannot change without trace (ISO 10002 the second promise): no context key, RPC
call or later write rewrites a complaint's process, dates, trail, messages or documents."""

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from ..models.iso10002_complaint_mail import HTML_TRACED
from .common import (
    FORGED_CONTEXT,
    PNG,
    REFUSED,
    ComplaintsCase,
    ComplaintsFromOutsideCase,
    SecondTeamHttpCase,
    SlaCase,
)

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
class TestTamperEvidence(ComplaintsCase):
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
class TestTrailNotFilledInAfterwards(SecondTeamHttpCase):
    """The trail is not filled in afterwards: dates, acknowledgement means, the complainant."""

    def test_the_trail_is_not_filled_in_afterwards(self):
        message = self.complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")[:1]
        self.assertTrue(message)
        outsider = self.env["res.partner"].create({"name": "Outsider"})
        attachment = self.env["ir.attachment"].with_user(self.officer).create({"name": "late.txt", "raw": b"late"})
        for values in (
            {"is_internal": True},
            {"partner_ids": [(4, outsider.id)]},
            {"attachment_ids": [(4, attachment.id)]},
        ):
            with self.subTest(values=list(values)), self.assertRaises(AccessError):
                message.with_user(self.officer).write(values)

    def test_no_complaint_received_in_the_future(self):
        with self.assertRaises(UserError):
            self._new(received_date="2031-01-01 00:00:00")

    def test_how_it_was_acknowledged_is_not_relabelled(self):
        self.assertEqual(self.complaint.acknowledgement_channel, "email")
        with self.assertRaises(UserError):
            self.complaint.with_user(self.officer).write({"acknowledgement_channel": "phone"})
        self.assertEqual(self.complaint.acknowledgement_channel, "email")

    def test_the_complainant_is_not_deleted_from_under_the_complaint(self):
        with self.assertRaises(Exception):  # noqa: B017 - restricted by the database
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                self.portal.partner_id.sudo().unlink()


@tagged("post_install", "-at_install")
class TestTheSealedTrailFromOutside(ComplaintsFromOutsideCase):
    """The sealed trail against an administrator, a forged context and moves onto or off a complaint."""

    def test_an_administrator_does_not_move_a_forged_message_onto_a_sealed_complaint(self):
        """A message written on another document (where its date, author and type are
        free) is not moved into a complaint's trail afterwards: the sealed trail refuses
        it as it refuses the same message created on the complaint, for the
        administrator too (core lets only administrators rewrite model and res_id)."""
        forged = (
            self.env["mail.message"]
            .with_user(self.admin)
            .create(
                {
                    "model": "res.partner",
                    "res_id": self.complainant.id,
                    "body": "I withdraw my complaint.",
                    "author_id": self.complainant.id,
                    "date": "2020-01-01 00:00:00",
                    "message_type": "email",
                }
            )
        )
        with self.assertRaises(AccessError, msg="BREAK: a backdated e-mail in the complainant's name was moved in"):
            forged.with_user(self.admin).write({"model": self.complaint._name, "res_id": self.complaint.id})
        self.assertNotIn(forged, self.complaint.message_ids)

    def test_nobody_writes_on_a_complaint_as_the_complainants_address(self):
        """A message on a complaint is written by its author: not left without an author
        and signed with the complainant's address (the chatter then shows it as theirs)."""
        complaint = self.complaint.with_user(self.officer_a)
        attempts = {
            "create without author": lambda: (
                self.env["mail.message"]
                .with_user(self.officer_a)
                .create(
                    {
                        "model": complaint._name,
                        "res_id": complaint.id,
                        "body": "I withdraw my complaint.",
                        "author_id": False,
                        "email_from": self.complainant.email_formatted,
                        "message_type": "comment",
                    }
                )
            ),
            "message_post with the complainant's name": lambda: complaint.message_post(
                body="I withdraw my complaint.",
                email_from=f'"{self.complainant.name}" <jane.complainant@elsewhere.example>',
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            ),
        }
        for name, attempt in attempts.items():
            with self.subTest(name):
                try:
                    with self.env.cr.savepoint():
                        message = attempt()
                        self.env.flush_all()
                        self.assertEqual(
                            message.sudo().author_id,
                            self.officer_a.partner_id,
                            f"BREAK ({name}): a message on the complaint shown as from "
                            f"{message.sudo().email_from!r}, author {message.sudo().author_id.name!r}",
                        )
                except REFUSED:
                    continue  # refused: what must hold

    def test_the_sealed_trail_refuses_the_administrator_whatever_the_context(self):
        message = self.trail_message
        for context in ({}, FORGED_CONTEXT):
            admin_message = message.with_user(self.admin).with_context(**context)
            with self.subTest(context=bool(context)):
                with self.assertRaises(AccessError):
                    admin_message.write({"body": "<p>Edited</p>"})
                with self.assertRaises(AccessError):
                    admin_message.unlink()
        self.assertTrue(message.exists())

    def test_a_document_is_not_moved_off_a_sealed_complaint(self):
        attachment = self.env["ir.attachment"].create(
            {"name": "receipt.png", "raw": PNG, "res_model": self.complaint._name, "res_id": self.complaint.id}
        )
        for values in (
            {"res_model": "res.partner", "res_id": self.complainant.id},
            {"res_id": self._complaint(subject="Other").id},
            {"res_model": False, "res_id": 0},
        ):
            with self.subTest(values=values), self.assertRaises(AccessError):
                attachment.with_user(self.admin).with_context(**FORGED_CONTEXT).write(values)
        with self.assertRaises(AccessError):
            attachment.with_user(self.admin).with_context(**FORGED_CONTEXT).unlink()

    def test_a_rating_is_neither_made_nor_moved_onto_a_sealed_complaint(self):
        complaint_model = self.env["ir.model"]._get(self.complaint._name)
        with self.assertRaises(AccessError):
            self.env["rating.rating"].with_user(self.admin).with_context(**FORGED_CONTEXT).create(
                {"res_model_id": complaint_model.id, "res_id": self.complaint.id, "rating": 5, "consumed": True}
            )
        elsewhere = self.env["rating.rating"].create(
            {
                "res_model_id": self.env["ir.model"]._get("res.partner").id,
                "res_id": self.complainant.id,
                "rating": 1,
                "consumed": True,
            }
        )
        with self.assertRaises(AccessError):
            elsewhere.with_user(self.admin).write({"res_model_id": complaint_model.id, "res_id": self.complaint.id})

    def test_the_messages_of_documents_that_are_not_sealed_stay_editable(self):
        """The technical addons weaken nothing and seal nothing else: a contact's message,
        a helpdesk ticket's, are edited and deleted as Odoo allows."""
        records = [self.complainant.with_user(self.admin)]
        if "helpdesk.ticket" in self.env:
            records.append(
                self.env["helpdesk.ticket"].create({"name": "Printer", "description": "It jams."}).with_user(self.admin)
            )
        for record in records:
            with self.subTest(model=record._name):
                self.assertFalse(getattr(type(record), "_mail_thread_sealed", False))
                message = record.message_post(body="Typo", message_type="comment", subtype_xmlid="mail.mt_note")
                message.write({"body": "<p>Fixed</p>"})
                self.assertIn("Fixed", message.body)
                record._message_update_content(message, body="<p>Fixed again</p>")
                message.unlink()
                self.assertFalse(message.exists())


@tagged("post_install", "-at_install")
class TestTheSealedTrailAgainstTheAdministrator(SlaCase):
    """The trail of a complaint against the administrator and the superuser."""

    def test_the_sealed_trail_refuses_the_administrator_and_the_superuser_as_before(self):
        """The messages, documents and ratings of a complaint are neither changed nor
        deleted by the administrator, nor as superuser (the chatter's routes); the
        complaints addon's satisfaction fields stay the process's own."""
        complaint = self._complaint()
        message = complaint.message_post(body="What the complainant said", subtype_xmlid="mail.mt_note")
        document = self.env["ir.attachment"].create(
            {"name": "receipt.txt", "raw": b"paid", "res_model": "iso10002.complaint", "res_id": complaint.id}
        )
        rating = (
            self.env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("iso10002.complaint"),
                    "res_id": complaint.id,
                    "partner_id": self.complainant.id,
                }
            )
        )
        admin = self.env.ref("base.user_admin")
        for env in (self.env(user=admin), self.env(su=True)):
            with self.assertRaises(AccessError):
                message.with_env(env).write({"body": "Something else"})
            with self.assertRaises(AccessError):
                message.with_env(env).unlink()
            with self.assertRaises(AccessError):
                document.with_env(env).write({"raw": b"unpaid"})
            with self.assertRaises(AccessError):
                document.with_env(env).unlink()
        with self.assertRaises(AccessError):
            rating.with_user(admin).write({"rating": 5})
        with self.assertRaises(AccessError):
            rating.with_user(admin).unlink()
        with self.assertRaises(AccessError):
            self.env["rating.rating"].with_user(admin).create(
                {"res_model_id": self.env["ir.model"]._get_id("iso10002.complaint"), "res_id": complaint.id}
            )
        partner_rating = (
            self.env["rating.rating"]
            .sudo()
            .create({"res_model_id": self.env["ir.model"]._get_id("res.partner"), "res_id": self.complainant.id})
        )
        with self.assertRaises(AccessError):
            partner_rating.with_user(admin).write({"satisfaction_means": "phone"})
        # the oracle: the rows are untouched
        self.assertEqual(
            self.env.execute_query(SQL("SELECT count(*) FROM mail_message WHERE id = %s", message.id))[0][0], 1
        )
        self.assertEqual(
            self.env.execute_query(SQL("SELECT count(*) FROM ir_attachment WHERE id = %s", document.id))[0][0], 1
        )
