#!/usr/bin/env python3
"""SLA engine figures at 100,000 complaints or more (a script that prints figures, not a test).

    python3 benchmarks/sla.py [--rounds 5] [--complaints 100000] [--db_host ... --db_port ... --db_user ...]

It creates its own database (the addon without demo data), generates ``--complaints``
open complaints (default 100,000), 10,000 of them due, and measures, over ``--rounds``
rounds:

- sweep_s: one SLA sweep (``_cron_sla_sweep``) over the 10,000 due complaints, alternated
  with sql_floor_s: the same state change as one plain SQL UPDATE (the floor of the sweep).
  Each run is rolled back and the table vacuumed before the next, so that every round
  starts from the same 10,000 due complaints;
- transitions, notification_mails, due_after_sweep: what one sweep, committed after the
  rounds, applied and left (the same in every round, or the script says so);
- search_breached_ms: the list view's search of breached complaints (first page + count),
  the best of 5 searches in each round;
- concurrent_double_escalations: two workers sweeping at once on separate cursors
  (row locks, SKIP LOCKED): complaints escalated twice (must be 0), once;
- create_off_s, create_on_s, create_ratio: creating 1,000 complaints through the ORM with
  SLA off, then on, alternated (after one untimed pair); the ratio is on / off in each round.

Made by the ORM: the 20 officers, the team, the complainant and one template complaint.
Made by SQL: every other complaint, copied from the template by one INSERT over
``generate_series`` (a million in about a minute, where the ORM would take hours); they
have no messages or step history (the sweep reads neither). The 1,000 complaints of
create_*_s are the ORM's, as they are what is measured.

Each timed figure is printed as ``{"median", "min", "max", "rounds"}``. The database is
dropped at the end. The last line is one JSON object with the figures.
Budgets (issue #3): sweep_s <= 20, create_ratio <= 1.3, search_breached_ms <= 50 (medians);
(issue #25) sweep_floor_ratio <= 10 (the ratio of the medians), at any number of complaints.
"""

import json
import threading
import time
from datetime import timedelta

from _bench import (
    alternate,
    autocommit_cursor,
    bench_database,
    database_mb,
    frozen_clock,
    machine,
    parse_args,
    step,
    summarize,
    verdicts,
)

TOTAL = 100_000
DUE = 10_000
CREATE = 1_000
SEARCHES_PER_ROUND = 5
BUDGETS = {"sweep_s": 20, "sweep_floor_ratio": 10, "create_ratio": 1.3, "search_breached_ms": 50}


def main():
    args = parse_args(__doc__, complaints=TOTAL)
    with bench_database("sla") as db, frozen_clock():
        figures = run(db, args.rounds, args.complaints)
        figures["database_mb"] = database_mb(db)
        figures["machine"] = machine(db)
    print(json.dumps(figures), flush=True)


def run(db, rounds, total=TOTAL):
    import odoo

    registry = odoo.modules.registry.Registry(db)
    # the data is laid out around the frozen clock (_bench.frozen_clock), at which the
    # sweep acts: fields.Datetime.now()
    from odoo import fields

    now = fields.Datetime.now()
    figures = {"rounds": rounds, "complaints": total}
    with step(f"generate {total:,} complaints"):
        generate(registry, now, total)
    with step(f"sweep and its SQL floor, {rounds} rounds"):
        figures.update(measure_sweep(registry, db, now, rounds))
    with step("one sweep, committed"):
        figures.update(commit_sweep(registry))
    with step(f"search of breached complaints, {rounds} rounds"):
        figures.update(measure_search(registry, rounds))
    with step("two workers at once"):
        figures.update(check_two_workers(registry, now))
    with step(f"create {CREATE} complaints with SLA off / on, {rounds} rounds"):
        figures.update(measure_create(registry, rounds))
    figures.update(verdicts(figures, BUDGETS))
    return figures


def env_of(cr, context=None):
    from odoo import SUPERUSER_ID, api

    return api.Environment(cr, SUPERUSER_ID, context or {})


# ----------------------------------------------------------------------------- the data
def generate(registry, now, total=TOTAL):
    """20 officers, a team, a complainant, and ``total`` open complaints copied from one with SQL."""
    from odoo.tools import SQL

    with registry.cursor() as cr:
        env = env_of(cr, {"tracking_disable": False})
        env.company.resource_calendar_id.tz = "UTC"
        users = env["res.users"].create(
            [
                {
                    "name": f"Officer {i}",
                    "login": f"bench_officer_{i}",
                    "email": f"officer{i}@example.com",
                    "groups_id": [(4, env.ref("iso10002_complaints.group_complaint_officer").id)],
                }
                for i in range(20)
            ]
        )
        team = env["iso10002.complaint.team"].create(
            {"name": "Bench team", "user_id": users[0].id, "member_ids": [(6, 0, users.ids)]}
        )
        partner = env["res.partner"].create({"name": "Bench complainant"})
        template = env["iso10002.complaint"]._import_complaints(
            [
                {
                    "subject": "Template",
                    "partner_id": partner.id,
                    "channel_id": env.ref("iso10002_complaints.channel_phone").id,
                    "team_id": team.id,
                    "received_date": now - timedelta(days=3),
                }
            ]
        )
        env.flush_all()
        print(f"generating {total} complaints with SQL ({DUE} due)", flush=True)
        # all but 10,000 not due (next check in the future), 10,000 due: half reach at-risk, half breach
        cr.execute(
            SQL(
                """
            INSERT INTO iso10002_complaint (
                name, subject, partner_id, company_id, team_id, user_id, stage_id, step, channel_id,
                received_date, priority, currency_id, active, reopen_count, sla_policy_id, sla_target,
                ack_deadline, resolution_deadline, sla_state, escalation_level, sla_at_risk_date,
                sla_next_check, sla_paused_hours, is_open, create_uid, write_uid, create_date, write_date)
            SELECT 'BENCH/' || n, 'Complaint ' || n, c.partner_id, c.company_id, c.team_id,
                   (%(users)s)[1 + mod(n, %(nusers)s)], c.stage_id, c.step, c.channel_id,
                   %(now)s - make_interval(hours => (mod(n, 48))), c.priority, c.currency_id, true, 0,
                   c.sla_policy_id, 'ack',
                   CASE WHEN n <= %(due)s AND mod(n, 2) = 0 THEN %(now)s - interval '1 hour'
                        ELSE %(now)s + make_interval(hours => 8 + mod(n, 500)) END,
                   %(now)s + make_interval(hours => 80 + mod(n, 500)),
                   CASE WHEN n <= %(due)s AND mod(n, 2) = 0 THEN 'at_risk' ELSE 'on_track' END,
                   0,
                   CASE WHEN n <= %(due)s THEN %(now)s - interval '2 hours'
                        ELSE %(now)s + make_interval(hours => 6 + mod(n, 500)) END,
                   CASE WHEN n <= %(due)s THEN %(now)s - make_interval(mins => mod(n, 60))
                        ELSE %(now)s + make_interval(hours => 6 + mod(n, 500)) END,
                   0, true, 1, 1, now(), now()
              FROM generate_series(1, %(total)s) AS n, iso10002_complaint c
             WHERE c.id = %(template)s
            """,
                users=users.ids,
                nusers=len(users),
                now=now,
                due=DUE,
                total=total,
                template=template.id,
            )
        )
        cr.execute("ANALYZE iso10002_complaint")


def vacuum(db):
    """Dead rows of a rolled-back round out of the tables the sweep reads and writes."""
    with autocommit_cursor(db) as cr:
        for table in ("iso10002_complaint", "iso10002_sla_event", "mail_mail", "mail_message"):
            cr.execute(f"VACUUM ANALYZE {table}")


def count_due(cr):
    from odoo import fields

    cr.execute("SELECT count(*) FROM iso10002_complaint WHERE sla_next_check <= %s", [fields.Datetime.now()])
    return cr.fetchone()[0]


# --------------------------------------------------------------------------- the sweep
def measure_sweep(registry, db, now, rounds):
    """The sweep of the DUE complaints, alternated with the same change as one UPDATE;
    every run rolled back, the tables vacuumed before each."""
    done = []

    def sweep():
        vacuum(db)
        with registry.cursor() as cr:
            env = env_of(cr)
            due = count_due(cr)
            t0 = time.perf_counter()
            count = env["iso10002.complaint"]._cron_sla_sweep()
            env.flush_all()
            cr.precommit.run()
            elapsed = time.perf_counter() - t0
            cr.execute("SELECT count(*) FROM iso10002_sla_event WHERE kind = 'state'")
            done.append((due, count, cr.fetchone()[0]))
            cr.rollback()
        return {"sweep_s": elapsed}

    def floor():
        vacuum(db)
        with registry.cursor() as cr:
            t0 = time.perf_counter()
            cr.execute(
                "UPDATE iso10002_complaint SET sla_state = 'breached', escalation_level = 1, sla_next_check = NULL "
                "WHERE sla_next_check <= %s",
                [now],
            )
            elapsed = time.perf_counter() - t0
            rows = cr.rowcount
            cr.rollback()
        if rows != DUE:
            print(f"WARNING: the SQL floor changed {rows} rows, not {DUE}", flush=True)
        return {"sql_floor_s": elapsed}

    samples = alternate(rounds, [sweep, floor])
    figures = summarize(samples)
    figures["sweep_floor_ratio"] = round(figures["sweep_s"]["median"] / figures["sql_floor_s"]["median"], 1)
    if len(set(done)) > 1:
        print(f"WARNING: the rounds' sweeps differ (due, swept, transitions): {done}", flush=True)
    due, swept, transitions = done[0]
    print(f"each sweep: {swept} of {due} due complaints, {transitions} transitions", flush=True)
    return figures


def commit_sweep(registry):
    """One sweep, untimed and committed: the breached complaints the search looks for."""
    with registry.cursor() as cr:
        env = env_of(cr)
        done = env["iso10002.complaint"]._cron_sla_sweep()
        env.flush_all()
        cr.precommit.run()
        cr.execute("SELECT count(*) FROM iso10002_sla_event WHERE kind = 'state'")
        figures = {"transitions": cr.fetchone()[0]}
        figures["notification_mails"] = env["mail.mail"].search_count([("subject", "like", "Complaints SLA")])
        figures["due_after_sweep"] = count_due(cr)
        cr.commit()
    print(
        f"sweep: {done} complaints, {figures['transitions']} transitions, {figures['notification_mails']} e-mails, "
        f"{figures['due_after_sweep']} still due",
        flush=True,
    )
    return figures


# -------------------------------------------------------------------------- the search
def measure_search(registry, rounds):
    """The breached complaints' first page and count, the best of SEARCHES_PER_ROUND a round."""
    with registry.cursor() as cr:
        cr.execute("ANALYZE iso10002_complaint")
        cr.commit()
        env_of(cr)["iso10002.complaint"].search([("sla_state", "=", "breached")], limit=80)  # warm-up
    found = {}

    def search():
        with registry.cursor() as cr:
            Complaint = env_of(cr)["iso10002.complaint"]
            runs = []
            for _i in range(SEARCHES_PER_ROUND):
                Complaint.env.invalidate_all()
                t0 = time.perf_counter()
                page = Complaint.search([("sla_state", "=", "breached")], limit=80)
                count = Complaint.search_count([("sla_state", "=", "breached")])
                runs.append(time.perf_counter() - t0)
            found.update(page=len(page), count=count)
        return {"search_breached_ms": min(runs) * 1000}

    figures = summarize(alternate(rounds, [search]), digits=2)
    print(f"search breached: {found['page']} of {found['count']}", flush=True)
    return figures


# --------------------------------------------------------------------- two workers at once
def check_two_workers(registry, now):
    """Two workers sweep the same 2,000 due complaints at once: none escalated twice."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        cr.execute(
            "UPDATE iso10002_complaint SET sla_next_check = %s - interval '1 minute', sla_state = 'at_risk', "
            "escalation_level = 0, ack_deadline = %s - interval '1 minute' "
            "WHERE id IN (SELECT id FROM iso10002_complaint WHERE sla_next_check IS NOT NULL ORDER BY id LIMIT 2000)",
            [now, now],
        )
        cr.execute("SELECT max(id) FROM iso10002_sla_event")
        last_event = cr.fetchone()[0] or 0
    results, barrier = [], threading.Barrier(2)

    def worker():
        with registry.cursor() as wcr:
            wenv = api.Environment(wcr, SUPERUSER_ID, {})
            barrier.wait()
            try:
                results.append(wenv["iso10002.complaint"]._cron_sla_sweep(limit=1500))
                wcr.commit()
            except Exception as exc:  # a serialization failure: the cron runner retries later
                results.append(f"retry later: {type(exc).__name__}")
                wcr.rollback()

    threads = [threading.Thread(target=worker) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with registry.cursor() as cr:
        cr.execute(
            "SELECT count(*) FROM (SELECT complaint_id FROM iso10002_sla_event WHERE id > %s AND kind = 'escalation' "
            "GROUP BY complaint_id HAVING count(*) > 1) AS doubles",
            [last_event],
        )
        doubles = cr.fetchone()[0]
        cr.execute(
            "SELECT count(DISTINCT complaint_id) FROM iso10002_sla_event WHERE id > %s AND kind = 'escalation'",
            [last_event],
        )
        escalated = cr.fetchone()[0]
    print(f"two workers: {results}, {escalated} complaints escalated, {doubles} escalated twice", flush=True)
    return {"concurrent_double_escalations": doubles}


# ------------------------------------------------------------------------ the creation
def create_complaints(registry, enabled, count):
    """Seconds to create ``count`` complaints through the ORM, 100 at a time (rolled back)."""
    with registry.cursor() as cr:
        env = env_of(cr)
        env.company.complaint_sla_enabled = enabled
        team = env["iso10002.complaint.team"].search([], limit=1)
        partner = env["res.partner"].search([("name", "=", "Bench complainant")], limit=1)
        channel = env.ref("iso10002_complaints.channel_phone")
        env.flush_all()
        t0 = time.perf_counter()
        for start in range(0, count, 100):  # as an import would, 100 at a time
            env["iso10002.complaint"]._import_complaints(
                [
                    {
                        "subject": f"New {start + i}",
                        "partner_id": partner.id,
                        "channel_id": channel.id,
                        "team_id": team.id,
                    }
                    for i in range(min(100, count - start))
                ]
            )
        env.flush_all()
        cr.precommit.run()
        elapsed = time.perf_counter() - t0
        cr.rollback()
    return elapsed


def measure_create(registry, rounds):
    """CREATE complaints with SLA off, then on, alternated; one untimed pair first."""
    for enabled in (False, True):
        create_complaints(registry, enabled, 200)  # warm-up

    def off():
        return {"create_off_s": create_complaints(registry, False, CREATE)}

    def on():
        return {"create_on_s": create_complaints(registry, True, CREATE)}

    samples = alternate(rounds, [off, on])
    samples["create_ratio"] = [b / a for a, b in zip(samples["create_off_s"], samples["create_on_s"], strict=True)]
    figures = summarize(samples, digits=2)
    print(f"create {CREATE}: ratio on / off {figures['create_ratio']}", flush=True)
    return figures


if __name__ == "__main__":
    main()
