"""Adversarial probes of issue 23 (owner from receipt, chosen means, decision versions,
erasure). Each test asserts the SAFE behaviour: a failing test is a finding."""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..controllers.complaint_form import ComplaintForm
from .common import MailGatewayCase

OFFICER = "iso10002_complaints.group_complaint_officer"
MANAGER = "iso10002_complaints.group_complaint_manager"
REFUSED = (AccessError, UserError, ValidationError)


def say(*args):
    """What a probe saw (kept for reading the probe; nothing is logged: the harness
    counts warnings as failures)."""


@tagged("post_install", "-at_install")
class TestTheProcessAgainstAnAttacker(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.archived_officer = new_test_user(cls.env, login="gone_officer", groups=OFFICER, name="Gone Officer")
        cls.archived_officer.active = False

    def _mails_for(self, partner):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(["|", ("recipient_ids", "in", partner.ids), ("email_to", "ilike", partner.email or "@@none@@")])
        )

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

    # ------------------------------------------------------------ 2. chosen means
    def test_10_public_form_address_injects_html_into_owner_task(self):
        """A visitor's postal address becomes live HTML (a phishing link) in the owner's task."""
        self.team_a.write({"sequence": -100, "assignment_rule": "leader"})
        public = self.env.ref("base.public_user")
        evil = '<a href="https://evil.example/sso">Verify your Odoo session</a>'
        post = {
            "name": "Letter Writer",
            "subject": "Injected address",
            "description": "Lamp.",
            "consent": "on",
            "contact_preference": "letter",
            "address": "1 Road " + evil,
        }
        c = self.Complaint._portal_submit(
            ComplaintForm(self.env).complaint(post, public), public, remote_addr="10.0.0.9"
        )
        notes = " ".join(c.activity_ids.mapped(lambda a: str(a.note)))
        say("PROBE10 note:", notes)
        self.assertNotIn("<a ", notes, "BREAK: visitor's address is a live link in the task")
        self.assertIn("&lt;a href", notes, "what they typed is shown as text")

    def test_11_officer_fills_another_users_contact_through_a_complaint(self):
        """Officer A names the manager's own contact as complainant and types a phone and
        an address: the user's contact is written as superuser."""
        victim = self.manager.partner_id
        victim.write({"phone": False, "street": False, "zip": False, "city": False})
        direct_ok = True
        try:
            with self.env.cr.savepoint():
                victim.with_user(self.officer_a).write({"phone": "direct"})
        except AccessError:
            direct_ok = False
        self.Complaint.with_user(self.officer_a).create(
            {
                "subject": "Writes someone else's contact",
                "partner_id": victim.id,
                "team_id": self.team_a.id,
                "partner_phone": "+44 900 666 666",
                "partner_street": "1 Attacker Lane",
            }
        )
        victim.invalidate_recordset()
        say("PROBE11 direct write allowed:", direct_ok, "victim phone:", victim.phone, "street:", victim.street)
        if not direct_ok:
            self.assertNotEqual(
                victim.phone, "+44 900 666 666", "BREAK: officer wrote a user's contact they may not write (sudo)"
            )

    def test_12_portal_reads_phone_and_large_say(self):
        c = self._complaint(partner_id=self.portal_user.partner_id.id, large_print=True, partner_phone="+44 1")
        for name in ("partner_phone", "large_print", "partner_street", "user_id"):
            with self.subTest(field=name), self.assertRaises(AccessError):
                c.with_user(self.portal_user).read([name])

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_13_letter_complainant_gets_satisfaction_email_on_close(self):
        letter = self.env["res.partner"].create({"name": "Letter Only", "email": "letter.only@example.com"})
        c = self._complaint(partner_id=letter.id, contact_preference="letter")
        before = self._mails_for(letter)
        self._walk_to(c, "closed")
        after = self._mails_for(letter) - before
        say("PROBE13 mails to letter complainant on close:", after.mapped("subject"))
        self.assertFalse(after, "BREAK: a letter complainant is e-mailed (satisfaction request)")

    @mute_logger("odoo.addons.mail.models.mail_mail")
    def test_14_letter_complainant_e_mailed_on_complainant_change(self):
        c = self._walk_to(self._complaint(contact_preference="letter"), "acknowledged")
        letter = self.env["res.partner"].create({"name": "New Letter", "email": "new.letter@example.com"})
        c.with_user(self.officer_a).partner_id = letter
        self.env.flush_all()
        mails = self._mails_for(letter)
        msgs = c.message_ids.filtered(lambda m: letter in m.partner_ids)
        say("PROBE14 mails:", mails.mapped("subject"), "messages to:", msgs.mapped("subject"))
        self.assertFalse(mails or msgs, "BREAK: the corrected letter complainant is acknowledged by e-mail")

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

    def test_33_contact_of_another_company_complaint_is_kept(self):
        shared = self.env["res.partner"].create({"name": "Shared", "email": "shared@example.com", "company_id": False})
        gone = self._walk_to(self._complaint(partner_id=shared.id), "closed")
        self.env["iso10002.complaint"].sudo().create(
            {"subject": "In B", "partner_id": shared.id, "team_id": self.team_other_company.id}
        )
        gone.with_user(self.manager).action_anonymise()
        shared.invalidate_recordset()
        self.assertTrue(shared.active and shared.email, "BREAK: contact of another company's complaint erased")

    def test_34_team_move_to_a_team_of_only_the_person_about(self):
        """Moved to a team whose only officer is the person complained about: who owns it?"""
        c = self._walk_to(self._complaint(person_complained_about_id=self.officer_b.partner_id.id), "acknowledged")
        owner = c.user_id
        c.with_user(self.officer_a).team_id = self.team_b
        say("PROBE34 owner after move", owner.login, "->", c.user_id.login)
        self.assertNotEqual(c.user_id, self.officer_b)
        self.assertTrue(c.user_id)

    def test_15_corrected_complainant_inherits_previous_complainant_address(self):
        """The complainant is corrected from X to Y (no address yet): the letter goes where?"""
        x = self.env["res.partner"].create(
            {"name": "Wrong Person", "street": "1 Wrong Street", "city": "Leeds", "phone": "+44 111 1111"}
        )
        y = self.env["res.partner"].create({"name": "Right Person"})
        c = self._complaint(partner_id=x.id, contact_preference="letter")
        self.assertEqual(c.partner_street, "1 Wrong Street")
        c.with_user(self.officer_a).partner_id = y
        self.env.flush_all()
        say("PROBE15 after correction:", c.partner_street, c.partner_city, c.partner_phone, c._postal_address())
        self.assertFalse(
            c.partner_street or c.partner_phone,
            "BREAK: the corrected complaint keeps the previous complainant's address/phone (letters go to X)",
        )

    def test_40_safety_marking_fails_when_escalation_manager_has_no_complaint_rights(self):
        """The company's escalation manager is an internal user without complaint rights
        (misconfigured, or an officer who changed job): marking a safety issue crashes."""
        self.company.write({"complaint_escalation_user_id": self.employee.id})
        c = self._complaint()
        try:
            c.with_user(self.officer_a).safety_issue = True
            self.env.flush_all()
        except AccessError as e:
            self.fail(f"BREAK: marking a safety issue is refused: {e}")

    def test_41_sla_escalation_crashes_on_a_former_officer(self):
        """An owner loses the officer group (changed job): the SLA ladder reaches them via
        Reach.can_read, which raises instead of answering False (the cron batch fails)."""
        former = new_test_user(self.env, login="former_officer", groups=OFFICER, name="Former Officer")
        self.team_a.member_ids |= former
        c = self._complaint(user_id=former.id)
        self.env.ref(OFFICER).sudo().users -= former
        former.invalidate_recordset()
        self.assertFalse(former.has_group(OFFICER))
        try:
            ladders = self.Complaint.sudo().browse(c.ids)._sla_escalation_ladders({c.sudo(): 1})
            say("PROBE41 ladder", [(u.mapped("login"), n) for u, n in next(iter(ladders.values()))])
        except AccessError as e:
            self.fail(f"BREAK: the SLA escalation ladder crashes on a former officer: {e}")

    def test_42_sla_sweep_batch_fails_on_a_former_officer(self):
        """The whole sweep: one complaint owned by a former officer, one ordinary."""
        from datetime import datetime

        from freezegun import freeze_time

        former = new_test_user(self.env, login="former_officer2", groups=OFFICER, name="Former Officer 2")
        policy = self.env.ref("iso10002_complaints.sla_policy_default")
        policy.write({"ack_target_hours": 8, "resolution_target_hours": 16, "at_risk_percent": 75})
        with freeze_time("2026-03-09 08:00:00"):
            ordinary = self._complaint(received_date=datetime(2026, 3, 9, 8), partner_id=self.person_about.id)
            orphan = self._complaint(
                received_date=datetime(2026, 3, 9, 8), partner_id=self.person_about.id, user_id=former.id
            )
            self.flush_tracking()
        self.env.ref(OFFICER).sudo().users -= former
        self.env.invalidate_all()
        try:
            with freeze_time("2026-03-20 17:05:00"):
                self.env.flush_all()
                done = self.Complaint._cron_sla_sweep()
            say("PROBE42 swept", done, ordinary.sla_state, orphan.sla_state)
        except AccessError as e:
            self.fail(f"BREAK: the SLA sweep fails for every complaint of the batch: {e}")

    # ------------------------------------------------------- 3. satisfaction wizard
    def _sat_closed(self, **values):
        c = self._complaint(user_id=self.officer_a.id, **values)
        return self._walk_to(c, "closed")

    def _sat_record(self, user, complaint, **values):
        vals = {"complaint_id": complaint.id, "means": "phone", "answer": "5", **values}
        wizard = self.env["iso10002.satisfaction.wizard"].with_user(user).create(vals)
        return wizard.action_record()

    def test_50_phone_answer_then_the_emailed_link_answers_again(self):
        """E-mailed request sent on close; the owner records a phone answer; then the
        complainant's e-mailed link still rates: two answers to one request."""
        c = self._sat_closed()
        emailed = c.sudo().rating_ids.filtered(lambda r: not r.consumed)
        say("PROBE50 e-mailed requests", len(emailed), emailed.mapped("satisfaction_means"))
        self._sat_record(self.officer_a, c, answer="1")
        if emailed:
            try:
                c.sudo().rating_apply(5, token=emailed[0].access_token)
            except REFUSED as e:
                say("HELD50", e)
        answers = c.sudo().rating_ids.filtered("consumed")
        say("PROBE50 consumed answers", [(r.rating, r.satisfaction_means) for r in answers])
        self.assertLessEqual(len(answers), 1, "BREAK: two satisfaction answers for one request")

    def test_51_record_satisfaction_on_an_anonymised_complaint(self):
        c = self._sat_closed(contact_preference="phone")
        c.with_user(self.manager).action_anonymise()
        try:
            self._sat_record(self.officer_a, c, feedback="Jane Doe of 1 High Street said it was fine")
            rated = c.sudo().rating_ids.filtered("consumed")
            say("BREAK51 rating on anonymised complaint", rated.mapped("feedback"))
            self.fail("BREAK: personal words recorded on an anonymised complaint")
        except REFUSED as e:
            say("HELD51", e)

    def test_52_who_may_record_and_when(self):
        from datetime import timedelta

        from odoo import fields

        c = self._sat_closed(contact_preference="phone")
        for user in (self.officer_b, self.auditor, self.employee, self.officer_other_company):
            with self.subTest(user=user.login):
                try:
                    with self.env.cr.savepoint():
                        self._sat_record(user, c)
                        self.fail(f"BREAK: {user.login} recorded the satisfaction")
                except REFUSED as e:
                    say("HELD52", user.login, type(e).__name__)
        for asked_by in (self.auditor, self.manager):
            c = self._sat_closed(contact_preference="phone")
            with self.subTest(asked_by=asked_by.login):
                try:
                    with self.env.cr.savepoint():
                        self._sat_record(self.officer_a, c, asked_by_id=asked_by.id)
                        say("PROBE52 officer_a recorded it as asked by", asked_by.login)
                        if asked_by == self.auditor:
                            self.fail("BREAK: the answer is attributed to the auditor, who does not handle it")
                except REFUSED as e:
                    say("HELD52-asked-by", asked_by.login, e)
        c = self._sat_closed(contact_preference="phone")
        for asked in (fields.Datetime.now() + timedelta(minutes=3), c.communication_date - timedelta(seconds=1)):
            with self.subTest(asked=asked):
                try:
                    with self.env.cr.savepoint():
                        self._sat_record(self.officer_a, c, asked_date=asked)
                        self.fail(f"BREAK: asked_date {asked} accepted")
                except REFUSED as e:
                    say("HELD52-date", asked, e)
        self._sat_record(self.officer_a, c)
        with self.assertRaises(UserError):
            self._sat_record(self.officer_a, c, answer="1")
        with self.assertRaises(UserError):
            self._sat_record(self.manager, c, answer="declined")

    def test_53_forged_rating_through_context_defaults(self):
        c = self._sat_closed(contact_preference="phone")
        wizard = (
            self.env["iso10002.satisfaction.wizard"]
            .with_user(self.officer_a)
            .with_context(
                default_satisfaction_means="email",
                default_rating=5,
                default_consumed=True,
                default_satisfaction_recorded_by_id=self.manager.id,
                default_res_id=self.complainant.id,
            )
            .create({"complaint_id": c.id, "means": "phone", "answer": "1"})
        )
        try:
            wizard.action_record()
        except REFUSED as e:
            say("HELD53", e)
        r = c.sudo().rating_ids.filtered("consumed")
        say("PROBE53", [(x.rating, x.satisfaction_means, x.satisfaction_recorded_by_id.login, x.res_id) for x in r])
        if r:
            self.assertEqual(
                (r.rating, r.satisfaction_means, r.satisfaction_recorded_by_id), (1, "phone", self.officer_a)
            )
