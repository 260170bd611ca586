"""What the benchmark scripts share: a database of their own with the addon, dropped after;
the ``--rounds`` option; variants alternated round after round; median, min and max."""

import argparse
import contextlib
import ctypes
import gc
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime
from unittest.mock import patch

ADDON = "iso10002_complaints"
# the repository this file is in: the addons path of a benchmark is its own tree's
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def odoo_cmd(args, db):
    """``python -m odoo`` with this file's repository and Odoo's own addons on the addons path.

    The repository is the one this file (and so the script that imports it) is in, not the
    current folder: the scripts of another checkout test that checkout's addons.
    """
    import odoo

    paths = [ROOT]
    extra = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "addons")
    if os.path.isdir(extra):
        paths.append(extra)
    return [sys.executable, "-m", "odoo", f"--addons-path={','.join(paths)}", "-d", db, *args]


def db_args(argv=None):
    """Odoo's database options on the command line (``--db_host=x`` or ``--db_host x``)."""
    argv = sys.argv[1:] if argv is None else argv
    found = []
    for index, arg in enumerate(argv):
        if arg.startswith("--db"):
            found.append(arg)
            if "=" not in arg and index + 1 < len(argv) and not argv[index + 1].startswith("--"):
                found.append(argv[index + 1])
    return found


def parse_args(doc, add_arguments=None, rounds=5, complaints=None):
    """The script's own options (``--rounds``, by default ``rounds``; ``--complaints``, by
    default ``complaints``, if given; and what ``add_arguments`` adds); the ``--db_*``
    options are Odoo's, read by :func:`bench_database`."""
    parser = argparse.ArgumentParser(
        description=doc.split("\n", 1)[0], allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=rounds,
        help=f"rounds, each running every compared variant once (default {rounds})",
    )
    if complaints:
        parser.add_argument(
            "--complaints",
            type=int,
            default=complaints,
            help=f"complaints generated with SQL (default {complaints:,}; 1000000 for the register of a million)",
        )
    if add_arguments:
        add_arguments(parser)
    args, _odoo_args = parser.parse_known_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if complaints and args.complaints < 1000:
        parser.error("--complaints must be at least 1000")
    args.parser = parser
    return args


@contextlib.contextmanager
def bench_database(name, demo=False):
    """Yield the name of a new database with the addon (no demo data, unless ``demo``);
    drop it afterwards.

    The database options (``--db_host``, ``--db_port``, ``--db_user``, ``--db_password``)
    are taken from the command line, as Odoo takes them.
    """
    options = db_args()
    db = f"iso10002_bench_{name}_{os.getpid()}"
    print(f"creating database {db} with {ADDON} from {ROOT} ({'with' if demo else 'no'} demo data)", flush=True)
    without_demo = [] if demo else ["--without-demo=all"]
    subprocess.run(
        odoo_cmd([*options, "-i", ADDON, *without_demo, "--stop-after-init", "--no-http", "--log-level=warn"], db),
        check=True,
    )
    import odoo
    from odoo.tools import config

    config.parse_config([*odoo_cmd(options, db)[3:], "--log-level=warn"])
    try:
        yield db
    finally:
        odoo.sql_db.close_all()
        odoo.service.db.exp_drop(db)


# ------------------------------------------------------------------------- measuring
@contextlib.contextmanager
def step(title):
    """Print a named step of a script, and how long it took (wall clock)."""
    print(f"== {title}", flush=True)
    t0 = time.perf_counter()
    try:
        yield
    finally:
        print(f"   ({title}: {time.perf_counter() - t0:.1f} s)", flush=True)


def stats(samples, digits=3):
    """Median, min and max of one figure over the rounds."""
    return {
        "median": round(statistics.median(samples), digits),
        "min": round(min(samples), digits),
        "max": round(max(samples), digits),
        "rounds": len(samples),
    }


def alternate(rounds, variants, swap=False):
    """Run the compared ``variants`` in turn, round after round: A, B, A, B, ...

    ``variants`` is a list of callables; each runs its variant once and returns its
    figures for that run, ``{name: value}``. With ``swap``, every other round starts with
    the last variant (A, B, B, A, ...). Returns ``{name: [value of each round]}`` and
    prints one line per round.
    """
    samples = {}
    for index in range(rounds):
        order = variants[::-1] if swap and index % 2 else variants
        line = []
        for variant in order:
            for name, value in variant().items():
                samples.setdefault(name, []).append(value)
                line.append(f"{name} {value:g}")
        print(f"round {index + 1}/{rounds}: {', '.join(line)}", flush=True)
    return samples


def summarize(samples, digits=3):
    """:func:`stats` of each figure of :func:`alternate`."""
    return {name: stats(values, digits) for name, values in samples.items()}


def verdicts(figures, budgets):
    """The budgets and their verdicts, for the script's JSON: ``budgets``, ``verdicts``
    (each figure's median, or the plain number of a ratio, within its budget or not) and
    ``within_budget`` (all of them)."""
    found = {
        key: (figures[key]["median"] if isinstance(figures[key], dict) else figures[key]) <= budget
        for key, budget in budgets.items()
    }
    return {"budgets": budgets, "verdicts": found, "within_budget": all(found.values())}


class Memory:
    """Peak resident memory of this process while a block runs, in MB.

    On Linux the peak (VmHWM) is reset at the start of the block (``/proc/self/clear_refs``),
    after the memory freed before it is given back to the system (``malloc_trim``), so every
    run is measured; elsewhere only a run that raises the process's peak (``getrusage``
    maxrss) shows growth.
    """

    def __init__(self):
        self.peak_mb = self.growth_mb = None

    @staticmethod
    def _status(key):
        with open("/proc/self/status") as status:
            return int(re.search(rf"^{key}:\s+(\d+) kB", status.read(), re.M).group(1)) / 1024

    def __enter__(self):
        # memory freed by an earlier run back to the system first, so that it is not
        # reused unseen: the growth is this run's
        gc.collect()
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        try:
            with open("/proc/self/clear_refs", "w") as refs:
                refs.write("5")
            self.resettable = True
            self.start_mb = self._status("VmRSS")
        except OSError:
            self.resettable = False
            self.start_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return self

    def __exit__(self, *exc):
        if self.resettable:
            self.peak_mb = self._status("VmHWM")
        else:
            self.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.growth_mb = max(self.peak_mb - self.start_mb, 0.0)
        return False


@contextlib.contextmanager
def autocommit_cursor(db):
    """A plain psycopg2 cursor outside any transaction (VACUUM), on its own connection."""
    import psycopg2

    import odoo

    _dbname, info = odoo.sql_db.connection_info_for(db)
    connection = psycopg2.connect(**info)
    connection.autocommit = True
    try:
        with connection.cursor() as cr:
            yield cr
    finally:
        connection.close()


# The moment the benchmarks' process takes for "now": a Wednesday at 10:00 UTC, inside the
# working hours of Odoo's standard calendar, with no public holiday near. Working hours
# depend on the weekday, so a sweep run at the real time of a Sunday did other work than
# the same sweep on a Tuesday (8,747 transitions one day, 5,001 another).
FROZEN_NOW = datetime(2026, 6, 3, 10, 0)


@contextlib.contextmanager
def frozen_clock(now=FROZEN_NOW):
    """Odoo's clock in this process (``fields.Datetime.now``, ``fields.Date.today`` and
    ``fields.Date.context_today``) stopped at ``now``: the same work every day. Time
    itself (``time.perf_counter``, which the figures are measured with) runs on."""
    from odoo import fields

    context_today = fields.Date.context_today

    def today_at(record, timestamp=None):
        return context_today(record, timestamp or now)

    with (
        patch.object(fields.Datetime, "now", staticmethod(lambda *args: now)),
        patch.object(fields.Date, "today", staticmethod(lambda *args: now.date())),
        patch.object(fields.Date, "context_today", staticmethod(today_at)),
    ):
        yield now


def machine(db):
    """What the figures were measured on: the cores, PostgreSQL's version, the frozen day."""
    import odoo

    with odoo.modules.registry.Registry(db).cursor() as cr:
        cr.execute("SHOW server_version")
        version = cr.fetchone()[0]
    return {"cores": os.cpu_count(), "postgresql": version, "now": FROZEN_NOW.isoformat()}


def database_mb(db):
    """The database's size on disk at the end of the run, in MB (what ``--complaints`` costs)."""
    import odoo

    with odoo.modules.registry.Registry(db).cursor() as cr:
        cr.execute("SELECT pg_database_size(current_database())")
        return round(cr.fetchone()[0] / 2**20)
