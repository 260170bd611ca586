"""Escalation reaches somebody new at each level (ISO 10002 Annex H): driven by the SLA
sweep on complaints whose owner leads their team, read over RPC by the auditor and the
owner; and the policy form warns of a ladder that would not."""

import xmlrpc.client
from collections import Counter
from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo.sql_db import Cursor
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import ComplaintsCase, SlaCase

C = "iso10002.complaint"
MANAGER = "iso10002_complaints.group_complaint_manager"


class EscalationCase(HttpCase, SlaCase):
    """SlaCase with a representative, a manager of the other company, an archived
    manager, and passwords for RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.representative = new_test_user(
            cls.env, login="cmp_representative", groups=MANAGER, name="Representative", email="rep@example.com"
        )
        cls.manager_b = new_test_user(
            cls.env,
            login="cmp_manager_b",
            groups=MANAGER,
            name="Manager of Other Company",
            email="manager.b@example.com",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.gone_manager = new_test_user(
            cls.env, login="cmp_manager_gone", groups=MANAGER, name="Gone Manager", email="gone@example.com"
        )
        cls.gone_manager.active = False
        cls.admin = cls.env.ref("base.user_admin")
        for user in (cls.officer_a, cls.officer_b, cls.manager, cls.auditor, cls.representative):
            user.password = user.login

    def _rpc(self, user, model, method, *args, **kwargs):
        self.env.flush_all()
        result = self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs
        )
        self.env.invalidate_all()  # what the request wrote, read afresh
        return result


@tagged("post_install", "-at_install")
class TestEscalationReachesSomebodyNew(EscalationCase):
    """A complaint whose owner leads its team: every level tells somebody the lower
    levels did not, and the SLA history says whom."""

    def _breach_and_escalate(self, **values):
        """A complaint of team A owned by its leader, swept at its deadline (level 1) and
        8 working hours after it (level 2)."""
        values.setdefault("user_id", self.officer_a.id)
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._received(datetime(2026, 3, 9, 8, 0), **values)
        self.assertEqual(complaint._owner(), self.team_a.user_id, "the owner is the team leader")
        with freeze_time("2026-03-09 17:05:00"):
            self._sweep()
        self.assertEqual(complaint.escalation_level, 1)
        with freeze_time("2026-03-10 17:01:00"):
            self._sweep()
        self.assertEqual(complaint.escalation_level, 2)
        return complaint

    def _reached(self, complaint):
        """{level: users reached} from the SLA history."""
        events = complaint.sla_event_ids.filtered(lambda e: e.kind == "escalation")
        return {event.escalation_level: event.recipient_ids for event in events}

    def _telling(self, complaint, users):
        """The SLA notices to ``users`` that name ``complaint`` (the demo's complaints
        told the administrator of theirs at install)."""
        domain = [("recipient_ids", "in", users.partner_id.ids), ("subject", "like", "Complaints SLA")]
        digests = self.Mail.search(domain)
        return digests.filtered(lambda mail: complaint.name in mail.body_html)

    def _assert_each_level_new(self, reached):
        told = self.env["res.users"]
        for level in sorted(reached):
            self.assertTrue(reached[level] - told, f"level {level} tells somebody new")
            told |= reached[level]

    def test_without_escalation_manager_level_two_reaches_the_representative(self):
        self.company.complaint_escalation_user_id = False
        self.company.complaint_representative_id = self.representative
        complaint = self._breach_and_escalate()
        reached = self._reached(complaint)
        self.assertEqual(reached[1], self.officer_a)
        self.assertEqual(reached[2], self.officer_a | self.representative)
        self._assert_each_level_new(reached)
        # the notices: the representative hears once, of the escalation, in an e-mail
        # naming the complaint; nobody else is told
        [notice] = self._digests(self.representative)
        self.assertIn(complaint.name, notice.body_html)
        self.assertIn("1 escalated", notice.subject)
        self.assertEqual(len(self._digests(self.officer_a)), 2, "the owner hears of both levels")
        self.assertFalse(self._telling(complaint, self.manager | self.admin), "nobody else is told")
        # the evidence: the event says why somebody the rule did not name was told, the
        # chatter names whom each level told
        level_two = complaint.sla_event_ids.filtered(lambda e: e.escalation_level == 2)
        self.assertIn("representative", level_two.note)
        notes = complaint.message_ids.mapped("body")
        self.assertTrue(any("Escalated to level 2, told: Officer A, Representative" in body for body in notes))

    def test_without_escalation_manager_nor_representative_level_two_reaches_the_managers(self):
        self.company.complaint_escalation_user_id = False
        self.company.complaint_representative_id = False
        complaint = self._breach_and_escalate(user_id=False)  # unassigned: the leader answers
        reached = self._reached(complaint)
        self.assertEqual(reached[1], self.officer_a)
        self._assert_each_level_new(reached)
        added = reached[2] - reached[1]
        self.assertIn(self.manager, added)
        self.assertIn(self.admin, added)
        self.assertNotIn(self.manager_b, added, "a manager of another company is not told")
        self.assertNotIn(self.gone_manager, added, "nor an archived one")
        self.assertTrue(all(user.has_group(MANAGER) for user in added))
        self.assertEqual(len(self._telling(complaint, self.manager)), 1)
        self.assertEqual(len(self._telling(complaint, self.admin)), 1)
        self.assertFalse(self._digests(self.manager_b))
        self.assertIn("complaints managers", complaint.sla_event_ids.filtered(lambda e: e.escalation_level == 2).note)

    def test_with_escalation_manager_the_rule_itself_reaches_somebody_new(self):
        complaint = self._breach_and_escalate()
        reached = self._reached(complaint)
        self.assertEqual(reached[2], self.officer_a | self.manager, "the rule's escalation manager, nobody added")
        self.assertFalse(complaint.sla_event_ids.filtered(lambda e: e.escalation_level == 2).note)
        self.assertFalse(self._digests(self.representative))

    def test_who_may_not_read_the_complaint_is_not_reached(self):
        """A representative who may not read the complaint (an officer of another team)
        is passed over for the managers; an escalation manager of the other company too."""
        self.company.complaint_escalation_user_id = self.manager_b
        self.company.complaint_representative_id = self.officer_b
        self.assertFalse(self.env[C].with_user(self.officer_b).search([("team_id", "=", self.team_a.id)]))
        complaint = self._breach_and_escalate()
        reached = self._reached(complaint)
        self._assert_each_level_new(reached)
        for user in reached[1] | reached[2]:
            self.assertTrue(complaint._readable_by(user), f"{user.name} may read what they are told of")
        self.assertNotIn(self.officer_b, reached[2])
        self.assertNotIn(self.manager_b, reached[2])
        self.assertIn(self.manager, reached[2])
        self.assertFalse(self._digests(self.officer_b) | self._digests(self.manager_b))

    def test_a_longer_ladder_climbs_until_nobody_is_left(self):
        """Level 3 (the same rule) goes past the representative to the managers; level 4
        finds nobody left to tell and the history says so."""
        self.company.complaint_escalation_user_id = False
        self.company.complaint_representative_id = self.representative
        self.policy.escalation_ids = [
            (0, 0, {"level": 3, "delay_hours": 16, "notify": "managers"}),
            (0, 0, {"level": 4, "delay_hours": 24, "notify": "team_leader"}),
        ]
        complaint = self._breach_and_escalate()
        with freeze_time("2026-03-11 17:01:00"):
            self._sweep()
        self.assertEqual(complaint.escalation_level, 3)
        reached = self._reached(complaint)
        self._assert_each_level_new(reached)
        self.assertIn(self.manager, reached[3] - reached[2])
        self.assertNotIn(self.representative, reached[3], "told at level 2 already")
        with freeze_time("2026-03-12 17:01:00"):
            self._sweep()
        self.assertEqual(complaint.escalation_level, 4)
        level_four = complaint.sla_event_ids.filtered(lambda e: e.escalation_level == 4)
        self.assertEqual(level_four.recipient_ids, self.officer_a, "the rule's own, nobody new was left")
        self.assertIn("Nobody new", level_four.note)

    def test_a_late_sweep_still_climbs_past_the_lower_levels(self):
        """A sweep that finds the complaint at level 2 at once (the cron was down) tells
        level 2 somebody its level 1 would have told already."""
        self.company.complaint_escalation_user_id = False
        self.company.complaint_representative_id = self.representative
        with freeze_time("2026-03-09 08:00:00"):
            complaint = self._received(datetime(2026, 3, 9, 8, 0), user_id=self.officer_a.id)
        with freeze_time("2026-03-10 17:01:00"):
            self._sweep()
        self.assertEqual(complaint.escalation_level, 2)
        self.assertEqual(self._reached(complaint)[2], self.officer_a | self.representative)

    def test_the_auditor_and_the_owner_read_whom_each_level_reached_over_rpc(self):
        self.company.complaint_escalation_user_id = False
        self.company.complaint_representative_id = self.representative
        complaint = self._breach_and_escalate()
        domain = [("complaint_id", "=", complaint.id), ("kind", "=", "escalation")]
        for reader in (self.auditor, self.officer_a, self.manager):
            rows = self._rpc(
                reader, "iso10002.sla.event", "search_read", domain, fields=["escalation_level", "recipient_ids"]
            )
            self.assertEqual(
                {row["escalation_level"]: set(row["recipient_ids"]) for row in rows},
                {1: set(self.officer_a.ids), 2: set((self.officer_a | self.representative).ids)},
                reader.name,
            )
        # what it records is not rewritten by anyone
        event = self.env["iso10002.sla.event"].search(domain, limit=1)
        for writer in (self.auditor, self.officer_a, self.manager):
            with mute_logger("odoo.http"), self.assertRaises(xmlrpc.client.Fault):
                self._rpc(writer, "iso10002.sla.event", "write", event.ids, {"recipient_ids": [(6, 0, [])]})
        self.assertTrue(event.recipient_ids)
        # the officer of another team does not read the history at all
        self.assertFalse(self._rpc(self.officer_b, "iso10002.sla.event", "search_read", domain, fields=["id"]))

    def test_sweep_reads_do_not_grow_with_complaints_passed_to_the_managers(self):
        """The managers are found and checked once per sweep, not once per complaint."""
        self.company.complaint_escalation_user_id = False
        self.company.complaint_representative_id = False
        self.policy.escalation_ids.filtered(lambda r: r.level == 1).write({"notify": "users", "user_ids": False})

        def statements(count):
            with freeze_time("2026-03-09 08:00:00"):
                complaints = self.Complaint._import_complaints(
                    [
                        {
                            "subject": f"Late {i}",
                            "partner_id": self.person_about.id,
                            "channel_id": self.channel_phone.id,
                            "team_id": self.team_a.id,
                            "received_date": datetime(2026, 3, 9, 8, 0),
                        }
                        for i in range(count)
                    ]
                )
            self.flush_tracking()
            self.env.invalidate_all()
            seen = Counter()
            execute = Cursor.execute

            def spy(cr, query, params=None, log_exceptions=True):
                code = query.code if isinstance(query, SQL) else query
                seen[code.split(None, 1)[0].upper()] += 1
                return execute(cr, query, params, log_exceptions)

            with freeze_time("2026-03-09 17:05:00"), patch.object(Cursor, "execute", spy):
                self.assertEqual(self.Complaint._cron_sla_sweep(), count)
                self.flush_tracking()
            reached = complaints.sla_event_ids.filtered(lambda e: e.kind == "escalation").recipient_ids
            self.assertIn(self.manager, reached)
            complaints._sla_write({"sla_next_check": False})
            return seen

        statements(3)  # warm-up
        small, large = statements(5), statements(60)
        for kind in {kind for kind in small | large if kind not in ("INSERT", "UPDATE")}:
            self.assertEqual(small[kind], large[kind], f"{kind}: 5 due {small}, 60 due {large}")


@tagged("post_install", "-at_install")
class TestLadderWarning(EscalationCase):
    """The policy form warns of a ladder that reaches nobody new at some level."""

    def test_the_default_ladder_without_escalation_manager_is_flagged(self):
        self.company.complaint_escalation_user_id = False
        self.policy.invalidate_recordset(["escalation_warning"])
        self.assertIn(": 2.", self.policy.escalation_warning)
        self.company.complaint_escalation_user_id = self.manager
        self.policy.invalidate_recordset(["escalation_warning"])
        self.assertFalse(self.policy.escalation_warning)

    def test_the_form_shows_the_warning_as_the_ladder_is_edited(self):
        self.company.complaint_escalation_user_id = self.manager
        policy = self.env["iso10002.sla.policy"].with_user(self.manager)
        with Form(policy) as form:
            form.name = "Key accounts"
            form.severity = "critical"
            with form.escalation_ids.new() as rule:
                rule.level, rule.notify = 1, "team_leader"
            self.assertFalse(form.escalation_warning)
            with form.escalation_ids.new() as rule:
                rule.level, rule.notify, rule.delay_hours = 2, "owner", 4
            self.assertIn(": 2.", form.escalation_warning, "the owner again: nobody new")
            with form.escalation_ids.edit(1) as rule:
                rule.notify = "users"
                rule.user_ids.add(self.representative)
            self.assertFalse(form.escalation_warning)
            with form.escalation_ids.new() as rule:
                rule.level, rule.notify, rule.delay_hours = 3, "users", 8
                rule.user_ids.add(self.representative)
            self.assertIn(": 3.", form.escalation_warning, "the same named users again")
        arch = policy.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('invisible="not escalation_warning"', arch)


@tagged("post_install", "-at_install")
class TestEscalationRecipients(ComplaintsCase):
    def test_10_escalation_not_to_the_person_complained_about(self):
        """4.7, Annex D: a complaint about the team leader, owned by another officer: the
        escalation does not go to the leader it is about."""
        self.company.complaint_sla_enabled = True
        self.team_a.member_ids = [(4, self.officer_b.id)]
        complaint = self._complaint(person_complained_about_id=self.officer_a.partner_id.id)
        self.assertEqual(complaint.user_id, self.officer_b)
        self.assertTrue(complaint.sla_policy_id)
        ladder = complaint._sla_escalation_ladders({complaint: 1})[complaint]
        self.assertNotIn(self.officer_a, ladder[0][0], "escalated to the person complained about")

    # ------------------------------------------------------------- item 5
    def test_16_ladder_adding_nobody_warns(self):
        policy = self.env["iso10002.sla.policy"].create(
            {
                "name": "Flat ladder",
                "company_id": self.company.id,
                "escalation_ids": [
                    (0, 0, {"level": 1, "notify": "team_leader"}),
                    (0, 0, {"level": 2, "delay_hours": 8, "notify": "users", "user_ids": [(6, 0, self.officer_a.ids)]}),
                    (
                        0,
                        0,
                        {"level": 3, "delay_hours": 16, "notify": "users", "user_ids": [(6, 0, self.officer_a.ids)]},
                    ),
                ],
            }
        )
        self.assertTrue(policy.escalation_warning)
        self.assertIn("3", policy.escalation_warning)
