from unittest.mock import patch

from psycopg2.errors import SerializationFailure

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.models.mail_thread import MailThread

from ..models.fetchmail_server import LOCK_SPACE
from .common import Crash, GatewayGuardCase, commits
from .mail_servers import Dovecot


@tagged("post_install", "-at_install")
class TestFetchFromImap(GatewayGuardCase):
    """Odoo's incoming mail server fetching from a real IMAP server (Debian's Dovecot,
    started on a free port), as the fetch job does: each message is fetched, processed
    and committed one at a time."""

    def setUp(self):
        super().setUp()
        # a server of its own for each test: the mailbox outlives the test's transaction
        self.imap = Dovecot({"inbox": "imap-secret"}).start()
        self.addCleanup(self.imap.stop)
        self.server = self.env["fetchmail.server"].create(
            {
                "name": "Local IMAP",
                "server_type": "imap",
                "server": self.imap.host,
                "port": self.imap.port,
                "is_ssl": False,
                "user": "inbox",
                "password": "imap-secret",
            }
        )

    def _mail(self, number):
        return (
            f"From: Buyer {number} <buyer{number}@buyer.example>\r\nTo: {self.alias_email}\r\n"
            f"Subject: Message {number}\r\nMessage-Id: <fetch-{self.id()}-{number}@buyer.example>\r\n"
            f"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n\r\nMessage number {number}.\r\n"
        ).encode()

    def _deliver(self, count):
        raws = [self._mail(number) for number in range(count)]
        self.imap.deliver("inbox", raws)
        return [f"<fetch-{self.id()}-{number}@buyer.example>" for number in range(count)]

    def _records_of(self, message_ids):
        """How many times each Message-Id was recorded in the database."""
        messages = self.env["mail.message"].sudo().search([("message_id", "in", message_ids)])
        return {
            message_id: len(messages.filtered(lambda m, i=message_id: m.message_id == i)) for message_id in message_ids
        }

    def test_each_message_fetched_once_and_marked_read(self):
        message_ids = self._deliver(6)
        before = self.Partner.search([])
        with commits(self.env.cr) as made:
            self.server.fetch_mail()
        self.assertGreaterEqual(made[0], 6, "a commit after each message")
        self.assertEqual(self._records_of(message_ids), dict.fromkeys(message_ids, 1))
        self.assertEqual(len(self._new_partners(before)), 6, "one contact per e-mail to the alias")
        flags = self.imap.flags("inbox")
        self.assertTrue(all("\\Seen" in flags[message_id] for message_id in message_ids), flags)
        # fetched again: nothing unread, nothing new
        with commits(self.env.cr) as made:
            self.server.fetch_mail()
        self.assertEqual(made[0], 0)
        self.assertEqual(self._records_of(message_ids), dict.fromkeys(message_ids, 1))

    def test_a_worker_killed_in_a_batch_loses_nothing_and_makes_nothing_twice(self):
        """Killed at the commit of the 4th message: the first three are recorded and read on
        the server; the 4th, rolled back, is still unread there (Odoo marks it read before
        its commit: it would be lost). The next fetch takes the rest, each once."""
        message_ids = self._deliver(8)

        def fourth_message_processed(_commits):
            return sum(self._records_of(message_ids).values()) == 4

        # (not assertRaises: Odoo's rolls back what its block did, the commits included)
        crashed = False
        try:
            with commits(self.env.cr, crash=fourth_message_processed):
                self.server.fetch_mail()
        except Crash:
            crashed = True
        self.assertTrue(crashed)
        recorded = self._records_of(message_ids)
        self.assertEqual([recorded[i] for i in message_ids], [1, 1, 1, 0, 0, 0, 0, 0])
        flags = self.imap.flags("inbox")
        self.assertEqual(["\\Seen" in flags[i] for i in message_ids], [True] * 3 + [False] * 5)
        # the worker restarts
        with commits(self.env.cr) as made:
            self.server.fetch_mail()
        self.assertGreaterEqual(made[0], 5)
        self.assertEqual(self._records_of(message_ids), dict.fromkeys(message_ids, 1))
        self.assertTrue(all("\\Seen" in flags for flags in self.imap.flags("inbox").values()))

    def test_a_message_recorded_but_not_yet_marked_read_is_recognised(self):
        """Killed after a commit, before the message was marked read on the server: it is
        fetched again, and the gateway recognises it."""
        message_ids = self._deliver(3)
        with commits(self.env.cr):
            self.server.fetch_mail()
        with self.imap.mailbox("inbox") as imap:
            imap.store("1:*", "-FLAGS", "\\Seen")  # as if the marks never reached the server
        with commits(self.env.cr), mute_logger("odoo.addons.mail.models.mail_thread"):
            self.server.fetch_mail()
        self.assertEqual(self._records_of(message_ids), dict.fromkeys(message_ids, 1))
        self.assertTrue(all("\\Seen" in flags for flags in self.imap.flags("inbox").values()))

    def test_one_fetch_of_a_server_at_a_time(self):
        """While another worker (or another Odoo server on the database) fetches the
        server, a second fetch leaves its messages to it."""
        message_ids = self._deliver(2)
        with self.env.registry.cursor() as other_worker:
            other_worker.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, self.server.id))
            with commits(self.env.cr) as made:
                self.server.fetch_mail()
            self.assertEqual(made[0], 0)
            self.assertEqual(self._records_of(message_ids), dict.fromkeys(message_ids, 0))
        with commits(self.env.cr) as made:
            self.server.fetch_mail()
        self.assertEqual(self._records_of(message_ids), dict.fromkeys(message_ids, 1))

    def test_a_message_that_could_not_be_processed_stays_unread_and_is_fetched_again(self):
        """The gateway fails on one message (here a serialization failure with another
        worker): Odoo's job logs it, goes on with the next and commits. The message is
        left unread on the server, not marked read with nothing recorded (lost), and the
        next fetch records it."""
        message_ids = self._deliver(3)
        process = MailThread.message_process
        failed = []

        def message_process(thread, model, message, *args, **kwargs):
            if message_ids[1].encode() in message and not failed:
                failed.append(message_ids[1])
                raise SerializationFailure("could not serialize access due to concurrent update")
            return process(thread, model, message, *args, **kwargs)

        with (
            patch.object(MailThread, "message_process", message_process),
            commits(self.env.cr),
            self.assertLogs("odoo.addons.mail_gateway_guard.models.fetchmail_server", "WARNING") as logged,
        ):
            self.server.fetch_mail()
        self.assertEqual(failed, [message_ids[1]])
        self.assertEqual(len(logged.output), 1, logged.output)
        self.assertEqual(self._records_of(message_ids), {message_ids[0]: 1, message_ids[1]: 0, message_ids[2]: 1})
        flags = self.imap.flags("inbox")
        self.assertEqual(["\\Seen" in flags[i] for i in message_ids], [True, False, True])
        # the next run of the job
        with commits(self.env.cr):
            self.server.fetch_mail()
        self.assertEqual(self._records_of(message_ids), dict.fromkeys(message_ids, 1))
        self.assertTrue(all("\\Seen" in flags for flags in self.imap.flags("inbox").values()))
