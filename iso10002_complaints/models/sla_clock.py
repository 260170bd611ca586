"""Working-hours arithmetic on a ``resource.calendar``, with its intervals fetched once.

``resource.calendar.plan_hours`` queries the calendar and its leaves at every call; the
SLA engine plans thousands of deadlines at once (a sweep, a batch create), so a clock
fetches the calendar's work intervals (attendances minus leaves, in the calendar's time
zone) for a window once, and walks them in Python. Datetimes in and out are naive UTC,
as Odoo stores them. A clock lives for one call: nothing is kept between requests.
"""

import bisect
from datetime import datetime, timedelta

from pytz import utc

WINDOW = timedelta(days=120)


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
        hi = max(hi, self.hi) if self.hi is not None else hi
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
                raise ValueError("the working calendar has no working time ahead")
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
    """The clocks of one operation, one per calendar."""

    def get_clock(self, calendar):
        key = calendar.id or 0
        if key not in self:
            self[key] = WorkClock(calendar)
        return self[key]
