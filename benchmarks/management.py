#!/usr/bin/env python3
"""Similar complaints at intake and anonymisation (a script that prints figures, not a test).

    python3 benchmarks/management.py [--rounds 3] [--complaints 100000] [--db_host ... --db_port ... --db_user ...]

Creates its own database (the addon without demo data) and generates the ``--complaints``
complaints of ``review.py`` (default 100,000: a year of them; a million: the years since
2016; subjects made of 40 words, 2,000 complainants; made by SQL as ``review.py`` says),
then measures over ``--rounds`` rounds:

- similar_ms: the similar-complaints lookup (``_similar_complaints``) of a complaint just
  received, as the officer's form computes it among all the complaints: the same commercial
  entity, a shared product, the same category (each among the 200 complaints received
  closest in time within the 180-day window) and pg_trgm text likeness (among the 1,000
  closest); the median of 20 lookups of 20 different complaints per round; beside it
  similar_floor_ms, the same complaints' rows of the same commercial entity in the window
  read by one indexed query (the least a lookup does);
- anonymise_s: ``_anonymise`` of 10,000 closed complaints (each with two messages, one
  with a document, and a rating), another 10,000 each round, alternated with
  anonymise_sql_s: a plain SQL UPDATE that empties the same columns of another 10,000
  rows (no messages, documents or ratings touched: the floor of the row writes). The
  messages, documents and ratings of the 2 x 10,000 complaints a round are made by SQL
  (INSERTs over ``unnest`` of their ids), the products of the similar lookups by the ORM.

Each timed figure is printed as ``{"median", "min", "max", "rounds"}``; the last line is
one JSON object. Budget (issue #13): similar_ms <= 50.
"""

import json
import statistics
import time
from datetime import datetime, timedelta

from _bench import alternate, bench_database, database_mb, frozen_clock, machine, parse_args, step, summarize, verdicts
from review import TOTAL, env_of, generate

BATCH = 10_000
LOOKUPS = 20
BUDGETS = {"similar_ms": 50}


def main():
    # 100,000 complaints hold the closed ones of 3 rounds of 2 x 10,000 anonymisations
    args = parse_args(__doc__, rounds=3, complaints=TOTAL)
    with bench_database("management") as db, frozen_clock():
        figures = run(db, args.rounds, args.complaints)
        figures["database_mb"] = database_mb(db)
        figures["machine"] = machine(db)
    print(json.dumps(figures), flush=True)


def run(db, rounds, total=TOTAL):
    import odoo

    registry = odoo.modules.registry.Registry(db)
    figures = {"rounds": rounds, "complaints": total}
    with step(f"generate {total:,} complaints"):
        generate(registry, total)
    with step(f"similar complaints among {total:,}, {rounds} rounds of {LOOKUPS} lookups"):
        figures.update(measure_similar(registry, rounds))
    with step(f"anonymisation of {BATCH:,} complaints and its SQL floor, {rounds} rounds"):
        figures.update(measure_anonymise(registry, rounds))
    figures.update(verdicts(figures, BUDGETS))
    return figures


# ------------------------------------------------------------------ similar complaints
def measure_similar(registry, rounds):
    """Lookups of complaints received in the last months of the generated year."""
    from odoo.tools import SQL

    with registry.cursor() as cr:
        env = env_of(cr)
        # the complaints the officer opens: still being handled, received in the last
        # quarter (from October 2025, or two months before the last complaint of fewer
        # than 100,000), some with a product
        [(last,)] = env["iso10002.complaint"]._read_group([], [], ["received_date:max"])
        start = min(datetime(2025, 10, 1), last - timedelta(days=60))
        complaints = env["iso10002.complaint"].search(
            [("received_date", ">=", start), ("step", "!=", "closed")],
            limit=rounds * LOOKUPS,
            order="id",
        )
        products = env["product.product"].create([{"name": f"Product {i}"} for i in range(20)])
        for index, complaint in enumerate(complaints[::3]):
            complaint.product_ids = products[index % 20]
        env.flush_all()
        cr.execute("ANALYZE iso10002_complaint")
        cr.commit()
        ids = complaints.ids
    turn = iter(range(rounds))

    def lookup():
        start = next(turn) * LOOKUPS
        with registry.cursor() as cr:
            env = env_of(cr)
            batch = env["iso10002.complaint"].browse(ids[start : start + LOOKUPS])
            batch.fetch(["received_date", "summary_text", "complainant_key", "category_id", "company_id"])
            batch.product_ids  # noqa: B018  (read with the record, as the form does)
            timings, floor, found = [], [], []
            for complaint in batch:
                t0 = time.perf_counter()
                similar = complaint._similar_complaints()
                timings.append((time.perf_counter() - t0) * 1000)
                found.append(len(similar))
                t0 = time.perf_counter()
                cr.execute(
                    SQL(
                        "SELECT id FROM iso10002_complaint WHERE complainant_key = %s AND company_id = %s "
                        "AND received_date BETWEEN %s AND %s",
                        complaint.complainant_key,
                        complaint.company_id.id,
                        complaint.received_date.replace(year=2024),
                        complaint.received_date.replace(year=2026),
                    )
                )
                cr.fetchall()
                floor.append((time.perf_counter() - t0) * 1000)
        print(f"   similar found per lookup: {statistics.median(found)} (median)", flush=True)
        return {"similar_ms": statistics.median(timings), "similar_floor_ms": statistics.median(floor)}

    return summarize(alternate(rounds, [lookup]), digits=2)


# ------------------------------------------------------------------------- anonymisation
def measure_anonymise(registry, rounds):
    """Each round: 10,000 closed complaints anonymised, and another 10,000 rows emptied by SQL."""
    from odoo.tools import SQL

    with registry.cursor() as cr:
        env = env_of(cr)
        closed = env["iso10002.complaint"].search([("step", "=", "closed")], order="id", limit=2 * rounds * BATCH)
        ids = closed.ids
        if len(ids) < 2 * rounds * BATCH:
            raise SystemExit(f"{len(ids)} closed complaints: not enough for {rounds} rounds")
        print(f"   adding two messages, a document and a rating to {len(ids)} complaints", flush=True)
        cr.execute(
            SQL(
                """
            WITH m AS (
                INSERT INTO mail_message (model, res_id, body, message_type, date, author_id, create_date, write_date)
                SELECT 'iso10002.complaint', id, '<p>My card number is 1234 and I live at 12 High Street</p>',
                       'comment', now(), 3, now(), now()
                  FROM unnest(%(ids)s) AS id, generate_series(1, 2)
             RETURNING id, res_id
            )
            INSERT INTO ir_attachment (name, res_model, res_id, type, db_datas, create_date, write_date)
            SELECT 'receipt.txt', 'iso10002.complaint', res_id, 'binary', 'receipt'::bytea, now(), now()
              FROM m WHERE mod(m.id, 2) = 0
            """,
                ids=ids,
            )
        )
        cr.execute(
            SQL(
                """
            INSERT INTO rating_rating (res_model, res_model_id, res_id, rating, feedback, consumed, access_token,
                                       create_date, write_date)
            SELECT 'iso10002.complaint', (SELECT id FROM ir_model WHERE model = 'iso10002.complaint'), id, 4,
                   'Thank you, Jane', true, md5(id::text), now(), now()
              FROM unnest(%(ids)s) AS id
            """,
                ids=ids,
            )
        )
        cr.commit()
    turn = iter(range(rounds))

    def anonymise():
        start = next(turn) * 2 * BATCH
        with registry.cursor() as cr:
            env = env_of(cr)
            batch = env["iso10002.complaint"].browse(ids[start : start + BATCH])
            t0 = time.perf_counter()
            batch._anonymise(reason="benchmark")
            env.flush_all()
            elapsed = time.perf_counter() - t0
            cr.commit()
        return {"anonymise_s": elapsed}

    def plain_sql():
        start = next(sql_turn) * 2 * BATCH + BATCH
        with registry.cursor() as cr:
            t0 = time.perf_counter()
            cr.execute(
                SQL(
                    """UPDATE iso10002_complaint
                          SET partner_id = NULL, email_from = NULL, email_cc = NULL, description = NULL,
                              remedy_sought = NULL, order_reference = NULL, on_behalf_of = NULL,
                              accessibility_needs = NULL, immediate_action = NULL, findings = NULL,
                              response_text = NULL, complainant_feedback = NULL, withdrawal_reason = NULL,
                              external_outcome = NULL, person_complained_about_id = NULL, access_token = NULL,
                              subject = 'Anonymised complaint', summary_text = 'Anonymised complaint',
                              anonymised_date = now()
                        WHERE id = ANY(%s)""",
                    ids[start : start + BATCH],
                )
            )
            elapsed = time.perf_counter() - t0
            cr.commit()
        return {"anonymise_sql_s": elapsed}

    sql_turn = iter(range(rounds))
    figures = summarize(alternate(rounds, [anonymise, plain_sql]), digits=2)
    figures["anonymise_batch"] = BATCH
    return figures


if __name__ == "__main__":
    main()
