import hashlib
import ipaddress
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# submissions of the public form allowed per hour, unless set in the system parameters
DEFAULT_LIMITS = {"address": 10, "email": 3}
# the date of a key's latch row (see _latch): outside any counted hour, and cleaned up
# by the daily autovacuum like the attempts
LATCH_DATE = "1970-01-01 00:00:00"


class Iso10002IntakeAttempt(models.Model):
    """Complaints filed on the public form, per network address and e-mail, for throttling.

    Only a hash of the address or e-mail is kept, for one day (database-wide, so that it
    holds across HTTP workers and Odoo servers)."""

    _name = "iso10002.intake.attempt"
    _description = "Complaint Form Submission"
    _order = "id desc"
    _log_access = False

    kind = fields.Selection([("address", "Network address"), ("email", "E-mail")], required=True)
    key = fields.Char(required=True, index=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)

    def init(self):
        # one latch row per kind and key (_latch)
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS iso10002_intake_attempt_latch "
                "ON iso10002_intake_attempt (kind, key) WHERE date = %s",
                LATCH_DATE,
            )
        )

    @api.model
    def _latch(self, keys):
        """Write the latch row of each (kind, key): two submissions of one key at once
        (two workers, two servers) write the same row, and the later one fails with a
        serialization failure that Odoo retries, when it counts what the first recorded.
        Counting alone would not do: each transaction counts what was committed when it
        started (repeatable read), so that posts at the same moment all passed a limit.
        One statement for the keys, in their order (the address first): no deadlock."""
        self.env.cr.execute(
            SQL(
                """INSERT INTO iso10002_intake_attempt (kind, key, date) VALUES %s
                   ON CONFLICT (kind, key) WHERE date = %s DO UPDATE SET date = EXCLUDED.date""",
                SQL(", ").join(SQL("(%s, %s, %s)", kind, key, LATCH_DATE) for kind, key in keys),
                LATCH_DATE,
            ),
            log_exceptions=False,  # a serialization failure here is retried, not an error
        )

    @api.model
    def _hash(self, value):
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret", "")
        return hashlib.sha256(f"{secret}:{value.strip().lower()}".encode()).hexdigest()

    @api.model
    def _network(self, address):
        """An IPv6 visitor holds a whole /64: the throttle counts the network."""
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return address
        if ip.version == 6:
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip)

    @api.model
    def _limit(self, kind):
        param = self.env["ir.config_parameter"].sudo().get_param(f"iso10002_complaints.form_limit_{kind}_per_hour")
        try:
            return int(param) if param else DEFAULT_LIMITS[kind]
        except ValueError:
            return DEFAULT_LIMITS[kind]

    @api.model
    def _check_and_record(self, address, email, purpose="file"):
        """Refuse a submission over the hourly limit of its address or e-mail; else count it.
        ``purpose``: "file" (the complaint form) or "find" (the lookup of a complaint's
        link), counted apart."""
        since = fields.Datetime.now() - timedelta(hours=1)
        Attempt = self.sudo()
        prefix = "" if purpose == "file" else f"{purpose}:"
        keys = [
            (kind, self._hash(prefix + value))
            for kind, value in (("address", self._network(address)), ("email", email))
            if value
        ]
        latched = [(kind, key) for kind, key in keys if self._limit(kind) > 0]
        if latched:
            self._latch(latched)
        for kind, key in keys:
            limit = self._limit(kind)
            if (
                limit > 0
                and Attempt.search_count([("kind", "=", kind), ("key", "=", key), ("date", ">=", since)]) >= limit
            ):
                if purpose == "find":
                    raise UserError(
                        self.env._("Too many searches were made from here in the last hour. Please try again later.")
                    )
                raise UserError(
                    self.env._("Too many complaints were filed from here in the last hour. Please try again later.")
                )
        Attempt.create([{"kind": kind, "key": key} for kind, key in keys])

    @api.autovacuum
    def _gc_attempts(self):
        self.sudo().search([("date", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
