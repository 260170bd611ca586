"""The step history of complaints: what the figures of any date are computed from.

Each row is the state of one complaint from its date until the next row: the step it
entered (or stood in when something the figures read changed), its team, its deadlines
and whether its clock was paused, the complainant's answer, whether their satisfaction
was asked (by any means) and their rating, the working hours
to its decision. Rows are only ever added, by the process: a figure of a closed period is
computed from the rows dated up to its end, so nothing done later (a reopening, a team
change, an anonymisation, a new policy) changes it (iso10002.figure)."""

from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, create_index

from ..tools.trust import ACKNOWLEDGE_KEY, NO_ACKNOWLEDGEMENT, client_safe, is_engine
from ..tools.work_clock import ClockSet
from .iso10002_complaint_stage import STEPS

# the complaint's fields each row records as they are, and the row's column for each
SNAPSHOT = {
    "step": "step",
    "team_id": "team_id",
    "category_id": "category_id",
    "ack_deadline": "ack_deadline",
    "resolution_deadline": "resolution_deadline",
    "sla_at_risk_date": "at_risk_date",
    "complainant_response": "response",
    "complainant_key": "complainant_key",
}
# a write of one of these may change what a row records (the pause: sla_paused_since;
# the rating: the rating's own hook; the first decision's hours: resolution_hours)
TRACKED_FIELDS = frozenset(SNAPSHOT) | {
    "stage_id",
    "sla_paused_since",
    "partner_id",
    # the complainant key of a complaint without a contact follows its address and number
    "email_from",
    "partner_phone",
    "anonymised_date",
    "acknowledged_date",
    "communication_date",
    "closed_date",
    "resolution_hours",
    "sla_policy_id",
}
# what a row carries forward from the rows before it: when the complaint was recorded,
# first acknowledged and first decided (with the deadline then), last closed, and
# whether a deadline passed while the step was still to be taken
CARRIED = (
    "recorded_date",
    "ack_date",
    "ack_due",
    "ack_missed",
    "decision_date",
    "decision_due",
    "decision_missed",
    "decision_hours",
    "decision_under_policy",
    "closed_date",
)
UNDECIDED = ("received", "acknowledged", "assessment", "investigation", "response")
# the cursor's cache keys: complaints being created; writes under way (the rows are
# added once the outermost write is done, with all its consequences) and what they touched
CREATING = "iso10002_history_creating"
WRITING = "iso10002_history_writing"
TOUCHED = "iso10002_history_touched"


def carry(previous, state, moment):
    """The values a row carries, from the ``previous`` row (a dict, or None for the
    first) and the complaint's ``state`` at ``moment`` (its step, deadlines, pause, and
    whether it is acknowledged, decided, closed: ``acknowledged``, ``decided``,
    ``closed``, ``hours``, ``policy``)."""
    previous = previous or {}
    unacknowledged = previous and not previous["ack_date"] and previous["step"] == "received"
    undecided = previous and not previous["decision_date"] and previous["step"] in UNDECIDED
    running = previous and not previous["paused"]
    values = {
        "recorded_date": previous.get("recorded_date") or moment,
        "ack_date": previous.get("ack_date") or (moment if state["acknowledged"] else False),
        "decision_date": previous.get("decision_date") or (moment if state["decided"] else False),
        # the moment the deadline of a step still to take had passed
        "ack_missed": bool(
            previous.get("ack_missed")
            or (unacknowledged and running and previous["ack_deadline"] and previous["ack_deadline"] < moment)
        ),
        "decision_missed": bool(
            previous.get("decision_missed")
            or (undecided and running and previous["resolution_deadline"] and previous["resolution_deadline"] < moment)
        ),
        "closed_date": moment
        if state["step"] == "closed" and previous.get("step") != "closed"
        else (previous.get("closed_date") or False),
    }
    if previous.get("ack_date"):
        values["ack_due"] = previous["ack_due"]
    else:
        values["ack_due"] = state["ack_deadline"] if values["ack_date"] else False
    if previous.get("decision_date"):
        values.update({key: previous[key] for key in ("decision_due", "decision_hours", "decision_under_policy")})
    elif values["decision_date"]:
        values.update(
            decision_due=state["resolution_deadline"],
            decision_hours=state["hours"] if state["policy"] else 0.0,
            decision_under_policy=bool(state["policy"]),
        )
    else:
        values.update(decision_due=False, decision_hours=0.0, decision_under_policy=False)
    return values


# the process dates a history is rebuilt from when there is no tracking of the stage
# (an import, an upgrade from 18.0.1.4.0)
STEP_DATES = (
    ("acknowledged", "acknowledged_date"),
    ("assessment", "assessment_date"),
    ("investigation", "investigation_date"),
    ("response", "decision_date"),
    ("communicated", "communication_date"),
    ("closed", "closed_date"),
)


class Iso10002ComplaintStepHistory(models.Model):
    """One step (or change of what the figures read) of one complaint: append-only."""

    _name = "iso10002.complaint.step.history"
    _description = "Complaint Step History"
    _inherit = ["iso10002.complaint.bound"]
    _order = "date desc, id desc"
    _rec_name = "step"

    complaint_id = fields.Many2one("iso10002.complaint", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    date = fields.Datetime(required=True, index=True, readonly=True)
    # who, which team, which category: never emptied by deleting them (the trail)
    user_id = fields.Many2one("res.users", string="By", readonly=True, ondelete="restrict")
    first = fields.Boolean(readonly=True, help="The complaint's first row: when it was recorded.")
    moved = fields.Boolean(readonly=True, help="The complaint entered this step here (not a change within it).")
    step = fields.Selection(STEPS, required=True, readonly=True)
    team_id = fields.Many2one("iso10002.complaint.team", readonly=True, ondelete="restrict")
    paused = fields.Boolean(string="Clock Paused", readonly=True)
    ack_deadline = fields.Datetime(string="Acknowledge By", readonly=True)
    resolution_deadline = fields.Datetime(string="Decision Due", readonly=True)
    at_risk_date = fields.Datetime(string="At Risk From", readonly=True)
    response = fields.Selection(
        [("accepted", "Accepted"), ("rejected", "Rejected"), ("no_reply", "No reply")],
        string="Complainant's Answer",
        readonly=True,
    )
    satisfaction_asked = fields.Boolean(
        readonly=True, help="The complainant's satisfaction had been asked, by e-mail, phone, letter or in person."
    )
    rating = fields.Float(string="Satisfaction", readonly=True, aggregator=None)
    complainant_key = fields.Char(readonly=True)
    category_id = fields.Many2one("iso10002.complaint.category", readonly=True, ondelete="restrict")
    # carried forward from the rows before (carry())
    recorded_date = fields.Datetime(string="Recorded", readonly=True, index=True)
    ack_date = fields.Datetime(string="First Acknowledged", readonly=True)
    ack_due = fields.Datetime(string="Acknowledgement Due Then", readonly=True)
    ack_missed = fields.Boolean(string="Acknowledgement Deadline Passed", readonly=True)
    decision_date = fields.Datetime(string="First Decision Communicated", readonly=True)
    decision_due = fields.Datetime(string="Decision Due Then", readonly=True)
    decision_missed = fields.Boolean(string="Decision Deadline Passed", readonly=True)
    decision_hours = fields.Float(string="Working Hours to Decision", readonly=True, aggregator=None)
    decision_under_policy = fields.Boolean(readonly=True)
    closed_date = fields.Datetime(string="Last Closed", readonly=True)

    def init(self):
        # the first rows of a period (received complaints) and the rows of a step
        create_index(
            self.env.cr,
            "iso10002_complaint_step_history_first_date_idx",
            self._table,
            ["date"],
            where="first",
        )
        create_index(
            self.env.cr,
            "iso10002_complaint_step_history_complaint_date_idx",
            self._table,
            ["complaint_id", "date", "id"],
        )

    # rows are read with their complaint (iso10002.complaint.bound)
    def _iso10002_complaint_ids(self):
        return {row.id: row.complaint_id.ids for row in self.sudo()}

    def _iso10002_about_domain(self, readable):
        if readable is None:
            return [("id", "=", False)]
        return [("complaint_id", "in", readable)]

    @api.model
    def _used(self, records, field):
        """Those of ``records`` (teams, categories) that a row of the history names: kept,
        never deleted (the trail would lose them)."""
        if not records:
            return records
        used = {record for [record] in self.sudo()._read_group([(field, "in", records.ids)], [field])}
        return records.filtered(lambda record: record in used)

    @api.model_create_multi
    def create(self, vals_list):
        self.browse().check_access("create")  # only the process (as superuser) adds rows
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(self.env._("The step history of a complaint cannot be changed."))
        return super().write(vals)

    def unlink(self):
        # no client switch (the uninstall flag) skips the guard below
        return super(Iso10002ComplaintStepHistory, client_safe(self)).unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The step history of a complaint cannot be deleted."))


class Iso10002Complaint(models.Model):
    _inherit = "iso10002.complaint"

    step_history_ids = fields.One2many(
        "iso10002.complaint.step.history",
        "complaint_id",
        readonly=True,
        groups="base.group_user",
    )
    recorded_date = fields.Datetime(
        string="Recorded",
        readonly=True,
        copy=False,
        index=True,
        groups="base.group_user",
        help="When the complaint entered the register (its first history row): the period it is counted in.",
    )
    step_history_id = fields.Many2one(
        "iso10002.complaint.step.history",
        string="Last Step Record",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="base.group_system",
        help="The complaint's latest history row: its state now.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Recorded complaints get their first row once created (their deadlines planned and
        their acknowledgement sent, in the same transaction); imported ones, the history of
        their process dates."""
        cache = self.env.cr.cache
        cache[CREATING] = cache.get(CREATING, 0) + 1
        try:
            complaints = super().create(vals_list)
        finally:
            cache[CREATING] -= 1
        if is_engine(self.env) and self.env.context.get(ACKNOWLEDGE_KEY) is NO_ACKNOWLEDGEMENT:
            complaints._step_history_rebuild()
        else:
            complaints._step_history_track(first=True)
        return complaints

    def write(self, vals):
        """The rows come once the outermost write is done (the SLA engine, the closing
        and the reopening write again inside it): one row with all its consequences."""
        cache = self.env.cr.cache
        depth = cache.get(WRITING, 0)
        cache[WRITING] = depth + 1
        try:
            result = super().write(vals)
            if TRACKED_FIELDS & set(vals):
                cache.setdefault(TOUCHED, set()).update(self.ids)
        finally:
            cache[WRITING] = depth
            touched = cache.pop(TOUCHED, set()) if not depth else set()
        if touched:
            self.browse(touched)._step_history_track()
        return result

    def _step_state(self, rated=True):
        """What the complaint is now, as a row records it (``rated``: False for a
        complaint just recorded, which no rating can have yet)."""
        self.ensure_one()
        state = {column: self[field] for field, column in SNAPSHOT.items()}
        state["team_id"] = state["team_id"].id or False
        state["category_id"] = state["category_id"].id or False
        state["response"] = state["response"] or False
        state["paused"] = bool(self.sla_paused_since)
        if not self.sla_policy_id and not state["ack_deadline"] and not state["resolution_deadline"]:
            # no SLA policy (the company's SLAs are off): the targets of its default policy
            # still say what "in time" and "overdue" mean (the process audit, ISO 10002 8.5)
            policy = self.company_id.complaint_sla_policy_id
            if policy and self.received_date:
                clock = self._sla_clock(ClockSet.of(self.env))
                state["ack_deadline"] = clock.add_hours(self._sla_start("ack"), policy.ack_target_hours)
                state["resolution_deadline"] = clock.add_hours(self._sla_start(), policy.resolution_target_hours)
        state["rating"], state["satisfaction_asked"] = 0.0, False
        if rated:
            # a rating record is a request made: the e-mailed link's, or an answer (or a
            # refusal to answer) the owner recorded after asking by phone, letter or in person
            ratings = self.rating_ids
            if self.reopened_date:
                # reopened, it is asked again once closed again: what was asked before the
                # reopening answered the earlier closing (8.3)
                since = self.reopened_date
                ratings = ratings.filtered(lambda r: (r.satisfaction_asked_date or r.create_date) >= since)
            consumed = ratings.filtered(lambda r: r.consumed and r.rating > 0)
            state["rating"] = consumed.sorted(lambda r: (r.write_date, r.id))[-1:].rating or 0.0
            state["satisfaction_asked"] = bool(ratings)
        # as the database keeps them: datetimes to the second
        state = {
            key: value.replace(microsecond=0) if isinstance(value, datetime) else value for key, value in state.items()
        }
        # what carry() asks of the complaint
        state.update(
            acknowledged=bool(self.acknowledged_date),
            decided=bool(self.communication_date),
            hours=self.resolution_hours,
            policy=self.sla_policy_id.id,
        )
        return state

    @api.model
    def _step_row(self, state, previous, moment):
        """The values of a row: the state, and what it carries from ``previous``."""
        row = {key: value for key, value in state.items() if key not in ("acknowledged", "decided", "hours", "policy")}
        row.update(carry(previous, state, moment))
        return row

    @api.model
    def _step_row_values(self, row):
        """A history row as the dict carry() and the comparisons read."""
        return {
            name: (row[name].id or False) if row._fields[name].type == "many2one" else row[name]
            for name in ("step", "paused", *SNAPSHOT.values(), "rating", "satisfaction_asked", *CARRIED)
        }

    def _step_history_track(self, first=False):
        """Add a row for each of these complaints whose state differs from its last row
        (for all of them when ``first``: they were just recorded); inside a write, once
        the outermost one is done."""
        cache = self.env.cr.cache
        if cache.get(WRITING):
            cache.setdefault(TOUCHED, set()).update(self.ids)
            return
        complaints = self.sudo().with_context(active_test=False).exists()
        if not first and cache.get(CREATING):
            # being created: their first row comes at the end of create()
            complaints = complaints.filtered("step_history_id")
        if not complaints:
            return
        complaints.flush_recordset()
        rows, now = [], fields.Datetime.now().replace(microsecond=0)
        for complaint in complaints:
            last = complaint.step_history_id if not first else False
            previous = self._step_row_values(last) if last else None
            row = self._step_row(complaint._step_state(rated=not first), previous, now)
            if previous and all(previous[key] == value for key, value in row.items()):
                continue
            rows.append(
                {
                    **row,
                    "complaint_id": complaint.id,
                    "company_id": complaint.company_id.id,
                    "date": now,
                    "user_id": self.env.uid,
                    "first": not previous,
                    "moved": not previous or previous["step"] != row["step"],
                }
            )
        self._step_history_append(rows)

    def _step_history_append(self, rows):
        """Create ``rows`` (in their order) and point each complaint at its latest."""
        if not rows:
            return
        History = self.env["iso10002.complaint.step.history"].sudo()
        created = History.create(rows)
        latest = {}
        for row in created:
            latest[row.complaint_id.id] = row  # the last created row of each complaint
        # one statement for the batch; never back to an earlier row (a rebuilt history's)
        self.env.execute_query(
            SQL(
                """UPDATE iso10002_complaint c SET step_history_id = new.id,
                          recorded_date = COALESCE(c.recorded_date, new.recorded_date)
                     FROM iso10002_complaint_step_history new
                    WHERE new.id = ANY(%s) AND c.id = new.complaint_id
                      AND (c.step_history_id IS NULL OR EXISTS (
                           SELECT 1 FROM iso10002_complaint_step_history old
                            WHERE old.id = c.step_history_id AND old.date <= new.date))""",
                [row.id for row in latest.values()],
            )
        )
        self.browse(list(latest)).invalidate_recordset(["step_history_id", "recorded_date"])

    def _step_history_rebuild(self):
        """A history for complaints that have none (imported with their process dates, or
        recorded before the history existed): a row per tracked change of their stage, or
        else per process date, each with what is known of the complaint now."""
        complaints = self.sudo().with_context(active_test=False).filtered(lambda c: not c.step_history_id)
        if not complaints:
            return
        tracked = {}
        stage_field = self.env["ir.model.fields"]._get("iso10002.complaint", "stage_id")
        for value in (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("field_id", "=", stage_field.id),
                    ("mail_message_id.model", "=", "iso10002.complaint"),
                    ("mail_message_id.res_id", "in", complaints.ids),
                ],
                order="id",
            )
        ):
            stage = self.env["iso10002.complaint.stage"].browse(value.new_value_integer).exists()
            if stage:
                tracked.setdefault(value.mail_message_id.res_id, []).append((value.mail_message_id.date, stage.step))
        rows = []
        for complaint in complaints:
            received = complaint.received_date or complaint.create_date
            steps = tracked.get(complaint.id) or [
                (complaint[field], step) for step, field in STEP_DATES if complaint[field]
            ]
            if complaint.step in ("withdrawn", "out_of_scope") and complaint.step not in {s for _d, s in steps}:
                steps.append((complaint.write_date or received, complaint.step))
            steps = sorted((max(date, received), step) for date, step in steps if date)
            history = [(received, "received"), *steps]
            if history[-1][1] != complaint.step:
                history.append((max(history[-1][0], complaint.write_date or received), complaint.step))
            answered = complaint.complainant_response_date
            state = complaint._step_state()
            previous = None
            for index, (date, step) in enumerate(history):
                last = index == len(history) - 1
                # the complaint as it stood at that step, as far as its dates tell
                then = dict(
                    state,
                    step=step,
                    paused=state["paused"] and last,
                    acknowledged=bool(complaint.acknowledged_date and complaint.acknowledged_date <= date),
                    decided=bool(complaint.communication_date and complaint.communication_date <= date),
                )
                if not last:
                    if step not in ("communicated", "closed"):
                        then.update(response=False, rating=0.0, satisfaction_asked=False)
                    elif then["response"] and answered and answered > date:
                        then["response"] = False
                row = self._step_row(then, previous, date)
                rows.append(
                    {
                        **row,
                        "complaint_id": complaint.id,
                        "company_id": complaint.company_id.id,
                        "date": date,
                        "user_id": False,
                        "first": not index,
                        "moved": not index or history[index - 1][1] != step,
                    }
                )
                previous = row
        self._step_history_append(rows)
