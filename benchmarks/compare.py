#!/usr/bin/env python3
"""Before / after figures in the same sitting (a script that prints figures, not a test).

    python3 benchmarks/compare.py --before REF [--after REF] [--scripts sla,review] [--rounds 5]
                                  [--script-rounds 1] [--db_host ... --db_port ... --db_user ...]

Checks ``--before`` (a commit, a branch, a tag) out in a temporary git worktree; the
"after" tree is the one this script is in, uncommitted changes included (or ``--after``,
checked out the same way). Then, for each script, ``--rounds`` times: the before tree's
script, then the after tree's (before, after, before, after, ...), each a process of its
own run as ``python3 <tree>/benchmarks/<script>.py --rounds <script-rounds> <--db options>``:
each tree's own scripts, on that tree's own addons (``_bench.py`` puts the tree its
script is in on the addons path), each with a database of its own.

A script's figures are the numbers of its last line; a figure printed as
``{"median", ...}`` (the scripts after issue 9) counts as its median, which with
``--script-rounds 1`` is its one measurement. The figures both trees print are given as
``{"before": {"median", "min", "max", "rounds"}, "after": {...}, "after_over_before": ...}``
(the ratio of the medians), with ``wall_s``, the time of each run; ``tree_versions`` gives,
run by run, a hash of each tree's code as it was when the run started (a working tree
edited meanwhile shows more than one). The worktrees are removed at the end. Every run's
output is kept in a log folder; the last line is one JSON object.

The scripts of two trees may not measure a figure the same way: the scripts before issue
9 took the best of 2 to 5 tries for some figures (review_html_s, search_breached_ms,
create_*), and ran the SQL floor of the sweep after another UPDATE of the same rows.
"""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from _bench import ROOT, db_args, stats


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n", 1)[0], allow_abbrev=False, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", required=True, help="git ref of the before tree")
    parser.add_argument("--after", help="git ref of the after tree (default: this working tree, as it is)")
    parser.add_argument("--scripts", default="sla,review", help="scripts, comma-separated (default sla,review)")
    parser.add_argument("--rounds", type=int, default=5, help="runs of each script per tree, alternated (default 5)")
    parser.add_argument("--script-rounds", type=int, default=1, help="--rounds given to each run (default 1)")
    parser.add_argument("--logs", help="folder for the runs' output (default: a new temporary folder)")
    args, _odoo_args = parser.parse_known_args()
    if args.rounds < 1 or args.script_rounds < 1:
        parser.error("--rounds and --script-rounds must be at least 1")
    scripts = [name.strip().removesuffix(".py") for name in args.scripts.split(",") if name.strip()]
    logs = args.logs or tempfile.mkdtemp(prefix="iso10002-compare-logs-")
    os.makedirs(logs, exist_ok=True)
    print(f"logs in {logs}", flush=True)

    worktrees = []
    try:
        trees = {"before": checkout(args.before, worktrees)}
        trees["after"] = checkout(args.after, worktrees) if args.after else ROOT
        for name in scripts:
            for side, tree in trees.items():
                if not os.path.isfile(os.path.join(tree, "benchmarks", f"{name}.py")):
                    parser.error(f"no benchmarks/{name}.py in the {side} tree ({tree})")
        result = {"before": describe(trees["before"], args.before), "after": describe(trees["after"], args.after)}
        result.update(rounds=args.rounds, script_rounds=args.script_rounds, logs=logs)
        for name in scripts:
            result[name] = compare(name, trees, args.rounds, args.script_rounds, logs)
    finally:
        for path in worktrees:
            subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", path], check=False)
            shutil.rmtree(os.path.dirname(path), ignore_errors=True)
    print(json.dumps(result), flush=True)


def git(*args, cwd=ROOT):
    return subprocess.run(["git", "-C", cwd, *args], check=True, capture_output=True, text=True).stdout.strip()


def checkout(ref, worktrees):
    """A new detached worktree of ``ref`` in a temporary folder; its path."""
    path = os.path.join(tempfile.mkdtemp(prefix="iso10002-compare-"), "tree")
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", path, ref], check=True)
    worktrees.append(path)
    return path


def describe(tree, ref):
    commit = git("rev-parse", "HEAD", cwd=tree)
    dirty = bool(git("status", "--porcelain", "--untracked-files=no", cwd=tree))
    return {"ref": ref or "working tree", "commit": commit[:12], "uncommitted_changes": dirty, "path": tree}


def fingerprint(tree):
    """A short hash of a tree's code as it is now: its commit, uncommitted changes and
    untracked files (a working tree may change while the comparison runs)."""
    digest = hashlib.sha1(git("rev-parse", "HEAD", cwd=tree).encode())
    digest.update(
        subprocess.run(["git", "-C", tree, "diff", "HEAD", "--binary"], capture_output=True, check=True).stdout
    )
    untracked = git("ls-files", "--others", "--exclude-standard", cwd=tree).splitlines()
    if untracked:
        digest.update(git("hash-object", "--", *untracked, cwd=tree).encode())
    return digest.hexdigest()[:12]


def run_script(tree, name, script_rounds, log):
    """Run one tree's script; its figures (last line) and wall time."""
    command = [
        sys.executable,
        os.path.join(tree, "benchmarks", f"{name}.py"),
        "--rounds",
        str(script_rounds),
        *db_args(),
    ]
    t0 = time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.run(command, cwd=tree, stdout=out, stderr=subprocess.STDOUT, check=False)
    wall = time.perf_counter() - t0
    with open(log) as out:
        lines = out.read().splitlines()
    if process.returncode or not lines:
        tail = "\n".join(lines[-30:])
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}), see {log}:\n{tail}")
    return json.loads(lines[-1]), wall


def scalar(value):
    """A figure as one number: a number as it is, a {"median", ...} as its median."""
    if isinstance(value, dict):
        value = value.get("median")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def compare(name, trees, rounds, script_rounds, logs):
    """``rounds`` runs of each tree's ``name``.py, alternated; the figures both print."""
    samples = {side: {} for side in trees}
    versions = {side: [] for side in trees}
    for index in range(rounds):
        for side, tree in trees.items():
            log = os.path.join(logs, f"{name}-{index + 1}-{side}.log")
            versions[side].append(fingerprint(tree))
            figures, wall = run_script(tree, name, script_rounds, log)
            figures["wall_s"] = wall
            for key, value in figures.items():
                if scalar(value) is not None:
                    samples[side].setdefault(key, []).append(scalar(value))
            shown = {key: scalar(value) for key, value in figures.items() if scalar(value) is not None}
            print(f"{name} round {index + 1}/{rounds}, {side}: {json.dumps(shown)}", flush=True)
    common = [key for key in samples["before"] if key in samples["after"] and key not in ("rounds",)]
    result = {}
    for key in common:
        before, after = (samples[side][key] for side in ("before", "after"))
        if len(before) != rounds or len(after) != rounds:
            continue  # a figure some runs did not print
        entry = {"before": stats(before), "after": stats(after)}
        median = statistics.median(before)
        entry["after_over_before"] = round(statistics.median(after) / median, 2) if median else None
        result[key] = entry
    result["tree_versions"] = versions
    for side, seen in versions.items():
        if len(set(seen)) > 1:
            print(f"WARNING: the {side} tree changed during the comparison: {seen}", flush=True)
    only = {side: sorted(set(samples[side]) - set(common) - {"rounds"}) for side in trees}
    if only["before"] or only["after"]:
        result["not_compared"] = only
    for key, entry in result.items():
        if key not in ("not_compared", "tree_versions"):
            print(
                f"{name} {key}: before {entry['before']['median']} [{entry['before']['min']}, "
                f"{entry['before']['max']}], after {entry['after']['median']} [{entry['after']['min']}, "
                f"{entry['after']['max']}], after / before {entry['after_over_before']}",
                flush=True,
            )
    return result


if __name__ == "__main__":
    main()
