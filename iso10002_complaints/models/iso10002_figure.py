"""The catalogue of figures: every number the product shows about complaints handling,
defined once and computed by one function (``_measures``), as of a date.

A period is counted as of its end, or as of now while it runs: from the step history
(iso10002.complaint.step.history) up to that moment, with the deadlines as they stood
then. Nothing done later changes a closed period's figures. Each screen (the management
review, the objectives and their dashboard, the overview, the digest, the process audit,
the register's KPI sheet) reads its numbers here and shows the definition beside them."""

from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL, LazyTranslate

from odoo.addons.report_reader_locale.tools import Reader

_lt = LazyTranslate(__name__)

COUNT, PERCENT, HOURS = "count", "percent", "hours"

# code: (name, definition, unit, sense: "higher" or "lower" is better, or None)
CATALOGUE = {
    "received": (
        _lt("Received"),
        _lt("Complaints recorded in the period (a complaint recorded late counts when it was recorded)."),
        COUNT,
        None,
    ),
    "closed": (
        _lt("Closed"),
        _lt("Complaints that entered the Closed step in the period."),
        COUNT,
        None,
    ),
    "open_end": (
        _lt("Open at the end"),
        _lt("Complaints not closed, withdrawn or out of scope at the period's end (or now, if it has not ended)."),
        COUNT,
        "lower",
    ),
    "to_acknowledge_end": (
        _lt("To acknowledge"),
        _lt("Complaints still in the Received step, not yet acknowledged, at the period's end."),
        COUNT,
        "lower",
    ),
    "at_risk_end": (
        _lt("At risk"),
        _lt(
            "Complaints not yet decided, clock running, past the at-risk point of their running deadline "
            "(acknowledgement, then decision) but not past the deadline, at the period's end."
        ),
        COUNT,
        "lower",
    ),
    "ack_overdue_end": (
        _lt("Acknowledgement overdue"),
        _lt(
            "Complaints still in the Received step, clock running, whose acknowledgement deadline "
            "(as it stood then) had passed at the period's end."
        ),
        COUNT,
        "lower",
    ),
    "overdue_end": (
        _lt("Overdue at the end"),
        _lt(
            "Complaints not yet decided, clock running, whose decision deadline (as it stood then) had passed "
            "at the period's end."
        ),
        COUNT,
        "lower",
    ),
    "ack_in_time": (
        _lt("Acknowledged in time"),
        _lt(
            "Of the complaints received in the period whose acknowledgement was made or due by its end, "
            "the share acknowledged by the deadline that applied then."
        ),
        PERCENT,
        "higher",
    ),
    "decided_in_time": (
        _lt("Decided in time"),
        _lt(
            "Of the complaints received in the period whose decision was communicated or overdue by its end, "
            "the share whose first decision was communicated by the deadline that applied then."
        ),
        PERCENT,
        "higher",
    ),
    "decision_hours_median": (
        _lt("Median working hours to a decision"),
        _lt(
            "Median working hours (pauses left out) from receipt to the first communicated decision, of the "
            "complaints received in the period and decided by its end under an SLA policy."
        ),
        HOURS,
        "lower",
    ),
    "satisfaction": (
        _lt("Satisfaction"),
        _lt(
            "Of the complaints received in the period whose complainant rated the handling by its end "
            "(satisfied, partly satisfied or not satisfied), the share who said satisfied."
        ),
        PERCENT,
        "higher",
    ),
    "satisfaction_response_rate": (
        _lt("Satisfaction response rate"),
        _lt(
            "Of the complaints closed in the period whose complainant's satisfaction had been asked by its end "
            "(by e-mail, phone, letter or in person), the share whose complainant rated the handling "
            "(a complainant who declined to answer did not)."
        ),
        PERCENT,
        "higher",
    ),
    "answers_accepted": (
        _lt("Decisions accepted"),
        _lt("Complaints received in the period whose complainant had accepted the decision by its end."),
        COUNT,
        "higher",
    ),
    "answers_rejected": (
        _lt("Decisions rejected"),
        _lt("Complaints received in the period whose complainant had rejected the decision by its end."),
        COUNT,
        "lower",
    ),
    "answers_no_reply": (
        _lt("Decisions without reply"),
        _lt("Complaints received in the period recorded by its end as given no reply to the decision."),
        COUNT,
        "lower",
    ),
    "repeat_rate": (
        _lt("Repeat rate"),
        _lt(
            "Of the complaints received in the period with a known complainant, the share from complainants "
            "who complained more than once in the period: a person by their e-mail address, else their phone "
            "number; a company's contacts as the company."
        ),
        PERCENT,
        "lower",
    ),
    "escalations": (
        _lt("Escalated"),
        _lt("Complaints escalated by the SLA in the period (each complaint once)."),
        COUNT,
        "lower",
    ),
    "actions_open_end": (
        _lt("Corrective actions open at the end"),
        _lt("Corrective actions created by the period's end and neither done nor cancelled by then."),
        COUNT,
        "lower",
    ),
    "actions_done": (
        _lt("Corrective actions done"),
        _lt("Corrective actions marked done in the period."),
        COUNT,
        "higher",
    ),
    "actions_effective": (
        _lt("Corrective actions verified effective"),
        _lt("Corrective actions whose effectiveness was verified, and found effective, in the period."),
        COUNT,
        "higher",
    ),
}

UNDECIDED = ("received", "acknowledged", "assessment", "investigation", "response")
OPEN = (*UNDECIDED, "communicated")

# Each complaint figure, as conditions on the facts of one complaint as of the period's
# end (``_facts``): a count, or a share of a numerator among a denominator (in %)
_OVERDUE = "f.step IN %(undecided)s AND NOT f.paused AND f.resolution_deadline < %(end)s"
COMPLAINT_FIGURES = {
    "received": {"count": "f.cohort"},
    "closed": {"count": "f.closed"},
    "open_end": {"count": "f.step IN %(open)s"},
    "to_acknowledge_end": {"count": "f.step = 'received'"},
    "at_risk_end": {
        "count": "f.step IN %(undecided)s AND NOT f.paused AND f.at_risk_date <= %(end)s AND "
        "(CASE WHEN f.step = 'received' THEN f.ack_deadline ELSE f.resolution_deadline END) >= %(end)s"
    },
    "ack_overdue_end": {"count": "f.step = 'received' AND NOT f.paused AND f.ack_deadline < %(end)s"},
    "overdue_end": {"count": _OVERDUE},
    # a deadline that passed while its step was still to take is missed for good: a later
    # step that ended the complaint (withdrawn, out of scope) or moved the deadline does
    # not take it out of the share
    "ack_in_time": {
        "denominator": "f.cohort AND ((f.ack_date IS NOT NULL AND f.ack_due IS NOT NULL) OR (f.ack_date IS NULL "
        "AND (f.ack_missed OR (f.step = 'received' AND NOT f.paused AND f.ack_deadline < %(end)s))))",
        "numerator": "f.cohort AND f.ack_date IS NOT NULL AND f.ack_due IS NOT NULL AND f.ack_date <= f.ack_due "
        "AND NOT f.ack_missed",
    },
    "decided_in_time": {
        "denominator": "f.cohort AND ((f.dec_date IS NOT NULL AND f.dec_due IS NOT NULL) OR (f.dec_date IS NULL "
        f"AND (f.dec_missed OR ({_OVERDUE}))))",
        "numerator": "f.cohort AND f.dec_date IS NOT NULL AND f.dec_due IS NOT NULL AND f.dec_date <= f.dec_due "
        "AND NOT f.dec_missed",
    },
    "decision_hours_median": {
        "median": "f.dec_hours",
        "count": "f.cohort AND f.dec_date IS NOT NULL AND f.dec_policy",
    },
    "satisfaction": {
        "denominator": "f.cohort AND f.rating > 0",
        "numerator": "f.cohort AND f.rating >= 4",
    },
    "satisfaction_response_rate": {
        "denominator": "f.closed AND f.satisfaction_asked",
        "numerator": "f.closed AND f.satisfaction_asked AND f.rating > 0",
    },
    "answers_accepted": {"count": "f.cohort AND f.response = 'accepted'"},
    "answers_rejected": {"count": "f.cohort AND f.response = 'rejected'"},
    "answers_no_reply": {"count": "f.cohort AND f.response = 'no_reply'"},
    "repeat_rate": {
        "denominator": "f.cohort AND f.complainant_key IS NOT NULL",
        "numerator": "f.cohort AND f.repeated",
    },
    "escalations": {"count": "f.escalated"},
}
# the corrective actions' figures, on the actions as they stood at the period's end
ACTION_FIGURES = {
    "actions_open_end": "a.create_date <= %(end)s AND (a.done_date IS NULL OR a.done_date > %(end_day)s) "
    "AND (a.cancelled_date IS NULL OR a.cancelled_date > %(end_day)s)",
    "actions_done": "a.done_date BETWEEN %(start_day)s AND %(end_day)s",
    "actions_effective": "a.effectiveness = 'effective' AND a.verified_date BETWEEN %(start_day)s AND %(end_day)s",
}


class Iso10002Figure(models.AbstractModel):
    _name = "iso10002.figure"
    _description = "Complaints figures"

    # ------------------------------------------------------------ catalogue
    @api.model
    def _catalogue(self):
        """[{code, name, definition, unit, sense}] in the reader's language."""
        lang = self.env.lang
        return [
            {
                "code": code,
                "name": name._translate(lang),
                "definition": definition._translate(lang),
                "unit": unit,
                "sense": sense,
            }
            for code, (name, definition, unit, sense) in CATALOGUE.items()
        ]

    @api.model
    def _definition(self, code):
        return next(figure for figure in self._catalogue() if figure["code"] == code)

    @api.model
    def _selection(self):
        """(code, name) of every figure: what an objective may target."""
        return [(code, name._translate(self.env.lang)) for code, (name, _d, _u, _s) in CATALOGUE.items()]

    # -------------------------------------------------------------- figures
    @api.model
    def _values(self, codes, date_from, date_to, domain=None, teams=None, companies=None, categories=None):
        """{code: number} of the period, for the complaints the current user may read
        within ``domain`` (and, when given, of ``teams`` as they stood at the period's
        end), and the corrective actions of ``companies``; ``categories``: those of these
        categories as they stood then. None where nothing is measured."""
        measures = self._measures(codes, date_from, date_to, domain, teams, companies, categories)
        return {code: measure["value"] for code, measure in measures.items()}

    @api.model
    def _measures(self, codes, date_from, date_to, domain=None, teams=None, companies=None, categories=None):
        """{code: {value, numerator, denominator}}: what ``_values`` returns, with the counts a
        share is made of (the screens show them on hover)."""
        return self._compute(codes, date_from, date_to, domain, teams, companies, categories)[None]

    @api.model
    def _measures_by_team(self, codes, date_from, date_to, domain=None, teams=None, companies=None, categories=None):
        """{team (as it stood at the period's end): {code: measure}} of the complaint figures
        among ``codes``, in one query; teams without any complaint are left out."""
        computed = self._compute(codes, date_from, date_to, domain, teams, companies, categories, by_team=True)
        Team = self.env["iso10002.complaint.team"].with_context(active_test=False)
        return {Team.browse(key[1]): measures for key, measures in computed.items() if key and key[0] == "team_id"}

    @api.model
    def _compute(
        self, codes, date_from, date_to, domain=None, teams=None, companies=None, categories=None, by_team=False
    ):
        """The one function that computes the figures: {None: {code: measure}}, and with
        ``by_team`` each team's and each category's (as they stood at the period's end) too,
        keyed ("team_id", id) and ("category_id", id): complaint figures, in the same pass."""
        codes = list(codes)
        unknown = set(codes) - set(CATALOGUE)
        if unknown:
            raise ValueError(f"unknown figures {sorted(unknown)!r}")
        start, end = self._bounds(date_from, date_to)
        result = {None: {}}
        wanted = [code for code in codes if code in COMPLAINT_FIGURES]
        if wanted and start <= end:
            facts, params = self._facts(start, end, domain, teams, companies, categories)
            selects = []
            for code in wanted:
                spec = COMPLAINT_FIGURES[code]
                for part in ("count", "numerator", "denominator"):
                    if part in spec:
                        selects.append(SQL("count(*) FILTER (WHERE %s)", SQL(spec[part], **params)))
                if "median" in spec:
                    selects.append(
                        SQL(
                            "percentile_cont(0.5) WITHIN GROUP (ORDER BY %s) FILTER (WHERE %s)",
                            SQL(spec["median"]),
                            SQL(spec["count"], **params),
                        )
                    )
            # the totals, and with by_team each team's and category's, in one pass (GROUPING()
            # tells them apart: 3 the totals, 1 a team's, 2 a category's)
            sets = SQL("GROUPING SETS ((), (f.team_id), (f.category_id))") if by_team else SQL("()")
            # one pass over the complaints: compiling it (JIT) costs more than it saves
            [(jit,)] = self.env.execute_query(SQL("SHOW jit"))
            self.env.execute_query(SQL("SET LOCAL jit = off"))
            try:
                rows = self.env.execute_query(
                    SQL(
                        "%s SELECT %s, %s FROM facts f GROUP BY %s",
                        facts,
                        SQL("GROUPING(f.team_id, f.category_id), f.team_id, f.category_id")
                        if by_team
                        else SQL("3, NULL, NULL"),
                        SQL(", ").join(selects),
                        sets,
                    )
                )
            finally:
                self.env.execute_query(SQL("SELECT set_config('jit', %s, true)", jit))
            for grouping, team_id, category_id, *row in rows:
                key = {3: None, 1: ("team_id", team_id or False), 2: ("category_id", category_id or False)}[grouping]
                values, measures = iter(row), result.setdefault(key, {})
                for code in wanted:
                    spec = COMPLAINT_FIGURES[code]
                    parts = {part: next(values) for part in ("count", "numerator", "denominator") if part in spec}
                    if "median" in spec:
                        median = next(values)
                        measures[code] = self._measure(round(median, 1) if median is not None else None, parts["count"])
                    elif "count" in parts:
                        measures[code] = self._measure(parts["count"])
                    else:
                        measures[code] = self._share(parts["numerator"], parts["denominator"])
        actions = [code for code in codes if code in ACTION_FIGURES]
        if actions and start <= end:
            source, params = self._action_source(start, end, companies)
            [row] = self.env.execute_query(
                SQL(
                    "SELECT %s FROM %s",
                    SQL(", ").join(
                        SQL("count(*) FILTER (WHERE %s)", SQL(ACTION_FIGURES[c], **params)) for c in actions
                    ),
                    source,
                )
            )
            result[None].update({code: self._measure(value) for code, value in zip(actions, row, strict=True)})
        for key, measures in result.items():
            for code in codes:
                if key is not None and code in ACTION_FIGURES:
                    continue
                measures.setdefault(code, self._measure(0 if CATALOGUE[code][2] == COUNT else None, 0))
        return result

    @api.model
    def _records(self, code, date_from, date_to, domain=None, teams=None, companies=None, categories=None, part=None):
        """The complaints (or corrective actions) a figure counts: ``part`` is "numerator" or
        "denominator" for a share (the denominator by default)."""
        model = "iso10002.corrective.action" if code in ACTION_FIGURES else "iso10002.complaint"
        query = self._records_sql(code, date_from, date_to, domain, teams, companies, categories, part)
        ids = [row[0] for row in self.env.execute_query(SQL("SELECT id FROM %s AS counted ORDER BY id", query))]
        return self.env[model].with_context(active_test=False).browse(ids)

    @api.model
    def _records_domain(self, code, date_from, date_to, domain=None, teams=None, companies=None, categories=None):
        """``_records`` as a domain on complaints. The complaints received in a period of
        every team and category are those recorded in it (the first row of their history,
        kept on the complaint): a plain domain the breakdowns are grouped by fast."""
        if code == "received" and not teams and categories is None:
            start, end = self._bounds(date_from, date_to)
            companies = companies if companies is not None else self.env.companies
            return [
                *(domain or []),
                ("company_id", "in", companies.ids),
                ("recorded_date", ">=", start),
                ("recorded_date", "<=", end),
            ]
        query = self._records_sql(code, date_from, date_to, domain, teams, companies, categories)
        return [("id", "in", query)]

    @api.model
    def _records_sql(
        self, code, date_from, date_to, domain=None, teams=None, companies=None, categories=None, part=None
    ):
        """``_records`` as a subquery of ids (for a domain: ``[("id", "in", query)]``)."""
        start, end = self._bounds(date_from, date_to)
        if start > end:
            return SQL("(SELECT NULL::int AS id WHERE FALSE)")
        if code in ACTION_FIGURES:
            source, params = self._action_source(start, end, companies)
            return SQL("(SELECT a.id FROM %s WHERE %s)", source, SQL(ACTION_FIGURES[code], **params))
        spec = COMPLAINT_FIGURES[code]
        condition = spec.get(part or "count") or spec[part or "denominator"]
        facts, params = self._facts(start, end, domain, teams, companies, categories)
        return SQL("(%s SELECT f.complaint_id AS id FROM facts f WHERE %s)", facts, SQL(condition, **params))

    @api.model
    def _measure(self, value, denominator=None):
        return {"value": value, "numerator": None, "denominator": denominator}

    @api.model
    def _ratio(self, measure):
        """What a share is made of, as a reader reads it ("12 / 40"); None for a count."""
        if measure["numerator"] is None:
            return None
        return Reader(self.env).digits(f"{measure['numerator']} / {measure['denominator']}")

    @api.model
    def _share(self, numerator, denominator):
        value = round(100.0 * numerator / denominator, 1) if denominator else None
        return {"value": value, "numerator": numerator, "denominator": denominator}

    # -------------------------------------------------------------- helpers
    @api.model
    def _bounds(self, date_from, date_to):
        """The period's first moment and the moment it is counted as of: its last second,
        or now if that is still to come."""
        now = fields.Datetime.now().replace(microsecond=0)
        if isinstance(date_from, datetime) and isinstance(date_to, datetime):
            # moments (the digest's periods, the Overview's now): from the first, up to the
            # second excluded; in UTC, as the database keeps them
            date_from, date_to = (
                moment.astimezone(pytz.utc).replace(tzinfo=None) if moment.tzinfo else moment
                for moment in (date_from, date_to)
            )
            return date_from, min(date_to - timedelta(seconds=1) if date_to > datetime.min else date_to, now)
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        start = datetime.combine(date_from, time.min)
        return start, min(datetime.combine(date_to, time.max).replace(microsecond=0), now)

    @api.model
    def _readable(self, domain, companies):
        """The complaints the user may read (their record rules), of ``companies``,
        within ``domain``: (FROM, WHERE) of a query whose complaint table is aliased
        ``iso10002_complaint``."""
        Complaint = self.env["iso10002.complaint"].with_context(active_test=False)
        companies = companies if companies is not None else self.env.companies
        query = Complaint._search([*(domain or []), ("company_id", "in", companies.ids)])
        return query.from_clause, query.where_clause or SQL("TRUE")

    @api.model
    def _facts(self, start, end, domain, teams, companies, categories=None):
        """A WITH clause defining ``facts``: one row per complaint the user may read, as it
        stood at ``end`` (from its step history), with what the figures ask of it."""
        self.env["iso10002.complaint"].flush_model()
        self.env["iso10002.complaint.step.history"].flush_model()
        self.env["iso10002.sla.event"].flush_model()
        readable_from, readable_where = self._readable(domain, companies)
        team_filter = SQL("s.team_id IN %s", tuple(teams.ids)) if teams else SQL("TRUE")
        # categories given but none left (deleted, unreadable): nothing matches, never "all"
        if categories is None:
            category_filter = SQL("TRUE")
        else:
            category_filter = SQL("s.category_id IN %s", tuple(categories.ids)) if categories else SQL("FALSE")
        params = {
            "end": end,
            "undecided": UNDECIDED,
            "open": OPEN,
        }
        facts = SQL(
            """WITH state AS (
                   -- each complaint as it stood at the end: its latest row, unless that came
                   -- later (then the last row before the end), none if recorded later
                   SELECT h.* FROM %(readable_from)s
                     JOIN iso10002_complaint_step_history h ON h.id = iso10002_complaint.step_history_id
                    WHERE %(readable_where)s AND h.date <= %(end)s
                   UNION ALL
                   SELECT before_end.* FROM %(readable_from)s
                     JOIN iso10002_complaint_step_history latest ON latest.id = iso10002_complaint.step_history_id
                    CROSS JOIN LATERAL (
                       SELECT * FROM iso10002_complaint_step_history h
                        WHERE h.complaint_id = iso10002_complaint.id AND h.date <= %(end)s
                     ORDER BY h.date DESC, h.id DESC LIMIT 1
                    ) AS before_end
                    WHERE %(readable_where)s AND latest.date > %(end)s AND latest.recorded_date <= %(end)s
               ), escalated AS (
                   SELECT DISTINCT complaint_id FROM iso10002_sla_event
                    WHERE kind = 'escalation' AND date BETWEEN %(start)s AND %(end)s
               ), scoped AS (
                   SELECT s.complaint_id, s.team_id, s.category_id, s.step, s.paused, s.ack_deadline,
                          s.resolution_deadline, s.at_risk_date, s.response, s.rating, s.complainant_key,
                          COALESCE(s.satisfaction_asked, FALSE) AS satisfaction_asked,
                          s.recorded_date BETWEEN %(start)s AND %(end)s AS cohort,
                          s.ack_date, s.ack_due, s.ack_missed,
                          s.decision_date AS dec_date, s.decision_due AS dec_due, s.decision_missed AS dec_missed,
                          s.decision_hours AS dec_hours, s.decision_under_policy AS dec_policy,
                          COALESCE(s.closed_date BETWEEN %(start)s AND %(end)s, FALSE) AS closed,
                          e.complaint_id IS NOT NULL AS escalated
                     FROM state s
                LEFT JOIN escalated e ON e.complaint_id = s.complaint_id
                    WHERE %(team_filter)s AND %(category_filter)s
               ), repeated AS (
                   SELECT complainant_key FROM scoped WHERE cohort AND complainant_key IS NOT NULL
                 GROUP BY complainant_key HAVING count(*) > 1
               ), facts AS (
                   SELECT f.*, r.complainant_key IS NOT NULL AS repeated
                     FROM scoped f LEFT JOIN repeated r ON r.complainant_key = f.complainant_key
               )""",
            end=end,
            start=start,
            readable_from=readable_from,
            readable_where=readable_where,
            team_filter=team_filter,
            category_filter=category_filter,
        )
        return facts, params

    @api.model
    def _action_source(self, start, end, companies):
        """The corrective actions the user may read, of ``companies``, as ``a``."""
        Action = self.env["iso10002.corrective.action"].with_context(active_test=False)
        Action.flush_model()
        companies = companies if companies is not None else self.env.companies
        readable = Action._search([("company_id", "in", companies.ids)]).subselect()
        params = {"end": end, "end_day": end.date(), "start_day": start.date()}
        return SQL("(SELECT * FROM iso10002_corrective_action WHERE id IN %s) AS a", readable), params

    @api.model
    def _now(self):
        """The Overview's "period": this very moment, whatever the reader's time zone."""
        now = fields.Datetime.now().replace(microsecond=0)
        return now, now + timedelta(seconds=1)
