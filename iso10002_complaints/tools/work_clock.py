"""Working-hours arithmetic on a ``resource.calendar``, with its intervals fetched once.

``resource.calendar.plan_hours`` queries the calendar and its leaves at every call; the
SLA engine plans thousands of deadlines at once (a sweep, a batch create), so a clock
fetches the calendar's work intervals (attendances minus leaves, in the calendar's time
zone) for a window once, and walks them in Python. Datetimes in and out are naive UTC,
as Odoo stores them. A clock lives for one operation (``ClockSet.shared``: a create with
its acknowledgement, a sweep): nothing is kept between operations or requests.
"""

import bisect
import contextlib
from datetime import datetime, timedelta

from pytz import utc

from odoo.exceptions import UserError

# how far ahead a clock fetches working time at once; it grows by as much when needed
WINDOW = timedelta(days=45)


def _ts(dt):
    return dt.replace(tzinfo=utc).timestamp()


def _dt(ts):
    return datetime.fromtimestamp(ts, utc).replace(tzinfo=None)


class WorkClock:
    """Working time of one calendar; with no calendar every hour is a working hour."""

    def __init__(self, calendar):
        self.calendar = calendar
        self.starts, self.stops = [], []
        self.lo = self.hi = None

    def _load(self, lo, hi):
        """Make sure the intervals cover [lo, hi] (timestamps)."""
        if self.lo is not None and self.lo <= lo and hi <= self.hi:
            return
        lo = min(lo, self.lo) if self.lo is not None else lo
        # a window that grows grows by a whole window, not by the seconds since the last call
        hi = max(hi, self.hi + WINDOW.total_seconds()) if self.hi is not None else hi
        start = datetime.fromtimestamp(lo, utc)
        stop = datetime.fromtimestamp(hi, utc)
        intervals = self.calendar._work_intervals_batch(start, stop)[False]
        self.starts = [start_dt.timestamp() for start_dt, _stop, _meta in intervals]
        self.stops = [stop_dt.timestamp() for _start, stop_dt, _meta in intervals]
        self.lo, self.hi = lo, hi

    def prefetch(self, first, last):
        """Fetch the intervals between two naive UTC datetimes and a margin after."""
        if self.calendar:
            self._load(_ts(first) - 86400, _ts(last) + WINDOW.total_seconds())

    def add_hours(self, dt, hours):
        """The moment ``hours`` working hours after ``dt``."""
        if not self.calendar:
            return dt + timedelta(hours=hours)
        start = _ts(dt)
        remaining = hours * 3600.0
        self._load(start - 86400, start + WINDOW.total_seconds())
        while True:
            i = bisect.bisect_right(self.stops, start)
            for interval_start, end in zip(self.starts[i:], self.stops[i:], strict=True):
                begin = max(interval_start, start)
                if remaining <= end - begin:
                    return _dt(begin + remaining)
                remaining -= end - begin
            if self.hi - start > 20 * 365 * 86400 or not self.starts:
                # the user who changes a policy or a calendar is told which calendar to fix
                raise UserError(
                    self.calendar.env._(
                        "The working calendar %(calendar)s has no working time ahead.",
                        calendar=self.calendar.display_name,
                    )
                )
            start = max(start, self.hi)
            self._load(self.lo, self.hi + WINDOW.total_seconds() * 2)

    def hours_between(self, first, last):
        """Working hours from ``first`` to ``last`` (0 when ``last`` is not after)."""
        if last <= first:
            return 0.0
        if not self.calendar:
            return (last - first).total_seconds() / 3600
        lo, hi = _ts(first), _ts(last)
        self._load(lo - 86400, hi + 86400)
        i = bisect.bisect_right(self.stops, lo)
        total = 0.0
        for begin, end in zip(self.starts[i:], self.stops[i:], strict=True):
            if begin >= hi:
                break
            total += min(end, hi) - max(begin, lo)
        return total / 3600


class ClockSet(dict):
    """The clocks of one transaction, one per calendar."""

    CACHE_KEY = "iso10002_sla_clocks"

    @classmethod
    def of(cls, env):
        """The clocks of the operation under way on ``env``'s cursor, or new ones."""
        clocks = env.cr.cache.get(cls.CACHE_KEY)
        return cls() if clocks is None else clocks

    @classmethod
    @contextlib.contextmanager
    def shared(cls, env):
        """One set of clocks for everything done inside (the outermost call owns it)."""
        if cls.CACHE_KEY in env.cr.cache:
            yield env.cr.cache[cls.CACHE_KEY]
            return
        clocks = env.cr.cache[cls.CACHE_KEY] = cls()
        try:
            yield clocks
        finally:
            env.cr.cache.pop(cls.CACHE_KEY, None)

    def get_clock(self, calendar):
        key = calendar.id or 0
        if key not in self:
            self[key] = WorkClock(calendar)
        return self[key]
