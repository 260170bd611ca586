"""The addon alone: no model of ``mail`` is sealed, so the tests seal the contacts
(``res.partner``) while they run, and prove the same steps on a contact that is not."""

from contextlib import contextmanager
from datetime import datetime
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

# the test's own process: a context key whose value is this very object
PROCESS_KEY = "mail_thread_sealed_test_process"
PROCESS = object()

MESSAGE_SEALED = "messages of this document are its record"
DOCUMENT_SEALED = "files attached to this document are part of its record"
RATING_SEALED = "ratings of this document are given through its rating link"
NEW_MESSAGE = "written by its author, now"


@tagged("post_install", "-at_install")
class TestMailThreadSealed(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = new_test_user(cls.env, "sealed_employee", groups="base.group_user,base.group_partner_manager")
        cls.admin = cls.env.ref("base.user_admin")
        cls.portal = new_test_user(cls.env, "sealed_portal", groups="base.group_portal")
        cls.Partner = cls.env["res.partner"]

    @contextmanager
    def _sealed(self):
        """Contacts are sealed for the block; the test's process may change their trail."""

        def by_process(records):
            return records.env.context.get(PROCESS_KEY) is PROCESS

        Class = type(self.Partner)
        self.assertFalse(Class._mail_thread_sealed, "no model of mail alone is sealed")
        with (
            patch.object(Class, "_mail_thread_sealed", True),
            patch.object(Class, "_mail_thread_sealed_by_process", by_process),
        ):
            yield

    def _trail(self, user):
        """A contact with a message written by ``user`` carrying a document, a document of
        its own and a rating, as the system gives them (before the contacts are sealed)."""
        partner = self.Partner.create({"name": f"Trail of {user.login}"})
        attachment = self.env["ir.attachment"].create(
            {"name": "proof.txt", "raw": b"proof", "res_model": "res.partner", "res_id": partner.id}
        )
        message = partner.with_user(user).message_post(
            body="What was said", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        message.sudo().attachment_ids = [Command.link(attachment.id)]
        document = self.env["ir.attachment"].create(
            {"name": "own.txt", "raw": b"own", "res_model": "res.partner", "res_id": partner.id}
        )
        rating = (
            self.env["rating.rating"]
            .sudo()
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": partner.id,
                    "partner_id": partner.id,
                    "rating": 3,
                    "consumed": True,
                }
            )
        )
        return partner, message, attachment | document, rating

    def _rewrites(self, message):
        return [
            {"body": "Something else"},
            {"date": datetime(2020, 1, 1)},
            {"author_id": self.admin.partner_id.id if message.author_id != self.admin.partner_id else 1},
            {"attachment_ids": [Command.clear()]},
            {"message_type": "email"},
        ]

    def test_the_trail_of_a_sealed_record_is_neither_edited_nor_deleted(self):
        for user in (self.employee, self.admin):
            partner, message, attachments, rating = self._trail(user)
            with self.subTest(user=user.login), self._sealed():
                for vals in self._rewrites(message):
                    for env_message in (message.with_user(user), message.sudo()):
                        # not even as superuser, which is how the chatter's routes run
                        with self.subTest(vals=vals), self.assertRaisesRegex(AccessError, MESSAGE_SEALED):
                            env_message.write(vals)
                with self.assertRaisesRegex(AccessError, MESSAGE_SEALED):
                    message.with_user(user).unlink()
                with self.assertRaisesRegex(AccessError, MESSAGE_SEALED):
                    message.sudo().unlink()
                for attachment in attachments:
                    for env_attachment in (attachment.with_user(user), attachment.sudo()):
                        for vals in ({"raw": b"forged"}, {"name": "other.txt"}, {"public": True}):
                            with self.assertRaisesRegex(AccessError, DOCUMENT_SEALED):
                                env_attachment.write(vals)
                        with self.assertRaisesRegex(AccessError, DOCUMENT_SEALED):
                            env_attachment.unlink()
                with self.assertRaisesRegex(AccessError, RATING_SEALED):
                    rating.with_user(user).write({"rating": 5})
                with self.assertRaisesRegex(AccessError, RATING_SEALED):
                    rating.with_user(user).unlink()
                with self.assertRaisesRegex(AccessError, RATING_SEALED):
                    self.env["rating.rating"].with_user(user).create(
                        {
                            "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                            "res_id": partner.id,
                            "rating": 1,
                            "consumed": True,
                        }
                    )
                # the record itself: deleting it would delete its trail
                with self.assertRaisesRegex(AccessError, MESSAGE_SEALED):
                    partner.with_user(self.admin).unlink()
                self.assertRecordValues(message, [{"body": "<p>What was said</p>", "author_id": user.partner_id.id}])
                self.assertEqual(message.attachment_ids.raw, b"proof")
                self.assertEqual(sorted(attachments.mapped("raw")), [b"own", b"proof"])
                self.assertRecordValues(rating, [{"rating": 3.0}])
                # what is not the trail still changes: a message is starred, the record edited
                message.with_user(user).toggle_message_starred()
                partner.with_user(user).name = "Renamed"

    def test_the_system_fills_in_the_recipients_of_a_message_it_posted(self):
        _partner, message, _attachments, _rating = self._trail(self.employee)
        with self._sealed():
            message.sudo().write({"partner_ids": [Command.link(self.admin.partner_id.id)]})
            self.assertEqual(message.partner_ids, self.admin.partner_id)
            with self.assertRaisesRegex(AccessError, MESSAGE_SEALED):
                message.sudo().write({"partner_ids": [Command.clear()]})

    def test_the_trail_of_any_other_record_changes_as_before(self):
        for user in (self.employee, self.admin):
            with self.subTest(user=user.login):
                partner, message, attachments, rating = self._trail(user)
                message.with_user(user).write({"body": "Corrected"})
                message.sudo().write({"date": datetime(2020, 1, 1), "attachment_ids": [Command.clear()]})
                self.assertRecordValues(message, [{"body": "<p>Corrected</p>", "date": datetime(2020, 1, 1)}])
                attachments.with_user(user).write({"raw": b"rewritten"})
                self.assertEqual(attachments.mapped("raw"), [b"rewritten"] * 2)
                rating.with_user(user).write({"rating": 5})
                self.assertEqual(rating.rating, 5)
                rating.with_user(self.admin).unlink()
                attachments.with_user(user).unlink()
                message.with_user(self.admin).unlink()
                self.assertFalse(message.exists() or attachments.exists() or rating.exists())
                partner.with_user(self.admin).unlink()
                self.assertFalse(partner.exists())

    def test_the_process_changes_and_empties_the_trail(self):
        partner, message, attachments, rating = self._trail(self.employee)
        with self._sealed():
            process = {PROCESS_KEY: PROCESS}
            message.sudo().with_context(**process).write({"body": "Erased"})
            self.assertEqual(message.body, "<p>Erased</p>")
            attachments.sudo().with_context(**process).write({"raw": b"erased"})
            self.assertEqual(attachments.mapped("raw"), [b"erased"] * 2)
            rating.with_user(self.admin).with_context(**process).write({"rating": 1, "feedback": False})
            self.assertEqual(rating.rating, 1)
            # a client's context is JSON: it names the key, never the object
            with self.assertRaisesRegex(AccessError, MESSAGE_SEALED):
                message.sudo().with_context(**{PROCESS_KEY: True}).unlink()
            rating.with_user(self.admin).with_context(**process).unlink()
            partner.with_user(self.admin).with_context(**process).unlink()
            self.assertFalse(partner.exists() or message.exists() or attachments.exists() or rating.exists())

    def test_a_new_message_is_written_by_its_author_now(self):
        with self._sealed():
            partner = self.Partner.create({"name": "New messages"})
            name_field = self.env["ir.model.fields"]._get("res.partner", "name").id
            for user in (self.employee, self.admin):
                as_user = partner.with_user(user)
                for kwargs in (
                    {"date": datetime(2020, 1, 1)},
                    {"author_id": self.portal.partner_id.id},
                    {"message_type": "email"},
                    {"tracking_value_ids": [Command.create({"field_id": name_field, "old_value_char": "a"})]},
                ):
                    with self.subTest(user=user.login, kwargs=kwargs), self.assertRaisesRegex(AccessError, NEW_MESSAGE):
                        self.env["mail.message"].with_user(user).create(
                            {"model": "res.partner", "res_id": partner.id, "body": "Forged", **kwargs}
                        )
                # nor through the context's defaults
                with self.assertRaisesRegex(AccessError, NEW_MESSAGE):
                    self.env["mail.message"].with_user(user).with_context(default_date=datetime(2020, 1, 1)).create(
                        {"model": "res.partner", "res_id": partner.id, "body": "Backdated"}
                    )
                message = as_user.message_post(body="Written now", message_type="comment")
                self.assertEqual(message.author_id, user.partner_id)
                # an employee writes as their company too
                as_user.message_post(body="As the company", author_id=self.env.company.partner_id.id)
            # the system (the mail gateway) is not asked
            self.env["mail.message"].create(
                {"model": "res.partner", "res_id": partner.id, "message_type": "email", "date": datetime(2020, 1, 1)}
            )
        # on any other record, as before
        message = (
            self.env["mail.message"]
            .with_user(self.employee)
            .create({"model": "res.partner", "res_id": partner.id, "body": "Backdated", "date": datetime(2020, 1, 1)})
        )
        self.assertEqual(message.date, datetime(2020, 1, 1))

    def test_nothing_is_moved_into_a_sealed_trail(self):
        """A message or a file made elsewhere, with its own author, date and type, never
        enters a sealed record's trail, not even moved by an administrator; a file just
        uploaded to the composer is still posted by Odoo itself; the process moves them."""
        with self._sealed():
            partner = self.Partner.create({"name": "Sealed target"})
        elsewhere = self.env["res.partner.category"].create({"name": "Not a thread"})
        forged = (
            self.env["mail.message"]
            .with_user(self.admin)
            .create(
                {
                    "model": "res.partner.category",
                    "res_id": elsewhere.id,
                    "body": "A backdated e-mail",
                    "message_type": "email",
                    "date": datetime(2020, 1, 1),
                    "author_id": self.portal.partner_id.id,
                }
            )
        )
        old_file = self.env["ir.attachment"].create(
            {"name": "old.txt", "raw": b"old", "res_model": "res.partner.category", "res_id": elsewhere.id}
        )
        with self._sealed():
            for user in (self.employee, self.admin):
                with self.subTest(user=user.login), self.assertRaisesRegex(AccessError, "moved into the record"):
                    forged.with_user(user).sudo().write({"model": "res.partner", "res_id": partner.id})
                with self.subTest(user=user.login), self.assertRaisesRegex(AccessError, "moved into the record"):
                    old_file.with_user(user).sudo().write({"res_model": "res.partner", "res_id": partner.id})
            self.assertEqual(forged.model, "res.partner.category")
            # the composer's upload, posted with the message
            upload = (
                self.env["ir.attachment"]
                .with_user(self.employee)
                .create({"name": "new.txt", "raw": b"new", "res_model": "mail.compose.message", "res_id": 0})
            )
            posted = partner.with_user(self.employee).message_post(body="With a file", attachment_ids=upload.ids)
            self.assertEqual((upload.res_model, upload.res_id), ("res.partner", partner.id))
            self.assertEqual(posted.attachment_ids, upload)
            # the process may
            forged.with_context(**{PROCESS_KEY: PROCESS}).write({"model": "res.partner", "res_id": partner.id})
            self.assertEqual(forged.res_id, partner.id)

    def test_a_message_on_a_sealed_record_has_its_author(self):
        """Without an author the chatter shows the typed e-mail address as the sender."""
        with self._sealed():
            partner = self.Partner.create({"name": "Who wrote it"})
            for user in (self.employee, self.admin):
                with self.subTest(user=user.login), self.assertRaisesRegex(AccessError, NEW_MESSAGE):
                    self.env["mail.message"].with_user(user).create(
                        {
                            "model": "res.partner",
                            "res_id": partner.id,
                            "body": "Forged",
                            "author_id": False,
                            "email_from": '"Someone Else" <someone@example.com>',
                        }
                    )
                with self.subTest(user=user.login), self.assertRaisesRegex(AccessError, NEW_MESSAGE):
                    partner.with_user(user).message_post(
                        body="Forged", email_from='"Someone Else" <nobody-known@example.com>'
                    )

    def test_external_users_do_not_read_the_internal_trail(self):
        partner = self.portal.partner_id
        note = partner.sudo()._message_log(body="Internal log", partner_ids=partner.ids)
        self.assertTrue(note.subtype_id.internal)
        note.with_user(self.portal).check_access("read")
        with self._sealed():
            with self.assertRaises(AccessError):
                note.with_user(self.portal).check_access("read")
            note.with_user(self.employee).check_access("read")
