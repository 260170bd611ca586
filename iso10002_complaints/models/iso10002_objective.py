from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from odoo.addons.report_reader_locale.tools import Reader

from ..tools.trust import one
from .iso10002_figure import CATALOGUE, COUNT, HOURS, PERCENT

# The figures an objective can target: the catalogue's (iso10002.figure), with for each
# whether more is better and its unit as written after a number
# (a figure that is neither better higher nor lower, as the complaints received, is no target)
METRICS = [(code, name._source) for code, (name, _definition, _unit, sense) in CATALOGUE.items() if sense]
UNIT_SUFFIX = {PERCENT: "%", HOURS: " h", COUNT: ""}
METRIC_SENSE = {
    code: (sense != "lower", UNIT_SUFFIX[unit]) for code, (_name, _definition, unit, sense) in CATALOGUE.items()
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
        string="Figure",
        required=True,
        default="ack_in_time",
        tracking=True,
    )
    definition = fields.Char(compute="_compute_metric_info", help="How the figure is counted.")
    is_count = fields.Boolean(compute="_compute_metric_info")
    actual_numerator = fields.Integer(compute="_compute_actual")
    actual_denominator = fields.Integer(compute="_compute_actual")
    actual_label = fields.Char(compute="_compute_actual", string="Actual Value")
    previous_label = fields.Char(compute="_compute_actual", string="Previous Value")
    target_label = fields.Char(compute="_compute_metric_info", string="Target Value")
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

    @api.depends("metric", "target")
    @api.depends_context("lang")
    def _compute_metric_info(self):
        Figure = self.env["iso10002.figure"]
        for objective in self:
            higher, unit = METRIC_SENSE.get(objective.metric, (True, ""))
            objective.higher_is_better, objective.unit = higher, unit
            known = objective.metric in CATALOGUE
            objective.definition = Figure._definition(objective.metric)["definition"] if known else False
            objective.is_count = known and CATALOGUE[objective.metric][2] == COUNT
            objective.target_label = objective._format(objective.target)

    def _format(self, value):
        """A value of the objective's figure as a reader reads it: a count as a whole
        number, a share or hours with one decimal, and its unit."""
        if value is None or value is False:
            return "–"
        _higher, unit = METRIC_SENSE.get(self.metric, (True, ""))
        count = self.metric in CATALOGUE and CATALOGUE[self.metric][2] == COUNT
        text = f"{round(value):d}" if count else f"{value:.1f}".rstrip("0").rstrip(".")
        return Reader(self.env).digits(text) + unit

    @api.depends("metric", "target", "date_from", "date_to", "company_ids", "team_ids", "category_ids")
    @api.depends_context("uid", "allowed_company_ids", "lang")
    def _compute_actual(self):
        """The figure as its reader counts it (the complaints they may read)."""
        memo = {}  # objectives of the same period and scope share their queries
        for objective in self:
            measure = objective._measure(memo)
            objective.actual = measure["actual"] or 0.0
            objective.previous_actual = measure["previous"] or 0.0
            objective.status, objective.trend = measure["status"], measure["trend"]
            objective.actual_numerator = measure["numerator"] or 0
            objective.actual_denominator = measure["denominator"] or 0
            objective.actual_label = objective._format(measure["actual"])
            objective.previous_label = objective._format(measure["previous"])

    def _measure(self, memo=None):
        """The figure of the period and of the previous one, whether the target is met
        and how it moved; ``memo`` shares the queries of figures computed together."""
        self.ensure_one()
        known = (
            self.metric in CATALOGUE
            and self.date_from
            and self.date_to
            # a period (and the previous one) the calendar can hold: else nothing to measure
            and not self._period_error(self.date_from, self.date_to)
        )
        measure = (
            self._figures([self.metric], memo=memo)[self.metric]
            if known
            else self.env["iso10002.figure"]._measure(None)
        )
        current = measure["value"]
        before = self._objective_value(previous=True, memo=memo) if current is not None else None
        if current is None or before is None:
            trend = "no_data"
        else:
            compared = float_compare(current, before, precision_digits=1)
            better = compared > 0 if self.higher_is_better else compared < 0
            trend = "same" if not compared else "better" if better else "worse"
        status = "no_data" if current is None else "met" if self._reaches(current) else "missed"
        return {
            "actual": current,
            "previous": before,
            "status": status,
            "trend": trend,
            "numerator": measure["numerator"],
            "denominator": measure["denominator"],
        }

    def _reaches(self, value):
        compared = float_compare(value, self.target, precision_digits=1)
        return compared >= 0 if self.higher_is_better else compared <= 0

    # ------------------------------------------------------------- figures
    def _figure_scope(self):
        """The objective's categories (and their subcategories) as they stood at the
        period's end: a complaint categorised afterwards does not change a past figure."""
        scope = super()._figure_scope()
        if self.category_ids:
            # the category tree as it is (categories are archived, never deleted once used)
            Category = self.env["iso10002.complaint.category"].sudo().with_context(active_test=False)
            scope["categories"] = Category.search([("id", "child_of", self.sudo().category_ids.ids)])
        return scope

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
                "count": CATALOGUE[objective.metric][2] == COUNT,
                "figure_unit": CATALOGUE[objective.metric][2],
                "ratio": self.env["iso10002.figure"]._ratio(measures[objective]),
                "unit": METRIC_SENSE[objective.metric][1],
                "definition": objective.definition,
                "numerator": measures[objective]["numerator"],
                "denominator": measures[objective]["denominator"],
                "status": measures[objective]["status"],
                "trend": measures[objective]["trend"],
            }
            for objective in objectives
        ]

    def action_open_complaints(self):
        """The records the objective's figure counts (for a share: those it is a share of),
        as it counts them."""
        one(self)
        records = self.env["iso10002.figure"]._records(self.metric, *self._figure_period(), **self._figure_scope())
        xmlid = (
            "iso10002_complaints.iso10002_corrective_action_action"
            if records._name == "iso10002.corrective.action"
            else "iso10002_complaints.iso10002_complaint_action"
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action.update(
            domain=[("id", "in", records.ids)],
            context={"active_test": False},
            name=self.display_name,
            display_name=self.display_name,
        )
        return action
