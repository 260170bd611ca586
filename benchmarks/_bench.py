"""What the benchmark scripts share: a database of their own with the addon, dropped after."""

import contextlib
import os
import subprocess
import sys

ADDON = "iso10002_complaints"


def odoo_cmd(args, db):
    """``python -m odoo`` with this repository and Odoo's own addons on the addons path."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    import odoo

    paths = [root]
    extra = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "addons")
    if os.path.isdir(extra):
        paths.append(extra)
    return [sys.executable, "-m", "odoo", f"--addons-path={','.join(paths)}", "-d", db, *args]


@contextlib.contextmanager
def bench_database(name):
    """Yield the name of a new database with the addon (no demo data); drop it afterwards.

    The database options (``--db_host``, ``--db_port``, ``--db_user``, ``--db_password``)
    are taken from the command line, as Odoo takes them.
    """
    db_args = [a for a in sys.argv[1:] if a.startswith("--db")]
    db = f"iso10002_bench_{name}_{os.getpid()}"
    print(f"creating database {db} with {ADDON} (no demo data)", flush=True)
    subprocess.run(
        odoo_cmd(
            [*db_args, "-i", ADDON, "--without-demo=all", "--stop-after-init", "--no-http", "--log-level=warn"], db
        ),
        check=True,
    )
    import odoo
    from odoo.tools import config

    config.parse_config([*odoo_cmd(db_args, db)[3:], "--log-level=warn"])
    try:
        yield db
    finally:
        odoo.sql_db.close_all()
        odoo.service.db.exp_drop(db)
