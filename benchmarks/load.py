#!/usr/bin/env python3
"""The whole product under load: Odoo in prefork mode, concurrent users of every kind
(a script that prints figures, not a test).

    python3 benchmarks/load.py [--seconds 60] [--rounds 3] [--visitors 4] [--complainants 2]
                               [--officers 2] [--mailers 1]
                               [--db_host ... --db_port ... --db_user ... --db_password ...]

It creates its own database with ``iso10002_complaints`` and ``iso10002_complaints_helpdesk``
(so OCA ``helpdesk_mgmt``) and their demo data, and serves it as deployed, the way the
demo's intake check does (``tools/harness.py``: ``odoo-bin``, ``--workers=2``, a gevent
port), with ``--max-cron-threads=1``: a cron worker runs the SLA sweep and the
acknowledgement job while the users work. The form's throttle is off for the run (the
visitors all come from 127.0.0.1); outgoing mail is queued, never sent (no SMTP server:
``mail.mail.force.send.limit`` 0 and the mail queue's cron off).

For ``--seconds`` per round, over ``--rounds`` rounds on the same server, HTTP clients
(threads of this process, each its own session) drive at once:

- ``form_post``: ``--visitors`` visitors filing the public complaint form
  (``/complaints/new``, its CSRF token read from the page; only the POST is timed; a
  success is the redirect to ``/complaints/filed``);
- ``helpdesk_post``: as many visitors filing OCA ``helpdesk_mgmt``'s ticket form
  (``/submitted/ticket``), side by side with ours. That form needs a signed-in user: each
  of these visitors is a portal user, signed in before the round;
- ``portal_list`` and ``portal_complaint``: ``--complainants`` portal users reading
  ``/my/complaints`` and one of their complaints' pages;
- ``officer_list`` and ``officer_step``: ``--officers`` complaint officers over JSON-RPC
  (``/jsonrpc``, ``execute_kw`` as the web client calls them) listing the open complaints
  and moving one a step, as the form does: the fields the step needs, then its button
  (``action_assess``, ``action_investigate``, or ``action_withdraw`` then
  ``action_close``). A step another officer took first is refused by the addon
  (``refused``, not an error);
- ``mail_in``: ``--mailers`` mail gateways feeding e-mails to the complaints team's alias
  over XML-RPC, as ``odoo-mailgate.py`` does (``mail.thread.message_process`` as the
  admin);
- the clock: every 10 s, 20 open complaints are made due, their deadlines an hour past
  (plain SQL: the server's clock cannot be frozen), and the SLA sweep's cron triggered,
  so that the cron worker breaches and escalates while officers write the same rows.

Nothing is frozen in the server processes: it is a live server, at the real time; the
working hours of its deadlines depend on the moment of the run. Only the figures of the
load are compared, not what the sweep did.

Printed per action and round: ``count``, ``per_s`` (throughput), ``p50_ms``, ``p95_ms``,
``p99_ms``, ``errors`` (a server error, a time-out, a wrong answer), ``refused``; then
``form_p95_ratio``, our form's p95 over the helpdesk form's (budget <= 1.5), with median,
min and max over the rounds. From the server's log: ``serialization_retries`` (Odoo's
"SERIALIZATION_FAILURE, n tries left" of a request retried), ``concurrent_update_lines``
(PostgreSQL's "could not serialize access due to concurrent update", the cron's
included) and ``server_errors`` (ERROR lines). After the last round (and the
acknowledgement job's backlog, waited for), checked in the database (each must be 0):

- ``lost_submissions``: a form post answered with success, or an e-mail accepted by the
  gateway, without its complaint (by subject; by Message-Id);
- ``double_submissions``: one of them with more than one complaint;
- ``duplicate_references``: two complaints of a company with one reference;
- ``double_acknowledgements``: a complaint acknowledged twice (two acknowledgement
  messages, in any language, or its first acknowledgement recorded twice);
- ``double_escalations``: a complaint escalated twice to one level (its SLA events).

Each as ``iso10002_complaints/tests/integrity.py`` defines it, in plain SQL: the same
definition as ``scale_out.py``, the demo's mail check and the tests.

The database is dropped at the end. The last line is one JSON object with the figures,
``machine`` (cores, PostgreSQL), the budgets and ``within_budget``.
"""

import contextlib
import importlib.util
import itertools
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import xmlrpc.client
from email.message import EmailMessage
from email.policy import SMTP

import _bench
from _bench import bench_database, machine, parse_args, stats, step

sys.path.insert(0, os.path.join(_bench.ROOT, "tools"))
import harness  # the demo's way of serving Odoo in prefork mode
import intake_check  # the demo's concurrent visitors (the form's CSRF token)


def _oracle():
    """iso10002_complaints/tests/integrity.py: the figures "nothing lost, nothing twice",
    defined once for the tests, the benchmarks and the demo (it imports nothing of Odoo)."""
    path = os.path.join(_bench.ROOT, "iso10002_complaints", "tests", "integrity.py")
    spec = importlib.util.spec_from_file_location("iso10002_integrity", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


oracle = _oracle()

ADDONS = "iso10002_complaints,iso10002_complaints_helpdesk"
ALIAS_DOMAIN = "load.example.com"
PASSWORD = "load-bench-password"
ADMIN = ("admin", "admin")  # the demo data's administrator
CLOCK_EVERY_S = 10
DUE_PER_TICK = 20
BUDGETS = {"form_p95_ratio": 1.5}
ZERO_CHECKS = (
    "lost_submissions",
    "double_submissions",
    "duplicate_references",
    "double_acknowledgements",
    "double_escalations",
)
RETRY_RE = re.compile(r"(SERIALIZATION_FAILURE|LOCK_NOT_AVAILABLE|DEADLOCK_DETECTED), \d+ tries left")
CONCURRENT_RE = re.compile(r"could not serialize access due to concurrent update")
# a record of Odoo's log starts with its date; ERROR_RE: one of level ERROR or CRITICAL
RECORD_RE = re.compile(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ )")
ERROR_RE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (ERROR|CRITICAL) ")
LINK_RE = re.compile(r'href="/my/complaints/(\d+)')


def main():
    def options(parser):
        parser.add_argument("--seconds", type=int, default=60, help="seconds of load per round (default 60)")
        parser.add_argument("--visitors", type=int, default=4, help="visitors on each of the two forms (default 4)")
        parser.add_argument("--complainants", type=int, default=2, help="portal users reading (default 2)")
        parser.add_argument("--officers", type=int, default=2, help="officers moving complaints (default 2)")
        parser.add_argument("--mailers", type=int, default=1, help="mail gateways feeding e-mails (default 1)")

    args = parse_args(__doc__, options, rounds=3)
    _bench.ADDON = ADDONS
    with bench_database("load", demo=True) as db:
        figures = run(db, args)
        # the live server's clock is not frozen: the moment is the run's own
        figures["machine"] = dict(machine(db), now=None, server_clock="live, not frozen")
    print(json.dumps(figures), flush=True)


# ------------------------------------------------------------------ the server
def db_options():
    """Odoo's database options as ``--key=value`` (harness.connect_kwargs reads them so)."""
    found, pending = [], None
    for arg in _bench.db_args():
        if pending:
            found.append(f"{pending}={arg}")
            pending = None
        elif "=" in arg:
            found.append(arg)
        else:
            pending = arg
    return found


@contextlib.contextmanager
def odoo_server(db, log_path, workers=2, cron_threads=1, extra=()):
    """Odoo serving ``db`` in prefork mode as the demo serves it; yield its base URL."""
    from odoo.tools import config

    port = harness.free_port()
    cmd = [
        *harness.odoo_base_cmd(db_options(), config["data_dir"]),
        "-d",
        db,
        f"--http-port={port}",
        f"--gevent-port={harness.free_port()}",
        f"--workers={workers}",
        f"--max-cron-threads={cron_threads}",
        f"--logfile={log_path}",
        "--log-level=info",
        "--log-handler=werkzeug:WARNING",
        *extra,
    ]
    proc = subprocess.Popen(cmd)
    try:
        if not harness.wait_for_http(port, proc):
            raise RuntimeError(f"Odoo did not answer on port {port} (log: {log_path})")
        yield f"http://localhost:{port}"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def env_of(cr):
    from odoo import SUPERUSER_ID, api

    return api.Environment(cr, SUPERUSER_ID, {})


def prepare(db, args):
    """The users, the alias and the settings of the run; returns what the actors need."""
    import odoo

    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = env_of(cr)
        env["ir.config_parameter"].set_param("mail.mail.force.send.limit", "0")
        env.ref("mail.ir_cron_mail_scheduler_action").active = False
        domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        env.company.alias_domain_id = domain
        team = env.ref("iso10002_complaints.team_customer_care_demo")
        team.alias_id.alias_domain_id = domain
        # the SLA sweep every minute besides its triggers (the clock's)
        env.ref("iso10002_complaints.ir_cron_sla_sweep").interval_number = 1
        officer_group = env.ref("iso10002_complaints.group_complaint_officer")
        portal_group = env.ref("base.group_portal")
        Users = env["res.users"].with_context(no_reset_password=True)
        officers = Users.create(
            [
                {
                    "name": f"Load Officer {i}",
                    "login": f"load.officer{i}",
                    "password": PASSWORD,
                    "email": f"officer{i}@{ALIAS_DOMAIN}",
                    "groups_id": [(6, 0, [env.ref("base.group_user").id, officer_group.id])],
                }
                for i in range(args.officers)
            ]
        )
        team.member_ids |= officers

        def portal(prefix, count):
            return Users.create(
                [
                    {
                        "name": f"Load {prefix.capitalize()} {i}",
                        "login": f"load.{prefix}{i}",
                        "password": PASSWORD,
                        "email": f"{prefix}{i}@customers.example.org",
                        "groups_id": [(6, 0, [portal_group.id])],
                    }
                    for i in range(count)
                ]
            )

        complainants = portal("complainant", args.complainants)
        portal("ticketer", args.visitors)
        channel = env.ref("iso10002_complaints.channel_phone")
        env["iso10002.complaint"].create(
            [
                {
                    "subject": f"Load complaint {n} of {user.name}",
                    "partner_id": user.partner_id.id,
                    "channel_id": channel.id,
                    "team_id": team.id,
                }
                for user in complainants
                for n in range(3)
            ]
        )
        categories = env["iso10002.complaint.category"].search([]).ids
        alias = team.alias_id.alias_full_name
        admin_uid = env.ref("base.user_admin").id
        officer_uids = dict(zip(officers.mapped("login"), officers.ids, strict=True))
    harness.form_throttle_off(db_options(), db)
    return {
        "alias": alias,
        "categories": categories,
        "admin_uid": admin_uid,
        "officers": officer_uids,
        "team_id": team.id,
    }


# ------------------------------------------------------------------ the actors
class Recorder:
    """Every action's outcome: (action, outcome, seconds); outcome ok, refused or error."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []
        self.filed = []  # subjects of the form posts answered with success
        self.mailed = []  # Message-Ids the gateway accepted
        self.errors = {}

    def add(self, action, outcome, seconds, detail=None):
        with self.lock:
            self.rows.append((action, outcome, seconds))
            if outcome == "error" and detail:
                self.errors.setdefault(action, []).append(str(detail)[:300])


def timed(recorder, action, call):
    """Run ``call``; it returns (outcome, detail). A raised exception is an error."""
    t0 = time.perf_counter()
    try:
        outcome, detail = call()
    except Exception as error:  # a refused connection or a time-out: the user got nothing
        outcome, detail = "error", f"{type(error).__name__}: {error}"
    recorder.add(action, outcome, time.perf_counter() - t0, detail)
    return outcome


def login(base, login_name, password):
    """A requests session signed in through the login page, as a person does."""
    import requests

    session = requests.Session()
    page = session.get(f"{base}/web/login", timeout=120)
    csrf = intake_check.CSRF_RE.search(page.text).group(1)
    answer = session.post(
        f"{base}/web/login",
        data={"login": login_name, "password": password, "csrf_token": csrf, "redirect": "/my"},
        timeout=120,
        allow_redirects=False,
    )
    if answer.status_code != 303:
        raise RuntimeError(f"{login_name} could not sign in: {answer.status_code}")
    return session


def visitor(base, run_id, index, deadline, recorder):
    """The public complaint form, again and again, each post in a new visit."""
    import requests

    for number in itertools.count():
        if time.monotonic() >= deadline:
            return
        session = requests.Session()
        subject = f"Load form {run_id} {index}-{number}"
        csrf = form_token(session, f"{base}/complaints/new", recorder, "form_get")
        if csrf is None:
            continue
        data = {
            "name": f"Visitor {index}",
            "email": f"visitor{index}.{number}.{run_id}@visitors.example.org",
            "subject": subject,
            "description": "My order arrived broken and nobody answers the phone.",
            "consent": "on",
            "csrf_token": csrf,
        }

        def post(data=data, session=session):
            answer = session.post(f"{base}/complaints/new", data=data, allow_redirects=False, timeout=120)
            if answer.status_code == 303 and answer.headers.get("Location", "").endswith("/complaints/filed"):
                return "ok", None
            return "error", f"{answer.status_code} {answer.headers.get('Location')}"

        if timed(recorder, "form_post", post) == "ok":
            with recorder.lock:
                recorder.filed.append(subject)


def form_token(session, url, recorder, action):
    """The CSRF token of the form page at ``url``, or None (the failure recorded as ``action``)."""
    try:
        page = session.get(url, timeout=120)
        return intake_check.CSRF_RE.search(page.text).group(1)
    except Exception as error:
        recorder.add(action, "error", 0.0, error)
        return None


def ticketer(base, run_id, index, deadline, recorder):
    """OCA helpdesk_mgmt's ticket form, again and again, as a signed-in portal user."""
    session = login(base, f"load.ticketer{index}", PASSWORD)
    for number in itertools.count():
        if time.monotonic() >= deadline:
            return
        csrf = form_token(session, f"{base}/new/ticket", recorder, "helpdesk_get")
        if csrf is None:
            continue
        data = {
            "subject": f"Load ticket {run_id} {index}-{number}",
            "description": "My order arrived broken and nobody answers the phone.",
            "csrf_token": csrf,
        }

        def post(data=data):
            answer = session.post(f"{base}/submitted/ticket", data=data, allow_redirects=False, timeout=120)
            if answer.status_code in (302, 303) and "/my/ticket/" in answer.headers.get("Location", ""):
                return "ok", None
            return "error", f"{answer.status_code} {answer.headers.get('Location')}"

        timed(recorder, "helpdesk_post", post)


def complainant(base, index, deadline, recorder):
    """A complainant reading their list of complaints and one complaint's page."""
    session = login(base, f"load.complainant{index}", PASSWORD)
    rng = random.Random(index)
    ids = []
    while time.monotonic() < deadline:

        def listing():
            answer = session.get(f"{base}/my/complaints", timeout=120)
            if answer.status_code != 200:
                return "error", answer.status_code
            ids[:] = LINK_RE.findall(answer.text)
            return ("ok", None) if ids else ("error", "no complaint listed")

        if timed(recorder, "portal_list", listing) != "ok":
            continue

        chosen = rng.choice(ids)

        def page(complaint_id=chosen):
            answer = session.get(f"{base}/my/complaints/{complaint_id}", timeout=120)
            return ("ok", None) if answer.status_code == 200 else ("error", answer.status_code)

        timed(recorder, "portal_complaint", page)


class JsonRpc:
    """``execute_kw`` over /jsonrpc, as a script or the web client's RPC does it."""

    def __init__(self, base, db, uid, password):
        import requests

        self.url, self.db, self.uid, self.password = f"{base}/jsonrpc", db, uid, password
        self.session = requests.Session()
        self.ids = itertools.count()

    def __call__(self, model, method, *args, **kwargs):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(self.ids),
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [self.db, self.uid, self.password, model, method, list(args), kwargs],
            },
        }
        answer = self.session.post(self.url, json=payload, timeout=120).json()
        if "error" in answer:
            raise RpcError(answer["error"])
        return answer["result"]


class RpcError(Exception):
    def __init__(self, error):
        data = error.get("data") or {}
        self.name = data.get("name", "")
        super().__init__(f"{self.name}: {data.get('message') or error.get('message')}")

    @property
    def refused(self):
        """The addon's refusal of a step (taken first by someone else), not a failure."""
        return self.name in ("odoo.exceptions.UserError", "odoo.exceptions.ValidationError")


def officer(base, db, login_name, uid, categories, index, deadline, recorder):
    """An officer listing the open complaints and moving one a step, as the form does."""
    rpc = JsonRpc(base, db, uid, PASSWORD)
    rng = random.Random(index)
    found = []
    while time.monotonic() < deadline:

        def listing():
            found[:] = rpc(
                "iso10002.complaint",
                "search_read",
                [("step", "in", ["acknowledged", "assessment"])],
                fields=["name", "step", "severity", "category_id"],
                limit=40,
                order="received_date desc",
            )
            return "ok", None

        if timed(recorder, "officer_list", listing) != "ok" or not found:
            time.sleep(0.5)
            continue
        complaint = rng.choice(found)

        def move(complaint=complaint):
            cid = [complaint["id"]]
            try:
                if complaint["step"] == "acknowledged" and rng.random() < 0.2:
                    rpc("iso10002.complaint", "write", cid, {"withdrawal_reason": "Settled on the phone."})
                    rpc("iso10002.complaint", "action_withdraw", cid)
                    rpc("iso10002.complaint", "action_close", cid)
                elif complaint["step"] == "acknowledged":
                    rpc(
                        "iso10002.complaint",
                        "write",
                        cid,
                        {"severity": rng.choice(["low", "medium", "high"]), "category_id": rng.choice(categories)},
                    )
                    rpc("iso10002.complaint", "action_assess", cid)
                else:
                    rpc("iso10002.complaint", "write", cid, {"investigator_id": uid})
                    rpc("iso10002.complaint", "action_investigate", cid)
            except RpcError as error:
                if error.refused:
                    return "refused", str(error)
                raise
            return "ok", None

        timed(recorder, "officer_step", move)


def email(alias, key):
    """(Message-Id, the e-mail as XML-RPC bytes) of a complaint to ``alias``, its sender
    its own (the gateway's loop detection counts the records of a sender)."""
    message = EmailMessage(policy=SMTP)
    message_id = f"<load-{key}@mail.example.org>"
    message["From"] = f"Sender {key} <sender.{key}@mail.example.org>"
    message["To"] = alias
    message["Subject"] = f"Load e-mail {key}"
    message["Message-Id"] = message_id
    message.set_content("I was charged twice for the same order. Please refund one of the payments.")
    return message_id, xmlrpc.client.Binary(message.as_bytes())


def mailer(base, db, admin_uid, alias, run_id, index, deadline, recorder):
    """The mail gateway: e-mails to the complaints team's alias, as odoo-mailgate.py feeds them."""
    proxy = xmlrpc.client.ServerProxy(f"{base}/xmlrpc/2/object", allow_none=True)
    for number in itertools.count():
        if time.monotonic() >= deadline:
            return
        message_id, raw = email(alias, f"{run_id}-{index}-{number}")

        def feed(raw=raw):
            proxy.execute_kw(db, admin_uid, ADMIN[1], "mail.thread", "message_process", [False, raw], {})
            return "ok", None

        if timed(recorder, "mail_in", feed) == "ok":
            with recorder.lock:
                recorder.mailed.append(message_id)


def trigger_crons(connect, cron_ids):
    """The jobs due now, and the cron workers woken, as ``ir.cron._trigger`` does it: they
    listen on a connection to the ``postgres`` database, where the NOTIFY must go."""
    import psycopg2

    with contextlib.closing(psycopg2.connect(**connect)) as conn, conn.cursor() as cr:
        for cron_id in cron_ids:
            cr.execute(
                "INSERT INTO ir_cron_trigger (cron_id, call_at) VALUES (%s, now() at time zone 'utc')", (cron_id,)
            )
        conn.commit()
    with contextlib.closing(psycopg2.connect(**dict(connect, dbname="postgres"))) as conn, conn.cursor() as cr:
        cr.execute("SELECT pg_notify('cron_trigger', %s)", (connect["dbname"],))
        conn.commit()


def clock(connect, cron_id, deadline, recorder):
    """Time passing: open complaints fall due, and the SLA sweep's cron is triggered."""
    import psycopg2

    with contextlib.closing(psycopg2.connect(**connect)) as conn:
        while time.monotonic() < deadline:
            with conn.cursor() as cr:
                cr.execute(
                    """UPDATE iso10002_complaint
                          SET sla_next_check = now() at time zone 'utc' - interval '1 minute',
                              ack_deadline = LEAST(ack_deadline, now() at time zone 'utc' - interval '1 hour'),
                              resolution_deadline = now() at time zone 'utc' - interval '1 hour'
                        WHERE id IN (SELECT id FROM iso10002_complaint
                                      WHERE is_open AND active AND sla_next_check IS NOT NULL
                                        AND sla_next_check > now() at time zone 'utc'
                                      ORDER BY random() LIMIT %s)""",
                    (DUE_PER_TICK,),
                )
            conn.commit()
            trigger_crons(connect, [cron_id])
            recorder.add("clock_tick", "ok", 0.0)
            time.sleep(CLOCK_EVERY_S)


def drive(base, db, context, args, recorder, run_id):
    """One round: every actor at once for ``--seconds``."""
    deadline = time.monotonic() + args.seconds
    actors = [(visitor, (base, run_id, i, deadline, recorder)) for i in range(args.visitors)]
    actors += [(ticketer, (base, run_id, i, deadline, recorder)) for i in range(args.visitors)]
    actors += [(complainant, (base, i, deadline, recorder)) for i in range(args.complainants)]
    actors += [
        (officer, (base, db, login_name, uid, context["categories"], i, deadline, recorder))
        for i, (login_name, uid) in enumerate(context["officers"].items())
    ]
    actors += [
        (mailer, (base, db, context["admin_uid"], context["alias"], run_id, i, deadline, recorder))
        for i in range(args.mailers)
    ]
    actors.append((clock, (context["connect"], context["sweep_cron"], deadline, recorder)))

    def guarded(target, target_args):
        try:
            target(*target_args)
        except Exception as error:  # an actor that could not even start (its sign-in)
            recorder.add(target.__name__, "error", 0.0, error)

    threads = [threading.Thread(target=guarded, args=actor) for actor in actors]
    t0 = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - t0


# ------------------------------------------------------------------ figures
def percentile(values, q):
    """The nearest-rank percentile ``q`` (0-100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, min(len(ordered) - 1, -(-q * len(ordered) // 100) - 1))]


def round_figures(recorder, elapsed):
    """Per action: count, throughput, p50/p95/p99 of its successes, errors, refusals."""
    actions = {}
    for action, outcome, seconds in recorder.rows:
        entry = actions.setdefault(action, {"ok": [], "errors": 0, "refused": 0})
        if outcome == "ok":
            entry["ok"].append(seconds)
        elif outcome == "refused":
            entry["refused"] += 1
        else:
            entry["errors"] += 1
    figures = {}
    for action, entry in sorted(actions.items()):
        latencies = entry["ok"]
        figures[action] = {
            "count": len(latencies),
            "per_s": round(len(latencies) / elapsed, 2),
            "p50_ms": round(percentile(latencies, 50) * 1000, 1),
            "p95_ms": round(percentile(latencies, 95) * 1000, 1),
            "p99_ms": round(percentile(latencies, 99) * 1000, 1),
            "errors": entry["errors"],
            "refused": entry["refused"],
        }
    return figures


def log_figures(log_path):
    """What the server's log tells: requests retried, serialization failures, errors.

    An ERROR record of a query that failed on a concurrent update is a serialization
    failure (Odoo logs the query, then retries the request or the cron runs again); any
    other ERROR record is a server error."""
    with open(log_path, errors="replace") as log:
        text = log.read()
    records = RECORD_RE.split(text)
    errors = [r for r in records if ERROR_RE.match(r) and not CONCURRENT_RE.search(r)]
    return {
        "serialization_retries": len(RETRY_RE.findall(text)),
        "concurrent_update_lines": len(CONCURRENT_RE.findall(text)),
        "server_errors": len(errors),
    }, errors


def wait_for_acknowledgements(connect, timeout=120):
    """The acknowledgement job's backlog done (the cron worker runs it); what is left."""
    import psycopg2

    deadline = time.monotonic() + timeout
    with contextlib.closing(psycopg2.connect(**connect)) as conn:
        conn.autocommit = True
        with conn.cursor() as cr:
            while True:
                cr.execute("SELECT count(*) FROM iso10002_complaint WHERE acknowledgement_pending")
                pending = cr.fetchone()[0]
                if not pending or time.monotonic() > deadline:
                    return pending
                time.sleep(2)


def integrity(connect, filed, mailed):
    """The checks that must give 0, in the database after the run."""
    import psycopg2

    with contextlib.closing(psycopg2.connect(**connect)) as conn, conn.cursor() as cr:
        lost, twice = oracle.submissions(cr, filed, mailed)
        duplicates = len(oracle.duplicate_references(cr))
        # every complaint of the run: those filed and mailed, and those of the demo data
        cr.execute("SELECT id FROM iso10002_complaint")
        everyone = [row[0] for row in cr.fetchall()]
        double_acks = oracle.double_acknowledgements(cr, everyone)
        double_escalations = len(oracle.double_escalations(cr, everyone))
        cr.execute("SELECT kind, count(*) FROM iso10002_sla_event GROUP BY kind")
        sla_events = dict(cr.fetchall())
        cr.execute("SELECT step, count(*) FROM iso10002_complaint GROUP BY step")
        steps = dict(cr.fetchall())
        cr.execute("SELECT count(*) FROM helpdesk_ticket")
        tickets = cr.fetchone()[0]
    print(
        f"after the run: {len(filed)} form posts filed, {len(mailed)} e-mails accepted; "
        f"{len(lost)} without their complaint {lost[:5]}, {len(twice)} with two {twice[:5]}; "
        f"{duplicates} duplicate references; {len(double_acks)} complaints acknowledged twice {double_acks[:5]}; "
        f"{double_escalations} escalated twice to a level; "
        f"SLA events {sla_events}; complaints by step {steps}; {tickets} helpdesk tickets",
        flush=True,
    )
    return {
        "lost_submissions": len(lost),
        "double_submissions": len(twice),
        "duplicate_references": duplicates,
        "double_acknowledgements": len(double_acks),
        "double_escalations": double_escalations,
        "sla_events": sla_events,
    }


def run(db, args):
    from odoo.tools import config

    with step("users, alias and settings of the run"):
        context = prepare(db, args)
    context["connect"] = harness.connect_kwargs(db_options(), db)
    import odoo

    with odoo.modules.registry.Registry(db).cursor() as cr:
        context["sweep_cron"] = env_of(cr).ref("iso10002_complaints.ir_cron_sla_sweep").id
    run_id = uuid.uuid4().hex[:6]
    log_dir = tempfile.mkdtemp(prefix="iso10002-load-")
    log_path = os.path.join(log_dir, "odoo.log")
    rounds, filed, mailed = [], [], []
    print(f"server log: {log_path} (data dir {config['data_dir']})", flush=True)
    with odoo_server(db, log_path) as base:
        # one warm-up pass of each page, not counted: the first requests compile assets
        warm = Recorder()
        drive(base, db, context, argparse_like(args, seconds=5), warm, f"{run_id}w")
        filed += warm.filed
        mailed += warm.mailed
        for index in range(args.rounds):
            recorder = Recorder()
            with step(f"round {index + 1}/{args.rounds}: {args.seconds} s of load"):
                elapsed = drive(base, db, context, args, recorder, f"{run_id}r{index}")
            figures = round_figures(recorder, elapsed)
            filed += recorder.filed
            mailed += recorder.mailed
            for action, entry in figures.items():
                print(f"  {action}: {json.dumps(entry)}", flush=True)
            for action, errors in recorder.errors.items():
                print(f"  {action} errors (first 3 of {len(errors)}): {errors[:3]}", flush=True)
            rounds.append(figures)
        pending = wait_for_acknowledgements(context["connect"])
    logged, error_lines = log_figures(log_path)
    for line in error_lines[:10]:
        print(f"  server: {line[:300]}", flush=True)
    result = {"seconds": args.seconds, "rounds": args.rounds}
    result["actors"] = {
        "visitors": args.visitors,
        "helpdesk_visitors": args.visitors,
        "complainants": args.complainants,
        "officers": args.officers,
        "mailers": args.mailers,
    }
    names = sorted({action for figures in rounds for action in figures} - {"clock_tick"})
    for action in names:
        per_round = [figures.get(action) for figures in rounds if action in figures]
        result[action] = {
            key: stats([entry[key] for entry in per_round], digits=2)
            for key in ("count", "per_s", "p50_ms", "p95_ms", "p99_ms", "errors", "refused")
        }
    ratios = [
        figures["form_post"]["p95_ms"] / figures["helpdesk_post"]["p95_ms"]
        for figures in rounds
        if figures.get("form_post", {}).get("p95_ms") and figures.get("helpdesk_post", {}).get("p95_ms")
    ]
    result["form_p95_ratio"] = stats(ratios, digits=2) if ratios else None
    result.update(logged)
    result["acknowledgements_pending_after"] = pending
    result.update(integrity(context["connect"], filed, mailed))
    result["budgets"] = {**BUDGETS, **dict.fromkeys(ZERO_CHECKS, 0)}
    verdicts = {key: bool(ratios) and result[key]["median"] <= budget for key, budget in BUDGETS.items()}
    verdicts.update({key: result[key] == 0 for key in ZERO_CHECKS})
    result["verdicts"] = verdicts
    result["within_budget"] = all(verdicts.values())
    print(
        f"form_p95_ratio {result['form_p95_ratio']} (budget {BUDGETS['form_p95_ratio']}); "
        + ", ".join(f"{key} {result[key]}" for key in ZERO_CHECKS)
        + f"; serialization retries {result['serialization_retries']}",
        flush=True,
    )
    return result


def argparse_like(args, **changes):
    """A copy of the options with ``changes`` (the warm-up's shorter round)."""
    import copy

    copied = copy.copy(args)
    vars(copied).update(changes)
    return copied


if __name__ == "__main__":
    main()
