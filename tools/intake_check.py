"""Concurrent visitors filing the public form against Odoo in prefork mode: nothing lost.

Used by ``harness.py demo --intake-check N`` (the test command's demo check): N visitors,
each in its own HTTP session, post the form at the same time against a server started
with ``--workers=2``. Each post must be answered with the redirect of a filed complaint,
and the database must then hold exactly one complaint per answered post, each with its
own reference. Every other answer (a server error, a lock timeout) is a failure.
"""

import contextlib
import re
import statistics
import threading
import time
import uuid

CSRF_RE = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


def _visitor(base, run_id, index, posts, results):
    import requests

    session = requests.Session()
    for number in range(posts):
        subject = f"Concurrent intake {run_id} {index}-{number}"
        try:
            page = session.get(f"{base}/complaints/new", timeout=120)
            csrf = CSRF_RE.search(page.text)
            data = {
                "name": f"Visitor {index}",
                "email": f"visitor{index}.{number}@intake-check.example",
                "subject": subject,
                "description": "Filed at the same time as many others.",
                "consent": "on",
                "csrf_token": csrf.group(1) if csrf else "",
            }
            start = time.monotonic()
            answer = session.post(f"{base}/complaints/new", data=data, allow_redirects=False, timeout=120)
            results.append((subject, answer.status_code, time.monotonic() - start, answer.headers.get("Location")))
        except Exception as error:  # a refused connection or a time-out is a lost post too
            results.append((subject, f"{type(error).__name__}", 0.0, None))


def run(port, connect, visitors=16, posts=15):
    """Post the form ``visitors`` times ``posts`` times at once; return (passed, failed)."""
    import psycopg2

    base = f"http://localhost:{port}"
    run_id = uuid.uuid4().hex[:8]
    results = []
    threads = [
        threading.Thread(target=_visitor, args=(base, run_id, index, posts, results)) for index in range(visitors)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    filed = [subject for subject, status, _t, location in results if status == 303 and location]
    refused = [(subject, status) for subject, status, _t, _l in results if status != 303]
    with contextlib.closing(psycopg2.connect(**connect)) as conn, conn.cursor() as cr:
        cr.execute(
            "SELECT subject, name FROM iso10002_complaint WHERE subject LIKE %s",
            (f"Concurrent intake {run_id} %",),
        )
        stored = cr.fetchall()
        cr.execute(
            "SELECT count(*) FROM iso10002_complaint GROUP BY name, company_id HAVING count(*) > 1",
        )
        duplicates = cr.fetchall()
    stored_subjects = [subject for subject, _name in stored]
    lost = sorted(set(filed) - set(stored_subjects))
    latencies = sorted(t for _s, status, t, _l in results if status == 303)
    p = (lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]) if latencies else (lambda q: 0)
    print(
        f"[intake-check] {visitors} visitors x {posts} posts in {elapsed:.1f} s against --workers=2: "
        f"{len(filed)} filed, {len(refused)} refused or failed, {len(stored)} stored, {len(lost)} lost, "
        f"{len(stored_subjects) - len(set(stored_subjects))} stored twice, {len(duplicates)} duplicate references; "
        f"latency p50 {statistics.median(latencies) if latencies else 0:.2f} s, p95 {p(0.95):.2f} s, "
        f"p99 {p(0.99):.2f} s",
        flush=True,
    )
    for subject, status in refused[:10]:
        print(f"[intake-check] not filed: {subject}: {status}", flush=True)
    checks = {
        "every post filed": len(filed) == visitors * posts,
        "every filed post stored once": not lost and len(stored) == len(set(stored_subjects)) == len(filed),
        "unique references": not duplicates and len({name for _s, name in stored}) == len(stored),
    }
    for name, ok in checks.items():
        print(f"[intake-check] {name}: {'ok' if ok else 'FAILED'}", flush=True)
    passed = sum(checks.values())
    return passed, len(checks) - passed
