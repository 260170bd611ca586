from collections import Counter
from datetime import date, datetime
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.sql_db import Cursor
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL, mute_logger

from ..models.iso10002_complaint_sla import NOTICE_ROWS
from .common import MailGatewayCase, SlaCase

OFFICER = "iso10002_complaints.group_complaint_officer"


def say(*args):
    """What a probe saw (kept for reading the probe; nothing is logged: the harness
    counts warnings as failures)."""


@tagged("post_install", "-at_install")
class TestSla(SlaCase):
    """Deadlines in working hours, states, reminders, escalations and their history."""

    # ----------------------------------------------------------- deadlines
    def test_deadlines_skip_the_weekend(self):
        # Friday 6 March 2026, 15:00: 2 hours on Friday, 6 on Monday
        complaint = self._received(datetime(2026, 3, 6, 15, 0))
        self.assertEqual(complaint.sla_policy_id, self.policy)
        self.assertEqual(complaint.ack_deadline, datetime(2026, 3, 9, 15, 0))
        # 16 hours: Fri 2, Mon 8, Tue 6
        self.assertEqual(complaint.resolution_deadline, datetime(2026, 3, 10, 15, 0))
        self.assertEqual(complaint.sla_target, "ack")

    def test_deadlines_skip_holidays(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2026, 3, 9, 0, 0),
                "date_to": datetime(2026, 3, 9, 23, 59, 59),
            }
        )
        complaint = self._received(datetime(2026, 3, 6, 15, 0))
        self.assertEqual(complaint.ack_deadline, datetime(2026, 3, 10, 15, 0))

    def test_deadlines_in_the_calendar_time_zone(self):
        self.team_a.resource_calendar_id = self._calendar("Tehran office", "Asia/Tehran")
        # Monday 08:00 in Tehran is 04:30 UTC; 8 working hours end at 17:00 Tehran, 13:30 UTC
        complaint = self._received(datetime(2026, 3, 9, 4, 30))
        self.assertEqual(complaint.ack_deadline, datetime(2026, 3, 9, 13, 30))

    def test_company_calendar_is_the_fallback(self):
        self.team_a.resource_calendar_id = False
        self.company.resource_calendar_id = self.calendar
        complaint = self._received(datetime(2026, 3, 6, 15, 0))
        self.assertEqual(complaint.ack_deadline, datetime(2026, 3, 9, 15, 0))

    def test_a_calendar_without_working_time_is_named_to_the_user(self):
        self.team_a.resource_calendar_id = self.env["resource.calendar"].create(
            {"name": "Empty week", "tz": "UTC", "attendance_ids": [Command.clear()]}
        )
        with self.assertRaisesRegex(UserError, "The working calendar Empty week has no working time ahead"):
            self._received(datetime(2026, 3, 6, 15, 0))

    def test_sla_can_be_switched_off(self):
        self.company.complaint_sla_enabled = False
        complaint = self._received(datetime(2026, 3, 6, 15, 0))
        self.assertFalse(complaint.sla_policy_id)
        self.assertFalse(complaint.sla_next_check)

    # ------------------------------------------------------- states, sweep
    def test_on_track_then_at_risk_with_reminder(self):
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._received(datetime(2026, 3, 9, 8, 0))
            self.assertEqual(complaint.sla_state, "on_track")
            # 75 % of 8 hours: 6 working hours, lunch excluded
            self.assertEqual(complaint.sla_next_check, datetime(2026, 3, 9, 15, 0))
        with freeze_time("2026-03-09 15:01:00"):
            self.assertEqual(self._sweep(), 1)
        self.assertEqual(complaint.sla_state, "at_risk")
        reminder = complaint.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("iso10002_complaints.mail_activity_type_sla_at_risk")
        )
        self.assertEqual(reminder.user_id, self.officer_a, "the team leader owns unassigned complaints")
        self.assertEqual(len(self._digests(self.officer_a)), 1)
        self.assertEqual(complaint.sla_next_check, complaint.ack_deadline)

    def test_a_confidential_complaint_at_risk_is_told_to_whoever_may_read_it(self):
        """The team leader does not read a member's confidential complaint: its reminder
        and notice go to the company's escalation contact, who may, and the leader is
        shown neither its name nor its subject."""
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._received(
                datetime(2026, 3, 9, 8, 0), is_confidential=True, subject="Hush-hush", user_id=self.officer_b.id
            )
        # its owner has left: the leader does not read it either
        self.officer_b.active = False
        with freeze_time("2026-03-09 15:01:00"):
            self.assertEqual(self._sweep(), 1)
        self.assertEqual(complaint.sla_state, "at_risk")
        reminder = complaint.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("iso10002_complaints.mail_activity_type_sla_at_risk")
        )
        self.assertEqual(reminder.user_id, self.manager, "the escalation contact, who may read it")
        self.assertFalse(complaint.with_user(self.officer_a).has_access("read"))
        leader_sees = self.env["mail.activity"].with_user(self.officer_a).search([("res_id", "=", complaint.id)])
        self.assertFalse(leader_sees.filtered(lambda a: a.res_model == complaint._name))
        self.assertFalse(
            [mail for mail in self._digests(self.officer_a) if "Hush-hush" in (mail.body_html or "")],
            "no notice names it to the leader",
        )
        self.assertEqual(len(self._digests(self.manager)), 1)

    def test_breach_escalates_to_level_one_and_notes_it(self):
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._received(datetime(2026, 3, 9, 8, 0), user_id=self.officer_b.id)
        with freeze_time("2026-03-09 17:05:00"):
            self._sweep()
        self.assertEqual(complaint.sla_state, "breached")
        self.assertEqual(complaint.escalation_level, 1)
        note = complaint.message_ids.filtered(lambda m: "Breached" in (m.body or ""))
        self.assertEqual(len(note), 1, "the breach is noted in the chatter, once")
        self.assertIn("Escalated to level 1", note.body)
        self.assertEqual(len(self._digests(self.officer_b)), 1, "the owner is told")
        self.assertEqual(len(self._digests(self.officer_a)), 1, "and the team leader (level 1 rule)")
        kinds = complaint.sla_event_ids.mapped("kind")
        self.assertIn("escalation", kinds)
        self.assertIn("state", kinds)

    def test_notice_lists_only_what_its_reader_may_open(self):
        """The team leader hears of the breaches of the team, not of a member's
        confidential complaint, which the leader cannot open."""
        member = new_test_user(
            self.env, login="officer_member", groups="iso10002_complaints.group_complaint_officer", name="Member"
        )
        self.team_a.member_ids |= member
        with freeze_time("2026-03-09 08:00:00"):
            secret = self._received(
                datetime(2026, 3, 9, 8, 0), user_id=member.id, is_confidential=True, subject="CONFIDENTIAL case"
            )
            open_one = self._received(datetime(2026, 3, 9, 8, 0), user_id=member.id, subject="Ordinary case")
        self.assertFalse(secret.with_user(self.officer_a).has_access("read"))
        with freeze_time("2026-03-09 17:05:00"):
            self._sweep()
        leader = self._digests(self.officer_a)
        self.assertEqual(len(leader), 1)
        self.assertIn(open_one.name, leader.body_html)
        self.assertNotIn(secret.name, leader.body_html)
        self.assertNotIn("CONFIDENTIAL", leader.body_html)
        self.assertIn(secret.name, self._digests(member).body_html, "its owner is told")

    def test_a_notice_lists_the_most_urgent_and_counts_the_rest(self):
        with freeze_time("2026-03-09 08:00:00"):
            complaints = self.Complaint._import_complaints(
                [
                    {
                        "subject": f"Late parcel {n}",
                        "partner_id": self.person_about.id,
                        "channel_id": self.channel_phone.id,
                        "team_id": self.team_a.id,
                        "user_id": self.officer_b.id,
                        "received_date": datetime(2026, 3, 9, 8, 0),
                    }
                    for n in range(NOTICE_ROWS + 7)
                ]
            )
            self.flush_tracking()
        with freeze_time("2026-03-09 17:05:00"):
            self._sweep()
        [notice] = self._digests(self.officer_b)
        self.assertIn(f"{NOTICE_ROWS + 7} breached", notice.subject, "the subject counts them all")
        listed = [c for c in complaints if f">{c.name}</a>" in notice.body_html]
        self.assertEqual(len(listed), NOTICE_ROWS)
        self.assertIn("(+7)", notice.body_html)
        self.assertIn("/odoo/action-iso10002_complaints.iso10002_complaint_action", notice.body_html)

    def test_notices_go_to_internal_users_only(self):
        with freeze_time("2026-03-02 09:00:00"):
            complaint = self._received(datetime(2026, 3, 2, 8, 0))
            complaint.activity_schedule(
                "mail.mail_activity_data_todo", user_id=self.portal_user.id, summary="internal: suspect fraud"
            )
        with freeze_time("2026-03-10 09:00:00"):
            self.Complaint._cron_remind_overdue()
        self.assertFalse(
            self.Mail.search([("recipient_ids", "in", self.portal_user.partner_id.id), ("subject", "like", "overdue")])
        )

    def test_an_archived_sequence_still_numbers_complaints(self):
        first = self._received(datetime(2026, 3, 9, 8, 0))
        sequence = self.company._complaint_sequence()
        sequence.active = False
        second = self._received(datetime(2026, 3, 9, 8, 0))
        self.assertEqual(self.company._complaint_sequence(), sequence)
        self.assertNotEqual(first.name, second.name)

    def test_notice_in_the_recipients_language_and_time_zone(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(["iso10002_complaints"], ["fa_IR"], overwrite=True)
        self.officer_b.write({"lang": "fa_IR", "tz": "Asia/Tehran"})
        self.officer_a.write({"lang": "en_US", "tz": "UTC"})
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._received(datetime(2026, 3, 9, 8, 0), user_id=self.officer_b.id)
        with freeze_time("2026-03-09 17:05:00"):
            self._sweep()
        persian, english = self._digests(self.officer_b), self._digests(self.officer_a)
        self.assertEqual(len(persian), 0, "the subject is Persian: not found by its English words")
        persian = self.Mail.search(
            [("recipient_ids", "in", self.officer_b.partner_id.id), ("subject", "like", "سطح خدمت شکایت‌ها")]
        )
        self.assertEqual(len(persian), 1)
        self.assertIn("سطح خدمت شکایت‌ها", persian.subject)
        self.assertIn("شکایت‌هایی که به توجه شما نیاز دارند", persian.body_html)
        self.assertIn("Complaints that need your attention", english.body_html)
        # the acknowledgement was due at 17:00 UTC: 20:30 in Tehran
        self.assertIn("20:30", persian.body_html)
        self.assertIn("17:00", english.body_html)
        self.assertIn(f"/odoo/iso10002.complaint/{complaint.id}", persian.body_html)

    def test_escalation_ladder_level_two(self):
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._received(datetime(2026, 3, 9, 8, 0))
        with freeze_time("2026-03-09 17:05:00"):
            self._sweep()
        self.assertEqual(complaint.escalation_level, 1)
        # level 2: 8 working hours after the deadline (Mon 17:00) is Tue 17:00
        self.assertEqual(complaint.sla_next_check, datetime(2026, 3, 10, 17, 0))
        self.assertFalse(self._digests(self.manager))
        with freeze_time("2026-03-10 17:01:00"):
            self._sweep()
        self.assertEqual(complaint.escalation_level, 2)
        self.assertEqual(len(self._digests(self.manager)), 1, "level 2 reaches the escalation manager")
        self.assertFalse(complaint.sla_next_check, "no level above 2")

    def test_sweep_twice_escalates_once(self):
        with freeze_time("2026-03-09 08:00:00"):
            complaints = self._received(datetime(2026, 3, 9, 8, 0)) | self._received(datetime(2026, 3, 9, 8, 0))
        with freeze_time("2026-03-09 17:05:00"):
            self.assertEqual(self._sweep(), 2)
            events = len(complaints.sla_event_ids)
            mails = len(self._digests(self.officer_a))
            self.assertEqual(self._sweep(), 0)
        self.assertEqual(len(complaints.sla_event_ids), events)
        self.assertEqual(len(self._digests(self.officer_a)), mails)
        self.assertEqual(complaints.mapped("escalation_level"), [1, 1])

    def test_one_message_per_person_per_sweep(self):
        with freeze_time("2026-03-09 08:00:00"):
            for _i in range(5):
                self._received(datetime(2026, 3, 9, 8, 0), user_id=self.officer_b.id)
        with freeze_time("2026-03-09 17:05:00"):
            self._sweep()
        digest = self._digests(self.officer_b)
        self.assertEqual(len(digest), 1)
        self.assertIn("5 breached", digest.subject)

    def test_acknowledgement_switches_to_resolution_target(self):
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._received(datetime(2026, 3, 9, 8, 0))
        with freeze_time("2026-03-09 10:00:00"):
            complaint.acknowledgement_channel = "phone"
            complaint.action_acknowledge()
        self.assertEqual(complaint.sla_target, "resolution")
        self.assertTrue(complaint.ack_in_time)
        self.assertEqual(complaint.ack_hours, 2.0)
        # resolution: 16 h from Mon 08:00 is Tue 17:00; at risk after 12 h: Tue 12:00
        self.assertEqual(complaint.resolution_deadline, datetime(2026, 3, 10, 17, 0))
        self.assertEqual(complaint.sla_next_check, datetime(2026, 3, 10, 12, 0))

    def test_met_and_met_late(self):
        with freeze_time("2026-03-09 08:00:00"):
            on_time = self._complaint(received_date=datetime(2026, 3, 9, 8, 0))
            late = self._complaint(received_date=datetime(2026, 3, 9, 8, 0))
        with freeze_time("2026-03-10 09:00:00"):
            self._walk_to(on_time, "communicated")
        self.assertEqual(on_time.sla_state, "met")
        self.assertTrue(on_time.resolved_in_time)
        self.assertEqual(on_time.resolution_hours, 9.0)
        self.assertFalse(on_time.sla_next_check)
        with freeze_time("2026-03-12 09:00:00"):
            self._walk_to(late, "communicated")
        self.assertEqual(late.sla_state, "met_late")
        self.assertFalse(late.resolved_in_time)

    def test_a_reopened_complaint_is_due_again(self):
        """Reopening asks for a new decision: the SLA no longer says "Met" but runs the
        resolution target again from the reopening, and the new decision is measured."""
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._complaint(received_date=datetime(2026, 3, 9, 8, 0))
        with freeze_time("2026-03-10 09:00:00"):
            self._walk_to(complaint, "closed")
        self.assertEqual(complaint.sla_state, "met")
        self.assertFalse(complaint.sla_deadline)
        # reopened on Monday 16 March, 09:00 (after the first deadline)
        with freeze_time("2026-03-16 09:00:00"):
            complaint.with_user(self.officer_a).action_reopen()
            self.flush_tracking()
        self.assertEqual(complaint.reopened_date, datetime(2026, 3, 16, 9, 0))
        self.assertEqual(complaint.sla_state, "on_track")
        self.assertEqual(complaint.sla_target, "resolution")
        # 16 working hours from Mon 09:00: Mon 7, Tue 8, Wed 1 -> Wed 09:00
        self.assertEqual(complaint.resolution_deadline, datetime(2026, 3, 18, 9, 0))
        self.assertEqual(complaint.sla_deadline, complaint.resolution_deadline)
        self.assertEqual(complaint.escalation_level, 0)
        policy_events = complaint.sla_event_ids.filtered(lambda e: e.kind == "policy")
        self.assertIn(datetime(2026, 3, 18, 9, 0), policy_events.mapped("deadline"), "the new deadline is recorded")
        # the card and the list show what is due now
        card = complaint.with_user(self.officer_a).read(["sla_state", "sla_deadline"])[0]
        self.assertEqual(card["sla_state"], "on_track")
        with freeze_time("2026-03-18 10:00:00"):
            self._sweep()
        self.assertEqual(complaint.sla_state, "breached", "the new deadline is watched by the sweep")
        with freeze_time("2026-03-18 11:00:00"):
            self._walk_to(complaint, "communicated")
        self.assertEqual(complaint.sla_state, "met_late")
        # measured from the reopening: Mon 7 + Tue 8 + Wed 3 = 18 working hours
        self.assertEqual(complaint.resolution_hours, 18.0)
        self.assertFalse(complaint.sla_deadline)

    def test_a_complaint_ended_before_acknowledgement_is_due_again_when_reopened(self):
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._received(datetime(2026, 3, 9, 8, 0), withdrawal_reason="Sent by mistake")
            complaint.action_withdraw()
            complaint.action_close()
        self.assertFalse(complaint.sla_state, "no SLA state for a complaint that ended without a decision")
        self.assertFalse(complaint.sla_deadline)
        with freeze_time("2026-03-16 09:00:00"):
            complaint.action_reopen()
            self.flush_tracking()
        self.assertEqual(complaint.step, "received")
        self.assertEqual(complaint.sla_target, "ack")
        # 8 working hours from Monday 16 March 09:00: Tuesday 09:00
        self.assertEqual(complaint.ack_deadline, datetime(2026, 3, 17, 9, 0))
        self.assertEqual(complaint.sla_state, "on_track")

    # ----------------------------------------------------------- pause
    def test_pause_and_resume_move_the_deadline(self):
        waiting = self.env["iso10002.complaint.stage"].create(
            {"name": "Waiting for the customer", "step": "investigation", "sequence": 41, "pauses_sla": True}
        )
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._complaint(received_date=datetime(2026, 3, 9, 8, 0))
            self.assertEqual(complaint.resolution_deadline, datetime(2026, 3, 10, 17, 0))
            self._walk_to(complaint, "investigation")
        with freeze_time("2026-03-09 10:00:00"):
            complaint.stage_id = waiting
            self.assertEqual(complaint.sla_paused_since, datetime(2026, 3, 9, 10, 0))
            self.assertFalse(complaint.sla_next_check, "no reminder while the clock stands")
        with freeze_time("2026-03-10 10:00:00"):
            # paused Mon 10:00 -> Tue 10:00: 8 working hours
            complaint.stage_id = self.env.ref("iso10002_complaints.stage_investigation")
        self.assertFalse(complaint.sla_paused_since)
        self.assertEqual(complaint.sla_paused_hours, 8.0)
        self.assertEqual(complaint.resolution_deadline, datetime(2026, 3, 11, 17, 0))
        self.assertEqual(
            complaint.sla_event_ids.filtered(lambda e: e.kind == "resume").deadline, datetime(2026, 3, 11, 17, 0)
        )
        with freeze_time("2026-03-11 09:00:00"):
            self._walk_to(complaint, "communicated")
        self.assertEqual(complaint.resolution_hours, 9.0 + 8.0 - 8.0, "paused time is not counted")
        self.assertEqual(complaint.sla_state, "met")

    # ------------------------------------------------------ re-matching
    def test_policy_rematched_when_category_changes(self):
        safety = self.env["iso10002.complaint.category"].create({"name": "Safety"})
        urgent = self.env["iso10002.sla.policy"].create(
            {
                "name": "Safety",
                "category_ids": [(6, 0, safety.ids)],
                "ack_target_hours": 1,
                "resolution_target_hours": 4,
            }
        )
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._received(datetime(2026, 3, 9, 8, 0))
            self.assertEqual(complaint.sla_policy_id, self.policy)
            complaint.category_id = safety
        self.assertEqual(complaint.sla_policy_id, urgent)
        self.assertEqual(complaint.ack_deadline, datetime(2026, 3, 9, 9, 0))
        self.assertEqual(complaint.resolution_deadline, datetime(2026, 3, 9, 12, 0))
        note = complaint.message_ids.filtered(lambda m: "SLA policy Safety now applies" in (m.body or ""))
        self.assertEqual(len(note), 1)
        policies = complaint.sla_event_ids.filtered(lambda e: e.kind == "policy").sorted("id").policy_id
        self.assertEqual(policies.ids, [self.policy.id, urgent.id])

    def test_policy_matching_by_team_severity_channel_and_tags(self):
        tag = self.env["res.partner.category"].create({"name": "VIP"})
        vip = self.env["iso10002.sla.policy"].create(
            {
                "name": "VIP",
                "partner_category_ids": [(6, 0, tag.ids)],
                "sequence": 1,
                "ack_target_hours": 2,
                "resolution_target_hours": 8,
            }
        )
        team_b_critical = self.env["iso10002.sla.policy"].create(
            {
                "name": "B critical",
                "team_ids": [(6, 0, self.team_b.ids)],
                "severity": "critical",
                "channel_ids": [(6, 0, self.channel_phone.ids)],
                "sequence": 2,
                "ack_target_hours": 1,
                "resolution_target_hours": 8,
            }
        )
        complaint = self._received(datetime(2026, 3, 9, 8, 0), team_id=self.team_b.id)
        self.assertEqual(complaint.sla_policy_id, self.policy)
        complaint.severity = "critical"
        self.assertEqual(complaint.sla_policy_id, team_b_critical)
        self.person_about.category_id = tag
        complaint.partner_id = self.person_about  # same partner, written again: matched again
        self.assertEqual(complaint.sla_policy_id, vip)

    # ------------------------------------------------------------ history
    def test_history_is_never_changed_or_deleted(self):
        complaint = self._received(datetime(2026, 3, 9, 8, 0))
        event = complaint.sla_event_ids[:1]
        self.assertTrue(event)
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            event.unlink()
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            event.write({"note": "rewritten"})

    def test_history_access(self):
        complaint = self._received(datetime(2026, 3, 9, 8, 0))
        self.assertTrue(complaint.with_user(self.officer_a).sla_event_ids)
        self.assertTrue(complaint.with_user(self.auditor).sla_event_ids)
        events = self.env["iso10002.sla.event"].with_user(self.officer_b).search([("complaint_id", "=", complaint.id)])
        self.assertFalse(events, "officers of another team do not see it")
        with self.assertRaises(AccessError):
            self.env["iso10002.sla.event"].with_user(self.manager).create(
                {"complaint_id": complaint.id, "kind": "state"}
            )

    def test_policy_configuration_access(self):
        with self.assertRaises(AccessError):
            self.policy.with_user(self.officer_a).write({"ack_target_hours": 100})
        with self.assertRaises(AccessError):
            self.policy.with_user(self.auditor).write({"ack_target_hours": 100})
        self.policy.with_user(self.manager).write({"ack_target_hours": 6})
        self.assertEqual(self.policy.ack_target_hours, 6)

    def test_bad_targets_are_refused(self):
        for values in ({"ack_target_hours": 0}, {"resolution_target_hours": -8}, {"at_risk_percent": 120}):
            with self.subTest(values=values), self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
                self.env["iso10002.sla.policy"].create({"name": "Bad", **values})
                self.env.flush_all()

    def test_one_default_policy_per_company(self):
        """Making another policy the default hands the flag over; the company's default
        cannot be archived, deleted or unflagged without another; complaints follow it."""
        premium = self.env["iso10002.sla.policy"].create(
            {"name": "Premium default", "is_default": True, "ack_target_hours": 2, "resolution_target_hours": 16}
        )
        self.assertFalse(self.policy.is_default)
        self.assertEqual(self.company.complaint_sla_policy_id, premium)
        self.assertEqual(self._received(datetime(2026, 3, 9, 8, 0)).sla_policy_id, premium)
        for refused in (
            lambda: premium.write({"active": False}),
            lambda: premium.write({"is_default": False}),
            premium.unlink,
        ):
            with self.assertRaisesRegex(UserError, "needs a default SLA policy"), self.env.cr.savepoint():
                refused()
        self.policy.is_default = True
        self.assertFalse(premium.is_default)
        premium.unlink()
        self.assertEqual(self.company.complaint_sla_policy_id, self.policy)
        with self.assertRaises(AccessError):
            self.company.with_user(self.officer_a).write({"complaint_sla_policy_id": premium.id})
        self.assertNotIn(
            "complaint_sla_policy_id",
            self.company.with_user(self.portal_user).fields_get(),
            "the portal does not see the company's policy",
        )

    def test_settings_update_default_policy(self):
        settings = self.env["res.config.settings"].create(
            {"complaint_ack_target_hours": 4, "complaint_resolution_target_hours": 40}
        )
        settings.execute()
        self.assertEqual(self.policy.ack_target_hours, 4)
        self.assertEqual(self.policy.resolution_target_hours, 40)

    # ------------------------------------------------------------ crons
    def test_auto_close_after_silence(self):
        self.company.complaint_auto_close_days = 10
        with freeze_time("2026-03-02 09:00:00"):
            complaint = self._complaint(received_date=datetime(2026, 3, 2, 8, 0))
            self._walk_to(complaint, "communicated")
        with freeze_time("2026-03-11 09:00:00"):
            self.Complaint._cron_auto_close()
        self.assertEqual(complaint.step, "communicated", "not yet ten days")
        with freeze_time("2026-03-13 09:00:00"):
            self.assertEqual(self.Complaint._cron_auto_close(), 1)
        self.assertEqual(complaint.step, "closed")
        self.assertEqual(complaint.closure_reason, "no_reply")
        self.assertTrue(complaint.message_ids.filtered(lambda m: "Closed automatically" in (m.body or "")))
        self.assertTrue(complaint.message_ids.filtered(lambda m: "how did we handle" in (m.subject or "")))

    def test_answered_decisions_are_not_auto_closed(self):
        self.company.complaint_auto_close_days = 1
        with freeze_time("2026-03-02 09:00:00"):
            complaint = self._complaint(received_date=datetime(2026, 3, 2, 8, 0))
            self._walk_to(complaint, "communicated")
            complaint.complainant_response = "rejected"
        with freeze_time("2026-03-20 09:00:00"):
            self.Complaint._cron_auto_close()
        self.assertEqual(complaint.step, "communicated")

    def test_overdue_activity_reminder_is_grouped(self):
        with freeze_time("2026-03-02 09:00:00"):
            for _i in range(3):
                self._received(datetime(2026, 3, 2, 8, 0), user_id=self.officer_b.id)
        with freeze_time("2026-03-10 09:00:00"):
            self.env["iso10002.corrective.action"].create(
                {"name": "Retrain the drivers", "user_id": self.officer_b.id, "deadline": date(2026, 3, 5)}
            )
            self.env["iso10002.corrective.action"].create(
                {"name": "Done already", "user_id": self.officer_b.id, "deadline": date(2026, 3, 5), "state": "done"}
            )
            self.Complaint._cron_remind_overdue()
            self.env["iso10002.corrective.action"]._cron_remind_overdue()
        reminder = self.Mail.search(
            [("recipient_ids", "in", self.officer_b.partner_id.id), ("subject", "like", "overdue complaint")]
        )
        self.assertEqual(len(reminder), 1, "one message for the activities")
        self.assertIn("3 overdue complaint activities", reminder.subject)
        actions = self.Mail.search(
            [("recipient_ids", "in", self.officer_b.partner_id.id), ("subject", "like", "overdue corrective")]
        )
        self.assertEqual(len(actions), 1, "the corrective actions remind their owner themselves")
        self.assertIn("1 overdue corrective actions", actions.subject)
        self.assertIn("Retrain the drivers", actions.body_html)
        self.assertNotIn("Done already", actions.body_html)

    # ----------------------------------------------------------- queries
    def _due(self, count):
        with freeze_time("2026-03-09 08:00:00"):
            return self.Complaint._import_complaints(
                [
                    {
                        "subject": f"Late {i}",
                        "partner_id": self.person_about.id,
                        "channel_id": self.channel_phone.id,
                        "team_id": self.team_a.id,
                        "user_id": self.officer_b.id,
                        "received_date": datetime(2026, 3, 9, 8, 0),
                    }
                    for i in range(count)
                ]
            )

    def _sweep_statements(self, count):
        """The kinds of SQL statement one sweep runs for ``count`` due complaints."""
        complaints = self._due(count)
        self.flush_tracking()
        self.env.invalidate_all()
        statements = Counter()
        execute = Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            code = query.code if isinstance(query, SQL) else query
            statements[code.split(None, 1)[0].upper()] += 1
            return execute(cr, query, params, log_exceptions)

        with freeze_time("2026-03-09 17:05:00"), patch.object(Cursor, "execute", spy):
            self.assertEqual(self.Complaint._cron_sla_sweep(), count)
            self.flush_tracking()
        self.assertEqual(set(complaints.mapped("sla_state")), {"breached"})
        complaints._sla_write({"sla_next_check": False})
        return statements

    def test_sweep_query_count_does_not_grow_with_complaints(self):
        self._sweep_statements(3)  # warm-up: caches, prepared templates
        small = self._sweep_statements(10)
        large = self._sweep_statements(200)
        reads = {kind for kind in small | large if kind not in ("INSERT", "UPDATE")}
        for kind in reads:
            self.assertEqual(small[kind], large[kind], f"{kind}: 10 due {small}, 200 due {large}")
        # writes go in batches of 100 rows (events, notes, activities, e-mails, the complaints)
        writes = large["INSERT"] + large["UPDATE"]
        self.assertLessEqual(writes, 20, f"200 due complaints written in {writes} statements: {large}")

    def test_sla_report_median(self):
        with freeze_time("2026-03-09 08:00:00"):
            complaints = [self._complaint(received_date=datetime(2026, 3, 9, 8, 0)) for _i in range(3)]
        for hour, complaint in zip((9, 10, 14), complaints, strict=True):
            with freeze_time(f"2026-03-09 {hour}:00:00"):
                self._walk_to(complaint, "communicated")
        self.env.flush_all()
        report = self.env["iso10002.sla.report"]
        [(count, median, average, in_time)] = report._read_group(
            [("complaint_id", "in", [c.id for c in complaints])],
            [],
            ["__count", "resolution_hours_median:median", "resolution_hours:avg", "resolved_in_time_pct:avg"],
        )
        self.assertEqual(count, 3)
        self.assertEqual(median, 2.0)  # 1, 2 and 5 working hours (lunch excluded)
        self.assertAlmostEqual(average, 8 / 3)
        self.assertEqual(in_time, 100.0)


@tagged("post_install", "-at_install")
class TestSlaFormerOfficer(MailGatewayCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.archived_officer = new_test_user(cls.env, login="gone_officer", groups=OFFICER, name="Gone Officer")
        cls.archived_officer.active = False

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


@tagged("post_install", "-at_install")
class TestPoliciesAppliedTogether(SlaCase):
    """Complaints given a policy together get what each would get alone."""

    def _sla_rows(self, complaints):
        return {
            row[0]: row[1:]
            for row in self.env.execute_query(
                SQL(
                    "SELECT id, sla_policy_id, ack_deadline, resolution_deadline FROM iso10002_complaint "
                    "WHERE id = ANY(%s)",
                    complaints.ids,
                )
            )
        }

    def _policy_notes(self, complaints):
        return dict(
            self.env.execute_query(
                SQL(
                    "SELECT res_id, array_agg(body ORDER BY id) FROM mail_message WHERE model = 'iso10002.complaint' "
                    "AND res_id = ANY(%s) AND body::text LIKE %s GROUP BY res_id",
                    complaints.ids,
                    "%SLA policy Safety now applies%",
                )
            )
        )

    def test_complaints_rematched_together_get_the_deadlines_and_notes_each_would_get_alone(self):
        """The policy's writes batched per group of complaints planned alike change nothing
        of each complaint: the same policy, the same deadlines, one note and one policy
        event each, as when each complaint is rematched on its own."""
        safety = self.env["iso10002.complaint.category"].create({"name": "Safety"})
        urgent = self.env["iso10002.sla.policy"].create(
            {
                "name": "Safety",
                "category_ids": [(6, 0, safety.ids)],
                "ack_target_hours": 1,
                "resolution_target_hours": 4,
            }
        )
        received = [datetime(2026, 3, 9, 8, 0), datetime(2026, 3, 9, 8, 0), datetime(2026, 3, 9, 10, 30)]
        with freeze_time("2026-03-09 11:00:00"):
            together = self.env["iso10002.complaint"].browse()
            alone = self.env["iso10002.complaint"].browse()
            for when in received:
                together |= self._received(when)
                alone |= self._received(when)
            together.category_id = safety  # one write: the batched path
            for complaint in alone:
                complaint.category_id = safety  # one write each: a batch of one
            self.env.flush_all()
        rows_together, rows_alone = self._sla_rows(together), self._sla_rows(alone)
        for one, other in zip(together, alone, strict=True):
            self.assertEqual(rows_together[one.id], rows_alone[other.id])
            self.assertEqual(rows_together[one.id][0], urgent.id)
        self.assertEqual(rows_together[together[0].id][1], datetime(2026, 3, 9, 9, 0))
        self.assertEqual(rows_together[together[2].id][1], datetime(2026, 3, 9, 11, 30))
        notes = self._policy_notes(together)
        self.assertEqual(sorted(notes), sorted(together.ids), "one note per complaint")
        for complaint in together:
            self.assertEqual(len(notes[complaint.id]), 1)
            self.assertIn(str(rows_together[complaint.id][2]), notes[complaint.id][0], "its own deadline")
        events = dict(
            self.env.execute_query(
                SQL(
                    "SELECT complaint_id, count(*) FROM iso10002_sla_event WHERE complaint_id = ANY(%s) "
                    "AND kind = 'policy' AND policy_id = %s GROUP BY complaint_id",
                    together.ids,
                    urgent.id,
                )
            )
        )
        self.assertEqual(events, dict.fromkeys(together.ids, 1))
