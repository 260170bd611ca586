import base64
import io
from datetime import date
from email.message import EmailMessage

import openpyxl

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.iso10002_complaints.tests.common import ComplaintsCase
from odoo.addons.iso10002_complaints.tools.trust import as_engine


@tagged("post_install", "-at_install")
class TestHelpdeskBridge(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.helpdesk_user = cls._user("helpdesk_agent", "helpdesk_mgmt.group_helpdesk_user", "Helpdesk Agent")
        cls.officer_a.groups_id = [(4, cls.env.ref("helpdesk_mgmt.group_helpdesk_user").id)]
        cls.category_complaint = cls.env["helpdesk.ticket.category"].create({"name": "Complaint"})
        cls.category_question = cls.env["helpdesk.ticket.category"].create({"name": "Question"})
        cls.hd_team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Support",
                "user_ids": [(6, 0, (cls.helpdesk_user | cls.officer_a).ids)],
                "complaint_category_ids": [(6, 0, cls.category_complaint.ids)],
                "complaint_team_id": cls.team_a.id,
                "complaint_close_sync": "both",
                "alias_name": "support",
            }
        )
        cls.closed_stage = cls.env["helpdesk.ticket.stage"].search([("closed", "=", True)], limit=1)

    @classmethod
    def _user(cls, login, group, name):
        from odoo.tests import new_test_user

        return new_test_user(cls.env, login=login, groups=group, name=name, email=f"{login}@example.com")

    def _ticket(self, **values):
        vals = {
            "name": "Broken screen",
            "description": "<p>The screen broke after two days.</p>",
            "partner_id": self.complainant.id,
            "team_id": self.hd_team.id,
            "category_id": self.category_question.id,
        }
        vals.update(values)
        return self.env["helpdesk.ticket"].create(vals)

    def test_register_by_hand(self):
        ticket = self._ticket()
        self.env["ir.attachment"].create(
            {
                "name": "photo.png",
                "datas": base64.b64encode(b"png"),
                "res_model": "helpdesk.ticket",
                "res_id": ticket.id,
            }
        )
        self.assertFalse(ticket.is_complaint)
        opened = ticket.with_user(self.officer_a).action_register_complaint()
        self.assertEqual(opened["name"], "Register as Complaint", "the dialog says what it does")
        wizard = (
            self.env["helpdesk.ticket.complaint.wizard"]
            .with_user(self.officer_a)
            .with_context(**opened["context"])
            .create({})
        )
        # what the complaint will be, shown before it is made
        self.assertEqual(wizard.team_id, self.team_a)
        # the ticket's assignee is the archived OdooBot here: the officer registering it
        self.assertFalse(ticket.user_id.active)
        self.assertEqual(wizard.user_id, self.officer_a, "the ticket's assignee if an active officer, else the officer")
        self.assertEqual(wizard.received_date, ticket.create_date, "received when the ticket came in")
        self.assertIn(self.complainant.email, wizard.acknowledgement_note, "the e-mail to the customer is announced")
        action = wizard.action_confirm()
        complaint = self.env["iso10002.complaint"].browse(action["res_id"])
        self.assertEqual(complaint.ticket_id, ticket)
        self.assertEqual(complaint.ticket_number, ticket.number)
        self.assertEqual(complaint.partner_id, self.complainant)
        self.assertEqual(complaint.channel_id.code, "helpdesk")
        self.assertEqual(complaint.team_id, self.team_a)
        self.assertEqual(complaint.user_id, wizard.user_id)
        self.assertEqual(complaint.received_date, ticket.create_date)
        self.assertIn("screen broke", complaint.description)
        self.assertEqual(
            self.env["ir.attachment"].search([("res_model", "=", complaint._name), ("res_id", "=", complaint.id)]).name,
            "photo.png",
        )
        self.assertTrue(ticket.is_complaint)
        self.assertEqual(ticket.complaint_reference, complaint.name)
        self.assertEqual(ticket.complaint_step, "Acknowledged")

    def test_helpdesk_user_without_complaint_rights_cannot_register(self):
        ticket = self._ticket()
        with self.assertRaises(AccessError):
            self.env["helpdesk.ticket.complaint.wizard"].with_user(self.helpdesk_user).create({"ticket_id": ticket.id})
        self.assertFalse(ticket.is_complaint)

    def test_link_existing_complaint(self):
        ticket = self._ticket()
        complaint = self._complaint()
        wizard = self.env["helpdesk.ticket.complaint.wizard"].create(
            {"ticket_id": ticket.id, "mode": "link", "complaint_id": complaint.id}
        )
        wizard.action_confirm()
        self.assertEqual(ticket.complaint_id, complaint)
        self.assertEqual(complaint.ticket_id, ticket)
        with self.assertRaisesRegex(Exception, "already a complaint"):
            self.env["helpdesk.ticket.complaint.wizard"].create({"ticket_id": ticket.id}).action_confirm()
        # a second ticket does not take the complaint over from the first
        second = self._ticket()
        with self.assertRaisesRegex(UserError, "already comes from ticket"):
            self.env["helpdesk.ticket.complaint.wizard"].create(
                {"ticket_id": second.id, "mode": "link", "complaint_id": complaint.id}
            ).action_confirm()
        self.assertEqual(complaint.ticket_id, ticket)
        self.assertFalse(second.is_complaint)

    def test_the_wizard_always_proposes_a_team(self):
        ticket = self._ticket()
        ticket.team_id.complaint_team_id = False
        wizard = self.env["helpdesk.ticket.complaint.wizard"].create({"ticket_id": ticket.id})
        self.assertTrue(wizard.team_id, "the default team of new complaints, without a mapped team")
        complaint = self.env["iso10002.complaint"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual(complaint.team_id, wizard.team_id)

    def test_flagged_category_becomes_complaint_automatically(self):
        ticket = self._ticket(category_id=self.category_complaint.id)
        self.assertTrue(ticket.is_complaint)
        self.assertEqual(ticket.complaint_id.subject, "Broken screen")
        other = self._ticket()
        self.assertFalse(other.is_complaint)

    def test_a_ticket_with_text_the_form_refuses_still_becomes_a_complaint(self):
        """A ticket's name or description holding controls or direction overrides (a
        forwarded e-mail, an integration): the complaint is made, its texts without them;
        the ticket keeps what it was given."""
        name = "\u202eRefund\x1b[31m never \u2066came\x7f"
        ticket = self._ticket(
            name=name,
            description="<p>\x0cThe \u202escreen\x85 broke</p>",
            category_id=self.category_complaint.id,
        )
        self.assertTrue(ticket.is_complaint)
        complaint = ticket.complaint_id
        self.assertEqual(complaint.subject, "Refund[31m never came")
        self.assertIn("The screen broke", complaint.description)
        self.assertEqual(ticket.name, name)

    def test_helpdesk_user_creates_flagged_ticket(self):
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.helpdesk_user)
            .create(
                {
                    "name": "Rude driver",
                    "description": "<p>The driver shouted at me.</p>",
                    "partner_id": self.complainant.id,
                    "team_id": self.hd_team.id,
                    "category_id": self.category_complaint.id,
                }
            )
        )
        self.assertTrue(ticket.is_complaint)
        # sees that there is a complaint, and its step; not the complaint itself
        self.assertTrue(ticket.with_user(self.helpdesk_user).complaint_reference)
        self.assertTrue(ticket.with_user(self.helpdesk_user).complaint_step)
        with self.assertRaises(AccessError):
            ticket.with_user(self.helpdesk_user).read(["complaint_id"])
        complaint = ticket.sudo().complaint_id
        with self.assertRaises(AccessError):
            complaint.with_user(self.helpdesk_user).read(["description"])

    def test_email_to_helpdesk_alias_with_flagged_category(self):
        domain = self.env["mail.alias.domain"].create({"name": "support.example.com"})
        self.company.alias_domain_id = domain
        self.hd_team.alias_id.write(
            {
                "alias_domain_id": domain.id,
                "alias_defaults": repr({"team_id": self.hd_team.id, "category_id": self.category_complaint.id}),
            }
        )
        msg = EmailMessage()
        msg["From"] = "Jane <jane@example.com>"
        msg["To"] = "support@support.example.com"
        msg["Subject"] = "Still no refund"
        msg["Message-Id"] = "<hd1@example.com>"
        msg.set_content("I returned the desk a month ago.")
        self.env["mail.thread"].message_process(None, msg.as_bytes())
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "Still no refund")])
        self.assertTrue(ticket.is_complaint)
        complaint = ticket.complaint_id
        self.assertEqual(complaint.partner_id, self.complainant)
        self.assertEqual(complaint.team_id, self.team_a)
        # the e-mail lives on the ticket; the complaint does not copy it (no duplicated messages)
        self.assertFalse(complaint.message_ids.filtered(lambda m: m.message_id == "<hd1@example.com>"))

    def test_closing_the_complaint_closes_the_ticket(self):
        ticket = self._ticket(category_id=self.category_complaint.id)
        complaint = ticket.complaint_id
        self._walk_to(complaint, "closed")
        self.assertTrue(ticket.closed)

    def test_anonymising_the_complaint_empties_its_ticket(self):
        ticket = self._ticket(category_id=self.category_complaint.id)
        ticket.message_post(body="Call me on 0912 000 0000", subtype_xmlid="mail.mt_comment")
        complaint = ticket.complaint_id
        self._walk_to(complaint, "closed")
        complaint._anonymise(reason="test")
        self.assertFalse(ticket.partner_id or ticket.partner_email or ticket.partner_name)
        self.assertNotIn("screen", ticket.description)
        self.assertEqual(ticket.name, "Anonymised complaint")
        self.assertNotIn("0912", " ".join(ticket.message_ids.mapped("body")))
        self.assertTrue(ticket.closed, "the ticket stays, closed")

    def test_closing_the_ticket_closes_a_communicated_complaint(self):
        ticket = self._ticket(category_id=self.category_complaint.id)
        complaint = ticket.complaint_id
        self._walk_to(complaint, "communicated")
        complaint.complainant_response = "accepted"
        ticket.stage_id = self.closed_stage
        self.assertEqual(complaint.step, "closed")

    def test_closing_the_ticket_early_keeps_the_complaint_open(self):
        ticket = self._ticket(category_id=self.category_complaint.id)
        complaint = ticket.complaint_id
        ticket.stage_id = self.closed_stage
        self.assertEqual(complaint.step, "acknowledged")
        self.assertTrue(complaint.message_ids.filtered(lambda m: "stays open" in (m.body or "")))

    def test_a_ticket_whose_complaint_was_deleted_closes(self):
        """A complaint deleted while still received (a mistake) leaves a plain ticket,
        which closes as any other."""
        self.complainant.email = False  # not acknowledged: it stays received, and deletable
        ticket = self._ticket(category_id=self.category_complaint.id)
        complaint = ticket.complaint_id
        self.assertEqual(complaint.step, "received")
        complaint.unlink()
        self.assertFalse(ticket.is_complaint)
        self.assertFalse(ticket.complaint_reference)
        ticket.stage_id = self.closed_stage
        self.assertTrue(ticket.closed)

    def test_independent_teams_do_not_sync(self):
        self.hd_team.complaint_close_sync = "none"
        ticket = self._ticket(category_id=self.category_complaint.id)
        self._walk_to(ticket.complaint_id, "closed")
        self.assertFalse(ticket.closed)

    def test_officer_without_helpdesk_rights_does_not_see_the_ticket(self):
        ticket = self._ticket(category_id=self.category_complaint.id)
        complaint = ticket.complaint_id
        self.assertEqual(complaint.with_user(self.officer_b).ticket_number, ticket.number)
        with self.assertRaises(AccessError):
            complaint.with_user(self.officer_b).read(["ticket_id"])
        with self.assertRaises(AccessError):
            ticket.with_user(self.officer_b).read(["name"])
        # an officer who is also a helpdesk user follows the link
        self.assertEqual(complaint.with_user(self.officer_a).ticket_id, ticket)

    def test_partner_history_and_counts(self):
        ticket = self._ticket(category_id=self.category_complaint.id)
        self.complainant.invalidate_recordset()
        self.assertIn(ticket.complaint_id, self.complainant.complaint_ids)
        self.assertGreaterEqual(self.complainant.helpdesk_ticket_count, 1)
        self.assertGreaterEqual(self.complainant.complaint_count, 1)

    def test_register_and_review_show_the_helpdesk_origin(self):
        ticket = self._ticket(category_id=self.category_complaint.id)
        self._ticket()
        complaint = ticket.complaint_id
        action = complaint.action_export_register()
        download = self.env["iso10002.register.download"].browse(int(action["url"].split("/")[3]))
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download.data))).worksheets[0]
        headers = [cell.value for cell in sheet[1]]
        column = headers.index("Helpdesk Ticket")
        self.assertEqual(sheet.cell(row=2, column=column + 1).value, ticket.number)
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date.today(), "date_to": date.today()}
        )
        helpdesk = wizard._review_values()["helpdesk"]
        support = next(row for row in helpdesk["teams"] if row["label"] == "Support")
        self.assertEqual((support["tickets"], support["complaints"], support["pct"]), (2, 1, 50.0))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("iso10002_complaints.report_management_review", [], data=wizard._report_data())[0]
            .decode()
        )
        self.assertIn("Complaints from the helpdesk", html)
        # a review held before the bridge was installed keeps its figures, without these
        # (as the hold button of that time recorded it)
        review = as_engine(self.env["iso10002.management.review"]).create(
            {
                "date_from": date.today(),
                "date_to": date.today(),
                "kpi_snapshot": wizard._jsonable({k: v for k, v in wizard._review_values().items() if k != "helpdesk"}),
            }
        )
        self.assertNotIn("Complaints from the helpdesk", review.figures_html)
