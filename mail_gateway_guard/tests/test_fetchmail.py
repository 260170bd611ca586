import imaplib
from contextlib import contextmanager
from unittest.mock import patch

from psycopg2 import errors

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.fetchmail_server import LOCK_SPACE
from .common import Crash, GatewayGuardCase, commits, imap_mailbox


@tagged("post_install", "-at_install")
class TestFetchFromImap(GatewayGuardCase):
    """Odoo's incoming mail server fetching from a real IMAP server (Debian's Dovecot,
    started on a free port), as the fetch job does: each message is fetched, processed
    and committed one at a time."""

    def setUp(self):
        super().setUp()
        self.imap, self.server = imap_mailbox(self, "inbox", "Local IMAP")

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

    @contextmanager
    def _failing(self, message_id, error, times=1):
        """Recording the e-mail ``message_id`` raises ``error`` (``times`` times); yields
        the number of attempts to record it (a list of one). (Not in ``message_new``:
        there Odoo reports the failure to the sender from a cursor of its own, which does
        not see this test's alias.)"""
        Thread = type(self.env["mail.thread"])
        original = Thread._message_route_process
        attempts = [0]

        def _message_route_process(thread, message, message_dict, routes):
            if message_dict.get("message_id") == message_id:
                attempts[0] += 1
                if attempts[0] <= times:
                    raise error
            return original(thread, message, message_dict, routes)

        with patch.object(Thread, "_message_route_process", _message_route_process):
            yield attempts

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

    def test_a_message_failing_on_a_concurrent_update_is_fetched_again(self):
        """Several workers: a message whose processing meets a concurrent update (the
        numbering sequence, a complaint an officer is saving) fails with a serialization
        error. It is not the message's fault: it stays unread and the next fetch takes it
        (Odoo marks it read: lost)."""
        message_ids = self._deliver(3)
        conflict = errors.SerializationFailure("could not serialize access due to concurrent update")
        with self._failing(message_ids[1], conflict), mute_logger("odoo.addons.mail.models.fetchmail"):
            with commits(self.env.cr):
                self.server.fetch_mail()
            self.assertEqual([self._records_of(message_ids)[i] for i in message_ids], [1, 0, 1])
            flags = self.imap.flags("inbox")
            self.assertEqual(["\\Seen" in flags[i] for i in message_ids], [True, False, True])
            with commits(self.env.cr):
                self.server.fetch_mail()
        self.assertEqual(self._records_of(message_ids), dict.fromkeys(message_ids, 1))
        self.assertTrue(all("\\Seen" in flags for flags in self.imap.flags("inbox").values()))

    def test_a_message_that_cannot_be_processed_is_kept_flagged_and_not_retried(self):
        """A message that makes the gateway fail (a bug, not a conflict) is not retried
        at every fetch: it stays on the server, read and flagged for someone to look at,
        and the failure is a warning (Odoo's is an info line nobody reads)."""
        message_ids = self._deliver(2)
        with self._failing(message_ids[0], ValueError("a bug"), times=10) as attempts:
            with (
                mute_logger("odoo.addons.mail.models.fetchmail"),
                self.assertLogs("odoo.addons.mail_gateway_guard.models.fetchmail_server", "WARNING") as logs,
                commits(self.env.cr),
            ):
                self.server.fetch_mail()
            self.assertIn("could not be processed (a bug)", "\n".join(logs.output))
            with commits(self.env.cr), mute_logger("odoo.addons.mail.models.fetchmail"):
                self.server.fetch_mail()
        self.assertEqual(attempts[0], 1, "not retried")
        self.assertEqual([self._records_of(message_ids)[i] for i in message_ids], [0, 1])
        flags = self.imap.flags("inbox")
        self.assertEqual(flags[message_ids[0]] & {"\\Seen", "\\Flagged"}, {"\\Seen", "\\Flagged"})
        self.assertNotIn("\\Flagged", flags[message_ids[1]])

    def test_a_connection_lost_right_after_a_download_loses_nothing(self):
        """Odoo downloads a message with FETCH RFC822, which marks it read on the server,
        then marks it unread again: a worker killed or a connection dropped between the
        two leaves a message read that was never recorded. Downloaded without marking
        it (BODY.PEEK), it stays unread until its record is committed."""
        message_ids = self._deliver(2)
        original = imaplib.IMAP4.store
        dropped = []

        def store(connection, message_set, command, flags):
            if command == "-FLAGS" and not dropped:
                dropped.append(message_set)
                raise imaplib.IMAP4.abort("connection dropped")
            return original(connection, message_set, command, flags)

        with patch.object(imaplib.IMAP4, "store", store), mute_logger("odoo.addons.mail.models.fetchmail"):
            with commits(self.env.cr):
                self.server.fetch_mail(raise_exception=False)
        self.assertEqual(self._records_of(message_ids), dict.fromkeys(message_ids, 0))
        flags = self.imap.flags("inbox")
        self.assertFalse(any("\\Seen" in flags[i] for i in message_ids), flags)
        with commits(self.env.cr):
            self.server.fetch_mail()
        self.assertEqual(self._records_of(message_ids), dict.fromkeys(message_ids, 1))

    def test_a_conflict_in_making_a_record_tells_the_sender_nothing(self):
        """Odoo reports a record it could not make from an e-mail to the e-mail's sender
        ("not delivered") and marks the alias invalid, from a cursor of its own. After a
        conflict with another worker the e-mail is fetched again and recorded: its sender
        is told nothing, and the alias stays valid."""
        message_ids = self._deliver(1)
        Partner = type(self.env["res.partner"])
        original = Partner.message_new
        conflicts = []

        def message_new(partner, msg_dict, custom_values=None):
            if not conflicts:
                conflicts.append(msg_dict["message_id"])
                raise errors.SerializationFailure("could not serialize access due to concurrent update")
            return original(partner, msg_dict, custom_values)

        @contextmanager
        def cursor(registry, readonly=False):
            yield self.env.cr  # Odoo's cursor of its own, seeing this test's alias

        bounced = []
        Thread = type(self.env["mail.thread"])
        with (
            patch.object(Partner, "message_new", message_new),
            patch.object(type(self.registry), "cursor", cursor),
            patch.object(Thread, "_routing_create_bounce_email", lambda thread, *args, **kw: bounced.append(args)),
            mute_logger("odoo.addons.mail.models.fetchmail"),
        ):
            with commits(self.env.cr):
                self.server.fetch_mail()
            with commits(self.env.cr):
                self.server.fetch_mail()
        self.assertEqual(conflicts, message_ids)
        self.assertEqual(self._records_of(message_ids), dict.fromkeys(message_ids, 1))
        self.assertFalse(bounced, "the sender is not told the e-mail bounced")
        self.assertNotEqual(self.alias.alias_status, "invalid")
