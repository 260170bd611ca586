import logging
import zlib
from functools import partial

from odoo import models

_logger = logging.getLogger(__name__)

SEEN = "\\Seen"
# set on the cursor by the gateway when it could not process the message being fetched
FETCH_FAILED = "mail_gateway_guard.fetch_failed"
# the first key of the advisory locks on fetchmail servers (a positive int4)
LOCK_SPACE = zlib.crc32(b"fetchmail.server") & 0x7FFFFFFF


class SeenAfterCommit:
    """An IMAP connection on which a message is marked read only once the transaction that
    processed it is committed.

    Odoo's fetch job processes a message, marks it read on the mail server, then commits.
    A worker killed between the two (a restart, a timeout, the out-of-memory killer) has
    told the server the message was read while its record was rolled back: the e-mail is
    lost. Marked after the commit, a message whose commit did not happen stays unread and
    is fetched again; one that was committed but not yet marked is fetched again too, and
    the gateway recognises its Message-Id and makes nothing twice.

    A message the gateway could not process (an error, a serialization failure with
    another worker) is not marked read at all: Odoo's job logs it, goes on with the next
    one and commits, and would mark it read with nothing recorded. Left unread, it is
    fetched again at the next run, as a mail server retries what the mailgate script could
    not deliver."""

    def __init__(self, connection, cr):
        self._connection = connection
        self._cr = cr

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def store(self, message_set, command, flags):
        if command == "+FLAGS" and flags == SEEN:
            if self._cr.cache.pop(FETCH_FAILED, False):
                _logger.warning("Fetched message %s could not be processed: left unread, to fetch again", message_set)
            else:
                self._cr.postcommit.add(partial(self._mark_read, message_set))
            return "OK", [None]
        return self._connection.store(message_set, command, flags)

    def _mark_read(self, message_set):
        try:
            self._connection.store(message_set, "+FLAGS", SEEN)
        except Exception:  # the connection dropped: unread, so fetched again and recognised
            _logger.warning("Could not mark fetched message %s read; it will be fetched again", message_set)


class FetchmailServer(models.Model):
    _inherit = "fetchmail.server"

    def connect(self, allow_archived=False):
        connection = super().connect(allow_archived=allow_archived)
        if self._get_connection_type() == "imap":
            return SeenAfterCommit(connection, self.env.cr)
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
                super(FetchmailServer, server).fetch_mail(raise_exception=raise_exception)
        return True
