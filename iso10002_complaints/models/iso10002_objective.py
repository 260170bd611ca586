from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from .reader_locale import Reader
from .trust import one

# The figures an objective can target (computed by the period mixin's _figure), and for
# each whether more is better and its unit
METRICS = [
    ("ack_in_time", "Acknowledged within target"),
    ("decided_in_time", "Decision communicated within target"),
    ("median_resolution", "Median working hours to a decision"),
    ("satisfaction", "Satisfied complainants"),
    ("repeat_rate", "Complaints from repeat complainants"),
    ("open_actions", "Corrective actions open at the period's end"),
    ("backlog", "Complaints open at the period's end"),
    ("overdue", "Complaints overdue at the period's end"),
]
METRIC_SENSE = {
    "ack_in_time": (True, "%"),
    "decided_in_time": (True, "%"),
    "median_resolution": (False, " h"),
    "satisfaction": (True, "%"),
    "repeat_rate": (False, "%"),
    "open_actions": (False, ""),
    "backlog": (False, ""),
    "overdue": (False, ""),
}


# the largest target a figure can have (shares are at most 100, counts and hours far less)
MAX_TARGET = 1_000_000


class Iso10002Objective(models.Model):
    """A measurable complaints-handling objective (ISO 10002 6.2): a target for one of the
    figures the review computes, over a period and a scope; its actual value and the
    previous period's are computed from the records, never typed."""

    _name = "iso10002.objective"
    _description = "Complaints Handling Objective"
    _inherit = ["iso10002.review.period.mixin", "mail.thread"]
    _order = "date_to desc, sequence, id"

    name = fields.Char(
        string="Title", tracking=True, help="Empty: the figure and its target, in each reader's language."
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    metric = fields.Selection(
        METRICS,
        required=True,
        default="ack_in_time",
        tracking=True,
    )
    target = fields.Float(required=True, tracking=True, help="The value to reach (a share in %, hours or a count).")
    higher_is_better = fields.Boolean(compute="_compute_metric_info")
    unit = fields.Char(compute="_compute_metric_info")
    date_from = fields.Date(default=lambda self: fields.Date.context_today(self).replace(month=1, day=1))
    date_to = fields.Date(default=lambda self: fields.Date.context_today(self).replace(month=12, day=31))
    category_ids = fields.Many2many(
        "iso10002.complaint.category", string="Categories", help="Empty: every category (complaint figures only)."
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True, string="Owning Company"
    )
    user_id = fields.Many2one("res.users", string="Responsible", domain=[("share", "=", False)], tracking=True)
    note = fields.Text(string="How it is reached")
    actual = fields.Float(compute="_compute_actual", digits=(16, 1))
    previous_actual = fields.Float(compute="_compute_actual", digits=(16, 1), string="Previous Period")
    status = fields.Selection(
        [("met", "Met"), ("missed", "Not met"), ("no_data", "No data")], compute="_compute_actual"
    )
    trend = fields.Selection(
        [("better", "Better"), ("worse", "Worse"), ("same", "Same"), ("no_data", "No data")],
        compute="_compute_actual",
        string="Against the Previous Period",
    )

    @api.depends("name", "metric", "target")
    @api.depends_context("lang")
    def _compute_display_name(self):
        """Its own title, else the figure and the target, in the reader's language."""
        for objective in self:
            if objective.name or not objective.metric:
                objective.display_name = objective.name or ""
            else:
                objective.display_name = self._title(objective.metric, objective.target)

    @api.model
    def _title(self, metric, target):
        """The figure and its target, in the reader's language ("… ≥ 95%")."""
        label = dict(self._fields["metric"]._description_selection(self.env))[metric]
        higher, unit = METRIC_SENSE[metric]
        return f"{label} {'≥' if higher else '≤'} {Reader(self.env).digits(f'{target:g}')}{unit}"

    @api.constrains("target")
    def _check_target(self):
        for objective in self:
            if not 0 <= objective.target <= MAX_TARGET:
                raise ValidationError(
                    self.env._("A target lies between 0 and %(max)s.", max=Reader(self.env).number(f"{MAX_TARGET:g}"))
                )

    @api.depends("metric")
    def _compute_metric_info(self):
        for objective in self:
            higher, unit = METRIC_SENSE.get(objective.metric, (True, ""))
            objective.higher_is_better, objective.unit = higher, unit

    @api.depends("metric", "target", "date_from", "date_to", "company_ids", "team_ids", "category_ids")
    def _compute_actual(self):
        memo = {}  # objectives of the same period and scope share their queries
        for objective in self:
            measure = objective._measure(memo)
            objective.actual = measure["actual"] or 0.0
            objective.previous_actual = measure["previous"] or 0.0
            objective.status, objective.trend = measure["status"], measure["trend"]

    def _measure(self, memo=None):
        """The figure of the period and of the previous one, whether the target is met
        and how it moved; ``memo`` shares the queries of figures computed together."""
        self.ensure_one()
        current = self._objective_value(memo=memo) if self.date_from and self.date_to else None
        before = self._objective_value(previous=True, memo=memo) if current is not None else None
        if current is None or before is None:
            trend = "no_data"
        else:
            compared = float_compare(current, before, precision_digits=1)
            better = compared > 0 if self.higher_is_better else compared < 0
            trend = "same" if not compared else "better" if better else "worse"
        status = "no_data" if current is None else "met" if self._reaches(current) else "missed"
        return {"actual": current, "previous": before, "status": status, "trend": trend}

    def _reaches(self, value):
        compared = float_compare(value, self.target, precision_digits=1)
        return compared >= 0 if self.higher_is_better else compared <= 0

    # ------------------------------------------------------------- figures
    def _scope_domain(self):
        domain = super()._scope_domain()
        if self.category_ids:
            domain.append(("category_id", "child_of", self.category_ids.ids))
        return domain

    def _objective_value(self, previous=False, memo=None):
        """The objective's figure over its period (or the previous one of the same
        length), computed by the database; None when there is nothing to measure."""
        self.ensure_one()
        return self._figure(self.metric, previous, memo)

    @api.model
    def _overview(self, date_from, date_to, companies, memo=None):
        """The objectives of ``companies`` whose period meets [date_from, date_to], as the
        management review shows them; ``memo``: the review's figures already computed."""
        objectives = self.search(
            [("date_from", "<=", date_to), ("date_to", ">=", date_from), ("company_id", "in", companies.ids)],
            order="metric, date_to desc, id",
        )
        memo = {} if memo is None else memo
        measures = {objective: objective._measure(memo) for objective in objectives}
        # keys, dates and numbers: the template words them in the reader's language
        return [
            {
                "name": objective.display_name,
                "title": objective.name,
                "metric": objective.metric,
                "date_from": objective.date_from,
                "date_to": objective.date_to,
                "target": objective.target,
                "actual": measures[objective]["actual"],
                "previous": measures[objective]["previous"],
                "percent": METRIC_SENSE[objective.metric][1] == "%",
                "status": measures[objective]["status"],
                "trend": measures[objective]["trend"],
            }
            for objective in objectives
        ]

    def action_open_complaints(self):
        """The complaints the objective measures (received in its period, in its scope)."""
        one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("iso10002_complaints.iso10002_complaint_action")
        action.update(domain=self._received_domain(), context={"active_test": False}, name=self.display_name)
        return action
