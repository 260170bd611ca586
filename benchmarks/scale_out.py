#!/usr/bin/env python3
"""Two Odoo servers on one database: no double, and the form's throttle counts across
them (a script that proves, not a test: two live servers cannot run in Odoo's tests).

    python3 benchmarks/scale_out.py [--complaints 300] [--emails 120] [--limit 5]
                                    [--db_host ... --db_port ... --db_user ... --db_password ...]

It creates its own database with ``iso10002_complaints`` and its demo data and serves it
with two Odoo servers, as two machines behind a proxy would: two processes, each in
prefork mode (``--workers=2``, a cron worker of its own, ``--proxy-mode``), on the same
database and the same data directory (the filestore and the sessions), each on its own
port (``benchmarks/load.py``'s ``odoo_server``). Outgoing mail is queued, never sent.

1. The SLA sweep. ``--complaints`` open complaints fall due at once (their deadlines an
   hour past, plain SQL). The sweep's cron runs in batches of 25, and a second cron job
   does the same sweep (as a job "run manually" on one server while the other's cron
   worker runs it), so both servers' cron workers sweep at the same moment. Printed:
   the runs of each job on each server and how many failed (rolled back), the
   complaints escalated, ``double_escalations`` (a complaint escalated twice to one
   level, must be 0) and ``double_breaches`` (a complaint whose breach was recorded
   twice, must be 0), and what is still due (0).
2. The acknowledgement job. ``--emails`` e-mails reach the complaints team's alias
   through both servers at once (XML-RPC ``message_process``, as the mailgate script),
   each intake triggering the job; a second job does the same work in batches of 10 as
   well. Printed: ``double_acknowledgements`` (must be 0), ``not_acknowledged`` (a
   complaint without its acknowledgement e-mail, 0), ``acknowledged`` (every e-mail's
   complaint at that step), ``lost_emails`` and ``double_emails`` (an e-mail without its
   complaint, or with two: 0), as ``iso10002_complaints/tests/integrity.py`` defines them,
   the complaints still waiting for their acknowledgement (0), and the runs of each job on
   each server and how many failed (none should: a run that finds complaints another run
   handled since it began takes nothing and ends well; what is left goes to the next run).
3. The throttle, at ``--limit`` complaints per network address and hour (the e-mail
   limit off: every post gives another address). The visitor's address is the proxy's
   ``X-Forwarded-For`` (``--proxy-mode``; Odoo 18 reads it only with ``X-Forwarded-Host``).
   One visitor posts ``2 x --limit`` times, one post after the other, alternating the
   servers; another visitor posts ``2 x --limit`` times at once, half on each server.
   Each must be filed exactly ``--limit`` times in total (``sequential_filed``,
   ``burst_filed``), the rest refused by the throttle, and every filed post stored.

Nothing is frozen in the server processes: they are live servers at the real time. The
database is dropped at the end. The last line is one JSON object with the counts and
``within_budget`` (every check as expected).
"""

import contextlib
import json
import os
import re
import tempfile
import threading
import time
import uuid
import xmlrpc.client

import _bench
import load
from _bench import bench_database, machine, parse_args, step
from load import harness, intake_check

SWEEP_BATCH = 25
ACK_BATCH = 10


def main():
    def options(parser):
        parser.add_argument("--complaints", type=int, default=300, help="complaints falling due (default 300)")
        parser.add_argument("--emails", type=int, default=120, help="e-mails received (default 120)")
        parser.add_argument("--limit", type=int, default=5, help="form posts per address and hour (default 5)")

    args = parse_args(__doc__, options, rounds=1)
    _bench.ADDON = "iso10002_complaints"
    with bench_database("scale_out", demo=True) as db:
        figures = run(db, args)
        figures["machine"] = dict(machine(db), now=None, server_clock="live, not frozen")
    print(json.dumps(figures), flush=True)


def prepare(db, args):
    """Settings, the complaints to fall due, and the second job of the sweep and of the
    acknowledgements; returns the ids the checks need."""
    import odoo

    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = load.env_of(cr)
        env["ir.config_parameter"].set_param("mail.mail.force.send.limit", "0")
        env["ir.config_parameter"].set_param("iso10002_complaints.form_limit_address_per_hour", str(args.limit))
        env["ir.config_parameter"].set_param("iso10002_complaints.form_limit_email_per_hour", "0")
        env.ref("mail.ir_cron_mail_scheduler_action").active = False
        domain = env["mail.alias.domain"].create({"name": load.ALIAS_DOMAIN})
        env.company.alias_domain_id = domain
        team = env.ref("iso10002_complaints.team_customer_care_demo")
        team.alias_id.alias_domain_id = domain
        partner = env["res.partner"].create({"name": "Scale-out complainant", "email": "scale@customers.example.org"})
        channel = env.ref("iso10002_complaints.channel_phone")
        created = env["iso10002.complaint"].create(
            [
                {"subject": f"Scale-out {n}", "partner_id": partner.id, "channel_id": channel.id, "team_id": team.id}
                for n in range(args.complaints)
            ]
        )
        sweep = env.ref("iso10002_complaints.ir_cron_sla_sweep")
        sweep.code = f"model._cron_sla_sweep(limit={SWEEP_BATCH})"
        sweep_again = sweep.copy({"name": "Complaints: SLA sweep, run by hand"})
        ack = env.ref("iso10002_complaints.ir_cron_acknowledge")
        ack.code = f"model._cron_acknowledge(limit={ACK_BATCH})"
        ack_again = ack.copy({"name": "Complaints: acknowledgements, run by hand"})
        return {
            "complaint_ids": created.ids,
            "sweeps": [sweep.id, sweep_again.id],
            "acks": [ack.id, ack_again.id],
            "alias": team.alias_id.alias_full_name,
            "admin_uid": env.ref("base.user_admin").id,
        }


def wait_until(cr, query, args=(), timeout=300):
    """Poll ``query`` (a count) until it gives 0, or ``timeout``; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        cr.execute(query, args)
        left = cr.fetchone()[0]
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(2)


def jobs_done(log_paths, cron_ids):
    """Per server, the runs of each job by its cron worker that ended well (Odoo's "done
    in" line) and those that failed (rolled back, e.g. on a serialization failure when
    two runs changed one complaint), as ``"done/failed"``."""
    done = {}
    for server, path in enumerate(log_paths, start=1):
        with open(path, errors="replace") as log:
            text = log.read()
        runs = {}
        for cron_id in cron_ids:
            finished = text.count(f"({cron_id}) done in")
            failed = len(re.findall(r"\(" + str(cron_id) + r"\) server action #\d+ failed", text))
            runs[str(cron_id)] = f"{finished}/{failed}"
        done[f"server{server}"] = runs
    return done


def check_sweep(connect, db, context, log_paths):
    """Every complaint due at once, both sweep jobs triggered on both servers."""
    import psycopg2

    with contextlib.closing(psycopg2.connect(**connect)) as conn:
        conn.autocommit = True
        with conn.cursor() as cr:
            cr.execute("SELECT coalesce(max(id), 0) FROM iso10002_sla_event")
            last_event = cr.fetchone()[0]
            cr.execute(
                """UPDATE iso10002_complaint
                      SET sla_next_check = now() at time zone 'utc' - interval '1 minute',
                          ack_deadline = now() at time zone 'utc' - interval '1 hour',
                          resolution_deadline = now() at time zone 'utc' - interval '1 hour'
                    WHERE id = ANY(%s)""",
                (context["complaint_ids"],),
            )
            load.trigger_crons(connect, context["sweeps"])
            due = wait_until(
                cr,
                "SELECT count(*) FROM iso10002_complaint WHERE id = ANY(%s) "
                "AND sla_next_check <= now() at time zone 'utc'",
                (context["complaint_ids"],),
            )
            double_escalations = len(load.oracle.double_escalations(cr, context["complaint_ids"]))
            cr.execute(
                """SELECT count(*) FROM (SELECT 1 FROM iso10002_sla_event WHERE id > %s AND kind = 'state'
                    AND new_state = 'breached' GROUP BY complaint_id HAVING count(*) > 1) AS doubles""",
                (last_event,),
            )
            double_breaches = cr.fetchone()[0]
            cr.execute(
                "SELECT count(DISTINCT complaint_id) FROM iso10002_sla_event WHERE id > %s AND kind = 'escalation'",
                (last_event,),
            )
            escalated = cr.fetchone()[0]
    done = jobs_done(log_paths, context["sweeps"])
    print(
        f"sweep: {len(context['complaint_ids'])} complaints due, {escalated} escalated, "
        f"{double_escalations} escalated twice to a level, {double_breaches} breached twice, {due} still due; "
        f"sweep runs (done/failed) per server and job: {done}",
        flush=True,
    )
    return {
        "sweep_escalated": escalated,
        "sweep_still_due": due,
        "double_escalations": double_escalations,
        "double_breaches": double_breaches,
        "sweep_runs": done,
    }


def check_acknowledgements(connect, db, context, bases, count, log_paths):
    """``count`` e-mails through both servers at once; both acknowledgement jobs run."""
    import psycopg2

    run_id = uuid.uuid4().hex[:6]
    accepted, failed, lock = [], [], threading.Lock()

    def gateway(index):
        proxy = xmlrpc.client.ServerProxy(f"{bases[index]}/xmlrpc/2/object", allow_none=True)
        for number in range(index, count, len(bases)):
            message_id, raw = load.email(context["alias"], f"{run_id}-{number}")
            try:
                proxy.execute_kw(
                    db, context["admin_uid"], load.ADMIN[1], "mail.thread", "message_process", [False, raw], {}
                )
            except Exception as error:  # a lost e-mail: the MTA would retry it
                with lock:
                    failed.append(f"{message_id}: {error}"[:300])
            else:
                with lock:
                    accepted.append(message_id)

    threads = [threading.Thread(target=gateway, args=(index,)) for index in range(len(bases))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with contextlib.closing(psycopg2.connect(**connect)) as conn:
        conn.autocommit = True
        with conn.cursor() as cr:
            load.trigger_crons(connect, context["acks"])
            pending = wait_until(cr, "SELECT count(*) FROM iso10002_complaint WHERE acknowledgement_pending")
            lost, twice = load.oracle.submissions(cr, message_ids=accepted)
            cr.execute(
                """SELECT DISTINCT m.res_id FROM mail_message m
                    WHERE m.model = 'iso10002.complaint' AND m.message_id = ANY(%s)""",
                (accepted,),
            )
            complaint_ids = [row[0] for row in cr.fetchall()]
            double_acks = load.oracle.double_acknowledgements(cr, complaint_ids)
            # no double is no proof when nothing was acknowledged: each complaint's one e-mail
            not_acknowledged = sorted(
                cid for cid, sent in load.oracle.acknowledgements(cr, complaint_ids).items() if not sent
            )
            cr.execute(
                "SELECT count(*) FROM iso10002_complaint WHERE id = ANY(%s) AND step = 'acknowledged'",
                (complaint_ids,),
            )
            acknowledged = cr.fetchone()[0]
    done = jobs_done(log_paths, context["acks"])
    print(
        f"acknowledgements: {count} e-mails, {len(accepted)} accepted ({len(failed)} refused: {failed[:3]}), "
        f"{len(complaint_ids)} complaints ({len(lost)} lost, {len(twice)} made twice), {acknowledged} acknowledged, "
        f"{pending} waiting; {len(double_acks)} acknowledged twice {double_acks[:5]}, "
        f"{len(not_acknowledged)} without an acknowledgement e-mail {not_acknowledged[:5]}; "
        f"acknowledgement runs (done/failed) per server and job: {done}",
        flush=True,
    )
    return {
        "lost_emails": len(lost) + len(failed),
        "double_emails": len(twice),
        "acknowledged": acknowledged,
        "acknowledgements_waiting": pending,
        "double_acknowledgements": len(double_acks),
        "not_acknowledged": len(not_acknowledged),
        "acknowledgement_runs": done,
    }


def post_form(base, address, subject, ready=None):
    """One visitor's post of the form from ``address`` (behind the proxy): filed or refused."""
    import requests

    session = requests.Session()
    session.headers.update({"X-Forwarded-For": address, "X-Forwarded-Host": base.split("//")[1]})
    page = session.get(f"{base}/complaints/new", timeout=120)
    csrf = intake_check.CSRF_RE.search(page.text).group(1)
    data = {
        "name": "Scale-out visitor",
        "email": f"{uuid.uuid4().hex[:10]}@visitors.example.org",
        "subject": subject,
        "description": "Filed from one address through two servers.",
        "consent": "on",
        "csrf_token": csrf,
    }
    if ready:
        ready.wait()
    answer = session.post(f"{base}/complaints/new", data=data, allow_redirects=False, timeout=120)
    if answer.status_code == 303 and answer.headers.get("Location", "").endswith("/complaints/filed"):
        return "filed"
    if answer.status_code == 400 and "Too many complaints" in answer.text:
        return "refused"
    return f"error {answer.status_code}"


def check_throttle(connect, bases, limit):
    """One address, 2 x limit posts over both servers: one after the other, then at once."""
    import psycopg2

    run_id = uuid.uuid4().hex[:6]
    posts = 2 * limit
    sequential = [
        (subject, post_form(bases[n % 2], "198.51.100.7", subject))
        for n, subject in enumerate(f"Throttle {run_id} sequential {n}" for n in range(posts))
    ]
    burst, ready, lock = [], threading.Barrier(posts), threading.Lock()

    def visitor(n):
        subject = f"Throttle {run_id} burst {n}"
        try:
            outcome = post_form(bases[n % 2], "198.51.100.8", subject, ready)
        except Exception as error:
            outcome = f"error {type(error).__name__}"
        with lock:
            burst.append((subject, outcome))

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    filed = [subject for subject, outcome in sequential + burst if outcome == "filed"]
    with contextlib.closing(psycopg2.connect(**connect)) as conn, conn.cursor() as cr:
        cr.execute("SELECT count(*) FROM iso10002_complaint WHERE subject = ANY(%s)", (filed,))
        stored = cr.fetchone()[0]
    figures = {}
    for name, outcomes in (("sequential", sequential), ("burst", burst)):
        kinds = [outcome for _subject, outcome in outcomes]
        figures[f"{name}_filed"] = kinds.count("filed")
        figures[f"{name}_refused"] = kinds.count("refused")
        figures[f"{name}_errors"] = len(kinds) - kinds.count("filed") - kinds.count("refused")
    print(
        f"throttle at {limit} per address and hour: one after the other over both servers "
        f"{[outcome for _s, outcome in sequential]}; at once over both servers "
        f"{figures['burst_filed']} filed, {figures['burst_refused']} refused, {figures['burst_errors']} failed "
        f"({[outcome for _s, outcome in burst if outcome not in ('filed', 'refused')][:3]}); "
        f"{stored} of {len(filed)} filed posts stored",
        flush=True,
    )
    figures["lost_posts"] = len(filed) - stored
    return figures


def run(db, args):
    from odoo.tools import config

    with step(f"{args.complaints} complaints, the second sweep and acknowledgement jobs"):
        context = prepare(db, args)
    connect = harness.connect_kwargs(load.db_options(), db)
    log_dir = tempfile.mkdtemp(prefix="iso10002-scale-out-")
    log_paths = [os.path.join(log_dir, f"odoo{n}.log") for n in (1, 2)]
    print(f"two servers on {db}, one data dir ({config['data_dir']}); logs: {log_paths}", flush=True)
    figures = {"complaints": args.complaints, "emails": args.emails, "limit": args.limit}
    with contextlib.ExitStack() as stack:
        bases = [stack.enter_context(load.odoo_server(db, path, extra=["--proxy-mode"])) for path in log_paths]
        print(f"servers: {bases}", flush=True)
        with step("the SLA sweep on both servers at once"):
            figures.update(check_sweep(connect, db, context, log_paths))
        with step("the acknowledgement job on both servers at once"):
            figures.update(check_acknowledgements(connect, db, context, bases, args.emails, log_paths))
        with step("the form's throttle over both servers"):
            figures.update(check_throttle(connect, bases, args.limit))
    for server, path in enumerate(log_paths, start=1):
        logged, errors = load.log_figures(path)
        figures[f"server{server}_log"] = logged
        for record in errors[:5]:
            print(f"  server {server}: {record[:400]}", flush=True)
    expected = {
        "double_escalations": 0,
        "double_breaches": 0,
        "sweep_still_due": 0,
        "double_acknowledgements": 0,
        "acknowledgements_waiting": 0,
        "lost_emails": 0,
        "double_emails": 0,
        "acknowledged": args.emails,
        "not_acknowledged": 0,
        "sequential_filed": args.limit,
        "burst_filed": args.limit,
        "sequential_errors": 0,
        "burst_errors": 0,
        "lost_posts": 0,
    }
    figures["expected"] = expected
    figures["verdicts"] = {key: figures[key] == value for key, value in expected.items()}
    figures["within_budget"] = all(figures["verdicts"].values())
    return figures


if __name__ == "__main__":
    main()
