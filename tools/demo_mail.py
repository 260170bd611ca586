"""E-mail in the demo, and the test command's check of it against a live Odoo.

``harness.py demo`` starts a local mail server (``MailHub`` of
mail_gateway_guard/tests/mail_servers.py) before Odoo: every e-mail the product sends is
kept in a Maildir (the catch-all), and every e-mail to the demo's alias domain is piped to
the mailgate script, as Postfix does on a real server. :func:`configure` then gives the
database the alias domain and the outgoing mail server, over XML-RPC as an administrator
would in Settings.

:func:`check` (``harness.py demo --exit-when-ready --mail-check``) proves it from
outside, against Odoo in prefork mode with its cron worker:

- a complaint e-mailed to the team's address is piped in, recorded, and acknowledged;
  the acknowledgement arrives at the mail server with ``Auto-Submitted`` and threaded
  under the complaint's e-mail; the complainant's reply is piped back into the complaint;
- the seeded hostile corpus is delivered to a Dovecot mailbox and fetched by Odoo's
  incoming mail server; Odoo is killed (SIGKILL, every process) in the middle of the batch
  and restarted, and the fetch goes on: one complaint per readable message, each
  automatic message kept once, no Message-Id recorded twice, every message read on the
  server, no complaint acknowledged twice.
"""

import contextlib
import importlib.util
import smtplib
import sys
import threading
import time
import xmlrpc.client
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "complaints.localhost"
MAILGATE = ROOT / "mail_gateway_guard" / "static" / "scripts" / "odoo-mailgate.py"
ADMIN = ("admin", "admin")


def _module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mail_servers():
    """mail_gateway_guard/tests/mail_servers.py (it imports nothing of Odoo)."""
    return _module(ROOT / "mail_gateway_guard" / "tests" / "mail_servers.py", "demo_mail_servers")


def hub(maildir, port, db, http_port):
    """The demo's mail server on ``port`` (started by the caller)."""
    command = [sys.executable, str(MAILGATE), "-d", db, "-u", "2", "-p", ADMIN[1], "--port", str(http_port)]
    return mail_servers().MailHub(maildir, port=port, pipe_domains=[DOMAIN], pipe_command=command)


class Rpc:
    def __init__(self, port, db):
        self.db = db
        self.proxy = xmlrpc.client.ServerProxy(f"http://localhost:{port}/xmlrpc/2/object", allow_none=True)
        common = xmlrpc.client.ServerProxy(f"http://localhost:{port}/xmlrpc/2/common", allow_none=True)
        self.uid = common.authenticate(db, *ADMIN, {})

    def __call__(self, model, method, *args, **kwargs):
        return self.proxy.execute_kw(self.db, self.uid, ADMIN[1], model, method, list(args), kwargs)


def configure(port, db, smtp_port):
    """The alias domain on the companies and their aliases, and the outgoing mail server;
    return the teams' addresses."""
    rpc = Rpc(port, db)
    domains = rpc("mail.alias.domain", "search", [("name", "=", DOMAIN)])
    domain = domains[0] if domains else rpc("mail.alias.domain", "create", {"name": DOMAIN})
    rpc("res.company", "write", rpc("res.company", "search", []), {"alias_domain_id": domain})
    aliases = rpc("mail.alias", "search", [("alias_domain_id", "=", False)])
    rpc("mail.alias", "write", aliases, {"alias_domain_id": domain})
    values = {"name": "Demo mailbox", "smtp_host": "localhost", "smtp_port": smtp_port, "smtp_encryption": "none"}
    servers = rpc("ir.mail_server", "search", [("name", "=", values["name"])])
    if servers:
        rpc("ir.mail_server", "write", servers, values)
    else:
        rpc("ir.mail_server", "create", values)
    teams = rpc("iso10002.complaint.team", "search_read", [("alias_email", "!=", False)], ["alias_email"])
    return sorted(team["alias_email"] for team in teams)


def sample(path, to):
    """An e-mail a newcomer can send to the team's address with curl."""
    message = EmailMessage()
    message["From"] = "Sara Ahmadi <sara@customer.example>"
    message["To"] = to
    message["Subject"] = "The chair I bought broke on day one"
    message.set_content("Hello,\n\nThe chair of order S00042 broke on the first day. I would like a replacement.\n")
    Path(path).write_bytes(bytes(message))


# ------------------------------------------------------------------------------------------
# the check
# ------------------------------------------------------------------------------------------
def _say(name, ok, detail=""):
    print(f"[mail-check] {name}: {'ok' if ok else 'FAILED'}{' (' + detail + ')' if detail else ''}", flush=True)
    return ok


def _wait(condition, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return condition()


def _sql(connect, query, params=()):
    import psycopg2

    with contextlib.closing(psycopg2.connect(**connect)) as conn, conn.cursor() as cr:
        cr.execute(query, params)
        return cr.fetchall()


def check(port, connect, db, mailhub, restart, messages=40):
    """The checks above; ``restart()`` kills Odoo (every process) and starts it again,
    returning once it answers. Return (passed, failed)."""
    results = [_check_smtp_and_mailgate(port, connect, mailhub, db)]
    results.append(_check_imap_crash(port, connect, db, restart, messages))
    results = [ok for group in results for ok in group]
    return sum(results), len(results) - sum(results)


def _counted(connect, figure, *args):
    """``figure`` of iso10002_complaints/tests/integrity.py on a cursor of its own."""
    import psycopg2

    with contextlib.closing(psycopg2.connect(**connect)) as conn, conn.cursor() as cr:
        return figure(cr, *args)


def _check_smtp_and_mailgate(port, connect, mailhub, db):
    team = Rpc(port, db)("iso10002.complaint.team", "search_read", [("alias_email", "!=", False)], ["alias_email"])
    to = team[0]["alias_email"]
    first = EmailMessage()
    first["From"] = "Mail Check <mail-check@customer.example>"
    first["To"] = to
    first["Subject"] = "Mail check: a complaint by e-mail"
    first["Message-Id"] = f"<mail-check-{time.time_ns()}@customer.example>"
    first.set_content("The parcel arrived broken.")
    with smtplib.SMTP("localhost", mailhub.port, timeout=300) as smtp:
        smtp.send_message(first)
    stored = _sql(
        connect,
        "SELECT res_id FROM mail_message WHERE message_id = %s AND model = 'iso10002.complaint'",
        (first["Message-Id"],),
    )
    ok = [_say("an e-mail to the team's address piped into a complaint", len(stored) == 1, to)]

    def ack():
        for _from, rcpts, raw in list(mailhub.received):
            if "mail-check@customer.example" in rcpts and first["Message-Id"].encode() in raw:
                return raw
        return None

    raw = _wait(ack, 180)
    ok.append(_say("the acknowledgement reached the mail server", bool(raw)))
    if not (raw and stored):
        return ok
    import email
    import email.policy

    answer = email.message_from_bytes(raw, policy=email.policy.default)
    ok.append(
        _say(
            "the acknowledgement is automatic and threaded",
            answer["Auto-Submitted"] == "auto-generated" and first["Message-Id"] in (answer["References"] or ""),
            f"Auto-Submitted: {answer['Auto-Submitted']}",
        )
    )
    reply = EmailMessage()
    reply["From"] = first["From"]
    reply["To"] = answer["Reply-To"] or answer["From"]
    reply["Subject"] = "Re: " + answer["Subject"]
    reply["Message-Id"] = f"<mail-check-reply-{time.time_ns()}@customer.example>"
    reply["In-Reply-To"] = answer["Message-Id"]
    reply["References"] = f"{answer['References']} {answer['Message-Id']}"
    reply.set_content("It was order S00042.")
    with smtplib.SMTP("localhost", mailhub.port, timeout=300) as smtp:
        smtp.send_message(reply)
    landed = _sql(connect, "SELECT model, res_id FROM mail_message WHERE message_id = %s", (reply["Message-Id"],))
    ok.append(_say("the reply piped back into the complaint", landed == [("iso10002.complaint", stored[0][0])]))
    return ok


def _check_imap_crash(port, connect, db, restart, count):
    servers = mail_servers()
    # "acknowledged twice" as the tests and the benchmarks define it
    integrity = _module(ROOT / "iso10002_complaints" / "tests" / "integrity.py", "demo_integrity")
    hostile = _module(ROOT / "iso10002_complaints" / "tests" / "hostile_mail.py", "demo_hostile_mail")
    rpc = Rpc(port, db)
    team = rpc("iso10002.complaint.team", "search_read", [("alias_email", "!=", False)], ["alias_email"], limit=1)[0]
    own = _sql(connect, "SELECT p.email FROM res_company c JOIN res_partner p ON p.id = c.partner_id LIMIT 1")[0][0]
    generator = hostile.HostileMail(25, team["alias_email"], own or "info@yourcompany.example")
    corpus = list(generator.messages(count))
    expected = {kind: sum(1 for _raw, expect in corpus if expect == kind) for kind in ("complaint", "automatic")}
    ok = []
    with servers.Dovecot({"complaints": "imap-check"}) as imap:
        server = rpc("fetchmail.server", "create", imap.incoming_server("complaints", "Mail check"))
        rpc("fetchmail.server", "button_confirm_login", [server])
        marker = _sql(connect, "SELECT coalesce(max(id), 0) FROM mail_message")[0][0]
        complaints_before = _sql(connect, "SELECT coalesce(max(id), 0) FROM iso10002_complaint")[0][0]
        imap.deliver("complaints", [raw for raw, _expect in corpus])

        def processed():
            return _sql(
                connect, "SELECT count(*) FROM mail_message WHERE id > %s AND message_type = 'email'", (marker,)
            )[0][0]

        fetch = threading.Thread(target=_fetch_quietly, args=(port, db, server), daemon=True)
        fetch.start()
        reached = _wait(lambda: processed() >= count // 3, 300)
        killed_at = processed()
        restart()
        fetch.join(60)
        unread = sum(1 for flags in imap.flags("complaints").values() if "\\Seen" not in flags)
        ok.append(
            _say(
                "Odoo killed in the middle of an IMAP batch",
                bool(reached) and 0 < killed_at < count and unread > 0,
                f"{killed_at} of {count} recorded, {unread} unread on the server when killed",
            )
        )
        Rpc(port, db)("fetchmail.server", "fetch_mail", [server])
        unread = sum(1 for flags in imap.flags("complaints").values() if "\\Seen" not in flags)
        created = _sql(connect, "SELECT count(*) FROM iso10002_complaint WHERE id > %s", (complaints_before,))[0][0]
        kept = _sql(
            connect,
            "SELECT count(*) FROM mail_message WHERE id > %s AND model = 'iso10002.complaint.team' "
            "AND message_type = 'email'",
            (marker,),
        )[0][0]
        twice = _sql(
            connect,
            "SELECT message_id FROM mail_message WHERE id > %s AND message_type = 'email' "
            "GROUP BY message_id HAVING count(*) > 1",
            (marker,),
        )
        new = [row[0] for row in _sql(connect, "SELECT id FROM iso10002_complaint WHERE id > %s", (complaints_before,))]
        # the acknowledgement job the intake triggered, done (the cron worker runs it)
        _wait(
            lambda: not _sql(connect, "SELECT count(*) FROM iso10002_complaint WHERE acknowledgement_pending")[0][0],
            180,
        )
        acked_twice = _counted(connect, integrity.double_acknowledgements, new)
        acks = _counted(connect, integrity.acknowledgements, new)
        ok.append(
            _say(
                "after the restart, every message fetched, each once",
                created == expected["complaint"] and kept == expected["automatic"] and not twice and unread == 0,
                f"{created} complaints for {expected['complaint']} readable messages, {kept} automatic kept for "
                f"{expected['automatic']}, {len(twice)} Message-Id recorded twice, {unread} unread",
            )
        )
        ok.append(
            _say("no complaint acknowledged twice", not acked_twice, f"{len(acked_twice)} twice: {acked_twice[:5]}")
        )
        # not every readable message's sender can be written to: at least those that can
        ok.append(
            _say(
                "the complaints acknowledged",
                any(acks.values()),
                f"{sum(1 for sent in acks.values() if sent)} of {len(new)} with their acknowledgement",
            )
        )
        Rpc(port, db)("fetchmail.server", "unlink", [server])
    return ok


def _fetch_quietly(port, db, server):
    with contextlib.suppress(Exception):  # the server is killed under it
        Rpc(port, db)("fetchmail.server", "fetch_mail", [server])
