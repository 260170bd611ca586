from datetime import date, datetime, time

import jdatetime
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.report_reader_locale.tools import Reader, is_persian

from .iso10002_figure import CATALOGUE

# the groupings of the period's complaints the review counts in one scan (_grouped)
REVIEW_GROUPINGS = (
    ("channel_id",),
    ("severity",),
    ("root_cause_id",),
    ("classification", "category_id"),
    ("recourse_kind",),
    ("recourse_kind", "review_level"),
    ("recourse_kind", "referral_result"),
)
# the years a review period (and the previous period it is compared with) may cover
PERIOD_YEARS = (1900, 2999)


def _round(value, digits=1):
    return round(value, digits) if value is not None else None


class Iso10002ReviewPeriodMixin(models.AbstractModel):
    """A period, companies and teams, and the figures of the complaints handled in them.

    Every figure is computed by the database (``_read_group``, with the median aggregate
    of ``iso10002.median.mixin``), never by looping over complaints in Python.
    """

    _name = "iso10002.review.period.mixin"
    _description = "Complaints review period"
    # its e-mails show dates, numbers and amounts as their reader reads them (report_reader_locale)
    _reader_locale = True

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
        """The complaints the figures are about, by their current fields (an objective
        narrows it to its categories); companies and teams are the period's own
        (``_figure_scope``: teams as they stood at the period's end)."""
        return []

    def _review_company_ids(self):
        """The companies the period covers: its own, or the user's current ones."""
        self.ensure_one()
        return self.company_ids or self.env.companies

    def _figure_scope(self):
        self.ensure_one()
        return {
            "domain": self._scope_domain(),
            "teams": self.team_ids or None,
            # the period's companies the reader belongs to (an objective may span others)
            "companies": (self.sudo().company_ids & self.env.user.company_ids) or self.env.companies,
        }

    def _figure_period(self, previous=False):
        start, end = self._period_bounds(previous)
        return start.date(), end.date()

    def _figures(self, codes, previous=False, memo=None):
        """{code: measure} of the catalogue (iso10002.figure) for the period, or the
        previous one of the same length; ``memo`` shares them among screens' parts."""
        self.ensure_one()
        memo = {} if memo is None else memo
        scope = self._figure_scope()
        key = (self._figure_period(previous), repr(sorted(scope.items(), key=lambda item: item[0])))
        known = memo.setdefault(key, {})
        missing = [code for code in codes if code not in known]
        if missing:
            Figure = self.env["iso10002.figure"]
            # every figure of the catalogue at once, with each team's and category's for the
            # period itself (the previous one is compared by its totals): one query
            computed = Figure._compute(list(CATALOGUE), *self._figure_period(previous), **scope, by_team=not previous)
            known.update(computed.pop(None))
            memo[key, "by_team"] = computed
        return {code: known[code] for code in codes}

    def _figures_by(self, field, memo):
        """{team or category, as it stood at the period's end: {code: measure}} of the
        period (computed with ``_figures``, in the same pass)."""
        self._figures(["received"], memo=memo)
        scope = self._figure_scope()
        key = (self._figure_period(), repr(sorted(scope.items(), key=lambda item: item[0])))
        Comodel = self.env[{"team_id": "iso10002.complaint.team", "category_id": "iso10002.complaint.category"}[field]]
        return {
            Comodel.with_context(active_test=False).browse(group[1]): measures
            for group, measures in memo[key, "by_team"].items()
            if group and group[0] == field
        }

    def _received_domain(self, previous=False):
        """The complaints received in the period (the figure "received"), as a domain."""
        return self.env["iso10002.figure"]._records_domain(
            "received", *self._figure_period(previous), **self._figure_scope()
        )

    # ------------------------------------------------------------- figures
    def _review_values(self):
        """Everything the management review shows, as plain data (dict of lists and numbers):
        the figures of the catalogue (iso10002.figure), with their definitions, and the
        breakdowns of the complaints received in the period."""
        self.ensure_one()
        Complaint = self.env["iso10002.complaint"].with_context(active_test=False)
        start, end = self._period_bounds()
        received = self._received_domain()

        def breakdown(rows, field, limit=None, keep=None):
            """(key, count) rows of one grouping as labelled items, biggest first."""
            items = [
                {"label": self._label(key, field, Complaint), "value": value}
                for key, value in rows
                if keep is None or keep(key)
            ]
            return items[:limit] if limit else items

        memo = {}  # the figures the objectives of the review share with it
        current, before = self._figures(CATALOGUE, memo=memo), self._figures(CATALOGUE, previous=True, memo=memo)
        Figure = self.env["iso10002.figure"]
        figures = [
            {
                **definition,
                **current[definition["code"]],
                "ratio": Figure._ratio(current[definition["code"]]),
                "previous": before[definition["code"]]["value"],
                "previous_ratio": Figure._ratio(before[definition["code"]]),
            }
            for definition in Figure._catalogue()
        ]

        def value(code):
            return current[code]["value"]

        # the period's complaints counted by every grouping of the review in one scan
        grouped = self._grouped(Complaint, received, REVIEW_GROUPINGS, sums=("referral_amount",))

        def rows(*fields):
            return [row[:-1] for row in grouped[fields]]  # without the sum

        by_team = self._figures_by("team_id", memo)
        by_category = self._figures_by("category_id", memo)
        prev_start, prev_end = self._period_bounds(previous=True)
        as_of = self.env["iso10002.figure"]._bounds(start.date(), end.date())[1]
        return {
            "period": {
                "start": start,
                "end": end,
                "as_of": as_of,
                "previous_start": prev_start,
                "previous_end": prev_end,
            },
            "figures": figures,
            "received": value("received"),
            "received_previous": before["received"]["value"],
            "closed": value("closed"),
            "open": value("open_end"),
            "overdue": value("overdue_end"),
            "kpi": {
                "ack_in_time_pct": value("ack_in_time"),
                "resolved_in_time_pct": value("decided_in_time"),
                "resolution_hours_median": value("decision_hours_median"),
            },
            "trend": self._monthly_trend(Complaint),
            # the category and the team each complaint had at the period's end
            "by_category": [
                {"label": self._label(category, "category_id", Complaint), "value": measures["received"]["value"]}
                for category, measures in sorted(
                    by_category.items(), key=lambda item: (-item[1]["received"]["value"], not item[0])
                )
                if measures["received"]["value"]
            ][:10],
            "by_product": breakdown(
                Complaint._read_group(
                    [*received, ("product_ids", "!=", False)], ["product_ids"], ["__count"], order="__count desc"
                ),
                "product_ids",
                10,
            ),
            "by_channel": breakdown(rows("channel_id"), "channel_id"),
            "by_team": [
                {"label": self._label(team, "team_id", Complaint), "value": measures["received"]["value"]}
                for team, measures in sorted(by_team.items(), key=lambda item: -item[1]["received"]["value"])
                if measures["received"]["value"]
            ],
            "by_severity": breakdown(rows("severity"), "severity"),
            "root_causes": breakdown(rows("root_cause_id"), "root_cause_id", 10, keep=bool),
            "repeats": self._repeats(Complaint, received, current["repeat_rate"]),
            **self._classification(Complaint, rows("classification", "category_id")),
            "objectives": self.env["iso10002.objective"]._overview(
                self.date_from, self.date_to, self._review_company_ids(), memo
            ),
            "audits": self.env["iso10002.audit"]._review_inputs(self),
            "satisfaction": self._satisfaction_of(current["satisfaction"], current["satisfaction_response_rate"]),
            "satisfaction_by_team": [
                {
                    "label": self._label(team, "team_id", Complaint),
                    **self._satisfaction_of(measures["satisfaction"], measures["satisfaction_response_rate"]),
                }
                for team, measures in by_team.items()
                if measures["satisfaction"]["denominator"] or measures["satisfaction_response_rate"]["denominator"]
            ],
            "decisions": self._decisions(current, grouped, breakdown),
            "escalations": value("escalations"),
            "corrective_actions": {
                "open_at_end": value("actions_open_end"),
                "done_in_period": value("actions_done"),
                "effective_in_period": value("actions_effective"),
            },
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

    def _figure(self, code, previous=False, memo=None):
        """One figure of the catalogue for the period (or the previous period of the same
        length), as an objective targets it; None when nothing is measured."""
        return self._figures([code], previous, memo)[code]["value"]

    def _repeats(self, Complaint, domain, rate, limit=10):
        """The repeat rate of the catalogue (``rate``, a measure) and the complainants
        (commercial entities) who complained more than once in the period, the most
        frequent first (ISO 10002 8.2): counted by complainant key, which anonymisation
        keeps."""
        keyed = [*domain, ("complainant_key", "!=", False)]
        # every repeat complainant in one query: counted, and the most frequent listed
        repeaters = Complaint._read_group(
            keyed, ["complainant_key"], ["__count"], having=[("__count", ">", 1)], order="__count desc"
        )
        repeated = repeaters[:limit]
        # each key's name, from a complaint still naming its complainant (one query)
        names = dict(
            Complaint._read_group(
                [("complainant_key", "in", [key for key, _count in repeated]), ("partner_id", "!=", False)],
                ["complainant_key"],
                ["partner_id:max"],
            )
        )
        # a complaint without a contact is named by its address
        addresses = dict(
            Complaint._read_group(
                [("complainant_key", "in", [key for key, _count in repeated]), ("email_from", "!=", False)],
                ["complainant_key"],
                ["email_from:max"],
            )
        )
        Partner = self.env["res.partner"]
        anonymised = self.env._("Anonymised complainant")
        top = [
            {
                "label": Partner.browse(names[key]).commercial_partner_id.display_name
                if names.get(key)
                else addresses.get(key) or anonymised,
                "value": count,
            }
            for key, count in repeated
        ]
        return {
            "complaints": rate["numerator"] or 0,
            "complainants": len(repeaters),
            "rate": rate["value"],
            "top": top,
        }

    @api.model
    def _label(self, key, groupby, Complaint):
        """The label of a group: a record's name, a selection's label, or the value."""
        if isinstance(key, models.BaseModel):
            return key.display_name or self.env._("None")
        if key is False or key is None:
            return self.env._("None")
        field = Complaint._fields[groupby.split(":")[0]]
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(key) or str(key)
        return Reader(self.env).digits(str(key))

    def _monthly_trend(self, Complaint):
        """Complaints received per month (the figure "received", by the day each was
        recorded), this period against the previous one; months of the reader's calendar
        (Solar Hijri for a Persian reader)."""
        reader = Reader(self.env)

        def month_of(day):
            if reader.solar_hijri:
                solar = jdatetime.date.fromgregorian(date=day)
                return (solar.year, solar.month)
            return (day.year, day.month)

        def per_month(previous):
            query = Complaint._search(self._received_domain(previous))
            counts = {}
            recorded = SQL.identifier(query.table, "recorded_date")
            for day, count in self.env.execute_query(
                SQL(
                    "SELECT %s::date, count(*) FROM %s WHERE %s GROUP BY 1",
                    recorded,
                    query.from_clause,
                    query.where_clause or SQL("TRUE"),
                )
            ):
                counts[month_of(day)] = counts.get(month_of(day), 0) + count
            return counts

        current, before = per_month(False), per_month(True)
        start, end = self._period_bounds()
        months, day = [], start.date()
        while day <= end.date():
            if not months or months[-1][0] != month_of(day):
                months.append((month_of(day), day))
            day += relativedelta(days=1)
        # the previous period's months, as many months earlier
        previous_months = {}
        for _index, (key, _first) in enumerate(months):
            year, month = key
            total = year * 12 + month - 1 - len(months)
            previous_months[key] = (total // 12, total % 12 + 1)
        solar_months = jdatetime.date.j_months_fa if is_persian(reader.lang) else jdatetime.date.j_months_en
        return [
            {
                "label": reader.digits(f"{solar_months[key[1] - 1]} {key[0]}")
                if reader.solar_hijri
                else first.strftime("%Y-%m"),
                "value": current.get(key, 0),
                "previous": before.get(previous_months[key], 0),
            }
            for key, first in months
        ]

    @api.model
    def _satisfaction_of(self, measure, response=None):
        """The satisfaction block of a review from the catalogue's figures (measures): the
        satisfaction, and the response rate to the requests when given."""
        block = {
            "rated": measure["denominator"] or 0,
            "satisfied": measure["numerator"] or 0,
            "satisfied_pct": measure["value"],
        }
        if response is not None:
            block.update(
                asked=response["denominator"] or 0,
                answered=response["numerator"] or 0,
                response_pct=response["value"],
                response_ratio=self.env["iso10002.figure"]._ratio(response),
            )
        return block

    def _decisions(self, figures, grouped, breakdown):
        """How complainants answered the decisions (the catalogue's answers), and where the
        rejections went (7.9): internal reviews by level, external referrals by outcome
        (from the review's grouping sets, ``_grouped``)."""
        accepted, rejected, no_reply = (
            figures[code]["value"] for code in ("answers_accepted", "answers_rejected", "answers_no_reply")
        )
        answered = accepted + rejected + no_reply
        awarded = sum(amount for kind, _count, amount in grouped[("recourse_kind",)] if kind == "referral")

        def of(kind, field):
            return [
                (key, count) for recourse, key, count, _sum in grouped[("recourse_kind", field)] if recourse == kind
            ]

        return {
            "answered": answered,
            "accepted": accepted,
            "rejected": rejected,
            "no_reply": no_reply,
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

    def _previous_decisions(self):
        previous = self.env["iso10002.management.review"].search(
            [("date_to", "<", self.date_from), ("company_ids", "in", self._review_company_ids().ids)],
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
