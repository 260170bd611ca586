#!/usr/bin/env python3
"""Management review, register and dossier figures (a script that prints figures, not a test).

    python3 benchmarks/review.py [--rounds 5] [--complaints 100000] [--db_host ... --db_port ... --db_user ...]

Creates its own database (the addon without demo data), generates ``--complaints``
complaints (default 100,000) with plain SQL (categories, channels, teams, root causes, SLA
outcomes), one every 5 minutes up to the end of 2025: the 100,000 fit in the year 2025
(from 1 January), a million are the years of complaints piled up since 2016, of which the
year 2025 holds 105,120 (those received before 2025 are all closed: 7 in 10 of the year's
are). It measures, over ``--rounds`` rounds:

- figures_ms: every figure of the catalogue (iso10002.figure) for the year, as of its
  end, from the step history; figures_floor_ms beside it: the same kind of counts in one
  plain SQL query on the complaints' own columns (no history, no access rules);
- review_html_s: the management review of the whole year, with an objective of each
  figure, rendered to HTML, as the report engine does (``_render_qweb_html`` of
  ``report_management_review`` with the wizard's ``_report_data()``), after one untimed
  render; review_received: its complaints;
- register_month_s: the XLSX register of one month (register_month_rows complaints);
- overview_s: the Overview (the menu of that name, ``iso10002_complaint_team_action_overview``)
  opened by a complaints manager, as the web client opens it: the action read, its views
  (``get_views``, cached after the untimed first opening) and the kanban's
  ``web_search_read`` of the teams with their counts (the catalogue's figures as of now,
  per team and the reader's own);
- register_all_s: the XLSX register of all the complaints, written by the addon's
  helper (``report.iso10002_complaints.register_xlsx``, ``_generate``), alternated with
  register_floor_s: the same rows and columns read with one SQL query (a server-side
  cursor) and dumped with plain xlsxwriter in ``constant_memory`` mode (the register
  sheet only: no KPI sheet); register_ratio is register_all_s / register_floor_s (the
  ratio of the medians). For both, *_rss_peak_mb is the process's peak resident memory
  during the run and *_rss_growth_mb that peak above the memory at its start (Linux: the
  peak is reset before every run);
- dossier_s: the dossier PDF of one complaint with 300 messages (notes, e-mails, tracked
  changes), rendered by wkhtmltopdf with the report's styles (the script serves them on a
  local port while it runs), after one untimed render; dossier_pages: its pages.

Made by the ORM: the teams, categories, root causes, complainants, one template
complaint, the objectives, the manager and the dossier's complaint with its 300 messages.
Made by SQL: every other complaint (one INSERT over ``generate_series``, copying the
template) and its step history (one INSERT of 3 or 4 rows a complaint, then one UPDATE
linking each complaint to its latest row); a million complaints and their 3.7 million
history rows take minutes this way, hours through the ORM.

Each timed figure is printed as ``{"median", "min", "max", "rounds"}``. The database is
dropped at the end. The last line is one JSON object. Budgets (issue #4, then #13 with the
objectives, audits and analysis; #22 with the catalogue of figures; #25): review_html_s
<= 1, figures_ms <= 300, overview_s <= 1, register_ratio <= 1.5; above 100,000 complaints
(issue #25: a million), review_html_s <= 3 and figures_ms without a budget.
"""

import io
import json
import re
import socket
import time
import zipfile
from datetime import date, datetime

from _bench import (
    Memory,
    alternate,
    bench_database,
    database_mb,
    frozen_clock,
    machine,
    parse_args,
    stats,
    step,
    summarize,
    verdicts,
)

TOTAL = 100_000
# one complaint every 5 minutes: a year of them, the last received at the end of 2025
YEAR = 365 * 24 * 12
# the words of the generated subjects (compared by the similar-complaints lookup)
WORDS = (
    "parcel late broken refund invoice wrong rude driver call centre never arrived damaged missing item "
    "charged twice account closed waiting weeks answer delivery address changed product faulty screen "
    "battery warranty repair store manager staff queue website error password payment card bank"
).split()
DOSSIER_MESSAGES = 300
BUDGETS = {"review_html_s": 1, "figures_ms": 300, "overview_s": 1, "register_ratio": 1.5}
# the budgets above TOTAL complaints (issue #25: at a million)
BUDGETS_LARGE = {"review_html_s": 3, "overview_s": 1, "register_ratio": 1.5}
REVIEW_REPORT = "iso10002_complaints.report_management_review"
DOSSIER_REPORT = "iso10002_complaints.action_report_complaint_dossier"
REGISTER = "report.iso10002_complaints.register_xlsx"


def main():
    args = parse_args(__doc__, complaints=TOTAL)
    with bench_database("review") as db, frozen_clock():
        figures = run(db, args.rounds, args.complaints)
        figures["database_mb"] = database_mb(db)
        figures["machine"] = machine(db)
    print(json.dumps(figures), flush=True)


def run(db, rounds, total=TOTAL):
    import odoo

    registry = odoo.modules.registry.Registry(db)
    figures = {"rounds": rounds, "complaints": total}
    with step(f"generate {total:,} complaints"):
        generate(registry, total)
    with step(f"all figures of the year and their plain-SQL floor, {rounds} rounds"):
        figures.update(measure_figures(registry, rounds))
    with step(f"management review, {rounds} rounds"):
        figures.update(measure_review(registry, rounds))
    with step(f"Overview of a manager, {rounds} rounds"):
        figures.update(measure_overview(registry, rounds))
    with step(f"register of one month, {rounds} rounds"):
        figures.update(measure_register_month(registry, rounds))
    with step(f"register of {total:,} complaints and its xlsxwriter floor, {rounds} rounds"):
        figures.update(measure_register_all(registry, rounds, total))
    with step(f"dossier of a complaint with {DOSSIER_MESSAGES} messages, {rounds} rounds"):
        figures.update(measure_dossier(registry, rounds))
    figures.update(verdicts(figures, BUDGETS if total <= TOTAL else BUDGETS_LARGE))
    return figures


def env_of(cr, context=None):
    from odoo import SUPERUSER_ID, api

    return api.Environment(cr, SUPERUSER_ID, {"lang": "en_US", **(context or {})})


def xlsx_dimension(data):
    """(rows, columns) of the first sheet of an XLSX file, header row included."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        with book.open("xl/worksheets/sheet1.xml") as sheet:
            head = sheet.read(4096).decode()
    match = re.search(r'<dimension ref="[A-Z]+1:([A-Z]+)(\d+)"', head)
    if not match:
        return None, None
    letters, rows = match.groups()
    columns = 0
    for letter in letters:
        columns = columns * 26 + ord(letter) - 64
    return int(rows), columns


# ----------------------------------------------------------------------------- the data
def generate(registry, total=TOTAL):
    """Teams, categories, root causes, 2,000 complainants, and ``total`` complaints with SQL,
    one every 5 minutes, the last in 2025 (from 1 January 2025 up to a year of them)."""
    from odoo.tools import SQL

    with registry.cursor() as cr:
        env = env_of(cr)
        teams = env["iso10002.complaint.team"].create([{"name": f"Team {i}"} for i in range(4)])
        categories = env["iso10002.complaint.category"].create([{"name": f"Category {i}"} for i in range(12)])
        causes = env["iso10002.root.cause"].create([{"name": f"Cause {i}"} for i in range(8)])
        partners = env["res.partner"].create([{"name": f"Complainant {i}"} for i in range(2000)])
        channels = env["iso10002.complaint.channel"].search([])
        template = env["iso10002.complaint"]._import_complaints(
            [
                {
                    "subject": "Template",
                    "partner_id": partners[0].id,
                    "channel_id": channels[0].id,
                    "team_id": teams[0].id,
                    "received_date": datetime(2025, 1, 1),
                }
            ]
        )
        stages = {s.step: s.id for s in env["iso10002.complaint.stage"].search([])}
        env.flush_all()
        print(f"generating {total} complaints with SQL", flush=True)
        cr.execute(
            SQL(
                """
            INSERT INTO iso10002_complaint (
                name, subject, partner_id, company_id, team_id, stage_id, step, channel_id, category_id,
                root_cause_id, severity, received_date, acknowledged_date, communication_date, closed_date,
                priority, currency_id, active, reopen_count, sla_policy_id, ack_in_time, ack_hours,
                resolution_hours, resolved_in_time, resolution_deadline, escalation_level,
                complainant_key, summary_text, classification, is_open,
                create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || n, w.subject, (%(partners)s)[1 + mod(n * 7, 2000)], c.company_id,
                   (%(teams)s)[1 + mod(n, 4)],
                   CASE WHEN k.closed THEN %(closed)s ELSE %(open)s END,
                   CASE WHEN k.closed THEN 'closed' ELSE 'investigation' END,
                   (%(channels)s)[1 + mod(n, %(nchannels)s)], (%(categories)s)[1 + mod(n * 3, 12)],
                   (%(causes)s)[1 + mod(n, 8)],
                   (ARRAY['low', 'medium', 'high', 'critical'])[1 + mod(n, 4)],
                   d, d + interval '3 hours',
                   CASE WHEN k.closed THEN d + make_interval(days => 1 + mod(n, 9)) END,
                   CASE WHEN k.closed THEN d + make_interval(days => 2 + mod(n, 9)) END,
                   c.priority, c.currency_id, true, 0, c.sla_policy_id, mod(n, 5) > 0, 3.0,
                   CASE WHEN k.closed THEN 8.0 * (1 + mod(n, 9)) END, mod(n, 9) < 6,
                   d + interval '10 days', mod(n, 3),
                   'bench-' || (1 + mod(n * 7, 2000)), w.subject,
                   (ARRAY['one_off', 'one_off', 'one_off', 'recurring', 'systemic'])[1 + mod(n, 5)],
                   NOT k.closed, 1, 1, now(), now()
              FROM generate_series(1, %(total)s) AS n,
                   LATERAL (SELECT timestamp '2025-01-01' + make_interval(mins => (n - %(before)s) * 5) AS d) AS t,
                   -- 7 in 10 closed, and every one received before 2025 (more than a year of them)
                   LATERAL (SELECT mod(n, 10) < 7 OR n < %(before)s AS closed) AS k,
                   LATERAL (SELECT concat_ws(' ', (%(words)s)[1 + mod(n, %(nwords)s)],
                                             (%(words)s)[1 + mod(n * 7, %(nwords)s)],
                                             (%(words)s)[1 + mod(n * 13, %(nwords)s)],
                                             (%(words)s)[1 + mod(n * 29, %(nwords)s)], n) AS subject) AS w,
                   iso10002_complaint c
             WHERE c.id = %(template)s
            """,
                partners=partners.ids,
                teams=teams.ids,
                channels=channels.ids,
                nchannels=len(channels),
                categories=categories.ids,
                causes=causes.ids,
                closed=stages["closed"],
                open=stages["investigation"],
                total=total,
                before=max(total - YEAR + 1, 0),
                template=template.id,
                words=WORDS,
                nwords=len(WORDS),
            )
        )
        # the step history of each complaint, as the process would have written it:
        # received, acknowledged (4 of 5 in time), then investigation or a decision
        # communicated (6 of 9 in time) and closed
        cr.execute(
            """
            INSERT INTO iso10002_complaint_step_history (
                complaint_id, company_id, date, first, moved, step, team_id, paused, ack_deadline,
                resolution_deadline, at_risk_date, rating, complainant_key, category_id,
                recorded_date, ack_date, ack_due, ack_missed, decision_date, decision_due, decision_missed,
                decision_hours, decision_under_policy, closed_date,
                create_uid, write_uid, create_date, write_date)
            SELECT c.id, c.company_id, s.date, s.ord = 1, true, s.step, c.team_id, false, d.ack_due,
                   d.decision_due, c.received_date + interval '7 days', 0, c.complainant_key, c.category_id,
                   c.received_date,
                   CASE WHEN s.ord >= 2 THEN c.acknowledged_date END,
                   CASE WHEN s.ord >= 2 THEN d.ack_due END, false,
                   CASE WHEN s.ord >= 3 AND c.step = 'closed' THEN c.communication_date END,
                   CASE WHEN s.ord >= 3 AND c.step = 'closed' THEN d.decision_due END, false,
                   CASE WHEN s.ord >= 3 AND c.step = 'closed' THEN c.resolution_hours ELSE 0 END,
                   s.ord >= 3 AND c.step = 'closed',
                   CASE WHEN s.ord = 4 THEN c.closed_date END,
                   1, 1, now(), now()
              FROM iso10002_complaint c,
                   LATERAL (SELECT c.received_date
                                   + CASE WHEN c.ack_in_time THEN interval '8 hours' ELSE interval '1 hour' END
                                   AS ack_due,
                                   COALESCE(c.communication_date, c.received_date + interval '10 days')
                                   + CASE WHEN c.resolved_in_time THEN interval '1 hour' ELSE interval '-1 hour' END
                                   AS decision_due) AS d,
                   LATERAL (VALUES (1, 'received', c.received_date),
                                   (2, 'acknowledged', c.acknowledged_date),
                                   (3, CASE WHEN c.step = 'closed' THEN 'communicated' ELSE 'investigation' END,
                                       COALESCE(c.communication_date, c.received_date + interval '1 day')),
                                   (4, 'closed', c.closed_date)) AS s(ord, step, date)
             WHERE c.name LIKE 'BENCH/%' AND s.date IS NOT NULL
          ORDER BY c.id, s.ord
            """
        )
        cr.execute(
            """
            UPDATE iso10002_complaint c SET step_history_id = last.id, recorded_date = c.received_date
              FROM (SELECT DISTINCT ON (complaint_id) complaint_id, id FROM iso10002_complaint_step_history
                    ORDER BY complaint_id, date DESC, id DESC) AS last
             WHERE last.complaint_id = c.id AND c.name LIKE 'BENCH/%'
            """
        )
        # one objective of each figure over the year, as a company sets them (6.2)
        metrics = [key for key, _label in env["iso10002.objective"]._fields["metric"].selection]
        env["iso10002.objective"].create(
            [
                {"metric": metric, "target": 50.0, "date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}
                for metric in metrics
            ]
        )
        cr.execute("ANALYZE iso10002_complaint")
        cr.execute("ANALYZE iso10002_complaint_step_history")
        cr.commit()


# ----------------------------------------------------------------------------- figures
FLOOR = """
    SELECT count(*) FILTER (WHERE received_date BETWEEN %(start)s AND %(end)s),
           count(*) FILTER (WHERE closed_date BETWEEN %(start)s AND %(end)s),
           count(*) FILTER (WHERE received_date <= %(end)s AND (closed_date IS NULL OR closed_date > %(end)s)),
           count(*) FILTER (WHERE received_date <= %(end)s AND (closed_date IS NULL OR closed_date > %(end)s)
                             AND resolution_deadline < %(end)s
                             AND (communication_date IS NULL OR communication_date > %(end)s)),
           count(*) FILTER (WHERE received_date BETWEEN %(start)s AND %(end)s AND ack_in_time),
           count(*) FILTER (WHERE received_date BETWEEN %(start)s AND %(end)s AND resolved_in_time),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_hours)
               FILTER (WHERE received_date BETWEEN %(start)s AND %(end)s AND communication_date IS NOT NULL),
           count(*) FILTER (WHERE received_date BETWEEN %(start)s AND %(end)s AND complainant_response = 'accepted'),
           count(*) FILTER (WHERE received_date BETWEEN %(start)s AND %(end)s AND escalation_level > 0)
      FROM iso10002_complaint WHERE company_id = %(company)s
"""


def measure_figures(registry, rounds):
    """figures_ms: every figure of the catalogue for 2025, the year of the review (as of its
    end, from the step history, with the user's rules), as ``iso10002.figure._values``
    computes them; figures_floor_ms: the same kind of counts read in one plain SQL query
    from the complaints' own columns (today's state, no history, no rules)."""
    from odoo.addons.iso10002_complaints.models.iso10002_figure import CATALOGUE

    seen = {}

    def figures():
        with registry.cursor() as cr:
            env = env_of(cr)
            t0 = time.perf_counter()
            values = env["iso10002.figure"]._values(list(CATALOGUE), date(2025, 1, 1), date(2025, 12, 31))
            elapsed = time.perf_counter() - t0
            seen["received"] = values["received"]
        return {"figures_ms": elapsed * 1000}

    def floor():
        with registry.cursor() as cr:
            env = env_of(cr)
            t0 = time.perf_counter()
            cr.execute(
                FLOOR,
                {"start": datetime(2025, 1, 1), "end": datetime(2025, 12, 31, 23, 59, 59), "company": env.company.id},
            )
            cr.fetchall()
            elapsed = time.perf_counter() - t0
        return {"figures_floor_ms": elapsed * 1000}

    figures()  # warm-up
    floor()
    result = summarize(alternate(rounds, [figures, floor]), digits=1)
    result["figures_received"] = seen["received"]
    print(f"figures of the year: {seen['received']} complaints received", flush=True)
    return result


# ------------------------------------------------------------------- management review
def measure_review(registry, rounds):
    """The management review of 2025 to HTML, as the report engine renders it."""
    with registry.cursor() as cr:
        env = env_of(cr)
        wizard = env["iso10002.management.review.wizard"].create(
            {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}
        )
        data = wizard._report_data()
        received = wizard._review_values()["received"]
        cr.commit()
    sizes = []

    def render():
        with registry.cursor() as cr:
            report = env_of(cr)["ir.actions.report"]
            t0 = time.perf_counter()
            html, _type = report._render_qweb_html(REVIEW_REPORT, [], data=data)
            elapsed = time.perf_counter() - t0
            sizes.append(len(html))
        return {"review_html_s": elapsed}

    render()  # warm-up
    figures = summarize(alternate(rounds, [render]), digits=2)
    figures["review_received"] = received
    print(f"management review of {received} complaints: {sizes[-1]} bytes of HTML", flush=True)
    return figures


# ---------------------------------------------------------------------------- overview
OVERVIEW = "iso10002_complaints.iso10002_complaint_team_action_overview"


def measure_overview(registry, rounds):
    """The Overview opened by a complaints manager, as the web client asks for it."""
    with registry.cursor() as cr:
        env = env_of(cr)
        manager = env["res.users"].create(
            {
                "name": "Bench quality manager",
                "login": "bench_quality_manager",
                "email": "quality.manager@example.com",
                "groups_id": [(4, env.ref("iso10002_complaints.group_complaint_manager").id)],
            }
        )
        # the manager owns some of the open complaints (the "mine" count)
        cr.execute("UPDATE iso10002_complaint SET user_id = %s WHERE is_open AND mod(id, 50) = 0", [manager.id])
        cr.execute("ANALYZE iso10002_complaint")
        cr.commit()
        uid = manager.id
    seen = {}

    def open_overview():
        from odoo import api

        with registry.cursor() as cr:
            env = api.Environment(cr, uid, {"lang": "en_US", "tz": "UTC"})
            t0 = time.perf_counter()
            # /web/action/load
            action = env["ir.actions.actions"]._for_xml_id(OVERVIEW)
            context = {**env.context, **(safe_context(action.get("context")))}
            Team = env[action["res_model"]].with_context(context)
            # the views of the action (get_views: the client asks once per session)
            views = Team.get_views([(action["view_id"] and action["view_id"][0], "kanban"), (False, "search")])
            kanban = views["views"]["kanban"]
            # the kanban's records: its fields as the client's specification
            fields_ = kanban_fields(kanban["arch"])
            spec = {
                name: {"fields": {"display_name": {}}} if Team._fields[name].type == "many2one" else {}
                for name in fields_
            }
            result = Team.web_search_read(domain=action.get("domain") or [], specification=spec, limit=40)
            elapsed = time.perf_counter() - t0
            seen["teams"] = result["records"]
        return {"overview_s": elapsed}

    open_overview()  # warm-up: the views' caches
    figures = summarize(alternate(rounds, [open_overview]), digits=3)
    counts = {
        record["name"]: [record[key] for key in ("open_complaint_count", "to_acknowledge_count", "my_open_count")]
        for record in seen["teams"]
    }
    print(f"overview (team: open, to acknowledge, mine): {counts}", flush=True)
    figures["overview_open"] = sum(record["open_complaint_count"] for record in seen["teams"])
    return figures


def safe_context(text):
    from odoo.tools.safe_eval import safe_eval

    return safe_eval(text) if isinstance(text, str) else (text or {})


def kanban_fields(arch):
    """The field names of a kanban arch (the client reads them all)."""
    from lxml import etree

    return list(dict.fromkeys(node.get("name") for node in etree.fromstring(arch).iter("field")))


# ---------------------------------------------------------------------------- registers
def measure_register_month(registry, rounds):
    """The register of March 2025 through the addon's helper."""
    found = {}

    def register():
        with registry.cursor() as cr:
            env = env_of(cr)
            month = env["iso10002.complaint"].search(
                [("received_date", ">=", datetime(2025, 3, 1)), ("received_date", "<", datetime(2025, 4, 1))]
            )
            t0 = time.perf_counter()
            data = env[REGISTER]._generate(month)
            elapsed = time.perf_counter() - t0
            found.update(rows=len(month), size=len(data))
        return {"register_month_s": elapsed}

    figures = summarize(alternate(rounds, [register]), digits=2)
    figures["register_month_rows"] = found["rows"]
    print(f"register of {found['rows']} complaints: {found['size']} bytes", flush=True)
    return figures


def floor_query(env):
    """One SQL query for the register's columns, in the helper's order; the selections' labels."""
    from odoo.tools import SQL

    lang = env.lang or "en_US"
    tz = env.context.get("tz") or env.user.tz or "UTC"

    def name(alias):  # a translated name
        return SQL(f"COALESCE({alias}.name->>%s, {alias}.name->>'en_US')", lang)

    def local(column):  # as fields.Datetime.context_timestamp, without the time zone
        return SQL(f"(c.{column} AT TIME ZONE 'UTC') AT TIME ZONE %s", tz)

    query = SQL(
        """
        SELECT c.name, %(received)s, %(channel)s, p.complete_name, c.email_from, c.subject, cat.complete_name,
               products.names, c.severity, c.priority, %(team)s, owner.name, %(stage)s, c.step, c.is_confidential,
               %(acknowledged)s, %(ack_deadline)s, c.ack_hours, c.ack_in_time, %(assessed)s, investigator.name,
               %(cause)s, c.remedy, c.compensation_amount, cur.name, %(decided)s, %(communicated)s,
               %(resolution_deadline)s, c.resolution_hours, c.resolved_in_time, c.sla_state, c.escalation_level,
               c.complainant_response, %(closed)s, c.closure_reason, c.rating_last_value, c.reopen_count,
               c.sla_policy_id, c.acknowledged_date IS NOT NULL, c.communication_date IS NOT NULL
          FROM iso10002_complaint c
          JOIN iso10002_complaint_channel ch ON ch.id = c.channel_id
          JOIN res_currency cur ON cur.id = c.currency_id
     LEFT JOIN res_partner p ON p.id = c.partner_id
     LEFT JOIN iso10002_complaint_category cat ON cat.id = c.category_id
     LEFT JOIN iso10002_complaint_team team ON team.id = c.team_id
     LEFT JOIN res_users ou ON ou.id = c.user_id
     LEFT JOIN res_partner owner ON owner.id = ou.partner_id
     LEFT JOIN iso10002_complaint_stage stage ON stage.id = c.stage_id
     LEFT JOIN res_users iu ON iu.id = c.investigator_id
     LEFT JOIN res_partner investigator ON investigator.id = iu.partner_id
     LEFT JOIN iso10002_root_cause cause ON cause.id = c.root_cause_id
     LEFT JOIN LATERAL (
               SELECT string_agg(CASE WHEN pp.default_code IS NOT NULL
                                      THEN '[' || pp.default_code || '] ' ELSE '' END
                                 || COALESCE(pt.name->>%(lang)s, pt.name->>'en_US'), ', '
                                 ORDER BY pp.default_code, pt.name->>'en_US', pp.id) AS names
                 FROM iso10002_complaint_product_product_rel rel
                 JOIN product_product pp ON pp.id = rel.product_product_id
                 JOIN product_template pt ON pt.id = pp.product_tmpl_id
                WHERE rel.iso10002_complaint_id = c.id) products ON true
         WHERE c.name LIKE %(pattern)s
      ORDER BY c.received_date, c.id
        """,
        received=local("received_date"),
        channel=name("ch"),
        team=name("team"),
        stage=name("stage"),
        acknowledged=local("acknowledged_date"),
        ack_deadline=local("ack_deadline"),
        assessed=local("assessment_date"),
        cause=name("cause"),
        decided=local("decision_date"),
        communicated=local("communication_date"),
        resolution_deadline=local("resolution_deadline"),
        closed=local("closed_date"),
        lang=lang,
        pattern="BENCH/%",
    )
    Complaint = env["iso10002.complaint"]
    labels = {
        fname: dict(Complaint._fields[fname]._description_selection(env))
        for fname in ("severity", "priority", "step", "remedy", "sla_state", "complainant_response", "closure_reason")
    }
    return query, labels


def write_floor(env):
    """The register's rows and columns: one SQL query, streamed into plain xlsxwriter."""
    from odoo.addons.iso10002_complaints.report.iso10002_register_xlsx import register_formats, register_workbook

    query, labels = floor_query(env)
    headers = [(header, width, fmt) for header, width, fmt, _getter in env[REGISTER]._columns()]
    yes, no = env._("Yes"), env._("No")
    severity, priority, steps, remedy, sla, answer, reason = (
        labels[key]
        for key in ("severity", "priority", "step", "remedy", "sla_state", "complainant_response", "closure_reason")
    )

    def cells(r):
        """A row of the query as the register's 37 cells."""
        policy, acknowledged, communicated = r[37], r[38], r[39]
        return (
            r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], severity.get(r[8]), priority.get(r[9]), r[10],
            r[11], r[12], steps.get(r[13]), yes if r[14] else None, r[15], r[16],
            float(r[17]) / 24.0 if r[17] else None,
            (yes if r[18] else no) if acknowledged and policy else None,
            r[19], r[20], r[21], remedy.get(r[22]), float(r[23]) if r[23] else None, r[24] if r[23] else None,
            r[25], r[26], r[27],
            float(r[28]) / 24.0 if r[28] else None,
            (yes if r[29] else no) if communicated and policy else None,
            sla.get(r[30]), r[31] or None, answer.get(r[32]), r[33], reason.get(r[34]), r[35] or None, r[36] or None,
        )  # fmt: skip

    # the register's own workbook options and cell formats: the floor differs from the
    # helper only in how it reads the rows
    output = io.BytesIO()
    book = register_workbook(output)
    formats = register_formats(book)
    sheet = book.add_worksheet("Register")
    for col, (header, width, _fmt) in enumerate(headers):
        sheet.write(0, col, header, formats["header"])
        sheet.set_column(col, col, width)
    sheet.set_row(0, 32)
    sheet.freeze_panes(1, 1)
    column_formats = [formats[fmt] for _header, _width, fmt in headers]
    datetimes = {col for col, (_header, _width, fmt) in enumerate(headers) if fmt == "datetime"}
    row = 0
    with env.cr._cnx.cursor(name="iso10002_register_floor") as stream:
        stream.itersize = 2000
        stream.execute(query.code, query.params)
        for record in stream:
            row += 1
            for col, value in enumerate(cells(record)):
                if value is None or value == "":
                    continue
                if col in datetimes:
                    sheet.write_datetime(row, col, value, column_formats[col])
                else:
                    sheet.write(row, col, value, column_formats[col])
    sheet.autofilter(0, 0, max(row, 1), len(headers) - 1)
    book.close()
    return output.getvalue()


def measure_register_all(registry, rounds, total):
    """The addon's register of all the complaints, alternated with its xlsxwriter floor."""
    found = {}

    def helper():
        with registry.cursor() as cr:
            env = env_of(cr)
            complaints = env["iso10002.complaint"].search([("name", "=like", "BENCH/%")])
            with Memory() as memory:
                t0 = time.perf_counter()
                data = env[REGISTER]._generate(complaints)
                elapsed = time.perf_counter() - t0
            found["helper"] = (len(complaints), len(data), xlsx_dimension(data))
        del complaints, env, data
        return {
            "register_all_s": elapsed,
            "register_all_rss_peak_mb": memory.peak_mb,
            "register_all_rss_growth_mb": memory.growth_mb,
        }

    def floor():
        with registry.cursor() as cr:
            env = env_of(cr)
            with Memory() as memory:
                t0 = time.perf_counter()
                data = write_floor(env)
                elapsed = time.perf_counter() - t0
            found["floor"] = (len(data), xlsx_dimension(data))
        del data
        return {
            "register_floor_s": elapsed,
            "register_floor_rss_peak_mb": memory.peak_mb,
            "register_floor_rss_growth_mb": memory.growth_mb,
        }

    samples = alternate(rounds, [helper, floor])
    figures = {
        name: stats(values, 1 if name.endswith("_mb") else 2)
        for name, values in samples.items()
    }  # fmt: skip
    figures["register_ratio"] = round(figures["register_all_s"]["median"] / figures["register_floor_s"]["median"], 2)
    figures["register_rss_ratio"] = round(
        figures["register_all_rss_peak_mb"]["median"] / figures["register_floor_rss_peak_mb"]["median"], 2
    )
    complaints, helper_bytes, helper_dim = found["helper"]
    floor_bytes, floor_dim = found["floor"]
    figures["register_all_rows"] = complaints
    print(
        f"register of {complaints} complaints: {helper_bytes} bytes, sheet of {helper_dim} (rows, columns); "
        f"floor: {floor_bytes} bytes, sheet of {floor_dim}",
        flush=True,
    )
    if helper_dim != floor_dim or complaints != total:
        print(f"WARNING: the register and its floor differ: {helper_dim} / {floor_dim}", flush=True)
    return figures


# ----------------------------------------------------------------------------- dossier
def make_dossier_complaint(registry):
    """One complaint with DOSSIER_MESSAGES messages in its dossier: internal notes,
    e-mails from the complainant and tracked changes (two of them steps), in turn."""
    with registry.cursor() as cr:
        env = env_of(cr)
        officers = env["res.users"].create(
            [
                {
                    "name": f"Dossier officer {i}",
                    "login": f"dossier_officer_{i}",
                    "email": f"dossier.officer{i}@example.com",
                    "groups_id": [(4, env.ref("iso10002_complaints.group_complaint_officer").id)],
                }
                for i in range(3)
            ]
        )
        partner = env["res.partner"].create({"name": "Dossier complainant", "email": "dossier@example.com"})
        category = env["iso10002.complaint.category"].search([], limit=1)
        complaint = env["iso10002.complaint"]._import_complaints(
            [
                {
                    "subject": "Parcel never delivered, refund refused",
                    "partner_id": partner.id,
                    "channel_id": env.ref("iso10002_complaints.channel_phone").id,
                    "team_id": env["iso10002.complaint.team"].search([], limit=1).id,
                    "user_id": officers[0].id,
                    "description": "<p>The parcel of order 4578 never arrived; the shop refuses a refund.</p>",
                }
            ]
        )
        Message = env["mail.message"]
        domain = [
            ("model", "=", complaint._name),
            ("res_id", "=", complaint.id),
            ("message_type", "!=", "user_notification"),
        ]

        def settle():
            env.flush_all()
            cr.precommit.run()  # one tracking message per change

        settle()
        levels = ["low", "medium", "high", "critical"]
        steps = [
            lambda: complaint.write({"acknowledgement_channel": "phone"}) and complaint.action_acknowledge(),
            lambda: complaint.write({"severity": "high", "category_id": category.id}) and complaint.action_assess(),
        ]
        index = 0
        while Message.search_count(domain) < DOSSIER_MESSAGES:
            kind = index % 3
            if kind == 0:
                complaint.message_post(
                    body=f"<p>Internal note {index}: called the carrier, the parcel left the depot on day "
                    f"{index % 28 + 1} and was scanned twice since.</p>",
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                    author_id=officers[index % 3].partner_id.id,
                )
            elif kind == 1:
                complaint.message_post(
                    body=f"<p>Message {index} from the complainant.</p><p>"
                    + "I am still waiting for an answer about my order and my refund. " * (1 + index % 6)
                    + "</p>",
                    message_type="email",
                    subtype_xmlid="mail.mt_comment",
                    author_id=partner.id,
                    email_from=partner.email,
                    subject=f"Re: {complaint.name} ({index})",
                )
            elif steps and index > 60:
                steps.pop(0)()
            else:
                complaint.write(
                    {
                        "impact": levels[index % 4],
                        "urgency": levels[(index + 1) % 4],
                        "complexity": levels[index // 3 % 4],
                    }
                )
            settle()
            index += 1
        kinds = dict(Message._read_group(domain, ["message_type"], ["__count"]))
        cr.commit()
        print(f"dossier complaint {complaint.name}: {Message.search_count(domain)} messages {kinds}", flush=True)
        return complaint.id


def serve_report_assets(registry):
    """Serve this database over HTTP on a free local port, so that wkhtmltopdf gets the
    report's styles (``report.url``); the server, to shut down."""
    import odoo
    from odoo.tools import config

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config["http_interface"], config["http_port"] = "127.0.0.1", port
    server = odoo.service.server.ThreadedServer(odoo.http.root)
    server.http_spawn()
    with registry.cursor() as cr:
        env_of(cr)["ir.config_parameter"].set_param("report.url", f"http://127.0.0.1:{port}")
    return server


def measure_dossier(registry, rounds):
    """The dossier PDF of a complaint with DOSSIER_MESSAGES messages, with its styles."""
    from odoo.tools.pdf import PdfFileReader

    complaint_id = make_dossier_complaint(registry)
    server = serve_report_assets(registry)
    pages = []

    def render():
        with registry.cursor() as cr:
            report = env_of(cr)["ir.actions.report"].with_context(force_report_rendering=True)
            t0 = time.perf_counter()
            pdf, _type = report._render_qweb_pdf(DOSSIER_REPORT, [complaint_id])
            elapsed = time.perf_counter() - t0
            pages.append(len(PdfFileReader(io.BytesIO(pdf)).pages))
        return {"dossier_s": elapsed}

    try:
        render()  # warm-up: the report's assets are built on their first request
        figures = summarize(alternate(rounds, [render]), digits=2)
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
    if len(set(pages)) > 1:
        print(f"WARNING: the dossier's pages differ between renders: {pages}", flush=True)
    figures["dossier_pages"] = pages[-1]
    figures["dossier_messages"] = DOSSIER_MESSAGES
    print(f"dossier: {pages[-1]} pages", flush=True)
    return figures


if __name__ == "__main__":
    main()
