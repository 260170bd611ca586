from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date

from .reader_locale import Reader

# the groupings of the period's complaints the review counts in one scan (_grouped)
REVIEW_GROUPINGS = (
    ("category_id",),
    ("channel_id",),
    ("team_id",),
    ("severity",),
    ("root_cause_id",),
    ("escalation_level",),
    ("classification", "category_id"),
    ("team_id", "rating_last_value"),
    ("complainant_response",),
    ("recourse_kind",),
    ("recourse_kind", "review_level"),
    ("recourse_kind", "referral_result"),
)
# the years a review period (and the previous period it is compared with) may cover
PERIOD_YEARS = (1900, 2999)


def _shared(memo, kind, domain, compute):
    """``compute()``, once per kind of figure and domain among the figures sharing ``memo``."""
    key = (kind, repr(domain))
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _round(value, digits=1):
    return round(value, digits) if value is not None else None


class Iso10002ReviewPeriodMixin(models.AbstractModel):
    """A period, companies and teams, and the figures of the complaints handled in them.

    Every figure is computed by the database (``_read_group``, with the median aggregate
    of ``iso10002.median.mixin``), never by looping over complaints in Python.
    """

    _name = "iso10002.review.period.mixin"
    _description = "Complaints review period"

    date_from = fields.Date(
        string="From", required=True, default=lambda self: fields.Date.context_today(self) - relativedelta(months=3)
    )
    date_to = fields.Date(string="To", required=True, default=fields.Date.context_today)
    company_ids = fields.Many2many(
        "res.company", string="Companies", default=lambda self: self.env.companies, required=True
    )
    team_ids = fields.Many2many("iso10002.complaint.team", string="Teams", help="Empty: every team.")

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for record in self:
            if error := self._period_error(record.date_from, record.date_to):
                raise ValidationError(error)

    @api.model
    def _period_error(self, date_from, date_to):
        """Why a period cannot be reviewed, or None. The previous period of the same
        length (the comparison) must fit in the calendar too."""
        if not date_from or not date_to or date_from > date_to:
            return self.env._("The period must start before it ends.")
        first, last = PERIOD_YEARS
        if date_from.year < first or date_to.year > last or date_from - (date_to - date_from) < date(first - 1, 1, 1):
            return self.env._("A review period lies between the years %(first)s and %(last)s.", first=first, last=last)
        return None

    # ------------------------------------------------------------- domains
    def _period_bounds(self, previous=False):
        self.ensure_one()
        start = datetime.combine(self.date_from, time.min)
        end = datetime.combine(self.date_to, time.max).replace(microsecond=0)
        if previous:
            length = end - start
            start, end = start - length - relativedelta(seconds=1), start - relativedelta(seconds=1)
        return start, end

    def _scope_domain(self):
        self.ensure_one()
        domain = [("company_id", "in", (self.company_ids or self.env.companies).ids)]
        if self.team_ids:
            domain.append(("team_id", "in", self.team_ids.ids))
        return domain

    def _received_domain(self, previous=False):
        start, end = self._period_bounds(previous)
        return [*self._scope_domain(), ("received_date", ">=", start), ("received_date", "<=", end)]

    def _open_at_end_domain(self, previous=False):
        _start, end = self._period_bounds(previous)
        return [
            *self._scope_domain(),
            ("received_date", "<=", end),
            ("step", "not in", ("withdrawn", "out_of_scope")),
            "|",
            ("closed_date", "=", False),
            ("closed_date", ">", end),
        ]

    def _overdue_at_end_domain(self, previous=False):
        """Open at the period's end, past the resolution deadline and not yet decided."""
        _start, end = self._period_bounds(previous)
        return [
            *self._open_at_end_domain(previous),
            ("resolution_deadline", "<", end),
            "|",
            ("communication_date", "=", False),
            ("communication_date", ">", end),
        ]

    # ------------------------------------------------------------- figures
    def _review_values(self):
        """Everything the management review shows, as plain data (dict of lists and numbers)."""
        self.ensure_one()
        Complaint = self.env["iso10002.complaint"].with_context(active_test=False)
        start, end = self._period_bounds()
        received = self._received_domain()
        previous = self._received_domain(previous=True)

        def count(domain):
            return Complaint.search_count(domain)

        def breakdown(rows, field, limit=None, keep=None):
            """(key, count) rows of one grouping as labelled items, biggest first."""
            items = [
                {"label": self._label(key, field, Complaint), "value": value}
                for key, value in rows
                if keep is None or keep(key)
            ]
            return items[:limit] if limit else items

        # the figures the objectives of the review share with it (_figure)
        memo = {}

        def kpis(domain):
            sla = _shared(memo, "sla", domain, lambda: Complaint._sla_kpis(domain))
            values = {key: _round(value) for key, value in sla.items()}
            values["received"] = count(domain)
            return values

        # the period's complaints counted by every grouping of the review in one scan
        grouped = self._grouped(Complaint, received, REVIEW_GROUPINGS, sums=("referral_amount",))

        def rows(*fields):
            return [row[:-1] for row in grouped[fields]]  # without the sum

        current, before = kpis(received), kpis(previous)
        closed_domain = [*self._scope_domain(), ("closed_date", ">=", start), ("closed_date", "<=", end)]
        prev_start, prev_end = self._period_bounds(previous=True)
        return {
            "period": {"start": start, "end": end, "previous_start": prev_start, "previous_end": prev_end},
            "received": current["received"],
            "received_previous": before["received"],
            "closed": count(closed_domain),
            "open": count(self._open_at_end_domain()),
            "overdue": count(self._overdue_at_end_domain()),
            "kpi": current,
            "kpi_previous": before,
            "trend": self._monthly_trend(Complaint),
            "by_category": breakdown(rows("category_id"), "category_id", 10),
            "by_product": breakdown(
                Complaint._read_group(
                    [*received, ("product_ids", "!=", False)], ["product_ids"], ["__count"], order="__count desc"
                ),
                "product_ids",
                10,
            ),
            "by_channel": breakdown(rows("channel_id"), "channel_id"),
            "by_team": breakdown(rows("team_id"), "team_id"),
            "by_severity": breakdown(rows("severity"), "severity"),
            "root_causes": breakdown(rows("root_cause_id"), "root_cause_id", 10, keep=bool),
            "repeats": _shared(memo, "repeats", received, lambda: self._repeats(Complaint, received)),
            **self._classification(Complaint, rows("classification", "category_id")),
            "objectives": self.env["iso10002.objective"]._overview(
                self.date_from, self.date_to, self.company_ids or self.env.companies, memo
            ),
            "audits": self.env["iso10002.audit"]._review_inputs(self),
            "satisfaction": _shared(memo, "satisfaction", received, lambda: self._satisfaction(Complaint, received)),
            "satisfaction_by_team": self._satisfaction_by_team(
                Complaint, received, rows("team_id", "rating_last_value")
            ),
            "decisions": self._decisions(Complaint, grouped, breakdown),
            "escalations": breakdown(
                rows("escalation_level"), "escalation_level", keep=lambda level: bool(level) and level > 0
            ),
            "corrective_actions": self._corrective_actions(),
            "previous_decisions": self._previous_decisions(),
        }

    def _grouped(self, Complaint, domain, groupings, sums=()):
        """The complaints of ``domain`` counted (and ``sums`` summed) by each of
        ``groupings`` (tuples of stored, non-many2many fields) in one scan of the table
        (GROUPING SETS) instead of one ``_read_group`` each, with the same access checks
        and keys: ``{grouping: [(*keys, count, *sums)]}``, biggest count first, no value last among
        equals."""
        columns = list(dict.fromkeys(name for grouping in groupings for name in grouping))
        Complaint._check_groupby_access(columns)
        query = Complaint._search(domain)
        expressions = [Complaint._read_group_groupby(name, query) for name in columns]
        # GROUPING() sets the bit of each column a row is not grouped by (the first is the
        # highest bit): which grouping a row belongs to
        width = len(columns)
        by_mask = {
            sum(1 << (width - 1 - index) for index, name in enumerate(columns) if name not in grouping): grouping
            for grouping in groupings
        }
        sets = SQL(", ").join(
            SQL("(%s)", SQL(", ").join(expressions[columns.index(name)] for name in grouping)) for grouping in groupings
        )
        aggregates = [SQL("count(*)")] + [
            SQL("sum(%s)", Complaint._field_to_sql(Complaint._table, name, query)) for name in sums
        ]
        raw = self.env.execute_query(
            SQL(
                "SELECT %s, GROUPING(%s), %s FROM %s WHERE %s GROUP BY GROUPING SETS (%s)",
                SQL(", ").join(expressions),
                SQL(", ").join(expressions),
                SQL(", ").join(aggregates),
                query.from_clause,
                query.where_clause or SQL("TRUE"),
                sets,
            )
        )
        result = {grouping: [] for grouping in groupings}
        for row in raw:
            grouping = by_mask[row[width]]
            result[grouping].append(([row[columns.index(name)] for name in grouping], row[width + 1 :]))
        for grouping, rows in result.items():
            # biggest first; among equals, no value last
            rows.sort(key=lambda row: (-row[1][0], [(key is None, "" if key is None else key) for key in row[0]]))
            keys = [
                list(Complaint._read_group_postprocess_groupby(name, [key[index] for key, _aggregates in rows]))
                for index, name in enumerate(grouping)
            ]
            result[grouping] = [
                (*(column[position] for column in keys), aggregates[0], *(value or 0 for value in aggregates[1:]))
                for position, (_key, aggregates) in enumerate(rows)
            ]
        return result

    def _figure(self, metric, previous=False, memo=None):
        """One figure of the period (or of the previous period of the same length), as an
        objective targets it (iso10002.objective's METRICS); None when nothing is measured.
        ``memo``: a dict shared by the figures computed together (the objectives of a
        dashboard or a review), so that figures of the same query run it once."""
        self.ensure_one()
        Complaint = self.env["iso10002.complaint"].with_context(active_test=False)
        received = self._received_domain(previous)
        memo = {} if memo is None else memo
        if metric in ("ack_in_time", "decided_in_time", "median_resolution"):
            key = {
                "ack_in_time": "ack_in_time_pct",
                "decided_in_time": "resolved_in_time_pct",
                "median_resolution": "resolution_hours_median",
            }[metric]
            return _round(_shared(memo, "sla", received, lambda: Complaint._sla_kpis(received))[key])
        if metric == "satisfaction":
            return _shared(memo, "satisfaction", received, lambda: self._satisfaction(Complaint, received))[
                "satisfied_pct"
            ]
        if metric == "repeat_rate":
            return _shared(memo, "repeats", received, lambda: self._repeats(Complaint, received))["rate"]
        if metric == "backlog":
            return Complaint.search_count(self._open_at_end_domain(previous))
        if metric == "overdue":
            return Complaint.search_count(self._overdue_at_end_domain(previous))
        if metric == "open_actions":
            return self._corrective_actions(previous)["open_at_end"]
        raise ValueError(f"unknown figure {metric!r}")

    def _repeats(self, Complaint, domain, limit=10):
        """Complaints from commercial entities that complained more than once in the
        period (ISO 10002 8.2): counted by complainant key, which anonymisation keeps."""
        keyed = [*domain, ("complainant_key", "!=", False)]
        # the totals in one aggregate over the complainants' counts (the ORM would return
        # every complainant's group to Python), with the user's rules (_search)
        query = Complaint._search(keyed)
        per_key = SQL(
            "SELECT count(*) AS n FROM %s WHERE %s GROUP BY %s",
            query.from_clause,
            query.where_clause,
            SQL.identifier(Complaint._table, "complainant_key"),
        )
        [(with_key, in_repeats, complainants)] = self.env.execute_query(
            SQL(
                "SELECT COALESCE(sum(n), 0), COALESCE(sum(n) FILTER (WHERE n > 1), 0), count(*) FILTER (WHERE n > 1) "
                "FROM (%s) AS per_key",
                per_key,
            )
        )
        repeated = Complaint._read_group(
            keyed, ["complainant_key"], ["__count"], having=[("__count", ">", 1)], order="__count desc", limit=limit
        )
        # each key's name, from a complaint still naming its complainant (one query)
        names = dict(
            Complaint._read_group(
                [("complainant_key", "in", [key for key, _count in repeated]), ("partner_id", "!=", False)],
                ["complainant_key"],
                ["partner_id:max"],
            )
        )
        Partner = self.env["res.partner"]
        top = [
            {
                "label": Partner.browse(names[key]).commercial_partner_id.display_name
                if names.get(key)
                else _("Anonymised complainant"),
                "value": count,
            }
            for key, count in repeated
        ]
        return {
            "complainants": complainants,
            "complaints": in_repeats,
            "rate": _round(100.0 * in_repeats / with_key) if with_key else None,
            "top": top,
        }

    @api.model
    def _label(self, key, groupby, Complaint):
        """The label of a group: a record's name, a selection's label, or the value."""
        if isinstance(key, models.BaseModel):
            return key.display_name or _("None")
        if key is False or key is None:
            return _("None")
        field = Complaint._fields[groupby.split(":")[0]]
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(key) or str(key)
        return Reader(self.env).digits(str(key))

    def _monthly_trend(self, Complaint):
        """Complaints received per month, this period against the previous one."""
        rows = {}
        for previous in (False, True):
            for month, value in Complaint._read_group(
                self._received_domain(previous), ["received_date:month"], ["__count"]
            ):
                key = month.date() if isinstance(month, datetime) else month
                rows.setdefault(previous, {})[key] = value
        start, end = self._period_bounds()
        firsts = []
        cursor = start.date().replace(day=1)
        while cursor <= end.date():
            firsts.append(cursor)
            cursor += relativedelta(months=1)
        # the previous period's months, one period length earlier
        shift = relativedelta(months=len(firsts))
        reader = Reader(self.env)
        months = [
            {
                # months of the Gregorian calendar, named in the reader's language
                "label": reader.digits(format_date(self.env, first, date_format="MMM y"))
                if reader.solar_hijri
                else first.strftime("%Y-%m"),
                "value": rows.get(False, {}).get(first, 0),
                "previous": rows.get(True, {}).get(first - shift, 0),
            }
            for first in firsts
        ]
        return months

    def _satisfaction(self, Complaint, domain):
        rows = Complaint._read_group([*domain, ("rating_last_value", ">", 0)], ["rating_last_value"], ["__count"])
        [(asked,)] = Complaint._read_group([*domain, ("rating_ids", "!=", False)], [], ["__count"])
        return self._satisfaction_of(rows, asked)

    @api.model
    def _satisfaction_of(self, rows, asked):
        """The satisfaction figures of (rating, count) rows and the number of complaints
        whose complainant was asked."""
        rows = [(value, count) for value, count in rows if value and value > 0]
        satisfied = sum(c for value, c in rows if value >= 4)
        neutral = sum(c for value, c in rows if 2 < value < 4)
        unhappy = sum(c for value, c in rows if value <= 2)
        rated = satisfied + neutral + unhappy
        return {
            "asked": asked,
            "rated": rated,
            "satisfied": satisfied,
            "neutral": neutral,
            "dissatisfied": unhappy,
            "satisfied_pct": _round(100.0 * satisfied / rated) if rated else None,
        }

    def _satisfaction_by_team(self, Complaint, domain, rows):
        """The satisfaction of each team with rated complaints, from (team, rating, count)
        rows, in the teams' order: one query for whom was asked, not two a team."""
        rated = {}
        for team, value, count in rows:
            if value and value > 0:
                rated.setdefault(team, []).append((value, count))
        asked = dict(Complaint._read_group([*domain, ("rating_ids", "!=", False)], ["team_id"], ["__count"]))
        Team = self.env["iso10002.complaint.team"]
        order = Team.sudo().with_context(active_test=False).search([("id", "in", [team.id for team in rated])]).ids
        return [
            {"label": self._label(team, "team_id", Complaint), **self._satisfaction_of(rated[team], asked.get(team, 0))}
            for team in sorted(rated, key=lambda team: order.index(team.id) if team.id in order else len(order))
        ]

    def _decisions(self, Complaint, grouped, breakdown):
        """How complainants answered the decisions, and where the rejections went (7.9):
        internal reviews by level, external referrals by outcome (from the review's
        grouping sets, ``_grouped``)."""
        answers = {answer: count for answer, count, _sum in grouped[("complainant_response",)] if answer}
        answered = sum(answers.values())
        rejected = answers.get("rejected", 0)
        awarded = sum(amount for kind, _count, amount in grouped[("recourse_kind",)] if kind == "referral")

        def of(kind, field):
            return [
                (key, count) for recourse, key, count, _sum in grouped[("recourse_kind", field)] if recourse == kind
            ]

        return {
            "answered": answered,
            "accepted": answers.get("accepted", 0),
            "rejected": rejected,
            "no_reply": answers.get("no_reply", 0),
            "rejected_pct": _round(100.0 * rejected / answered) if answered else None,
            "reviews": breakdown(of("review", "review_level"), "review_level"),
            "referrals": breakdown(of("referral", "referral_result"), "referral_result"),
            "referral_amount": awarded or 0.0,
        }

    def _classification(self, Complaint, rows, limit=10):
        """One-off, recurring and systemic complaints of the period, and the recurring and
        systemic ones by category (the clusters), from (classification, category, count)
        rows, biggest first."""
        rows = [row for row in rows if row[0]]
        kinds = dict(Complaint._fields["classification"]._description_selection(self.env))
        totals = {}
        for kind, _category, count in rows:
            totals[kind] = totals.get(kind, 0) + count
        clusters = [row for row in rows if row[0] in ("recurring", "systemic")][:limit]
        return {
            "classification": [
                {"label": kinds[kind], "value": count}
                for kind, count in sorted(totals.items(), key=lambda item: -item[1])
            ],
            "recurring_clusters": [
                {"label": self._label(category, "category_id", Complaint), "kind": kinds[kind], "value": count}
                for kind, category, count in clusters
            ],
        }

    def _corrective_actions(self, previous=False):
        start, end = self._period_bounds(previous)
        Action = self.env["iso10002.corrective.action"].with_context(active_test=False)
        scope = [("company_id", "in", (self.company_ids or self.env.companies).ids)]
        by_state = dict(Action._read_group(scope, ["state"], ["__count"]))
        [(open_at_end,)] = Action._read_group(
            [
                *scope,
                ("create_date", "<=", end),
                ("state", "!=", "cancelled"),
                "|",
                ("done_date", "=", False),
                ("done_date", ">", end.date()),
            ],
            [],
            ["__count"],
        )
        [(done_in_period,)] = Action._read_group(
            [*scope, ("state", "=", "done"), ("done_date", ">=", start.date()), ("done_date", "<=", end.date())],
            [],
            ["__count"],
        )
        [(overdue,)] = Action._read_group([*scope, ("is_overdue", "=", True)], [], ["__count"])
        return {
            "open": by_state.get("open", 0) + by_state.get("in_progress", 0),
            "done": by_state.get("done", 0),
            "done_in_period": done_in_period,
            "overdue": overdue,
            "open_at_end": open_at_end,
            "effectiveness": dict(Action._read_group([*scope, ("state", "=", "done")], ["effectiveness"], ["__count"])),
        }

    def _previous_decisions(self):
        previous = self.env["iso10002.management.review"].search(
            [("date_to", "<", self.date_from), ("company_ids", "in", (self.company_ids or self.env.companies).ids)],
            order="date_to desc",
            limit=1,
        )
        states = dict(self.env["iso10002.management.review.decision"]._fields["state"]._description_selection(self.env))
        return {
            "review": previous.display_name if previous else False,
            "decisions": [
                {
                    "name": decision.name,
                    "owner": decision.user_id.name or "",
                    "deadline": decision.deadline,
                    "state": states.get(decision.state),
                    "done": decision.state == "done",
                }
                for decision in previous.decision_ids
            ],
        }

    @api.model
    def _jsonable(self, value):
        """``value`` with dates as ISO strings, to be stored in a Json field."""
        if isinstance(value, dict):
            return {key: self._jsonable(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._jsonable(item) for item in value]
        if isinstance(value, datetime):
            return fields.Datetime.to_string(value)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value
