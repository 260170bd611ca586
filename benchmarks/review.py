#!/usr/bin/env python3
"""Management review figures at 100,000 complaints (a script that prints figures, not a test).

    python3 benchmarks/review.py [--db_host ... --db_port ... --db_user ... --db_password ...]

Creates its own database (the addon without demo data), generates 100,000 complaints
over a year with plain SQL (categories, channels, teams, root causes, SLA outcomes), then
renders the management review of the whole year to HTML, as the report engine does,
and the XLSX register of one month. The database is dropped at the end. The last line
is one JSON object. Budget (issue #4): review_html_s <= 5.
"""

import json
import time
from datetime import date, datetime

from _bench import bench_database

TOTAL = 100_000


def main():
    with bench_database("review") as db:
        figures = run(db)
    print(json.dumps(figures))


def run(db):
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.tools import SQL

    registry = odoo.modules.registry.Registry(db)
    figures = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
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
        print(f"generating {TOTAL} complaints with SQL", flush=True)
        t0 = time.time()
        cr.execute(
            SQL(
                """
            INSERT INTO iso10002_complaint (
                name, subject, partner_id, company_id, team_id, stage_id, step, channel_id, category_id,
                root_cause_id, severity, received_date, acknowledged_date, communication_date, closed_date,
                priority, currency_id, active, reopen_count, sla_policy_id, ack_in_time, ack_hours,
                resolution_hours, resolved_in_time, resolution_deadline, escalation_level,
                create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || n, 'Complaint ' || n, (%(partners)s)[1 + mod(n * 7, 2000)], c.company_id,
                   (%(teams)s)[1 + mod(n, 4)],
                   CASE WHEN mod(n, 10) < 7 THEN %(closed)s ELSE %(open)s END,
                   CASE WHEN mod(n, 10) < 7 THEN 'closed' ELSE 'investigation' END,
                   (%(channels)s)[1 + mod(n, %(nchannels)s)], (%(categories)s)[1 + mod(n * 3, 12)],
                   (%(causes)s)[1 + mod(n, 8)],
                   (ARRAY['low', 'medium', 'high', 'critical'])[1 + mod(n, 4)],
                   d, d + interval '3 hours',
                   CASE WHEN mod(n, 10) < 7 THEN d + make_interval(days => 1 + mod(n, 9)) END,
                   CASE WHEN mod(n, 10) < 7 THEN d + make_interval(days => 2 + mod(n, 9)) END,
                   c.priority, c.currency_id, true, 0, c.sla_policy_id, mod(n, 5) > 0, 3.0,
                   CASE WHEN mod(n, 10) < 7 THEN 8.0 * (1 + mod(n, 9)) END, mod(n, 9) < 6,
                   d + interval '10 days', mod(n, 3), 1, 1, now(), now()
              FROM generate_series(1, %(total)s) AS n,
                   LATERAL (SELECT timestamp '2025-01-01' + make_interval(mins => (n * 5)) AS d) AS t,
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
                total=TOTAL,
                template=template.id,
            )
        )
        cr.execute("ANALYZE iso10002_complaint")
        print(f"  generated in {time.time() - t0:.1f} s", flush=True)
        cr.commit()

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        wizard = env["iso10002.management.review.wizard"].create(
            {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}
        )
        report = env["ir.actions.report"]
        report._render_qweb_html("iso10002_complaints.report_management_review_wizard", wizard.ids)  # warm-up
        runs = []
        for _i in range(3):
            env.invalidate_all()
            t0 = time.time()
            html, _type = report._render_qweb_html("iso10002_complaints.report_management_review_wizard", wizard.ids)
            runs.append(time.time() - t0)
        figures["review_html_s"] = round(min(runs), 2)
        figures["review_received"] = wizard._review_values()["received"]
        print(
            f"management review of {figures['review_received']} complaints: "
            f"HTML in {figures['review_html_s']} s ({len(html)} bytes)",
            flush=True,
        )
        month = env["iso10002.complaint"].search(
            [("received_date", ">=", datetime(2025, 3, 1)), ("received_date", "<", datetime(2025, 4, 1))]
        )
        t0 = time.time()
        data = month._register_xlsx()
        figures["register_month_rows"] = len(month)
        figures["register_month_s"] = round(time.time() - t0, 2)
        print(f"register of {len(month)} complaints: {len(data)} bytes in {figures['register_month_s']} s", flush=True)
    return figures


if __name__ == "__main__":
    main()
