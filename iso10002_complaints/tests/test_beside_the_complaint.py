"""Who complained, and what was written to them, stays with those who may read the
complaint: what Odoo keeps beside a confidential complaint of team A (its followers, the
notifications of its messages, its ratings, activities, messages, documents, tracking,
outgoing mail, the partner's counter) read over XML-RPC by everyone who may not read the
complaint itself; and nobody who may not read it is made a follower, mentioned or given
its task."""

import xmlrpc.client

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR

from .common import ComplaintsCase

C = "iso10002.complaint"


@tagged("post_install", "-at_install")
class TestNothingBesideTheComplaint(HttpCase, ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        customer = env["res.partner"].create({"name": "Beside Customer Ltd", "is_company": True})
        cls.complainant.parent_id = customer
        cls.colleague = new_test_user(
            env, login="beside_colleague", groups="base.group_portal", email="beside.colleague@example.com"
        )
        cls.colleague.partner_id.parent_id = customer
        for user in (cls.officer_a, cls.officer_b, cls.auditor, cls.employee, cls.officer_other_company, cls.manager):
            user.password = user.login
        cls.secret = cls._complaint(subject="Beside: confidential", is_confidential=True, user_id=cls.officer_a.id)
        cls.secret.message_subscribe(partner_ids=cls.complainant.ids)
        cls.secret.with_user(cls.officer_a).message_post(
            body="We write to the complainant.", partner_ids=cls.complainant.ids, subtype_xmlid="mail.mt_comment"
        )
        cls.secret.with_user(cls.officer_a).message_post(body="An internal note.", subtype_xmlid="mail.mt_note")
        cls.secret.with_user(cls.officer_a).write({"subject": "Beside: confidential, reworded"})
        cls.document = env["ir.attachment"].create(
            {"name": "receipt.txt", "raw": b"paid", "res_model": C, "res_id": cls.secret.id}
        )
        cls.rating = (
            env["rating.rating"]
            .sudo()
            .browse(
                env["rating.rating"]
                .sudo()
                .search([("access_token", "=", cls.secret.sudo()._rating_get_access_token(cls.complainant))])
                .id
            )
        )
        cls.activity = cls.secret.with_user(cls.officer_a).activity_schedule(
            "mail.mail_activity_data_todo", user_id=cls.officer_a.id, summary="Call Jane back"
        )
        env.flush_all()
        env.cr.precommit.run()
        cls.blind = {
            "officer of another team": cls.officer_b,
            "employee without complaint rights": cls.employee,
            "portal colleague": cls.colleague,
            "officer of another company": cls.officer_other_company,
        }

    def setUp(self):
        super().setUp()
        self.enterContext(mute_logger("odoo.http"))

    def _rpc(self, user, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs)

    def _mass_mail(self, user, **values):
        """The composer in mass-mail mode on the secret complaint, as ``user``, over RPC."""
        wizard = {"composition_mode": "mass_mail", "model": C, "res_ids": str([self.secret.id])}
        wizard_id = self._rpc(
            user, "mail.compose.message", "create", dict(wizard, subject="psst", body="psst", **values)
        )
        return self._rpc(user, "mail.compose.message", "action_send_mail", [wizard_id])

    def _beside(self):
        """model: (domain reaching the secret complaint, ids known to exist)."""
        env = self.env
        messages = env["mail.message"].sudo().search([("model", "=", C), ("res_id", "=", self.secret.id)])
        followers = env["mail.followers"].sudo().search([("res_model", "=", C), ("res_id", "=", self.secret.id)])
        notifications = env["mail.notification"].sudo().search([("mail_message_id", "in", messages.ids)])
        tracking = env["mail.tracking.value"].sudo().search([("mail_message_id", "in", messages.ids)])
        mails = env["mail.mail"].sudo().search([("model", "=", C), ("res_id", "=", self.secret.id)])
        by_document = [("res_model", "=", C), ("res_id", "=", self.secret.id)]
        beside = {
            "mail.followers": (by_document, followers.ids),
            "mail.notification": ([("mail_message_id", "in", messages.ids)], notifications.ids),
            "rating.rating": (by_document, self.rating.ids),
            "mail.activity": (by_document, self.activity.ids),
            "mail.message": ([("model", "=", C), ("res_id", "=", self.secret.id)], messages.ids),
            "ir.attachment": (by_document, self.document.ids),
            "mail.tracking.value": ([("mail_message_id", "in", messages.ids)], tracking.ids),
            "mail.mail": ([("model", "=", C), ("res_id", "=", self.secret.id)], mails.ids),
        }
        for model, (_domain, ids) in beside.items():
            if model not in ("mail.mail", "mail.tracking.value"):  # those two: system only
                self.assertTrue(ids, f"the fixture has {model} rows about the complaint")
        self.assertIn(self.complainant, followers.partner_id)
        self.assertIn(self.complainant, notifications.res_partner_id)
        return beside

    def test_who_may_not_read_the_complaint_reads_nothing_beside_it(self):
        beside = self._beside()
        for role, user in self.blind.items():
            for model, (domain, ids) in beside.items():
                with self.subTest(role=role, model=model):
                    try:
                        found = self._rpc(user, model, "search_read", domain, fields=["id"])
                    except xmlrpc.client.Fault as fault:
                        self.assertEqual(fault.faultCode, RPC_FAULT_CODE_ACCESS_ERROR, fault.faultString)
                        found = []
                    self.assertFalse(found, "not found by a search")
                    try:
                        groups = self._rpc(user, model, "read_group", domain, ["id:count"], [])
                    except xmlrpc.client.Fault:
                        groups = []
                    self.assertFalse(sum(group.get("__count", group.get("id_count", 0)) for group in groups))
                    if ids:
                        with self.assertRaises(xmlrpc.client.Fault, msg="not read by its id"):
                            self._rpc(user, model, "read", ids, ["display_name"])
            with self.subTest(role=role, what="who the complainant follows"):
                try:
                    found = self._rpc(
                        user,
                        "mail.followers",
                        "search_read",
                        [("partner_id", "=", self.complainant.id)],
                        fields=["res_id"],
                    )
                except xmlrpc.client.Fault:
                    found = []
                self.assertNotIn(self.secret.id, [row["res_id"] for row in found])
            with self.subTest(role=role, what="the partner's complaint counter"):
                try:
                    rows = self._rpc(user, "res.partner", "read", [self.complainant.id], ["complaint_count"])
                except xmlrpc.client.Fault:
                    rows = [{"complaint_count": 0}]
                self.assertEqual(rows[0]["complaint_count"], 0)

    def test_who_may_read_the_complaint_still_reads_what_is_beside_it(self):
        beside = self._beside()
        for user in (self.officer_a, self.auditor, self.manager):
            for model in ("mail.followers", "rating.rating", "mail.notification"):
                domain, ids = beside[model]
                with self.subTest(user=user.login, model=model):
                    found = self._rpc(user, model, "search_read", domain, fields=["id"])
                    self.assertEqual(sorted(row["id"] for row in found), sorted(ids))

    def test_nobody_blind_is_made_a_follower_mentioned_or_given_the_task(self):
        officer_b_partner = self.officer_b.partner_id.id
        followers_before = self.secret.sudo().message_partner_ids
        with self.assertRaises(xmlrpc.client.Fault) as refused:
            self._rpc(self.officer_a, C, "message_subscribe", [self.secret.id], partner_ids=[officer_b_partner])
        self.assertIn("may not read this complaint", refused.exception.faultString)
        with self.assertRaises(xmlrpc.client.Fault):
            self._rpc(
                self.officer_a,
                C,
                "message_post",
                [self.secret.id],
                body="@Officer B look",
                partner_ids=[officer_b_partner],
            )
        with self.assertRaises(xmlrpc.client.Fault) as refused:
            self._rpc(
                self.officer_a,
                "mail.activity",
                "create",
                {
                    "res_model_id": self.env["ir.model"]._get_id(C),
                    "res_id": self.secret.id,
                    "user_id": self.officer_b.id,
                    "summary": "Have a look",
                },
            )
        self.assertIn("may not read", refused.exception.faultString)
        with self.assertRaises(xmlrpc.client.Fault):
            self._rpc(self.officer_a, "mail.activity", "write", self.activity.ids, {"user_id": self.officer_b.id})
        self.assertEqual(self.secret.sudo().message_partner_ids, followers_before)
        self.assertFalse(
            self.env["mail.notification"].sudo().search_count([("res_partner_id", "=", officer_b_partner)]),
        )
        # who may read it is followed and mentioned as before; the complainant is written to
        self._rpc(self.officer_a, C, "message_subscribe", [self.secret.id], partner_ids=[self.manager.partner_id.id])
        self.assertIn(self.manager.partner_id, self.secret.sudo().message_partner_ids)

    def test_no_other_way_writes_to_someone_blind(self):
        """The same refusal through every door: a message created directly, a notification,
        the composer in mass-mail mode; and nobody who may not read a complaint is made
        its owner or investigator (they would follow it)."""
        blind = [self.officer_b.partner_id.id, self.employee.partner_id.id]
        doors = {
            "mail.message create": lambda: self._rpc(
                self.officer_a,
                "mail.message",
                "create",
                {"model": C, "res_id": self.secret.id, "body": "psst", "partner_ids": [(6, 0, blind)]},
            ),
            "message_notify": lambda: self._rpc(
                self.officer_a, C, "message_notify", [self.secret.id], body="psst", partner_ids=blind
            ),
            "mass mail composer": lambda: self._mass_mail(self.officer_a, partner_ids=[(6, 0, blind)]),
            "an employee as owner": lambda: self._rpc(
                self.manager, C, "write", [self.secret.id], {"user_id": self.employee.id}
            ),
            "an employee as investigator": lambda: self._rpc(
                self.manager, C, "write", [self.secret.id], {"investigator_id": self.employee.id}
            ),
        }
        for door, call in doors.items():
            with self.subTest(door=door), self.assertRaises(xmlrpc.client.Fault) as refused:
                call()
            # (an employee is refused as an owner first: only an active officer owns a complaint)
            reason = "cannot own complaint" if door == "an employee as owner" else "may not read"
            self.assertIn(reason, refused.exception.faultString, door)
        Message = self.env["mail.message"].sudo()
        self.assertFalse(
            Message.search([("model", "=", C), ("res_id", "=", self.secret.id), ("body", "ilike", "psst")])
        )
        self.assertFalse(self.env["mail.mail"].sudo().search([("subject", "=", "psst")]))
        self.assertFalse(self.secret.investigator_id)
        self.assertEqual(self.secret.user_id, self.officer_a)

    def test_the_chatter_and_notifications_refuse_them_too(self):
        """The chatter posts as superuser; employees may create notifications; a message
        may carry its notifications; a template may name its recipients."""
        blind = self.employee.partner_id
        self.authenticate(self.officer_a.login, self.officer_a.login)
        with self.assertRaises(JsonRpcException):
            self.make_jsonrpc_request(
                "/mail/message/post",
                {
                    "thread_model": C,
                    "thread_id": self.secret.id,
                    "post_data": {"body": "psst chatter", "partner_ids": blind.ids, "message_type": "comment"},
                },
            )
        note = self.secret.with_user(self.officer_a).message_post(body="a note", subtype_xmlid="mail.mt_note")
        template = self.env["mail.template"].create(
            {"name": "To the blind", "model_id": self.env["ir.model"]._get_id(C), "partner_to": str(blind.id)}
        )
        doors = {
            "a notification": lambda: self._rpc(
                self.officer_a,
                "mail.notification",
                "create",
                {"mail_message_id": note.id, "res_partner_id": blind.id, "notification_type": "inbox"},
            ),
            "a message with its notification": lambda: self._rpc(
                self.officer_a,
                "mail.message",
                "create",
                {
                    "model": C,
                    "res_id": self.secret.id,
                    "body": "psst",
                    "notification_ids": [(0, 0, {"res_partner_id": blind.id, "notification_type": "inbox"})],
                },
            ),
            "a template's recipients": lambda: self._mass_mail(self.officer_a, template_id=template.id),
        }
        for door, call in doors.items():
            with self.subTest(door=door), self.assertRaises(xmlrpc.client.Fault) as refused:
                call()
            self.assertIn("may not read", refused.exception.faultString, door)
        self.assertFalse(self.env["mail.notification"].sudo().search([("res_partner_id", "=", blind.id)]))
        self.assertFalse(self.env["mail.mail"].sudo().search([("recipient_ids", "in", blind.ids)]))
        self.assertFalse(self.env["mail.message"].with_user(self.employee).search([("model", "=", C)]))

    def test_losing_access_elsewhere_moves_the_tasks(self):
        """Removed from the team, no longer an officer, or archived: read access is lost
        without the complaint changing; its tasks go to whom may read it, and an archived
        user's address is no longer written to."""
        open_one = self._complaint(subject="Beside: open", user_id=self.officer_a.id)
        officer = new_test_user(
            self.env, login="beside_leaver", groups="iso10002_complaints.group_complaint_officer", name="Leaver"
        )
        self.team_a.member_ids |= officer
        tasks = {}
        for key in ("team", "group", "archived"):
            tasks[key] = open_one.activity_schedule(
                "mail.mail_activity_data_todo", user_id=officer.id, summary=f"Leaver's task {key}"
            )
        open_one.message_subscribe(partner_ids=officer.partner_id.ids)
        self.team_a.member_ids -= officer
        self.assertNotEqual(tasks["team"].user_id, officer, "removed from the team")
        self.assertTrue(open_one._readable_by(tasks["team"].user_id))
        self.team_a.member_ids |= officer
        for task in tasks.values():
            task.user_id = officer
        officer.groups_id -= self.env.ref("iso10002_complaints.group_complaint_officer")
        self.assertNotEqual(tasks["group"].user_id, officer, "no longer an officer")
        officer.groups_id |= self.env.ref("iso10002_complaints.group_complaint_officer")
        for task in tasks.values():
            task.user_id = officer
        officer.active = False
        if tasks["archived"].exists():  # (or Odoo removed it with the user)
            self.assertNotEqual(tasks["archived"].user_id, officer, "archived")
        message = open_one.with_user(self.officer_a).message_post(body="news", subtype_xmlid="mail.mt_comment")
        self.assertNotIn(officer.partner_id, message.notification_ids.res_partner_id, "an archived user is not told")

    def test_a_team_member_does_not_see_the_actions_of_a_colleague_s_confidential_complaint(self):
        """A corrective action carries its complaint's reference: read by whom may read
        the complaint (its owner here), not by every member of the team."""
        action = self.env["iso10002.corrective.action"].create(
            {"name": "Beside: action", "complaint_ids": [(6, 0, self.secret.ids)]}
        )
        member = new_test_user(
            self.env, login="beside_member", groups="iso10002_complaints.group_complaint_officer", name="Member"
        )
        member.password = member.login
        self.team_a.member_ids |= member
        self.assertFalse(self._rpc(member, "iso10002.corrective.action", "search", [("id", "=", action.id)]))
        with self.assertRaises(xmlrpc.client.Fault):
            self._rpc(member, "iso10002.corrective.action", "read", action.ids, ["name"])
        self.assertEqual(
            self._rpc(self.officer_a, "iso10002.corrective.action", "search", [("id", "=", action.id)]), action.ids
        )

    def test_the_visibility_field_is_technical(self):
        """Rules read it; a client neither filters nor groups by it (a clean refusal)."""
        for user in (self.officer_a, self.employee):
            with self.subTest(user=user.login), self.assertRaises(xmlrpc.client.Fault) as refused:
                self._rpc(user, "mail.followers", "read_group", [], ["partner_id"], ["iso10002_visible"])
            self.assertNotIn("Traceback", refused.exception.faultString.splitlines()[0])
        Followers = self.env["mail.followers"].sudo()
        self.assertEqual(
            Followers.search([("iso10002_visible", "in", [True])]), Followers.search([("iso10002_visible", "=", True)])
        )
        for operator, value in (("like", "x"), ("=", "yes"), ("in", [True, False]), ("<", 1)):
            with self.subTest(operator=operator), self.assertRaises(UserError):
                Followers.search([("iso10002_visible", operator, value)])
        visible = self.env["mail.followers"].with_user(self.officer_a).search([("res_model", "=", C)])
        self.assertIn(self.secret.id, visible.mapped("res_id"))

    def test_a_follower_who_can_no_longer_read_is_not_told(self):
        """Followed before the complaint became confidential (or before moving team):
        its messages are not sent to them any more."""
        self.env["mail.followers"].sudo().create(
            {"res_model": C, "res_id": self.secret.id, "partner_id": self.officer_b.partner_id.id}
        )
        message = self.secret.with_user(self.officer_a).message_post(
            body="News for the followers", subtype_xmlid="mail.mt_comment"
        )
        self.assertNotIn(self.officer_b.partner_id, message.notification_ids.res_partner_id)
        self.assertIn(self.complainant, message.notification_ids.res_partner_id, "the complainant is told")
