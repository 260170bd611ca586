"""The step history of complaints: what the figures of any date are computed from.

Each row is the state of one complaint from its date until the next row: the step it
entered (or stood in when something the figures read changed), its team, its deadlines
and whether its clock was paused, the complainant's answer and rating, the working hours
to its decision. Rows are only ever added, by the process: a figure of a closed period is
computed from the rows dated up to its end, so nothing done later (a reopening, a team
change, an anonymisation, a new policy) changes it (iso10002.figure)."""

from datetime import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, create_index

from .iso10002_complaint_stage import STEPS
from .sla_clock import ClockSet
from .trust import ACKNOWLEDGE_KEY, NO_ACKNOWLEDGEMENT, client_safe, is_engine

# the complaint's fields each row records, and the row's column for each
SNAPSHOT = {
    "step": "step",
    "team_id": "team_id",
    "ack_deadline": "ack_deadline",
    "resolution_deadline": "resolution_deadline",
    "sla_at_risk_date": "at_risk_date",
    "complainant_response": "response",
    "resolution_hours": "decision_hours",
    "complainant_key": "complainant_key",
}
# a write of one of these may change what a row records (the pause: sla_paused_since;
# the rating: the rating's own hook)
TRACKED_FIELDS = frozenset(SNAPSHOT) | {"stage_id", "sla_paused_since", "partner_id", "anonymised_date"}
# the cursor's cache key counting the creations of complaints under way
CREATING = "iso10002_history_creating"
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
    user_id = fields.Many2one("res.users", string="By", readonly=True)
    first = fields.Boolean(readonly=True, help="The complaint's first row: when it was recorded.")
    moved = fields.Boolean(readonly=True, help="The complaint entered this step here (not a change within it).")
    step = fields.Selection(STEPS, required=True, readonly=True)
    team_id = fields.Many2one("iso10002.complaint.team", readonly=True)
    paused = fields.Boolean(string="Clock Paused", readonly=True)
    ack_deadline = fields.Datetime(string="Acknowledge By", readonly=True)
    resolution_deadline = fields.Datetime(string="Decision Due", readonly=True)
    at_risk_date = fields.Datetime(string="At Risk From", readonly=True)
    response = fields.Selection(
        [("accepted", "Accepted"), ("rejected", "Rejected"), ("no_reply", "No reply")],
        string="Complainant's Answer",
        readonly=True,
    )
    rating = fields.Float(string="Satisfaction", readonly=True, aggregator=None)
    decision_hours = fields.Float(string="Working Hours to Decision", readonly=True, aggregator=None)
    complainant_key = fields.Char(readonly=True)

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
        result = super().write(vals)
        if TRACKED_FIELDS & set(vals):
            self._step_history_track()
        return result

    def _step_snapshot(self, rated=True):
        """What a history row of this complaint records now (``rated``: False for a
        complaint just recorded, which no rating can have yet)."""
        self.ensure_one()
        values = {column: self[field] for field, column in SNAPSHOT.items()}
        values["team_id"] = values["team_id"].id or False
        values["response"] = values["response"] or False
        values["paused"] = bool(self.sla_paused_since)
        if not self.sla_policy_id and not values["ack_deadline"] and not values["resolution_deadline"]:
            # no SLA policy (the company's SLAs are off): the targets of its default policy
            # still say what "in time" and "overdue" mean (the process audit, ISO 10002 8.5)
            policy = self.company_id.complaint_sla_policy_id
            if policy and self.received_date:
                clock = self._sla_clock(ClockSet.of(self.env))
                values["ack_deadline"] = clock.add_hours(self._sla_start("ack"), policy.ack_target_hours)
                values["resolution_deadline"] = clock.add_hours(self._sla_start(), policy.resolution_target_hours)
        values["rating"] = 0.0
        if rated:
            consumed = self.rating_ids.filtered(lambda r: r.consumed and r.rating > 0)
            values["rating"] = consumed.sorted("write_date")[-1:].rating or 0.0
        # as the database keeps them: a row's datetimes to the second
        return {
            key: value.replace(microsecond=0) if isinstance(value, datetime) else value for key, value in values.items()
        }

    def _step_history_track(self, first=False):
        """Add a row for each of these complaints whose state differs from its last row
        (for all of them when ``first``: they were just recorded)."""
        complaints = self.sudo().with_context(active_test=False)
        if not first and self.env.cr.cache.get(CREATING):
            # being created: their first row comes at the end of create()
            complaints = complaints.filtered("step_history_id")
        if not complaints:
            return
        complaints.flush_recordset()
        History = self.env["iso10002.complaint.step.history"].sudo()
        rows, now = [], fields.Datetime.now()
        for complaint in complaints:
            snapshot = complaint._step_snapshot(rated=not first)
            last = complaint.step_history_id if not first else History
            if (
                not first
                and last
                and all((last[key].id if key == "team_id" else last[key]) == value for key, value in snapshot.items())
            ):
                continue
            rows.append(
                {
                    **snapshot,
                    "complaint_id": complaint.id,
                    "company_id": complaint.company_id.id,
                    "date": now,
                    "user_id": self.env.uid,
                    "first": first or not last,
                    "moved": first or not last or last.step != snapshot["step"],
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
                """UPDATE iso10002_complaint c SET step_history_id = new.id
                     FROM iso10002_complaint_step_history new
                    WHERE new.id = ANY(%s) AND c.id = new.complaint_id
                      AND (c.step_history_id IS NULL OR c.step_history_id IN
                           (SELECT id FROM iso10002_complaint_step_history WHERE date <= new.date))""",
                [row.id for row in latest.values()],
            )
        )
        self.browse(list(latest)).invalidate_recordset(["step_history_id"])

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
            snapshot = complaint._step_snapshot()
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
            for index, (date, step) in enumerate(history):
                last = index == len(history) - 1
                row = {
                    **snapshot,
                    "complaint_id": complaint.id,
                    "company_id": complaint.company_id.id,
                    "date": date,
                    "step": step,
                    "user_id": False,
                    "first": not index,
                    "moved": not index or history[index - 1][1] != step,
                    "paused": snapshot["paused"] and last,
                }
                # what came with the decision and after: as far as it is known
                if step not in ("communicated", "closed") and not last:
                    row.update(response=False, rating=0.0)
                elif snapshot["response"] and answered and answered > date and not last:
                    row["response"] = False
                if step in ("received", "acknowledged", "assessment", "investigation", "response") and not last:
                    row["decision_hours"] = 0.0
                rows.append(row)
        self._step_history_append(rows)
