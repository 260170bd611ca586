"""Every complaint has a responsible person from receipt (ISO 10002 5.4, 7.3): the officer
who records a call takes it; otherwise the team's rule picks its leader, the members in
turn, or the least loaded member. Nothing moves without an owner, and nobody owns, decides
or approves a complaint about themselves (4.7, Annex D)."""

import re

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import Request
from odoo.modules.migration import load_script
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ComplaintsCase, MailGatewayCase

REFUSED = (AccessError, UserError, ValidationError)


def say(*args):
    """What a probe saw (kept for reading the probe; nothing is logged: the harness
    counts warnings as failures)."""


OFFICER = "iso10002_complaints.group_complaint_officer"


class TestEveryComplaintHasAnOwner(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer_c = new_test_user(cls.env, login="officer_c1", groups=OFFICER, name="Officer C1")
        cls.officer_d = new_test_user(cls.env, login="officer_d1", groups=OFFICER, name="Officer D1")
        cls.team_a.member_ids = cls.officer_a | cls.officer_c | cls.officer_d

    def _mail(self, subject, to="complaints-a@complaints.example.com", sender="bob@buyer.example"):
        return self._intake(subject=subject, email_from=sender, to=to)

    def test_the_officer_who_records_a_call_takes_it(self):
        complaint = (
            self.env["iso10002.complaint"]
            .with_user(self.officer_b)
            .create(
                {
                    "subject": "Rude on the phone",
                    "partner_id": self.complainant.id,
                    "channel_id": self.channel_phone.id,
                    "team_id": self.team_b.id,
                }
            )
        )
        self.assertEqual(complaint.sudo().user_id, self.officer_b)
        # and the Form of the backend, as the officer fills it in
        form = Form(self.env["iso10002.complaint"].with_user(self.officer_c))
        form.subject = "Called about a late refund"
        form.partner_id = self.complainant
        self.assertEqual(form.save().sudo().user_id, self.officer_c)

    def test_the_team_rule_picks_the_owner_of_an_e_mailed_complaint(self):
        team = self.team_a
        team.assignment_rule = "leader"
        complaints = [self._mail(f"Leader {n}") for n in range(3)]
        self.assertEqual({c.user_id for c in complaints}, {self.officer_a}, "the leader owns them all")

        team.assignment_rule = "round_robin"
        owners = [self._mail(f"Turn {n}", sender=f"turn{n}@buyer.example").user_id for n in range(6)]
        members = team.member_ids
        self.assertEqual({owner: owners.count(owner) for owner in owners}, dict.fromkeys(members, 2))
        self.assertEqual(owners[:3], owners[3:], "the members in the same order, turn after turn")

        team.assignment_rule = "least_loaded"
        # officer D already has three more open complaints than the others: the next go elsewhere
        for n in range(3):
            self._complaint(subject=f"Load {n}", user_id=self.officer_d.id)
        # open now: A 5 (3 as leader, 2 in turn), C 2, D 5: C takes the next three, then the
        # three are level and the one given a complaint longest ago comes first
        next_owners = [self._mail(f"Least {n}", sender=f"least{n}@buyer.example").user_id for n in range(4)]
        self.assertEqual(next_owners[:3], [self.officer_c] * 3)
        self.assertEqual(next_owners[3], owners[5], "at equal load, in turn")

    def test_a_team_without_officers_falls_back_then_refuses_to_move(self):
        team = self.env["iso10002.complaint.team"].create({"name": "Empty team", "alias_name": "complaints-empty"})
        team.alias_id.alias_domain_id = self.complaints_alias_domain
        self.company.sudo().complaint_escalation_user_id = self.officer_b
        fallback = self._mail("Nobody here", to="complaints-empty@complaints.example.com")
        self.assertEqual(fallback.user_id, self.officer_b, "the escalation manager, failing a team member")
        self.assertEqual(fallback.step, "acknowledged")

        self.company.sudo().complaint_escalation_user_id = False
        self.company.sudo().complaint_representative_id = False
        orphan = self._mail("Nobody at all", to="complaints-empty@complaints.example.com", sender="o@buyer.example")
        self.assertFalse(orphan.user_id)
        self.assertEqual(orphan.step, "received", "no acknowledgement is recorded without someone responsible")
        task = orphan.activity_ids
        self.assertEqual(len(task), 1)
        self.assertIn("give it an Owner", task.note)
        orphan = orphan.with_user(self.manager)
        orphan.acknowledgement_channel = "phone"
        for action in (orphan.action_acknowledge, orphan.action_withdraw, orphan.action_out_of_scope):
            with self.assertRaises(UserError) as refusal:
                action()
            self.assertEqual(refusal.exception.context["iso10002_field"], "user_id")
        orphan.user_id = self.officer_b
        orphan.action_acknowledge()
        self.assertEqual(orphan.step, "acknowledged")

    def test_an_owner_is_handed_over_never_removed(self):
        complaint = self._walk_to(self._complaint(), "acknowledged").with_user(self.officer_a)
        with self.assertRaises(UserError):
            complaint.write({"user_id": False})
        complaint.write({"user_id": self.officer_c.id})
        self.assertEqual(complaint.user_id, self.officer_c)

    def test_mine_counts_what_the_rule_gave_me(self):
        self.team_a.assignment_rule = "leader"
        self._mail("For the leader")
        team = self.team_a.with_user(self.officer_a)
        self.assertEqual(team.my_open_count, team.open_complaint_count)
        self.assertGreaterEqual(team.my_open_count, 1)

    def test_the_dossier_names_the_owner(self):
        complaint = self._mail("In the dossier")
        html, _kind = self.env["ir.actions.report"]._render_qweb_html(
            "iso10002_complaints.action_report_complaint_dossier", complaint.ids
        )
        text = " ".join(re.sub(r"<[^>]+>", "", html.decode()).split())
        self.assertIn(f"Team / OwnerTeam A / {complaint.user_id.name}", text)

    def test_nobody_owns_decides_or_approves_a_complaint_about_themselves(self):
        # the team leader is the person complained about: the rule passes them over
        self.team_a.assignment_rule = "leader"
        about_leader = self._complaint(person_complained_about_id=self.officer_a.partner_id.id)
        self.assertTrue(about_leader.user_id)
        self.assertNotEqual(about_leader.user_id, self.officer_a)
        with self.assertRaises(ValidationError):
            about_leader.with_user(self.manager).user_id = self.officer_a
        # nor does the officer who records a complaint about themselves take it
        about_me = (
            self.env["iso10002.complaint"]
            .with_user(self.officer_c)
            .create(
                {
                    "subject": "About me",
                    "partner_id": self.complainant.id,
                    "team_id": self.team_a.id,
                    "person_complained_about_id": self.officer_c.partner_id.id,
                }
            )
        )
        self.assertNotEqual(about_me.sudo().user_id, self.officer_c)
        # who is complained about cannot decide it
        complaint = self._walk_to(self._complaint(), "investigation")
        complaint.person_complained_about_id = self.officer_d.partner_id
        complaint.write({"remedy": "apology", "root_cause_id": self.root_cause.id})
        with self.assertRaises(UserError) as refusal:
            complaint.with_user(self.officer_d).action_respond()
        self.assertIn("someone else decides", str(refusal.exception))
        complaint.with_user(self.officer_c).action_respond()
        self.assertEqual(complaint.decided_by_id, self.officer_c)
        with self.assertRaises(ValidationError):
            complaint.person_complained_about_id = self.officer_c.partner_id
        # nor approve its remedy
        manager_b = new_test_user(
            self.env, login="manager_b1", groups="iso10002_complaints.group_complaint_manager", name="Manager B1"
        )
        self.company.complaint_officer_remedy_limit = 100
        big = self._walk_to(self._complaint(person_complained_about_id=manager_b.partner_id.id), "investigation")
        big.write({"remedy": "refund", "compensation_amount": 500, "root_cause_id": self.root_cause.id})
        big.action_respond()
        self.assertTrue(big.needs_remedy_approval)
        self.assertNotIn(manager_b, big.activity_ids.user_id, "the approval is asked of someone else")
        with self.assertRaises(UserError):
            big.with_user(manager_b).action_approve_remedy()
        big.with_user(self.manager).action_approve_remedy()
        self.assertEqual(big.remedy_approved_by_id, self.manager)

    def test_upgrade_gives_open_complaints_an_owner(self):
        acted = self._walk_to(self._complaint(subject="Decided before").with_user(self.officer_c), "response")
        waiting = self._complaint(subject="Never touched", team_id=self.team_b.id)
        closed = self._walk_to(self._complaint(subject="Closed before"), "closed")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE iso10002_complaint SET user_id = NULL WHERE id IN %s", [(acted.id, waiting.id, closed.id)]
        )
        self.env.invalidate_all()
        script = load_script("iso10002_complaints/migrations/18.0.1.6.0/post-owners.py", "iso10002_post_owners")
        script.migrate(self.env.cr, "18.0.1.5.0")
        self.env.invalidate_all()
        self.assertEqual(acted.user_id, self.officer_c, "whoever decided it owns it")
        self.assertEqual(waiting.user_id, self.officer_b, "the team's rule")
        self.assertFalse(closed.user_id, "a closed complaint's history is left as it was")


@tagged("post_install", "-at_install")
class TestOwnerFromTheWebsite(HttpCase):
    """A visitor's complaint and a portal user's are owned from receipt too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.officer = new_test_user(cls.env, login="web_officer", groups=OFFICER, name="Web Officer")
        cls.team = cls.env["iso10002.complaint.team"].create(
            {"name": "Web team", "sequence": -100, "user_id": cls.officer.id, "assignment_rule": "leader"}
        )
        new_test_user(cls.env, login="portal_owner", groups="base.group_portal", email="po@example.com")

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_visitor_and_portal_complaints_have_the_team_owner(self):
        data = {
            "name": "Walk In",
            "email": "walk.in@example.com",
            "subject": "Owned from the web",
            "description": "Nobody answered.",
            "consent": "on",
        }
        for login in (None, "portal_owner"):
            self.authenticate(login, login)
            response = self.url_open(
                "/complaints/new",
                data={**data, "subject": f"Owned {login}", "csrf_token": Request.csrf_token(self)},
                allow_redirects=False,
            )
            self.assertEqual(response.status_code, 303)
            complaint = self.env["iso10002.complaint"].search([("subject", "=", f"Owned {login}")])
            self.assertEqual(complaint.user_id, self.officer, login)
            self.assertEqual(complaint.team_id, self.team)


@tagged("post_install", "-at_install")
class TestOwnerOnRecord(ComplaintsCase):
    # ------------------------------------------------------------- item 1
    def test_01_owner_cannot_be_removed_while_received(self):
        """5.4, 7.3: a responsible person from receipt: removing the owner of a complaint
        still in Received is refused as it is once acknowledged."""
        complaint = self._complaint(contact_preference="letter")
        self.assertEqual(complaint.step, "received")
        self.assertTrue(complaint.user_id)
        with self.assertRaises(UserError):
            complaint.with_user(self.officer_a).write({"user_id": False})


@tagged("post_install", "-at_install")
class TestOwnerCannotBeForged(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.archived_officer = new_test_user(cls.env, login="gone_officer", groups=OFFICER, name="Gone Officer")
        cls.archived_officer.active = False

    # ------------------------------------------------------------------ 1. owner
    def test_01_owner_forged_to_a_portal_user_on_create(self):
        """An officer names a portal user as owner at creation (RPC create / import)."""
        try:
            c = self.Complaint.with_user(self.officer_a).create(
                {
                    "subject": "Owned by portal",
                    "partner_id": self.complainant.id,
                    "team_id": self.team_a.id,
                    "user_id": self.portal_user.id,
                }
            )
            self.env.flush_all()
            say("BREAK01 owner:", c.sudo().user_id.login, "share:", c.sudo().user_id.share)
            self.fail("BREAK: a portal user became the owner of a complaint")
        except REFUSED as e:
            say("HELD01", e)

    def test_02_owner_forged_through_default_user_id(self):
        """default_user_id in the context of a create (the form / RPC): an employee."""
        try:
            c = (
                self.Complaint.with_user(self.officer_a)
                .with_context(default_user_id=self.employee.id)
                .create({"subject": "Default owner", "partner_id": self.complainant.id, "team_id": self.team_a.id})
            )
            self.assertTrue(c.sudo().user_id.has_group(OFFICER), "BREAK: default_user_id made a non-officer owner")
        except REFUSED as e:
            say("HELD02", e)

    def test_02b_auditor_as_owner(self):
        """The auditor reads every complaint but is no officer: may they be its owner?"""
        c = self._walk_to(self._complaint(), "acknowledged")
        try:
            with self.env.cr.savepoint():
                c.with_user(self.officer_a).write({"user_id": self.auditor.id})
                self.env.flush_all()
                say("BREAK02b owner now", c.user_id.login, "officer?", c.user_id.has_group(OFFICER))
                self.fail("BREAK: the (read-only, independent) auditor was made the owner")
        except REFUSED as e:
            say("HELD02b", e)
        try:
            c2 = (
                self.Complaint.with_user(self.officer_a)
                .with_context(default_user_id=self.auditor.id)
                .create({"subject": "Auditor owner", "partner_id": self.complainant.id, "team_id": self.team_a.id})
            )
            say("PROBE02b default_user_id auditor ->", c2.sudo().user_id.login)
            self.assertNotEqual(c2.sudo().user_id, self.auditor, "BREAK: default_user_id made the auditor owner")
        except REFUSED as e:
            say("HELD02b-default", e)

    def test_03_owner_handed_to_a_non_officer_or_archived_user(self):
        c = self._walk_to(self._complaint(), "acknowledged")
        for user in (self.employee, self.archived_officer, self.portal_user):
            with self.subTest(user=user.login):
                try:
                    with self.env.cr.savepoint():
                        c.with_user(self.officer_a).write({"user_id": user.id})
                        self.env.flush_all()
                        say("BREAK03 handed over to", user.login, "->", c.sudo().user_id.login)
                        self.fail(f"BREAK: owner handed to {user.login} (not an active officer)")
                except REFUSED as refusal:
                    say("HELD03", user.login, refusal)

    def test_04_owner_of_other_company_refused(self):
        c = self._walk_to(self._complaint(), "acknowledged")
        try:
            c.with_user(self.officer_a).write({"user_id": self.officer_other_company.id})
            self.env.flush_all()
            self.fail("BREAK: other company's officer made owner")
        except REFUSED as e:
            say("HELD04", e)

    def test_05_other_team_officer_cannot_take_ownership(self):
        c = self._walk_to(self._complaint(), "acknowledged")
        with self.assertRaises(AccessError):
            c.with_user(self.officer_b).write({"user_id": self.officer_b.id})
        with self.assertRaises(AccessError):
            c.with_user(self.officer_b).read(["subject"])

    def test_06_alias_defaults_owner(self):
        """A manager's alias default names a portal user: the mail intake owner."""
        self.team_a.alias_id.sudo().alias_defaults = repr({"team_id": self.team_a.id, "user_id": self.portal_user.id})
        self.env["iso10002.complaint.team"].invalidate_model()
        thread = self._intake(subject="Alias owner")
        c = self.Complaint.sudo().search([("subject", "=", "Alias owner")])
        say("PROBE06 owner:", c.user_id.login, "thread", thread)
        if c:
            self.assertFalse(c.user_id.share, "BREAK: the alias default made a portal user the owner")

    def test_07_person_about_set_later_on_approver(self):
        """The remedy approver is later named as the person complained about: kept?"""
        self.company.complaint_officer_remedy_limit = 100
        big = self._walk_to(self._complaint(), "investigation")
        big.write({"remedy": "refund", "compensation_amount": 500, "root_cause_id": self.root_cause.id})
        big.action_respond()
        big.with_user(self.manager).action_approve_remedy()
        with self.assertRaises(
            ValidationError, msg="BREAK: the remedy approver is now the person complained about, approval kept"
        ):
            big.with_user(self.officer_a).person_complained_about_id = self.manager.partner_id
            self.env.flush_all()
            say("BREAK07 approved_by", big.remedy_approved_by_id.login, "about", big.person_complained_about_id.name)

    def test_08_unowned_cannot_be_withdrawn_and_closed(self):
        self.company.write({"complaint_escalation_user_id": False, "complaint_representative_id": False})
        nobody = self.env["iso10002.complaint.team"].create({"name": "Empty team"})
        c = self.Complaint.sudo().create({"subject": "Orphan", "partner_id": self.complainant.id, "team_id": nobody.id})
        self.assertFalse(c.user_id)
        with self.assertRaises(UserError):
            c.action_withdraw()
            c.action_close()
        self.assertNotEqual(c.step, "closed")

    def test_34_team_move_to_a_team_of_only_the_person_about(self):
        """Moved to a team whose only officer is the person complained about: who owns it?"""
        c = self._walk_to(self._complaint(person_complained_about_id=self.officer_b.partner_id.id), "acknowledged")
        owner = c.user_id
        c.with_user(self.officer_a).team_id = self.team_b
        say("PROBE34 owner after move", owner.login, "->", c.user_id.login)
        self.assertNotEqual(c.user_id, self.officer_b)
        self.assertTrue(c.user_id)


# after the install: Odoo tells no assignee while its registry loads
@tagged("post_install", "-at_install")
class TestTheOwnerIsTold(MailGatewayCase):
    def test_the_owner_the_rule_gives_is_told_and_follows_it(self):
        """An e-mailed complaint's owner, given by the team's rule, is told it is theirs
        (Odoo's assignment notice, by their notification preference) and follows it."""
        self.team_a.assignment_rule = "leader"
        complaint = self._intake(subject="Tell the leader", email_from="bob@buyer.example")
        self.assertEqual(complaint.user_id, self.officer_a)
        told = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", complaint._name),
                    ("res_id", "=", complaint.id),
                    ("message_type", "=", "user_notification"),
                    ("partner_ids", "in", self.officer_a.partner_id.ids),
                ]
            )
        )
        self.assertEqual(len(told), 1, "the owner is told once")
        self.assertIn(complaint.name, told.subject)
        self.assertIn(self.officer_a.partner_id, complaint.message_partner_ids, "and follows it")
