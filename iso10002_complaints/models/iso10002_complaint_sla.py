import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import SQL, LazyTranslate

from ..tools.trust import as_engine
from ..tools.work_clock import ClockSet

_logger = logging.getLogger(__name__)

SLA_STATES = [
    ("on_track", "On track"),
    ("at_risk", "At risk"),
    ("breached", "Breached"),
    ("met", "Met"),
    ("met_late", "Met late"),
]
# a change of one of these may make another policy match
SLA_MATCH_FIELDS = {"team_id", "category_id", "severity", "complexity", "channel_id", "partner_id", "company_id"}
# a change of one of these moves the clock or the target
SLA_CLOCK_FIELDS = {"stage_id", "acknowledged_date", "communication_date", "received_date", "reopened_date"}
SWEEP_BATCH = 20000
# the complaints an SLA notice lists; the others are counted, with a link to the list
NOTICE_ROWS = 50

_lt = LazyTranslate(__name__)


class Iso10002Complaint(models.Model):
    """Time limits (ISO 10002 7.4 to 7.8): the SLA policy that applies, its deadlines in
    working hours, the sweep that marks complaints at risk or breached and escalates
    them, and the reminders of overdue complaints."""

    _inherit = "iso10002.complaint"

    sla_policy_id = fields.Many2one(
        "iso10002.sla.policy", string="SLA Policy", readonly=True, index=True, copy=False, groups="base.group_user"
    )
    sla_target = fields.Selection(
        [("ack", "Acknowledgement"), ("resolution", "Resolution")],
        string="Current Target",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    ack_deadline = fields.Datetime(
        string="Acknowledge By", readonly=True, index=True, copy=False, groups="base.group_user"
    )
    resolution_deadline = fields.Datetime(string="Decision Due", readonly=True, index=True, copy=False)
    sla_state = fields.Selection(
        SLA_STATES, string="SLA", readonly=True, index=True, copy=False, groups="base.group_user"
    )
    sla_deadline = fields.Datetime(
        string="Due",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="base.group_user",
        help="The deadline of the target that runs now: the acknowledgement's, then the decision's; "
        "empty once met, paused or ended.",
    )
    escalation_level = fields.Integer(readonly=True, copy=False, aggregator="max", groups="base.group_user")
    sla_at_risk_date = fields.Datetime(string="At Risk From", readonly=True, copy=False, groups="base.group_user")
    sla_next_check = fields.Datetime(
        readonly=True,
        copy=False,
        index="btree_not_null",  # empty once met, paused or withdrawn: most rows
        help="When the SLA sweep has something to do for this complaint.",
        groups="base.group_user",
    )
    sla_paused_since = fields.Datetime(readonly=True, copy=False, groups="base.group_user")
    sla_paused_hours = fields.Float(
        string="Paused (working hours)",
        readonly=True,
        copy=False,
        aggregator=None,
        digits=(16, 2),
        groups="base.group_user",
    )
    ack_hours = fields.Float(
        string="Hours to Acknowledge",
        readonly=True,
        copy=False,
        aggregator="avg",
        digits=(16, 2),
        groups="base.group_user",
    )
    ack_in_time = fields.Boolean(string="Acknowledged in Time", readonly=True, copy=False, groups="base.group_user")
    resolution_hours = fields.Float(
        string="Hours to Resolve", readonly=True, copy=False, aggregator="avg", digits=(16, 2), groups="base.group_user"
    )
    resolved_in_time = fields.Boolean(string="Resolved in Time", readonly=True, copy=False, groups="base.group_user")
    sla_event_ids = fields.One2many(
        "iso10002.sla.event", "complaint_id", string="SLA History", readonly=True, groups="base.group_user"
    )

    def _sla_target_deadline(self):
        return self.resolution_deadline if self.sla_target == "resolution" else self.ack_deadline

    def _sla_start(self, target="resolution"):
        """Where a target's clock starts: the receipt, or the last reopening (a reopened
        complaint needs a new decision in the policy's time, and a new acknowledgement
        when it never had one)."""
        if target == "ack" and self.acknowledged_date:
            return self.received_date
        return self.reopened_date or self.received_date

    def _sla_decided(self):
        """When the decision the complainant was told was communicated, unless a
        reopening came after it (False: not decided)."""
        if self.communication_date and not (self.reopened_date and self.reopened_date >= self.communication_date):
            return self.communication_date
        return False

    # ----------------------------------------------------------- CRUD hooks
    # Called by the complaint's own create and write (models/iso10002_complaint.py).
    def _sla_on_create(self):
        sla = self.filtered(lambda c: c.company_id.complaint_sla_enabled)
        if sla:
            sla._sla_assign_policy(note=False)

    def _sla_before_write(self, vals):
        """What the SLA hook after the write needs to know of the record before it."""
        return {c.id: c.stage_id.pauses_sla for c in self} if "stage_id" in vals else {}

    def _sla_on_write(self, vals, old_paused):
        keys = set(vals)
        if not keys & (SLA_MATCH_FIELDS | SLA_CLOCK_FIELDS):
            return
        # an anonymised complaint keeps the SLA results it had (its contact is gone, not its figures)
        sla = self.filtered(lambda c: c.company_id.complaint_sla_enabled and not c.anonymised_date)
        if not sla:
            return
        now = fields.Datetime.now()
        clocks = ClockSet.of(self.env)
        if "stage_id" in vals:
            sla._sla_pause_resume(old_paused, now, clocks)
        if "reopened_date" in vals:
            # a new round: the decision is due again, a target's time after the reopening
            reopened = sla.filtered("reopened_date")
            reopened._sla_write({"sla_paused_hours": 0.0, "escalation_level": 0, "resolved_in_time": False})
            reopened._sla_assign_policy(clocks=clocks)
            sla -= reopened
        if keys & SLA_MATCH_FIELDS:
            matched = self.env["iso10002.sla.policy"]._match(sla)
            changed = sla.filtered(lambda c: matched[c] != c.sla_policy_id)
            if changed:
                changed._sla_assign_policy(matched, clocks=clocks)
            sla -= changed
        if sla:
            sla._sla_apply(sla._sla_evaluate(now, clocks), now, clocks)

    def _sla_write(self, vals):
        """The engine's own bookkeeping, which no client can write (tools/trust.py).
        None of these fields is tracked: mail.thread need not read the tracked ones first
        (thousands of complaints per sweep)."""
        return as_engine(self).with_context(mail_notrack=True).write(vals)

    # ---------------------------------------------------------------- engine
    def _sla_clock(self, clocks):
        calendar = self.team_id.resource_calendar_id or self.company_id.resource_calendar_id
        return clocks.get_clock(calendar)

    def _sla_assign_policy(self, matched=None, clocks=None, note=True):
        """Give each complaint its policy (``matched`` or the first that matches) and plan it."""
        now = fields.Datetime.now()
        clocks = clocks if clocks is not None else ClockSet.of(self.env)
        if not matched:
            matched = self.env["iso10002.sla.policy"]._match(self)
        self._sla_prefetch(clocks, now)
        events, later, notes = [], self.browse(), {}
        for policy, complaints in self.grouped(lambda c: matched[c]).items():
            # the complaints planned alike (a batch created at once) are written at once
            by_vals = defaultdict(self.browse)
            for complaint in complaints:
                clock = complaint._sla_clock(clocks)
                vals = {
                    "sla_policy_id": policy.id,
                    "ack_deadline": clock.add_hours(complaint._sla_start("ack"), policy.ack_target_hours),
                    "resolution_deadline": clock.add_hours(
                        complaint._sla_start(), policy.resolution_target_hours + complaint.sla_paused_hours
                    ),
                }
                promised = complaint.acknowledged_date and complaint.resolution_deadline
                by_vals[tuple(vals.items())] |= complaint
                if promised and vals["resolution_deadline"] > promised:
                    # the complainant was told a date: a later one is told too (ISO 10002 7.3)
                    later |= complaint
                events.append(
                    {
                        "complaint_id": complaint.id,
                        "kind": "policy",
                        "policy_id": policy.id,
                        "deadline": vals["resolution_deadline"],
                        "date": now,
                    }
                )
            for key, alike in by_vals.items():
                alike._sla_write(dict(key))
            if note:
                notes.update(
                    {
                        complaint.id: self.env._(
                            "SLA policy %(policy)s now applies: acknowledge by %(ack)s, decision due %(due)s.",
                            policy=policy.name,
                            ack=complaint.ack_deadline,
                            due=complaint.resolution_deadline,
                        )
                        for complaint in complaints
                    }
                )
        self.env["iso10002.sla.event"].sudo().create(events)
        if notes:
            self.browse(list(notes))._message_log_batch(notes)
        self._sla_apply(self._sla_evaluate(now, clocks), now, clocks, initial=True)
        later._tell_new_decision_date()

    def _sla_prefetch(self, clocks, now):
        """Fetch each calendar's intervals once for the whole recordset."""
        for complaint in self:
            clock = complaint._sla_clock(clocks)
            if clock.calendar and clock.lo is None:
                group = self.filtered(lambda c, cal=clock.calendar: c._sla_clock(clocks).calendar == cal)
                first = min([*group.mapped("received_date"), now])
                clock.prefetch(first, max([*group.mapped("received_date"), now]))

    def _sla_pause_resume(self, old_paused, now, clocks):
        events = []
        for complaint in self:
            was, is_ = old_paused.get(complaint.id), complaint.stage_id.pauses_sla
            if is_ and not was and not complaint.sla_paused_since:
                complaint._sla_write({"sla_paused_since": now, "sla_next_check": False})
                events.append({"complaint_id": complaint.id, "kind": "pause", "date": now})
            elif was and not is_ and complaint.sla_paused_since:
                clock = complaint._sla_clock(clocks)
                paused = clock.hours_between(complaint.sla_paused_since, now)
                vals = {"sla_paused_since": False, "sla_paused_hours": complaint.sla_paused_hours + paused}
                if complaint.resolution_deadline:
                    vals["resolution_deadline"] = clock.add_hours(complaint.resolution_deadline, paused)
                complaint._sla_write(vals)
                events.append(
                    {
                        "complaint_id": complaint.id,
                        "kind": "resume",
                        "date": now,
                        "deadline": vals.get("resolution_deadline"),
                        "note": self.env._("%(hours).2f working hours paused", hours=paused),
                    }
                )
        self.env["iso10002.sla.event"].sudo().create(events)

    def _sla_evaluate(self, now, clocks):
        """{complaint: values} of what the SLA fields should be at ``now``; only changes."""
        changes = {}
        ladders = {policy: policy._sla_ladder() for policy in self.sla_policy_id}  # once per policy
        for complaint in self:
            policy = complaint.sla_policy_id
            if not policy:
                continue
            clock = complaint._sla_clock(clocks)
            vals = {}
            if complaint.acknowledged_date and not complaint.ack_hours and not complaint.ack_in_time:
                vals["ack_hours"] = clock.hours_between(complaint.received_date, complaint.acknowledged_date)
                vals["ack_in_time"] = complaint.acknowledged_date <= complaint.ack_deadline
            step = complaint.step
            # the deadline that runs now (the list's and the card's "due"), set with the state
            # it is about, in the same write: not a computed field recomputed on each sweep
            decided = complaint._sla_decided()
            ended_undecided = step in ("withdrawn", "out_of_scope") or (step == "closed" and not decided)
            if ended_undecided or complaint.sla_paused_since:
                vals["sla_next_check"] = False
                vals["sla_deadline"] = False
                if ended_undecided:
                    # withdrawn or out of scope: no target ran to its end, no state to show
                    vals["sla_state"] = False
            elif decided:
                # the first decision communicated (a later version, changed on recourse,
                # does not move it: models/iso10002_complaint_decision.py)
                late = decided > complaint.resolution_deadline
                hours = clock.hours_between(complaint._sla_start(), decided)
                vals.update(
                    sla_state="met_late" if late else "met",
                    sla_next_check=False,
                    sla_deadline=False,
                    resolution_hours=max(hours - complaint.sla_paused_hours, 0.0),
                    resolved_in_time=not late,
                )
            else:
                target = "resolution" if complaint.acknowledged_date else "ack"
                if target == "ack":
                    start, deadline = complaint._sla_start("ack"), complaint.ack_deadline
                    hours = policy.ack_target_hours
                else:
                    start, deadline = complaint._sla_start(), complaint.resolution_deadline
                    hours = policy.resolution_target_hours + complaint.sla_paused_hours
                level = complaint.escalation_level if target == complaint.sla_target else 0
                at_risk = clock.add_hours(start, hours * policy.at_risk_percent / 100.0)
                vals.update(sla_target=target, sla_at_risk_date=at_risk, sla_deadline=deadline)
                if now >= deadline:
                    reached, next_check = 1, False
                    for rule in ladders[policy]:
                        when = clock.add_hours(deadline, rule.delay_hours)
                        if now >= when:
                            reached = rule.level
                        else:
                            next_check = when
                            break
                    vals.update(sla_state="breached", escalation_level=max(level, reached), sla_next_check=next_check)
                elif now >= at_risk:
                    vals.update(sla_state="at_risk", escalation_level=level, sla_next_check=deadline)
                else:
                    vals.update(sla_state="on_track", escalation_level=level, sla_next_check=at_risk)
            vals = {k: v for k, v in vals.items() if complaint[k] != v and (v or complaint[k])}
            if vals:
                changes[complaint] = vals
        return changes

    def _sla_apply(self, changes, now, clocks, initial=False):
        """Write the changes; record, remind and escalate what they mean."""
        if not changes:
            return
        events, notes, at_risk, notices = self._sla_consequences(changes, now, initial)
        by_vals = defaultdict(self.browse)  # the complaints given the same values: one write
        for complaint, vals in changes.items():
            by_vals[tuple(sorted(vals.items()))] |= complaint
        for key, complaints in by_vals.items():
            complaints._sla_write(dict(key))
        self.env["iso10002.sla.event"].sudo().create(events)
        if notes:
            # one note per complaint, all written in one batch
            self.browse(list(notes))._message_log_batch(notes)
        if at_risk:
            at_risk._sla_schedule_reminders()
        if notices:
            self._sla_notify(notices)

    def _sla_consequences(self, changes, now, initial):
        """What the changes mean, read before they are written: the history events, the
        chatter notes, the complaints now at risk, and the notices per user."""
        events, notices, notes = [], defaultdict(list), {}
        labels = dict(SLA_STATES)
        at_risk = self.browse()
        escalating = {
            complaint: vals["escalation_level"]
            for complaint, vals in changes.items()
            if vals.get("escalation_level", 0) > complaint.escalation_level
            and vals.get("sla_state", complaint.sla_state) == "breached"
        }
        ladders = self.browse([complaint.id for complaint in escalating])._sla_escalation_ladders(escalating)
        for complaint, vals in changes.items():
            old_state, old_level = complaint.sla_state, complaint.escalation_level
            new_state = vals.get("sla_state", old_state)
            new_level = vals.get("escalation_level", old_level)
            if new_state != old_state and not (initial and new_state == "on_track"):
                events.append(
                    {
                        "complaint_id": complaint.id,
                        "kind": "state",
                        "old_state": old_state,
                        "new_state": new_state,
                        "date": now,
                        "deadline": complaint.resolution_deadline
                        if vals.get("sla_target", complaint.sla_target) == "resolution"
                        else complaint.ack_deadline,
                    }
                )
                notes[complaint.id] = self.env._(
                    "SLA %(old)s → %(new)s", old=labels.get(old_state, "-"), new=labels.get(new_state, "-")
                )
                if new_state == "at_risk":
                    at_risk |= complaint
                    if complaint._owner():  # told to the owner, else to who may read it
                        notices[complaint._responsible_user()].append((complaint, "at_risk", 0))
            if complaint in escalating:
                users, fallback = ladders[complaint][-1]
                events.append(
                    {
                        "complaint_id": complaint.id,
                        "kind": "escalation",
                        "escalation_level": new_level,
                        "new_state": new_state,
                        "date": now,
                        "recipient_ids": [Command.set(users.ids)],
                        "note": fallback,
                    }
                )
                notes[complaint.id] = Markup("%s<br/>%s") % (
                    notes.get(complaint.id, ""),
                    self.env._(
                        "Escalated to level %(level)s, told: %(people)s",
                        level=new_level,
                        people=", ".join(users.sudo().mapped("name")) or "-",
                    ),
                )
                for user in users:
                    notices[user].append((complaint, "breached" if new_level == 1 else "escalated", new_level))
        return events, notes, at_risk, notices

    def _sla_escalation_ladders(self, levels):
        """{complaint: [(users, fallback note) of each level up to ``levels[complaint]``]}.
        Each level tells whom its rule names (the owner and the team leader without a
        rule) and somebody no lower level told (ISO 10002 Annex H): when its rule names
        nobody new, the company's complaints management representative, failing them its
        complaints managers. Only active users of the company who may read the complaint
        are told; a level that finds nobody new says so in its note."""
        reach = self._reach()
        ladders = {}
        for complaint, top in levels.items():
            policy = complaint.sla_policy_id
            reached, ladder = self.env["res.users"], []
            for level in [*(level for level in policy._sla_levels() if level < top), top]:
                rule = policy._sla_rule(level)
                named = rule._recipients(complaint) if rule else complaint.user_id | complaint.team_id.user_id
                users = named.filtered(lambda u, c=complaint: reach.can_read(u, c))
                note = False
                if not users - reached:
                    added = reach.fallback(complaint, reached)
                    users |= added
                    if not added:
                        note = self.env._("Nobody new to tell: everyone who may read the complaint was told before.")
                    elif added == complaint.company_id.sudo().complaint_representative_id:
                        note = self.env._("The rule told nobody new: the complaints management representative is told.")
                    else:
                        note = self.env._("The rule told nobody new: the complaints managers are told.")
                ladder.append((users, note))
                reached |= users
            ladders[complaint] = ladder
        return ladders

    def _sla_schedule_reminders(self):
        """An activity for each owner of a complaint at risk (no e-mail per activity)."""
        activity_type = self.env.ref("iso10002_complaints.mail_activity_type_sla_at_risk")
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for complaint in self:
            if not complaint._owner():
                continue
            owner = complaint._responsible_user()  # the owner, else who may read it
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": complaint.id,
                    "activity_type_id": activity_type.id,
                    "user_id": owner.id,
                    "date_deadline": fields.Date.context_today(
                        complaint, complaint.sla_next_check or fields.Datetime.now()
                    ),
                    "summary": self.env._("SLA at risk: decision due %s", complaint.resolution_deadline)
                    if complaint.sla_target == "resolution"
                    else self.env._("SLA at risk: acknowledge by %s", complaint.ack_deadline),
                }
            )
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(vals_list)

    def _sla_notify(self, notices):
        """One message per person per sweep about the complaints that concern them, in
        that person's language (views/iso10002_notice_templates.xml): the most urgent
        NOTICE_ROWS listed, the others counted, with a link to the list."""
        kinds = {"at_risk": _lt("%s at risk"), "breached": _lt("%s breached"), "escalated": _lt("%s escalated")}
        urgency = {"escalated": 0, "breached": 1, "at_risk": 2}
        shown, to_send = {}, []
        # only what the recipient may open (a team leader does not read a member's
        # confidential complaint): one search each, the record rules in SQL; what they may
        # not open goes to whom may (the complaint's responsible user), so that it reaches
        # somebody
        visible, moved = {}, {}
        for user, all_items in notices.items():
            ids = list({complaint.id for complaint, _kind, _level in all_items})
            readable = set(self.with_user(user).with_context(active_test=False).search([("id", "in", ids)]).ids)
            visible[user] = [item for item in all_items if item[0].id in readable]
            for item in all_items:
                if item[0].id not in readable:
                    reader = item[0]._responsible_user()
                    if reader != user and item[0]._readable_by(reader):
                        moved.setdefault(reader, []).append(item)
        for reader, items in moved.items():
            known = {(c.id, kind, level) for c, kind, level in visible.get(reader, [])}
            visible.setdefault(reader, []).extend(i for i in items if (i[0].id, i[1], i[2]) not in known)
        for user, items in visible.items():
            if items:
                items.sort(key=lambda item: (urgency[item[1]], item[0]._sla_target_deadline() or item[0].create_date))
                shown[user] = (items[:NOTICE_ROWS], items)
        details = self._sla_notice_details({user: rows for user, (rows, _all) in shown.items()})
        for user, (items, all_items) in shown.items():
            lang = user.lang or "en_US"
            rows = [
                {
                    "complaint": complaint,
                    "kind": kind,
                    "level": level,
                    "due": complaint._sla_target_deadline(),
                    "detail": details.get((complaint.id, level, lang)),
                }
                for complaint, kind, level in items
            ]
            counts = {kind: sum(1 for item in all_items if item[1] == kind) for kind in kinds}

            def subject(env, counts=counts):
                summary = ", ".join(kinds[kind]._translate(env.lang) % n for kind, n in counts.items() if n)
                return env._("Complaints SLA: %s", summary)

            values = {"rows": rows, "more": len(all_items) - len(items)}
            to_send.append((user, "iso10002_complaints.sla_notice_mail", subject, values))
        self.env["iso10002.notice"]._send(to_send)

    def _sla_notice_details(self, notices):
        """The escalation rules' own mail templates, rendered once per complaint, level and
        reader's language: {(complaint id, level, lang): html}."""
        wanted = defaultdict(set)  # (template, lang): complaint ids
        for user, items in notices.items():
            for complaint, _kind, level in items:
                template = complaint.sla_policy_id._sla_rule(level).mail_template_id
                if template:
                    wanted[template, user.lang or "en_US"].add((complaint.id, level))
        details = {}
        for (template, lang), keys in wanted.items():
            bodies = template.with_context(lang=lang)._render_field(
                "body_html", list({cid for cid, _level in keys}), compute_lang=False
            )
            details.update({(cid, level, lang): bodies[cid] for cid, level in keys})
        return details

    # ---------------------------------------------------------------- crons
    @api.model
    def _sla_due_ids(self, now, limit):
        """Due complaints, locked for this worker; rows another worker holds are skipped."""
        return self._claim_ids(SQL("sla_next_check <= %s AND active", now), SQL("sla_next_check"), limit)

    @api.model
    def _cron_sla_sweep(self, limit=SWEEP_BATCH):
        """Apply every due SLA transition: reminders, breaches, escalations."""
        now = fields.Datetime.now()
        complaints = self.browse(self._sla_due_ids(now, limit)).with_context(mail_notify_force_send=False)
        if complaints:
            with ClockSet.shared(self.env) as clocks:
                complaints._sla_prefetch(clocks, now)
                complaints._sla_apply(complaints._sla_evaluate(now, clocks), now, clocks)
        remaining = self.search_count([("sla_next_check", "<=", now)]) if len(complaints) == limit else 0
        self.env["ir.cron"]._notify_progress(done=len(complaints), remaining=remaining)
        return len(complaints)

    @api.model
    def _cron_remind_overdue(self):
        """One reminder per person with overdue complaint activities, in their language.
        (Corrective actions remind their owners themselves.)"""
        today = fields.Date.context_today(self)
        activities = self.env["mail.activity"].search(
            [("res_model", "=", self._name), ("date_deadline", "<", today)], order="date_deadline"
        )

        def subject(count):
            return lambda env: env._("%s overdue complaint activities", count)

        return self.env["iso10002.notice"]._send(
            (user, "iso10002_complaints.overdue_activities_mail", subject(len(overdue)), {"activities": overdue})
            for user, overdue in activities.grouped("user_id").items()
        )
