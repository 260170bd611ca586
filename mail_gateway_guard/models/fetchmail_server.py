import logging
import zlib
from functools import partial

from psycopg2 import errors

from odoo import models

_logger = logging.getLogger(__name__)

SEEN = "\\Seen"
FAILED = "(\\Seen \\Flagged)"
# the first key of the advisory locks on fetchmail servers (a positive int4)
LOCK_SPACE = zlib.crc32(b"fetchmail.server") & 0x7FFFFFFF
# the errors of a transaction that met another one: not the message's fault, it is tried
# again at the next fetch (odoo.service.model.PG_CONCURRENCY_ERRORS_TO_RETRY)
CONFLICTS = (errors.SerializationFailure, errors.DeadlockDetected, errors.LockNotAvailable)


class FetchFailure:
    """What made the gateway fail on the message being fetched, if anything: set by
    ``mail.thread.message_process`` (through the context key ``mail_gateway_fetch``), read
    by the connection when the fetch job marks the message read."""

    error = None


class SeenAfterCommit:
    """An IMAP connection on which a message is marked read only once the transaction that
    processed it is committed.

    Odoo's fetch job processes a message, marks it read on the mail server, then commits.
    A worker killed between the two (a restart, a timeout, the out-of-memory killer) has
    told the server the message was read while its record was rolled back: the e-mail is
    lost. Marked after the commit, a message whose commit did not happen stays unread and
    is fetched again; one that was committed but not yet marked is fetched again too, and
    the gateway recognises its Message-Id and makes nothing twice. A message is downloaded
    without being marked read (Odoo's FETCH RFC822 marks it, then unmarks it).

    A message the gateway failed on is marked as Odoo does, with two differences: one
    that met a concurrent transaction (several workers) stays unread, to be fetched again;
    any other is flagged as well, so that it can be found on the server, and the failure is
    a warning. Neither is lost; neither is retried at every fetch because of a bug."""

    def __init__(self, connection, cr, failure=None):
        self._connection = connection
        self._cr = cr
        self._failure = failure or FetchFailure()

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def fetch(self, message_set, message_parts):
        # RFC822 marks the message read on the server as it is downloaded: a worker killed
        # before the job marks it unread again would lose it
        if message_parts == "(RFC822)":
            message_parts = "(BODY.PEEK[])"
        return self._connection.fetch(message_set, message_parts)

    def store(self, message_set, command, flags):
        if command == "-FLAGS" and flags == SEEN:  # the job starts on a message
            self._failure.error = None
        if command == "+FLAGS" and flags == SEEN:
            error, self._failure.error = self._failure.error, None
            if isinstance(error, CONFLICTS):
                _logger.info("Fetched message %s met a concurrent update: left unread, fetched again", message_set)
                return "OK", [None]
            if error is not None:
                _logger.warning(
                    "Fetched message %s could not be processed (%s): left on the server, read and flagged",
                    message_set,
                    error,
                )
                flags = FAILED
            self._cr.postcommit.add(partial(self._mark_read, message_set, flags))
            return "OK", [None]
        return self._connection.store(message_set, command, flags)

    def _mark_read(self, message_set, flags=SEEN):
        try:
            self._connection.store(message_set, "+FLAGS", flags)
        except Exception:  # the connection dropped: unread, so fetched again and recognised
            _logger.warning("Could not mark fetched message %s read; it will be fetched again", message_set)


class FetchmailServer(models.Model):
    _inherit = "fetchmail.server"

    def connect(self, allow_archived=False):
        connection = super().connect(allow_archived=allow_archived)
        if self._get_connection_type() == "imap":
            return SeenAfterCommit(connection, self.env.cr, self.env.context.get("mail_gateway_fetch"))
        return connection

    def fetch_mail(self, raise_exception=True):
        """One fetch of a server at a time, across workers and servers: the fetch job and
        the "Fetch Now" button (or two Odoo servers on one database) would otherwise both
        read the same unread messages before either commits, and make their records twice.
        The lock is PostgreSQL's, held by a connection of its own for the whole fetch (the
        fetch commits after each message); it is released when that connection ends, even
        if the worker is killed."""
        for server in self:
            with self.env.registry.cursor() as lock_cr:
                lock_cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (LOCK_SPACE, server.id))
                if not lock_cr.fetchone()[0]:
                    _logger.info("%s is being fetched by another worker: skipped", server.name)
                    continue
                fetching = server.with_context(mail_gateway_fetch=FetchFailure())
                super(FetchmailServer, fetching).fetch_mail(raise_exception=raise_exception)
        return True
