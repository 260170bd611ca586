"""Real mail servers on free local ports, for tests and for the demo.

- :class:`Dovecot`: Debian's IMAP server (package ``dovecot-imapd``), run in the
  foreground with a configuration of its own in a temporary folder: one Maildir per user,
  plain passwords, no TLS, listening on 127.0.0.1 only.
- :class:`MailHub`: an SMTP server (``aiosmtpd``) that does what a small MTA does: every
  message it accepts is kept in a Maildir (a catch-all: every e-mail the product sends can
  be read there), and a message to one of ``pipe_domains`` is also piped to a command, as
  Postfix's ``pipe`` transport feeds Odoo's mailgate script. A piped message is accepted
  only when the command succeeds: otherwise the sender is told to try again later (451),
  so that nothing is lost.

This module imports nothing of Odoo: the harness uses it for the demo.
"""

import contextlib
import email
import email.policy
import grp
import imaplib
import mailbox
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

DOVECOT_PACKAGE = "dovecot-imapd"
EX_TEMPFAIL = 75  # sysexits.h: the mail server keeps the message and tries again


def free_port():
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, timeout=30, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        with contextlib.closing(socket.socket()) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


def dovecot_binary():
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.path.exists(path)), None
    )


class Dovecot:
    """Dovecot serving IMAP on a free port of 127.0.0.1 for ``users`` (name: password),
    each with a Maildir under :attr:`folder`. Use it as a context manager."""

    host = "127.0.0.1"

    def __init__(self, users, folder=None):
        self.users = dict(users)
        self.folder = Path(folder) if folder else None
        self._own_folder = folder is None
        self.port = None
        self.proc = None

    # -- life cycle ----------------------------------------------------------
    def start(self):
        binary = dovecot_binary()
        if not binary:
            raise RuntimeError(f"dovecot is not installed: install the Debian package {DOVECOT_PACKAGE}")
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="dovecot-"))
        for name in ("run", "state", "mail", "home"):
            (self.folder / name).mkdir(parents=True, exist_ok=True)
        # the mail processes run as the user who runs the tests; as root, dovecot's own
        # unprivileged users (made by the Debian package) run its login and internal processes
        # (dovecot refuses to run mail processes as root: as root, they run as its own user)
        me = pwd.getpwuid(os.getuid())
        if os.getuid() == 0:
            login_user, internal_user = "dovenull", "dovecot"
            me = pwd.getpwnam(internal_user)  # KeyError: the package's users are missing
            pwd.getpwnam(login_user)
            os.chmod(self.folder, 0o755)
            for name in ("mail", "home"):
                os.chown(self.folder / name, me.pw_uid, me.pw_gid)
        else:
            login_user = internal_user = me.pw_name
        (self.folder / "users").write_text(
            "".join(f"{name}:{{PLAIN}}{password}::::::\n" for name, password in self.users.items())
        )
        self.port = free_port()
        folder = self.folder
        (folder / "dovecot.conf").write_text(
            f"""
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal_user).pw_gid).gr_name}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{folder}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {folder}/users
}}
userdb {{
  driver = static
  args = uid={me.pw_uid} gid={me.pw_gid} home={folder}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  inet_listener http {{
    port = 0
  }}
}}
"""
        )
        with open(folder / "dovecot.stderr", "wb") as stderr:
            self.proc = subprocess.Popen(
                [binary, "-F", "-c", str(folder / "dovecot.conf")], stdout=subprocess.DEVNULL, stderr=stderr
            )
        if not wait_for_port(self.port, proc=self.proc):
            self.stop()
            raise RuntimeError(f"dovecot did not start: {self.log()}")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._own_folder and self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def log(self):
        text = ""
        for name in ("dovecot.stderr", "dovecot.log"):
            path = self.folder / name if self.folder else None
            if path and path.exists():
                text += path.read_text(errors="replace")[-3000:]
        return text

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def incoming_server(self, user, name):
        """The values of Odoo's incoming mail server (``fetchmail.server``) reading
        ``user``'s mailbox here."""
        return {
            "name": name,
            "server_type": "imap",
            "server": self.host,
            "port": self.port,
            "is_ssl": False,
            "user": user,
            "password": self.users[user],
        }

    # -- what a mail client does ---------------------------------------------
    @contextlib.contextmanager
    def mailbox(self, user):
        """An IMAP session of ``user`` on their INBOX."""
        imap = imaplib.IMAP4(self.host, self.port)
        try:
            imap.login(user, self.users[user])
            imap.select("INBOX")
            yield imap
        finally:
            with contextlib.suppress(Exception):
                imap.logout()

    def deliver(self, user, messages):
        """Put ``messages`` (bytes) in ``user``'s INBOX, unread, as a delivery agent does."""
        with self.mailbox(user) as imap:
            for raw in messages:
                status, detail = imap.append("INBOX", None, None, raw)
                if status != "OK":
                    raise RuntimeError(f"IMAP APPEND refused: {detail}")

    def flags(self, user):
        """``{Message-Id: set of flags}`` of the messages in ``user``'s INBOX (a message
        without Message-Id is keyed by its UID)."""
        found = {}
        with self.mailbox(user) as imap:
            status, data = imap.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            if status != "OK":
                return found
            for item in data:
                if not isinstance(item, tuple):
                    continue
                meta, header = item
                meta = meta.decode()
                uid = meta.split("UID ", 1)[1].split()[0].rstrip(")")
                flags = set(imaplib.ParseFlags(meta.encode())) if "FLAGS" in meta else set()
                message_id = email.message_from_bytes(header, policy=email.policy.compat32).get("Message-Id")
                found[(message_id or f"uid:{uid}").strip()] = {flag.decode() for flag in flags}
        return found


class MailHub:
    """An SMTP server on a free port of 127.0.0.1 (or ``port``) that keeps every message
    in the Maildir ``maildir`` and pipes those to ``pipe_domains`` into ``pipe_command``."""

    host = "127.0.0.1"

    def __init__(self, maildir, port=None, pipe_domains=(), pipe_command=None):
        self.maildir = Path(maildir)
        self.port = port
        self.pipe_domains = {domain.lower() for domain in pipe_domains}
        self.pipe_command = pipe_command
        self.received = []  # (mail_from, rcpt_tos, raw bytes), in order
        self.piped = []  # (rcpt, command's exit code, its output)
        self._lock = threading.Lock()
        self._controller = None

    def start(self):
        from aiosmtpd.controller import Controller

        self.maildir.parent.mkdir(parents=True, exist_ok=True)
        for name in ("tmp", "new", "cur"):  # a Maildir
            (self.maildir / name).mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller:
            self._controller.stop()
            self._controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def wait_for(self, count, timeout=30):
        """The messages received, once there are at least ``count`` (or at ``timeout``)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        with self._lock:
            return list(self.received)

    def messages(self):
        """The messages received, parsed."""
        with self._lock:
            return [email.message_from_bytes(raw, policy=email.policy.default) for _f, _t, raw in self.received]

    def _accept(self, mail_from, rcpt_tos, raw):
        """Keep, then pipe; the SMTP answer."""
        piped = [rcpt for rcpt in rcpt_tos if rcpt.rpartition("@")[2].lower() in self.pipe_domains]
        for rcpt in piped if self.pipe_command else ():
            # as Postfix's pipe(8): the envelope in the environment, the message on stdin
            env = dict(os.environ, SENDER=mail_from or "", RECIPIENT=rcpt)
            proc = subprocess.run(self.pipe_command, input=raw, capture_output=True, env=env, check=False, timeout=300)
            with self._lock:
                self.piped.append((rcpt, proc.returncode, (proc.stdout + proc.stderr).decode(errors="replace")))
            if proc.returncode == EX_TEMPFAIL:
                return "451 4.3.0 the mail gateway did not take the message; try again later"
            if proc.returncode:  # pipe(8): any other failure returns the message to its sender
                return f"554 5.3.0 the mail gateway refused the message (exit status {proc.returncode})"
            break  # one pipe per message: the gateway routes it to every recipient
        with self._lock:
            box = mailbox.Maildir(str(self.maildir), create=False)
            header = f"X-Original-To: {', '.join(rcpt_tos)}\r\nReturn-Path: <{mail_from or ''}>\r\n".encode()
            box.add(header + raw)
            self.received.append((mail_from, list(rcpt_tos), raw))
        return "250 OK"


class _Handler:
    def __init__(self, hub):
        self.hub = hub

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.hub._accept, envelope.mail_from, envelope.rcpt_tos, raw)
