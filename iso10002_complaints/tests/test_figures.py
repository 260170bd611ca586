"""One truth per figure: the catalogue of figures (``iso10002.figure``) against an
oracle written here, apart from the product, from the step history in plain SQL; over
2,000 seeded complaints of two companies and several teams, in a past period, a running
one and one that ends in the future, as several roles; and the same numbers on every
screen that shows them."""

import base64
import io
import itertools
import random
import statistics
from datetime import date, datetime, time, timedelta

import jdatetime
import openpyxl
from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.modules.migration import load_script
from odoo.tests import tagged

from odoo.addons.iso10002_complaints.models.iso10002_figure import CATALOGUE
from odoo.addons.iso10002_complaints.models.iso10002_objective import METRICS as OBJECTIVE_METRICS

from .common import ComplaintsCase

SEED = 20261206
IMPORTED = 1900
LIVE = 160
STEPS = ["received", "acknowledged", "assessment", "investigation", "response", "communicated", "closed"]
UNDECIDED = set(STEPS[:5])
OPEN = set(STEPS[:6])
DATE_FIELDS = {
    "acknowledged": "acknowledged_date",
    "assessment": "assessment_date",
    "investigation": "investigation_date",
    "response": "decision_date",
    "communicated": "communication_date",
    "closed": "closed_date",
}


ACKNOWLEDGED = {"acknowledged", "assessment", "investigation", "response", "communicated"}


def missed(rows, taken, still_to_take, deadline):
    """Whether a deadline passed while its step was still to take and the clock ran:
    between two rows up to the one where the step was ``taken`` (or the last)."""
    last = rows.index(taken) if taken is not None else len(rows) - 1
    for before, after in itertools.pairwise(rows[: last + 1]):
        if still_to_take(before) and not before["paused"] and before[deadline] and before[deadline] < after["date"]:
            return True
    return False


def oracle_figures(cr, readable, readable_actions, start, end, teams=None):
    """Every figure of the period [start, end] (``end``: the moment it is counted as of),
    computed from the raw rows of the step history (the steps, their moments and the
    deadlines as they stood), the SLA events and the corrective actions, in plain Python:
    the definitions as a manager reads them."""
    cr.execute(
        """SELECT id, complaint_id, date, step, team_id, paused, ack_deadline, resolution_deadline,
                  at_risk_date, response, rating, satisfaction_asked, decision_hours, decision_under_policy,
                  complainant_key
             FROM iso10002_complaint_step_history WHERE date <= %s ORDER BY complaint_id, date, id""",
        [end],
    )
    history = {}
    for row in cr.dictfetchall():
        if row["complaint_id"] in readable:
            history.setdefault(row["complaint_id"], []).append(row)
    cr.execute(
        "SELECT DISTINCT complaint_id FROM iso10002_sla_event WHERE kind = 'escalation' AND date BETWEEN %s AND %s",
        [start, end],
    )
    escalated = {row[0] for row in cr.fetchall()}
    facts = {}
    for cid, rows in history.items():
        state = rows[-1]
        if teams and state["team_id"] not in teams:
            continue
        ack = next((r for r in rows if r["step"] in ACKNOWLEDGED), None)
        decision = next((r for r in rows if r["step"] == "communicated"), None)
        facts[cid] = {
            "state": state,
            "cohort": start <= rows[0]["date"] <= end,
            "ack": ack,
            "ack_missed": missed(rows, ack, lambda r: r["step"] == "received", "ack_deadline"),
            "decision": decision,
            "decision_missed": missed(rows, decision, lambda r: r["step"] in UNDECIDED, "resolution_deadline"),
            "closed": any(
                r["step"] == "closed" and rows[i - 1]["step"] != "closed" and r["date"] >= start
                for i, r in enumerate(rows)
                if i
            ),
            "escalated": cid in escalated,
        }
    figures = {}

    def share(numerator, denominator):
        return round(100.0 * numerator / denominator, 1) if denominator else None

    def overdue(state):
        return (
            state["step"] in UNDECIDED
            and not state["paused"]
            and state["resolution_deadline"] is not None
            and state["resolution_deadline"] < end
        )

    cohort = {cid: f for cid, f in facts.items() if f["cohort"]}
    figures["received"] = len(cohort)
    figures["closed"] = sum(f["closed"] for f in facts.values())
    figures["open_end"] = sum(f["state"]["step"] in OPEN for f in facts.values())
    figures["to_acknowledge_end"] = sum(f["state"]["step"] == "received" for f in facts.values())
    at_risk = 0
    for f in facts.values():
        s = f["state"]
        running = s["ack_deadline"] if s["step"] == "received" else s["resolution_deadline"]
        if (
            s["step"] in UNDECIDED
            and not s["paused"]
            and s["at_risk_date"]
            and s["at_risk_date"] <= end
            and running
            and running >= end
        ):
            at_risk += 1
    figures["at_risk_end"] = at_risk
    figures["overdue_end"] = sum(overdue(f["state"]) for f in facts.values())
    figures["ack_overdue_end"] = sum(
        f["state"]["step"] == "received"
        and not f["state"]["paused"]
        and f["state"]["ack_deadline"] is not None
        and f["state"]["ack_deadline"] < end
        for f in facts.values()
    )
    acked = [f for f in cohort.values() if f["ack"] and f["ack"]["ack_deadline"]]
    unacked_late = [
        f
        for f in cohort.values()
        if not f["ack"]
        and (
            f["ack_missed"]
            or (
                f["state"]["step"] == "received"
                and not f["state"]["paused"]
                and f["state"]["ack_deadline"]
                and f["state"]["ack_deadline"] < end
            )
        )
    ]
    figures["ack_in_time"] = share(
        sum(f["ack"]["date"] <= f["ack"]["ack_deadline"] and not f["ack_missed"] for f in acked),
        len(acked) + len(unacked_late),
    )
    decided = [f for f in cohort.values() if f["decision"] and f["decision"]["resolution_deadline"]]
    undecided_late = [f for f in cohort.values() if not f["decision"] and (f["decision_missed"] or overdue(f["state"]))]
    figures["decided_in_time"] = share(
        sum(
            f["decision"]["date"] <= f["decision"]["resolution_deadline"] and not f["decision_missed"] for f in decided
        ),
        len(decided) + len(undecided_late),
    )
    hours = [
        f["decision"]["decision_hours"]
        for f in cohort.values()
        if f["decision"] and f["decision"]["decision_under_policy"]
    ]
    figures["decision_hours_median"] = round(statistics.median(hours), 1) if hours else None
    rated = [f for f in cohort.values() if (f["state"]["rating"] or 0) > 0]
    figures["satisfaction"] = share(sum(f["state"]["rating"] >= 4 for f in rated), len(rated))
    # asked by any means (a rating request e-mailed, an answer or a refusal recorded by the
    # owner), among the complaints closed in the period; answered: rated
    asked = [f for f in facts.values() if f["closed"] and f["state"]["satisfaction_asked"]]
    figures["satisfaction_response_rate"] = share(sum((f["state"]["rating"] or 0) > 0 for f in asked), len(asked))
    for answer in ("accepted", "rejected", "no_reply"):
        figures[f"answers_{answer}"] = sum(f["state"]["response"] == answer for f in cohort.values())
    keyed = [f for f in cohort.values() if f["state"]["complainant_key"]]
    per_key = {}
    for f in keyed:
        per_key[f["state"]["complainant_key"]] = per_key.get(f["state"]["complainant_key"], 0) + 1
    figures["repeat_rate"] = share(sum(per_key[f["state"]["complainant_key"]] > 1 for f in keyed), len(keyed))
    figures["escalations"] = sum(f["escalated"] for f in facts.values())
    cr.execute(
        "SELECT id, create_date, done_date, cancelled_date, effectiveness, verified_date "
        "FROM iso10002_corrective_action"
    )
    actions = [row for row in cr.dictfetchall() if row["id"] in readable_actions]
    end_day, start_day = end.date(), start.date()
    figures["actions_open_end"] = sum(
        a["create_date"] <= end
        and (not a["done_date"] or a["done_date"] > end_day)
        and (not a["cancelled_date"] or a["cancelled_date"] > end_day)
        for a in actions
    )
    figures["actions_done"] = sum(bool(a["done_date"]) and start_day <= a["done_date"] <= end_day for a in actions)
    figures["actions_effective"] = sum(
        a["effectiveness"] == "effective" and start_day <= a["verified_date"] <= end_day for a in actions
    )
    return figures


@tagged("post_install", "-at_install", "figures", "seeded")
class TestOneTruthPerFigure(ComplaintsCase):
    """2,000 seeded complaints with their history: every figure of the catalogue equals
    the oracle's, for every period and role, before and after what happens later."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rng = random.Random(SEED)
        cls.now = fields.Datetime.now().replace(microsecond=0)
        today = cls.now.date()
        quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        cls.periods = {
            "past": (quarter - relativedelta(months=3), quarter - timedelta(days=1)),
            "running": (quarter, today),
            "future": (today - timedelta(days=30), today + timedelta(days=60)),
        }
        cls.origin = datetime.combine(cls.periods["past"][0] - timedelta(days=20), time(8))
        for company in cls.company | cls.company_b:
            company.complaint_sla_enabled = True
        cls.team_d = cls.env["iso10002.complaint.team"].create(
            {"name": "Team D", "member_ids": [(6, 0, cls.officer_b.ids)]}
        )
        cls.pause_stage = cls.env["iso10002.complaint.stage"].create(
            {"name": "Waiting for the complainant", "step": "investigation", "pauses_sla": True, "sequence": 41}
        )
        cls.teams = cls.team_a | cls.team_b | cls.team_d | cls.team_other_company
        entities = cls.env["res.partner"].create(
            [{"name": f"Entity {i}", "is_company": True, "email": f"entity{i}@example.com"} for i in range(60)]
        )
        cls.partners = cls.env["res.partner"].create(
            [
                {
                    "name": f"Person {i}",
                    "email": f"person{i}@example.com" if i % 4 else False,
                    "parent_id": entities[i % 60].id if i % 3 else False,
                }
                for i in range(400)
            ]
        )
        cls._import_history()
        cls._live_history()
        cls._corrective_actions()

    # ------------------------------------------------------------ generator
    @classmethod
    def _moment(cls, after, hours):
        return min(after + timedelta(hours=hours), cls.now - timedelta(minutes=5))

    @classmethod
    def _import_history(cls):
        """Complaints imported with their process dates (the history of their dates)."""
        rng = cls.rng
        Stage = cls.env["iso10002.complaint.stage"]
        span = (cls.now - cls.origin).total_seconds()
        vals_list = []
        for index in range(IMPORTED):
            team = rng.choice(cls.teams)
            received = cls.origin + timedelta(seconds=rng.uniform(0, span - 3600))
            last = rng.choice([*STEPS, "withdrawn", "out_of_scope"])
            vals = {
                "subject": f"Seeded complaint {index}",
                "partner_id": rng.choice(cls.partners).id,
                "team_id": team.id,
                "company_id": team.company_id.id,
                "channel_id": cls.channel_phone.id,
                "received_date": received,
            }
            moment = received
            reached = STEPS[: STEPS.index(last) + 1] if last in STEPS else STEPS[: rng.randint(1, 3)]
            for step in reached[1:]:
                moment = cls._moment(moment, rng.choice([1, 4, 10, 30, 70, 150]))
                vals[DATE_FIELDS[step]] = moment
            if "acknowledged" in reached:
                vals["acknowledgement_channel"] = "phone"
            if "communicated" in reached:
                vals["communication_channel"] = "phone"
                if rng.random() < 0.8:
                    vals["complainant_response"] = rng.choice(["accepted", "rejected", "no_reply"])
                    vals["complainant_response_date"] = cls._moment(moment, 2)
            if last == "closed":
                vals["closure_reason"] = {"rejected": "rejected", "no_reply": "no_reply"}.get(
                    vals.get("complainant_response"), "resolved"
                )
                vals.setdefault("complainant_response", "accepted")
            elif last in ("withdrawn", "out_of_scope"):
                if last == "withdrawn":
                    vals["withdrawal_reason"] = "No longer needed"
            stage = Stage.search([("step", "=", last), "|", ("team_ids", "=", False), ("team_ids", "in", team.ids)])
            vals["stage_id"] = stage[:1].id
            vals_list.append(vals)
        cls.imported = cls.env["iso10002.complaint"]._import_complaints(vals_list)
        # ratings given when they were
        closed = cls.imported.filtered(lambda c: c.step == "closed")
        for complaint in closed[: len(closed) * 2 // 3]:
            with freeze_time(cls._moment(complaint.closed_date, rng.choice([1, 20, 200]))):
                complaint.sudo()._rating_get_access_token()
                rating = complaint.sudo().rating_ids[:1]
                rating.sudo().write({"rating": rng.choice([1, 3, 5]), "consumed": True})

    @classmethod
    def _live_history(cls):
        """Complaints handled through the process, each step at its own moment (frozen
        time): reopenings, pauses, withdrawals."""
        rng = cls.rng
        span = (cls.now - cls.origin).total_seconds()
        cls.live = cls.env["iso10002.complaint"]
        for index in range(LIVE):
            team = rng.choice(cls.team_a | cls.team_b | cls.team_other_company)
            moment = cls.origin + timedelta(seconds=rng.uniform(0, span - 20 * 3600))
            with freeze_time(moment):
                complaint = cls.env["iso10002.complaint"].create(
                    {
                        "subject": f"Live complaint {index}",
                        "partner_id": rng.choice(cls.partners).id,
                        "team_id": team.id,
                        "company_id": team.company_id.id,
                        "channel_id": cls.channel_phone.id,
                        "received_date": moment - timedelta(hours=rng.choice([0, 0, 0, 30])),
                    }
                )
            cls.live |= complaint
            plan = rng.choice(["ack", "pause", "pause_resume", "decide", "close", "reopen", "withdraw", "none"])
            for action in cls._plan(plan):
                moment = cls._moment(moment, rng.choice([2, 9, 40, 90]))
                if moment >= cls.now - timedelta(minutes=6):
                    break
                with freeze_time(moment):
                    cls._act(complaint, action)

    @classmethod
    def _plan(cls, plan):
        return {
            "ack": ["acknowledge"],
            "pause": ["acknowledge", "assess", "pause"],
            "pause_resume": ["acknowledge", "assess", "pause", "resume"],
            "decide": ["acknowledge", "assess", "investigate", "respond", "communicate"],
            "close": [
                "acknowledge",
                "assess",
                "investigate",
                "pause",
                "resume",
                "respond",
                "communicate",
                "close",
                "answer",
            ],
            "reopen": [
                "acknowledge",
                "assess",
                "respond",
                "communicate",
                "close",
                "answer",
                "reopen",
                "respond",
                "communicate",
            ],
            "withdraw": ["acknowledge", "withdraw"],
            "none": [],
        }[plan]

    @classmethod
    def _act(cls, complaint, action):
        if action == "acknowledge":
            if complaint.step == "received":  # else acknowledged by e-mail on receipt
                complaint.acknowledgement_channel = "phone"
                complaint.action_acknowledge()
        elif action == "assess":
            complaint.write({"severity": "high", "category_id": cls.category.id})
            complaint.action_assess()
        elif action == "investigate":
            complaint.investigator_id = cls._investigator(complaint)
            complaint.action_investigate()
        elif action == "pause":
            if complaint.step == "assessment":
                complaint.investigator_id = cls._investigator(complaint)
            complaint.stage_id = cls.pause_stage
        elif action == "resume":
            complaint.stage_id = cls.env.ref("iso10002_complaints.stage_investigation")
        elif action == "respond":
            complaint.write({"remedy": "apology", "root_cause_id": cls.root_cause.id})
            complaint.action_respond()
        elif action == "communicate":
            complaint.write({"response_text": "<p>We are sorry.</p>", "communication_channel": "phone"})
            complaint.action_communicate()
        elif action == "close":
            complaint.complainant_response = cls.rng.choice(["accepted", "no_reply"])
            complaint.contact_preference = cls.rng.choice([False, "email", "phone", "letter"])
            complaint.action_close()
        elif action == "answer":
            cls._answer(complaint)
        elif action == "reopen":
            complaint.action_reopen()
        elif action == "withdraw":
            complaint.withdrawal_reason = "Solved by the complainant"
            complaint.action_withdraw()

    @classmethod
    def _answer(cls, complaint):
        """The complainant answers the satisfaction asked: by the e-mailed link, or to the
        owner by phone, letter or in person (recorded with the wizard); or never."""
        rng = cls.rng
        choice = rng.choice(["5", "3", "1", "declined", None])
        pending = complaint.sudo().rating_ids.filtered(lambda r: not r.consumed)
        if choice is None:
            return
        if pending:
            if choice != "declined":
                complaint.sudo().rating_apply(int(choice), token=pending[:1].access_token)
            return
        # a handler of its team records the answer, when the owner was given the task to ask
        task = cls.env.ref("iso10002_complaints.mail_activity_type_satisfaction")
        if not complaint.sudo().activity_ids.filtered(lambda a: a.activity_type_id == task):
            return
        handler = complaint.team_id.member_ids[:1]
        companies = {"allowed_company_ids": complaint.company_id.ids}  # the company they work in
        cls.env["iso10002.satisfaction.wizard"].with_user(handler).with_context(**companies).create(
            {"complaint_id": complaint.id, "means": rng.choice(["phone", "letter", "in_person"]), "answer": choice}
        ).action_record()

    @classmethod
    def _investigator(cls, complaint):
        return cls.officer_other_company if complaint.company_id == cls.company_b else cls.officer_a

    @classmethod
    def _corrective_actions(cls):
        rng = cls.rng
        Action = cls.env["iso10002.corrective.action"]
        span = (cls.now - cls.origin).total_seconds()
        cls.actions = Action
        for index in range(40):
            moment = cls.origin + timedelta(seconds=rng.uniform(0, span - 10 * 86400))
            company = rng.choice(cls.company | cls.company_b)
            with freeze_time(moment):
                action = Action.create(
                    {"name": f"Action {index}", "company_id": company.id, "user_id": cls.officer_a.id}
                )
            cls.actions |= action
            fate = rng.choice(["open", "done", "verified", "cancelled"])
            if fate == "open":
                continue
            moment += timedelta(days=rng.randint(1, 40))
            if moment >= cls.now:
                continue
            with freeze_time(moment):
                if fate == "cancelled":
                    action.action_cancel()
                    continue
                action.verifier_id = cls.manager if company == cls.company else cls.officer_other_company
                action.action_done()
            if fate == "verified":
                moment += timedelta(days=rng.randint(1, 20))
                if moment < cls.now:
                    with freeze_time(moment):
                        action.effectiveness_note = "No repeat in a month"
                        action.with_user(action.verifier_id).action_verify_effective()

    # -------------------------------------------------------------- oracle
    def _oracle(self, user, period, teams=None):
        env = self.env(user=user)
        readable = set(env["iso10002.complaint"].with_context(active_test=False).search([]).ids)
        actions = set(env["iso10002.corrective.action"].with_context(active_test=False).search([]).ids)
        start, end = self._bounds(period)
        self.env.flush_all()
        return oracle_figures(self.env.cr, readable, actions, start, end, teams.ids if teams else None)

    def _bounds(self, period):
        date_from, date_to = self.periods[period]
        end = min(datetime.combine(date_to, time(23, 59, 59)), fields.Datetime.now().replace(microsecond=0))
        return datetime.combine(date_from, time.min), end

    def _values(self, user, period, teams=None):
        Figure = self.env(user=user)["iso10002.figure"]
        return Figure._values(list(CATALOGUE), *self.periods[period], teams=teams)

    def assertFiguresEqualOracle(self, user, period, teams=None):
        expected = self._oracle(user, period, teams)
        self.assertEqual(self._values(user, period, teams), expected, f"{period} as {user.login}")
        return expected

    # --------------------------------------------------------------- tests
    def test_every_figure_equals_the_oracle_for_every_period_and_role(self):
        with freeze_time(self.now + timedelta(minutes=1)):
            seen = {}
            for user in (self.manager, self.auditor, self.officer_a, self.officer_other_company):
                for period in self.periods:
                    seen[user.login, period] = self.assertFiguresEqualOracle(user, period)
            self.assertFiguresEqualOracle(self.manager, "past", teams=self.team_b | self.team_d)
        # the seeded data reaches every figure: no definition is proved on zeros alone
        for code in seen["cmp_manager", "past"]:
            self.assertTrue(
                any(seen[key][code] for key in seen), f"{code} is never other than zero or empty in the seeded data"
            )
        self.assertGreaterEqual(len(self.imported | self.live), 2000)
        # each complaint handled forward in time (the live ones: the imported ones are rated
        # at moments before rows added at the import) has a last row that says what its
        # ratings say: asked (a rating row, by any means), and its latest rating given
        self.env.flush_all()
        # (asked since the last reopening: what was asked before answered the earlier closing)
        self.env.cr.execute(
            """SELECT c.id, COALESCE(h.satisfaction_asked, FALSE), h.rating,
                      EXISTS (SELECT 1 FROM rating_rating r WHERE r.res_model = 'iso10002.complaint'
                               AND r.res_id = c.id
                               AND COALESCE(r.satisfaction_asked_date, r.create_date)
                                   >= COALESCE(c.reopened_date, '-infinity')),
                      COALESCE((SELECT r.rating FROM rating_rating r WHERE r.res_model = 'iso10002.complaint'
                                   AND r.res_id = c.id AND r.consumed AND r.rating > 0
                                   AND COALESCE(r.satisfaction_asked_date, r.create_date)
                                       >= COALESCE(c.reopened_date, '-infinity')
                              ORDER BY r.write_date DESC, r.id DESC LIMIT 1), 0)
                 FROM iso10002_complaint c JOIN iso10002_complaint_step_history h ON h.id = c.step_history_id
                WHERE c.id IN %s""",
            [tuple(self.live.ids)],
        )
        rows = self.env.cr.fetchall()
        self.assertTrue(any(row[3] for row in rows) and any(row[4] for row in rows), "the live ones are asked, rated")
        differ = [row for row in rows if row[1:3] != row[3:5]]
        self.assertFalse(differ[:5], f"{len(differ)} complaints' last rows differ from their ratings")
        self.env.cr.execute(
            "SELECT satisfaction_means, satisfaction_declined, count(*) FROM rating_rating "
            "WHERE res_model = 'iso10002.complaint' AND satisfaction_recorded_by_id IS NOT NULL "
            "GROUP BY 1, 2"
        )
        recorded = {(means, declined) for means, declined, _count in self.env.cr.fetchall()}
        self.assertTrue({means for means, _d in recorded} >= {"phone", "letter"}, "answers recorded by phone, letter")
        self.assertIn(True, {declined for _m, declined in recorded}, "a refusal to answer recorded")
        # the day a complaint is counted in, kept on it for the breakdowns, is its first row's
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT count(*) FROM iso10002_complaint c
                 LEFT JOIN iso10002_complaint_step_history h ON h.complaint_id = c.id AND h.first
                WHERE c.recorded_date IS DISTINCT FROM h.date"""
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_a_closed_periods_figures_never_change_afterwards(self):
        with freeze_time(self.now + timedelta(minutes=1)):
            before = {user: self._values(user, "past") for user in (self.manager, self.auditor)}
        start, end = self._bounds("past")
        in_past = (self.imported | self.live).filtered(lambda c: c.step_history_ids.sorted("date")[:1].date <= end)
        rng = random.Random(SEED + 1)
        with freeze_time(self.now + timedelta(minutes=2)):
            closed = in_past.filtered(lambda c: c.step == "closed" and c.company_id == self.company)
            # reopened, anonymised, moved to another team, under a changed policy
            closed[:15].action_reopen()
            closed[15:30].with_user(self.manager).action_anonymise()
            moved = in_past.filtered(lambda c: c.is_open and c.team_id == self.team_a)[:20]
            moved.write({"team_id": self.team_b.id})
            policy = self.env.ref("iso10002_complaints.sla_policy_default")
            policy.write({"resolution_target_hours": 20, "ack_target_hours": 1})
            self.env["iso10002.sla.policy"].create(
                {
                    "name": "Team D",
                    "company_id": self.company.id,
                    "team_ids": [(6, 0, self.team_d.ids)],
                    "ack_target_hours": 2,
                    "resolution_target_hours": 16,
                }
            )
            in_past.filtered(lambda c: c.is_open and c.team_id == self.team_b)[:10].write({"team_id": self.team_d.id})
            # recorded late: received in the past period, recorded now
            for index in range(12):
                self._complaint(
                    subject=f"Recorded late {index}",
                    received_date=start + timedelta(days=rng.randint(0, 80)),
                    team_id=rng.choice(self.team_a | self.team_b).id,
                )
            self.env["iso10002.complaint"]._cron_sla_sweep()
            for user, values in before.items():
                self.assertEqual(self._values(user, "past"), values, f"past as {user.login} after later changes")
                self.assertEqual(self._oracle(user, "past"), values)

    def test_every_screen_shows_the_catalogues_number(self):
        """The review (values, screen, PDF's HTML), the objectives and their links, the
        digest, the process audit, the register's KPI sheet, and the Overview with its
        links: the same number as ``_values``, as the manager, the auditor and an officer
        who sees only their team."""
        codes = list(CATALOGUE)
        date_from, date_to = self.periods["past"]
        start, end = self._bounds("past")
        objectives = self.env["iso10002.objective"].create(
            [
                {
                    "metric": code,
                    "target": 1,
                    "date_from": date_from,
                    "date_to": date_to,
                    "company_id": self.company.id,
                    "company_ids": [(6, 0, self.company.ids)],
                }
                for code, _name in OBJECTIVE_METRICS
            ]
        )
        digest = self.env["digest.digest"].create(
            {
                "name": "Weekly",
                "kpi_iso10002_complaints_received": True,
                "kpi_iso10002_complaints_closed": True,
                "kpi_iso10002_complaints_overdue": True,
            }
        )
        with freeze_time(self.now + timedelta(minutes=1)):
            for user in (self.manager, self.auditor, self.officer_a):
                env = self.env(user=user)
                values = env["iso10002.figure"]._values(codes, date_from, date_to)
                measures = env["iso10002.figure"]._measures(codes, date_from, date_to)
                self.assertEqual(values, self._oracle(user, "past"))
                # the management review, on screen and printed
                if user != self.officer_a:
                    wizard = env["iso10002.management.review.wizard"].create(
                        {"date_from": date_from, "date_to": date_to}
                    )
                    review = wizard._review_values()
                    self.assertEqual({f["code"]: f["value"] for f in review["figures"]}, values, user.login)
                    self.assertEqual(review["received"], values["received"])
                    self.assertEqual(sum(month["value"] for month in review["trend"]), values["received"])
                    self.assertEqual(sum(item["value"] for item in review["by_team"]), values["received"])
                    self.assertEqual(review["satisfaction"]["satisfied_pct"], values["satisfaction"])
                    self.assertEqual(review["satisfaction"]["response_pct"], values["satisfaction_response_rate"])
                    self.assertEqual(review["decisions"]["rejected"], values["answers_rejected"])
                    self.assertEqual(review["escalations"], values["escalations"])
                    self.assertEqual(review["corrective_actions"]["open_at_end"], values["actions_open_end"])
                    if user == self.manager:
                        saved = env["iso10002.management.review"].browse(wizard.action_save_review()["res_id"])
                    saved = saved.with_user(user)
                    self.assertEqual({f["code"]: f["value"] for f in saved._review_values()["figures"]}, values)
                    html = saved.figures_html
                    for figure in review["figures"]:
                        self.assertIn(f'data-code="{figure["code"]}"', html)
                        self.assertIn(figure["definition"].replace("'", "&#39;"), html)
                    # the process audit of every complaint of the period
                    audit = env["iso10002.process.audit.wizard"].create(
                        {"date_from": date_from, "date_to": date_to, "sample_mode": "all"}
                    )
                    checks = {check["key"]: check for check in audit._audit_values()["checks"]}
                    for key, code in (("acknowledged", "ack_in_time"), ("decided_in_time", "decided_in_time")):
                        self.assertEqual(checks[key]["pct"], values[code], key)
                        self.assertEqual(checks[key]["applicable"], measures[code]["denominator"], key)
                    shown = {figure["code"]: figure["value"] for figure in audit._audit_values()["satisfaction"]}
                    self.assertEqual(shown["satisfaction_response_rate"], values["satisfaction_response_rate"])
                    self.assertEqual(shown["satisfaction"], values["satisfaction"])
                    # the register's KPI sheet, asked for from the review
                    book = self._workbook(wizard.action_export_register())
                    kpis = {row[0].value: row[1].value for row in book.worksheets[1].iter_rows(min_row=2)}
                    for figure in env["iso10002.figure"]._catalogue():
                        self.assertEqual(kpis.get(figure["name"]), values[figure["code"]], figure["code"])
                # the objectives, their dashboard's numbers, and what their links open
                for objective in objectives.with_user(user):
                    value = values[objective.metric]
                    self.assertEqual(objective.actual, value or 0.0, objective.metric)
                    self.assertEqual(objective.status, "no_data" if value is None else objective.status)
                    opened = objective.action_open_complaints()
                    count = env[opened["res_model"]].with_context(active_test=False).search_count(opened["domain"])
                    expected = (
                        measures[objective.metric]["denominator"] or 0
                        if measures[objective.metric]["numerator"] is not None
                        else (value or 0)
                    )
                    if objective.metric != "decision_hours_median":
                        self.assertEqual(count, expected, objective.metric)
                # the digest of the same period (its moments: the days' bounds)
                period = {"start_datetime": start, "end_datetime": end + timedelta(seconds=1)}
                digest.invalidate_model()
                read = digest.with_user(user).with_context(**period)
                self.assertEqual(read.kpi_iso10002_complaints_received_value, values["received"])
                self.assertEqual(read.kpi_iso10002_complaints_closed_value, values["closed"])
                self.assertEqual(read.kpi_iso10002_complaints_overdue_value, values["overdue_end"])
                # the Overview: today's backlog per team, and what each button opens
                now = env["iso10002.figure"]._now()
                for team in self.teams.filtered(lambda t: t.company_id == self.company).with_user(user):
                    now_values = env["iso10002.figure"]._values(
                        ["open_end", "to_acknowledge_end", "at_risk_end", "overdue_end"], *now, teams=team
                    )
                    shown = {
                        "open_end": team.open_complaint_count,
                        "to_acknowledge_end": team.to_acknowledge_count,
                        "at_risk_end": team.at_risk_count,
                        "overdue_end": team.overdue_count,
                    }
                    self.assertEqual(shown, now_values, f"{team.name} as {user.login}")
                    for code, count in shown.items():
                        action = team.with_context(backlog_figure=code).action_open_backlog()
                        found = env["iso10002.complaint"].with_context(active_test=False).search_count(action["domain"])
                        self.assertEqual(found, count, f"{team.name}: {code}")

    def _workbook(self, action):
        download = self.env["iso10002.register.download"].browse(int(action["url"].split("/")[3]))
        return openpyxl.load_workbook(io.BytesIO(base64.b64decode(download.data)))

    def test_a_persian_readers_trend_follows_solar_hijri_months(self):
        """The review's months are the reader's: Gregorian, or Solar Hijri for a Persian
        reader, each counting the complaints recorded in it (the first rows of the history)."""
        date_from, date_to = self.periods["past"]
        start, end = self._bounds("past")
        wizard = self.env["iso10002.management.review.wizard"].create({"date_from": date_from, "date_to": date_to})
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT h.date FROM iso10002_complaint_step_history h JOIN iso10002_complaint c ON c.id = h.complaint_id
                WHERE h.first AND h.date BETWEEN %s AND %s AND c.company_id IN %s""",
            [start, end, tuple(wizard.company_ids.ids)],
        )
        recorded = [row[0].date() for row in self.env.cr.fetchall()]
        self.env["res.lang"]._activate_lang("fa_IR")
        for lang in ("en_US", "fa_IR"):
            trend = wizard.with_context(lang=lang)._monthly_trend(self.env["iso10002.complaint"])
            if lang == "fa_IR":

                def month(day):
                    solar = jdatetime.date.fromgregorian(date=day)
                    return solar.year, solar.month
            else:

                def month(day):
                    return day.year, day.month

            months = sorted({month(date_from + timedelta(days=n)) for n in range((date_to - date_from).days + 1)})
            self.assertEqual(len(trend), len(months), lang)
            for (year, number), bucket in zip(months, trend, strict=True):
                self.assertEqual(bucket["value"], sum(month(day) == (year, number) for day in recorded))
                if lang == "fa_IR":
                    self.assertIn(jdatetime.date.j_months_fa[number - 1], bucket["label"])
                    self.assertNotRegex(bucket["label"], "[0-9]", "Persian digits")
                else:
                    self.assertEqual(bucket["label"], f"{year}-{number:02d}")
            self.assertEqual(sum(bucket["value"] for bucket in trend), len(recorded))


@tagged("post_install", "-at_install", "figures")
class TestHistoryOfAnUpgradedDatabase(ComplaintsCase):
    """A database of 18.0.1.4.0 has complaints and no step history: the upgrade builds it
    from the tracking of their stage (else from their process dates), and a period's
    figures are what they were."""

    def test_the_upgrade_rebuilds_the_history_from_the_stage_tracking(self):
        Complaint = self.env["iso10002.complaint"]
        with freeze_time("2026-03-02 08:00:00"):
            walked = self._complaint(partner_id=self.person_about.id, received_date=datetime(2026, 3, 2, 8))
            self.flush_tracking()
        for step, moment in (
            ("acknowledged", "2026-03-02 09:00:00"),
            ("assessment", "2026-03-03 10:00:00"),
            ("investigation", "2026-03-04 11:00:00"),
            ("response", "2026-03-05 12:00:00"),
            ("communicated", "2026-03-06 13:00:00"),
            ("closed", "2026-03-09 14:00:00"),
        ):
            with freeze_time(moment):
                self._walk_to(walked, step)
        with freeze_time("2026-04-01 08:00:00"):
            walked.action_reopen()
            self.flush_tracking()
        # recorded by an import before the tracking existed: its process dates only
        imported = Complaint._import_complaints(
            [
                {
                    "subject": "Imported",
                    "partner_id": self.person_about.id,
                    "team_id": self.team_a.id,
                    "received_date": datetime(2026, 3, 10, 8),
                    "acknowledged_date": datetime(2026, 3, 10, 9),
                    "acknowledgement_channel": "phone",
                    "stage_id": self.env.ref("iso10002_complaints.stage_acknowledged").id,
                }
            ]
        )
        codes = ["received", "closed", "open_end", "to_acknowledge_end", "ack_in_time", "decided_in_time"]
        with freeze_time("2026-05-01 08:00:00"):
            before = self.env["iso10002.figure"]._values(codes, date(2026, 3, 1), date(2026, 3, 31))
            moves = walked.step_history_ids.filtered("moved").sorted(lambda r: (r.date, r.id))
            steps_before = [(row.date, row.step) for row in moves]
        self.env.flush_all()
        self.env.cr.execute("UPDATE iso10002_complaint SET step_history_id = NULL, recorded_date = NULL")
        self.env.cr.execute("DELETE FROM iso10002_complaint_step_history")
        self.env.invalidate_all()
        script = load_script("iso10002_complaints/migrations/18.0.1.5.0/post-migrate.py", "iso10002_post_migrate")
        script.migrate(self.env.cr, "18.0.1.4.0")
        self.env.invalidate_all()
        rebuilt = [(row.date, row.step) for row in walked.step_history_ids.sorted(lambda r: (r.date, r.id))]
        self.assertEqual(rebuilt, steps_before, "every step where its tracking put it, the reopening included")
        self.assertEqual(
            [(row.date, row.step) for row in imported.step_history_ids.sorted(lambda r: (r.date, r.id))],
            [(datetime(2026, 3, 10, 8), "received"), (datetime(2026, 3, 10, 9), "acknowledged")],
        )
        self.assertEqual(Complaint.search_count([("step_history_id", "=", False)]), 0, "every complaint")
        with freeze_time("2026-05-01 08:00:00"):
            self.assertEqual(self.env["iso10002.figure"]._values(codes, date(2026, 3, 1), date(2026, 3, 31)), before)


@tagged("post_install", "-at_install", "figures")
class TestWhatAFigureMustNotHide(ComplaintsCase):
    """The cases an ISO 10002 auditor and an attacker tried against the figures: each
    figure of a closed period keeps its value, and a missed deadline stays missed."""

    JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
    Q1 = (date(2026, 1, 1), date(2026, 3, 31))

    def _values(self, codes, period=None, user=None, complaints=None):
        """The figures of these complaints only (the demo data has others)."""
        Figure = self.env(user=user or self.manager)["iso10002.figure"]
        domain = [("id", "in", complaints.ids)] if complaints is not None else None
        return Figure._values(codes, *(period or self.JANUARY), domain=domain)

    def _silent(self, **values):
        """A complaint nobody could acknowledge by e-mail (no address): it waits in Received."""
        return self._complaint(partner_id=self.person_about.id, **values)

    def test_a_complaint_withdrawn_after_its_deadline_stays_late(self):
        with freeze_time("2026-01-05 08:00:00"):
            late = self._silent()
            on_time = self._silent()
        with freeze_time("2026-01-05 10:00:00"):
            self._walk_to(on_time, "acknowledged")
        with freeze_time("2026-01-20 09:00:00"):  # its deadlines passed, never acknowledged
            late.write({"out_of_scope_reason": late._fields["out_of_scope_reason"].get_values(self.env)[0]})
            late.action_out_of_scope()
        with freeze_time("2026-03-01 08:00:00"):
            values = self._values(["ack_in_time", "decided_in_time"], complaints=late | on_time)
        self.assertEqual(values["ack_in_time"], 50.0, "the one never acknowledged in time counts as late")

    def test_a_deadline_moved_after_it_was_missed_does_not_make_the_decision_timely(self):
        with freeze_time("2026-01-05 08:00:00"):
            complaint = self._silent()
            self._walk_to(complaint, "acknowledged")
        with freeze_time("2026-02-16 08:00:00"):  # long past its decision deadline
            slow = self.env["iso10002.sla.policy"].create(
                {
                    "name": "Slow",
                    "team_ids": [(6, 0, self.team_b.ids)],
                    "ack_target_hours": 8,
                    "resolution_target_hours": 600,
                }
            )
            complaint.team_id = self.team_b
            self.assertEqual(complaint.sla_policy_id, slow)
            self.assertGreater(complaint.resolution_deadline, datetime(2026, 2, 17))
        with freeze_time("2026-02-17 08:00:00"):
            self._walk_to(complaint, "communicated")
        with freeze_time("2026-04-01 08:00:00"):
            self.assertEqual(self._values(["decided_in_time"], self.Q1, complaints=complaint)["decided_in_time"], 0.0)

    def test_a_decision_after_a_pause_counts_its_working_hours(self):
        pausing = self.env["iso10002.complaint.stage"].create(
            {"name": "Waiting for documents", "step": "response", "pauses_sla": True, "sequence": 51}
        )
        with freeze_time("2026-01-05 08:00:00"):  # a Monday
            complaint = self._silent()
            self._walk_to(complaint, "investigation")
        with freeze_time("2026-01-06 09:00:00"):
            complaint.write({"remedy": "apology", "root_cause_id": self.root_cause.id})
            complaint.stage_id = pausing
        with freeze_time("2026-01-07 09:00:00"):
            complaint.write({"response_text": "<p>Answer</p>", "communication_channel": "phone"})
            complaint.action_communicate()
        self.assertGreater(complaint.resolution_hours, 0)
        with freeze_time("2026-02-01 08:00:00"):
            median = self._values(["decision_hours_median"], complaints=complaint)["decision_hours_median"]
        self.assertEqual(median, round(complaint.resolution_hours, 1), "the SLA's hours, never a zero")

    def test_without_an_sla_policy_no_hours_enter_the_median(self):
        self.company.complaint_sla_enabled = False
        with freeze_time("2026-01-05 08:00:00"):
            complaint = self._silent()
        with freeze_time("2026-01-09 08:00:00"):
            self._walk_to(complaint, "communicated")
        self.assertFalse(complaint.sla_policy_id)
        with freeze_time("2026-02-01 08:00:00"):
            values = self._values(["decision_hours_median", "decided_in_time"], complaints=complaint)
        self.assertIsNone(values["decision_hours_median"])
        self.assertIsNotNone(values["decided_in_time"], "in time by the company's default target")

    def test_a_complaint_is_deleted_only_on_the_day_it_was_recorded(self):
        with freeze_time("2026-01-10 09:00:00"):
            today = self._silent()
            yesterday = self._silent()
            today.with_user(self.manager).unlink()
        with freeze_time("2026-01-11 09:00:00"), self.assertRaises(UserError):
            yesterday.with_user(self.manager).unlink()
        with freeze_time("2026-02-01 08:00:00"):
            self.assertEqual(self._values(["received"], complaints=yesterday)["received"], 1)

    def test_a_team_or_category_that_handled_complaints_is_not_deleted(self):
        with freeze_time("2026-01-10 09:00:00"):
            self._silent(category_id=self.category.id)
        with freeze_time("2026-03-01 09:00:00"):
            with self.assertRaises(UserError):
                self.team_a.with_user(self.manager).unlink()
            with self.assertRaises(UserError):
                self.category.with_user(self.manager).unlink()
            team = self.env["iso10002.figure"].with_user(self.manager)._measures_by_team(["received"], *self.JANUARY)
        self.assertEqual(
            {team.id: measures["received"]["value"] for team, measures in team.items()}, {self.team_a.id: 1}
        )

    def test_a_recategorised_complaint_keeps_its_objective_of_the_month(self):
        other = self.env["iso10002.complaint.category"].create({"name": "Billing"})
        with freeze_time("2026-01-10 09:00:00"):
            self._silent(category_id=self.category.id)
        objective = self.env["iso10002.objective"].create(
            {
                "metric": "to_acknowledge_end",
                "target": 0,
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 1, 31),
                "category_ids": [(6, 0, self.category.ids)],
                "company_ids": [(6, 0, self.company.ids)],
            }
        )
        with freeze_time("2026-02-10 09:00:00"):
            self.assertEqual(objective.actual, 1.0)
            self.env["iso10002.complaint"].search([("category_id", "=", self.category.id)]).category_id = other
            objective.invalidate_recordset()
            self.assertEqual(objective.actual, 1.0, "categorised Delivery at the end of January")

    def test_the_review_counts_each_category_as_it_stood(self):
        other = self.env["iso10002.complaint.category"].create({"name": "Billing"})
        with freeze_time("2026-01-10 09:00:00"):
            first = self._silent(category_id=self.category.id)
            self._silent(category_id=other.id)
            self._silent()
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31), "team_ids": [(6, 0, self.team_a.ids)]}
        )
        with freeze_time("2026-02-10 09:00:00"):
            before = wizard._review_values()["by_category"]
            first.category_id = other
            after = wizard._review_values()["by_category"]
        self.assertEqual(before, after, "recategorised in February, counted as it stood in January")
        self.assertEqual(
            sorted((item["label"], item["value"]) for item in before), [("Billing", 1), ("Delivery", 1), ("None", 1)]
        )

    def test_a_category_an_objective_targets_is_not_deleted(self):
        """No complaint in it yet: the objective still counts it (nothing, never everything)."""
        targeted = self.env["iso10002.complaint.category"].create({"name": "Not yet used"})
        self.env["iso10002.objective"].create(
            {"metric": "open_end", "target": 0, "category_ids": [(6, 0, targeted.ids)]}
        )
        for context in ({}, {"_force_unlink": True}):
            with self.assertRaisesRegex(UserError, "Objective"):
                targeted.with_user(self.manager).with_context(**context).unlink()

    def test_a_held_review_keeps_its_period_and_figures(self):
        with freeze_time("2026-01-10 09:00:00"):
            self._silent()
        with freeze_time("2026-02-02 09:00:00"):
            review = (
                self.env["iso10002.management.review"]
                .with_user(self.manager)
                .create({"name": "January", "date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31)})
            )
            review.action_hold()
            held = review.kpi_snapshot
            for attempt in (
                review.action_snapshot,
                lambda: review.write({"date_from": date(2025, 12, 1)}),
                lambda: review.write({"state": "draft"}),
            ):
                with self.assertRaises(UserError):
                    attempt()
            self.assertEqual(review.kpi_snapshot, held)

    def test_a_corrective_action_is_cancelled_never_deleted(self):
        action = self.env["iso10002.corrective.action"].create({"name": "Train the carriers"})
        for context in ({}, {"_force_unlink": True, "module_uninstall": True}):
            with self.assertRaises(UserError):
                action.with_user(self.manager).with_context(**context).unlink()

    def test_a_complainant_moved_to_another_company_is_counted_with_it(self):
        entity = self.env["res.partner"].create({"name": "Buyer Ltd", "is_company": True})
        with freeze_time("2026-01-10 09:00:00"):
            complaint = self._silent()
            key = complaint.step_history_id.complainant_key
        with freeze_time("2026-01-12 09:00:00"):
            self.person_about.parent_id = entity
            self.env.flush_all()
        self.assertNotEqual(complaint.step_history_id.complainant_key, key)
        self.assertEqual(complaint.step_history_id.complainant_key, complaint.complainant_key)

    def test_screens_without_a_period_or_with_one_out_of_the_calendar_show_no_figure(self):
        digest = self.env.ref("digest.digest_digest_default")
        self.assertEqual(digest.kpi_iso10002_complaints_received_value, 0)
        objective = self.env["iso10002.objective"].new(
            {"metric": "ack_in_time", "target": 1, "date_from": date(1, 1, 1), "date_to": date(9999, 12, 31)}
        )
        self.assertEqual((objective.status, objective.actual), ("no_data", 0.0))

    def test_a_review_is_held_by_its_button_only_and_stays(self):
        Review = self.env["iso10002.management.review"].with_user(self.manager)
        period = {"name": "Forged", "date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31)}
        with self.assertRaises(UserError):
            Review.create(dict(period, state="done", kpi_snapshot={"received": 0}))
        draft = Review.create(period)
        for vals in ({"kpi_snapshot": {"received": 0}}, {"state": "done"}):
            with self.assertRaises(UserError):
                draft.write(vals)
        team = self.env["iso10002.complaint.team"].create({"name": "Reviewed only"})
        draft.team_ids = team
        draft.action_hold()
        for vals in ({"company_id": self.company_b.id}, {"date": date(2030, 1, 1)}, {"team_ids": [(5,)]}):
            with self.assertRaises(UserError):
                draft.write(vals)
        for context in ({}, {"_force_unlink": True}):
            with self.assertRaises(UserError):
                draft.with_context(**context).unlink()
            with self.assertRaises(UserError):
                team.with_user(self.manager).with_context(**context).unlink()
        draft.write({"notes": "<p>Discussed.</p>"})  # the minutes are still written

    def test_the_overview_counts_now_in_every_time_zone(self):
        with freeze_time("2026-03-10 22:00:00"):
            self._silent()
        with freeze_time("2026-03-10 22:30:00"):  # 02:00 on the 11th in Tehran, 17:30 on the 10th in Lima
            for tz in ("Asia/Tehran", "UTC", "America/Lima"):
                self.officer_a.tz = tz
                team = self.team_a.with_user(self.officer_a)
                team.invalidate_recordset()
                self.assertEqual(team.open_complaint_count, 1, tz)
                self.assertEqual(len(team.action_open_backlog()["domain"][0][2]), 1, tz)


@tagged("post_install", "-at_install")
class TestRepeatRate(ComplaintsCase):
    # ------------------------------------------------------------- item 8/9
    def test_11_repeat_rate_review_and_figure_agree_with_sql(self):
        """8.2: two complaints from one e-mail address (one typed later on the complaint):
        the catalogue's figure, the review's list and a plain SQL count agree."""
        with freeze_time("2031-03-10 09:00:00"):
            first = self._complaint(partner_id=False, email_from="Bob@Example.com")
            second = self._complaint(partner_id=False)
            third = self._complaint(partner_id=False, email_from="carol@example.com")
        with freeze_time("2031-03-11 09:00:00"):
            second.with_user(self.officer_a).write({"email_from": " bob@example.com"})
            self.env.flush_all()
        with freeze_time("2031-03-20 09:00:00"):
            self.assertEqual(first.complainant_key, second.complainant_key)
            period = (date(2031, 3, 1), date(2031, 3, 31))
            ids = (first | second | third).ids
            self.env.cr.execute(
                """SELECT count(*) FILTER (WHERE complainant_key IN (
                        SELECT complainant_key FROM iso10002_complaint WHERE id IN %s
                         GROUP BY complainant_key HAVING count(*) > 1)),
                          count(*) FILTER (WHERE complainant_key IS NOT NULL)
                     FROM iso10002_complaint WHERE id IN %s""",
                (tuple(ids), tuple(ids)),
            )
            numerator, denominator = self.env.cr.fetchone()
            sql_rate = round(100.0 * numerator / denominator, 1)
            measure = self.env(user=self.manager)["iso10002.figure"]._measures(
                ["repeat_rate"], *period, domain=[("id", "in", ids)]
            )["repeat_rate"]
            wizard = self.env(user=self.manager)["iso10002.management.review.wizard"].create(
                {"date_from": period[0], "date_to": period[1]}
            )
            review = wizard._review_values()
            figures = {f["code"]: f["value"] for f in review["figures"]}
            report = (
                f"sql {numerator}/{denominator}={sql_rate}; figure {measure}; review figure "
                f"{figures['repeat_rate']}; review repeats {review['repeats']}"
            )
            self.assertEqual((measure["numerator"], measure["denominator"]), (numerator, denominator), report)
            self.assertEqual(review["repeats"]["complaints"], sum(t["value"] for t in review["repeats"]["top"]), report)
