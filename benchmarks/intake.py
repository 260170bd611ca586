#!/usr/bin/env python3
"""E-mail intake figures: complaints from a team's alias against OCA helpdesk tickets
(a script that prints figures, not a test).

    python3 benchmarks/intake.py [--messages 1000] [--rounds 5]
                                 [--db_host ... --db_port ... --db_user ... --db_password ...]

It creates its own database (``iso10002_complaints`` and ``iso10002_complaints_helpdesk``
without demo data), an alias domain ``bench.example.com``, a complaints team with the
alias ``complaints@`` and an OCA helpdesk team with the alias ``helpdesk@``. It builds
``--messages`` realistic RFC 822 e-mails from a seeded generator (about 200 senders, some
with Persian names; subjects often repeated; plain text, text + HTML, a few small
attachments) and feeds the same messages, only Message-Id and To differing, to the mail
gateway (``mail.thread.message_process``) once for each alias.

The two variants alternate over ``--rounds`` rounds (messages / rounds messages per
variant per round, the first variant of a round alternating), each run in its own
transaction, timed up to and including its commit. A few messages of each variant are
processed first and rolled back, to warm the caches. Outgoing mail (the complaint
acknowledgements) is queued, not sent: ``mail.mail.force.send.limit`` is 0, so that no
SMTP server is part of the figures.

Every message must give one record: one complaint on the team, one ticket on the
helpdesk team, each with its incoming e-mail as sent (subject, text, attachments).
Otherwise the script says which were lost or altered and exits with status 1.

Complaints received by e-mail are planned (SLA deadlines) and acknowledged by a job their
intake triggers (so that receipt never waits for, nor fails with, the outgoing mail):
after each complaints round that job runs in a transaction of its own, timed apart
(``acknowledge_s``), and every complaint must then be acknowledged.
``intake_with_acknowledgement_ratio`` puts both against the helpdesk's time, for the whole
picture.

The timed figures (``intake_s``, ``helpdesk_s``, ``acknowledge_s``) are printed as
``{"median", "min", "max", "rounds"}``. The database is dropped at the end. The last line
is one JSON object with the figures.
Budget: intake_ratio (median time of the complaints variant / of the helpdesk variant)
<= 1.5.
"""

import html
import json
import random
import statistics
import struct
import sys
import time
import zlib
from datetime import datetime, timedelta, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

import _bench
from _bench import alternate, bench_database, frozen_clock, machine, parse_args, stats, step

ADDONS = "iso10002_complaints,iso10002_complaints_helpdesk"
SEED = 10002
SENDERS = 200
# the gateway drops the mail of a sender who created mail.gateway.loop.threshold (20)
# records of a model within two hours: no sender sends more than this
MAX_PER_SENDER = 15
WARMUP = 5
BUDGET_INTAKE_RATIO = 1.5
ALIAS_DOMAIN = "bench.example.com"
VARIANTS = ("complaints", "helpdesk")

PERSIAN_FIRST = [
    ("حسین", "h"),
    ("مریم", "m"),
    ("علی", "a"),
    ("زهرا", "z"),
    ("رضا", "r"),
    ("فاطمه", "f"),
    ("محمد", "m"),
    ("سارا", "s"),
    ("مهدی", "m"),
    ("نرگس", "n"),
    ("امیر", "a"),
    ("لیلا", "l"),
    ("کاوه", "k"),
    ("شیرین", "sh"),
]
PERSIAN_LAST = [
    ("مرادی", "moradi"),
    ("احمدی", "ahmadi"),
    ("رضایی", "rezaei"),
    ("کریمی", "karimi"),
    ("حسینی", "hosseini"),
    ("محمدی", "mohammadi"),
    ("جعفری", "jafari"),
    ("نوری", "nouri"),
    ("صادقی", "sadeghi"),
    ("کاظمی", "kazemi"),
    ("رحیمی", "rahimi"),
    ("قاسمی", "ghasemi"),
    ("تهرانی", "tehrani"),
]
LATIN_FIRST = ["Anna", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hugo", "Ingrid", "Jan", "Karen", "Lucas"]
LATIN_LAST = ["Müller", "Smith", "Dubois", "Rossi", "Jansen", "Novak", "García", "Brown", "Keller", "Olsen"]
PERSIAN_DOMAINS = ["example.ir", "mail.example.ir", "post.example.ir"]
LATIN_DOMAINS = ["example.com", "example.org", "example.net", "mail.example.de"]

# (subject, weight): a few subjects come back again and again
SUBJECTS = [
    ("Order not delivered", 12),
    ("Refund still not received", 10),
    ("Damaged item", 8),
    ("Wrong invoice amount", 6),
    ("Complaint", 6),
    ("شکایت از تاخیر در ارسال سفارش", 9),
    ("عدم بازپرداخت وجه", 6),
    ("کالای معیوب", 5),
    ("برخورد نامناسب کارمند", 3),
    ("Rude staff at the Tehran branch", 2),
    ("Charged twice for the same order", 4),
    ("No answer to my previous e-mail", 4),
    ("Warranty repair refused", 3),
    ("Product does not match the description", 3),
    ("Missing parts in package", 3),
    ("Subscription cancelled without notice", 2),
    ("Late installation appointment", 2),
    ("مشکل در فاکتور", 3),
    ("پاسخ ندادن به تماس‌ها", 2),
    ("Billing error on account 4471", 1),
    ("Fwd: Order not delivered", 2),
    ("URGENT: still waiting", 1),
]
EN_PARAGRAPHS = [
    "I ordered a desk three weeks ago and it has still not arrived, although the tracking page says delivered.",
    "The package was opened when it reached me and two of the drawers were broken.",
    "I returned the item on the 3rd as your agent told me to, but the refund has not been paid.",
    "Your invoice charges me for two units when I only ordered one. Please correct it.",
    "I called your support line four times this week and nobody called me back.",
    "The technician did not come to the appointment and nobody told us.",
    "I have been a customer for ten years and I have never been treated like this.",
    "Please tell me what you are going to do about it and by when.",
    "I attach the photos and the receipt.",
    "The staff member at the counter refused to take the return and was rude to my mother.",
    "My card was charged twice, see the attached statement.",
    "I expect a full refund or a replacement within a week.",
]
FA_PARAGRAPHS = [
    "سلام، سفارش من با شماره ۴۵۷۸۱ بیش از دو هفته است که ارسال نشده و هیچ پاسخی دریافت نکرده‌ام.",
    "کالایی که دریافت کردم معیوب بود و فروشگاه از تعویض آن خودداری کرد.",
    "مبلغ سفارش دو بار از حساب من کسر شده است. لطفاً هر چه زودتر رسیدگی کنید.",
    "چندین بار با پشتیبانی تماس گرفتم اما کسی پاسخگو نبود.",
    "کارمند شعبه با من برخورد بسیار نامناسبی داشت.",
    "لطفاً اعلام کنید چه زمانی مبلغ بازگردانده می‌شود.",
    "تصویر رسید پرداخت را پیوست کرده‌ام.",
    "انتظار دارم ظرف یک هفته مشکل حل شود.",
]
TEHRAN = timezone(timedelta(hours=3, minutes=30))


def main():
    def options(parser):
        parser.add_argument("--messages", type=int, default=1000, help="messages per variant (default 1000)")

    # --rounds is _bench's; the --db_* options are Odoo's, read by _bench
    args = parse_args(__doc__, options)
    if args.messages < args.rounds or args.messages % args.rounds:
        args.parser.error("--messages must be a positive multiple of --rounds")
    if args.messages > SENDERS * MAX_PER_SENDER:
        args.parser.error(f"--messages is at most {SENDERS * MAX_PER_SENDER} (loop detection of the mail gateway)")

    specs = build_messages(random.Random(SEED), args.messages)
    _bench.ADDON = ADDONS  # the helpdesk bridge too
    with bench_database("intake") as db, frozen_clock():
        figures, lost = run(db, specs, args.rounds)
        figures["machine"] = machine(db)
    if lost:
        print(f"ERROR: messages lost or altered: {'; '.join(lost)}", file=sys.stderr, flush=True)
    print(json.dumps(figures), flush=True)
    if lost:
        sys.exit(1)


# ---------------------------------------------------------------------- the messages
def build_senders(rng):
    """SENDERS distinct (display name, address), about half of them Persian."""
    senders, seen = [], set()
    while len(senders) < SENDERS:
        kind = rng.random()
        if kind < 0.45:
            (first, initial), (last, translit) = rng.choice(PERSIAN_FIRST), rng.choice(PERSIAN_LAST)
            name, local, domain = f"{first} {last}", f"{initial}.{translit}", rng.choice(PERSIAN_DOMAINS)
        elif kind < 0.9:
            first, last = rng.choice(LATIN_FIRST), rng.choice(LATIN_LAST)
            ascii_last = last.replace("ü", "ue").replace("í", "i").lower()
            local = f"{first.lower().replace('é', 'e')}.{ascii_last}"
            name, domain = f"{first} {last}", rng.choice(LATIN_DOMAINS)
        else:  # a bare address
            name, local, domain = "", f"customer{rng.randrange(100, 99999)}", rng.choice(LATIN_DOMAINS)
        address = f"{local}@{domain}"
        while address in seen:
            address = f"{local}{rng.randrange(2, 99)}@{domain}"
        seen.add(address)
        senders.append((name, address))
    return senders


def build_messages(rng, count):
    """``count`` message specifications: everything but the Message-Id and the To."""
    senders = build_senders(rng)
    # some people write far more often than others, within the gateway's loop limit
    weights = [1 / (rank + 1) ** 0.6 for rank in range(len(senders))]
    sent = [0] * len(senders)
    subjects, subject_weights = zip(*SUBJECTS, strict=True)
    when = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    specs = []
    for i in range(count):
        index = rng.choices(range(len(senders)), weights)[0]
        while sent[index] >= MAX_PER_SENDER:
            index = rng.randrange(len(senders))
        sent[index] += 1
        name, address = senders[index]
        persian = address.endswith(".ir")
        paragraphs = FA_PARAGRAPHS if persian and rng.random() < 0.8 else EN_PARAGRAPHS
        body = rng.sample(paragraphs, rng.randint(1, 4))
        greeting = "با سلام و احترام،" if paragraphs is FA_PARAGRAPHS else "Dear customer service,"
        closing = ("با تشکر،" if paragraphs is FA_PARAGRAPHS else "Regards,") + f"\n{name or address}"
        when += timedelta(minutes=rng.randint(1, 30))
        kind = rng.random()
        attachments = []
        if rng.random() < 0.04:
            attachments = [small_attachment(rng) for _i in range(rng.randint(1, 2))]
        specs.append(
            {
                "token": f"{i:06d}.{rng.getrandbits(48):012x}",
                "from": Address(display_name=name, addr_spec=address) if name else address,
                "domain": address.split("@")[1],
                "subject": rng.choices(subjects, subject_weights)[0],
                "date": format_datetime(when.astimezone(TEHRAN if persian else timezone.utc)),
                "paragraphs": [greeting, *body, closing],
                "html": kind < 0.45,  # multipart/alternative, as most mail clients send
                "rtl": paragraphs is FA_PARAGRAPHS,
                "attachments": attachments,
            }
        )
    return specs


def small_attachment(rng):
    """A small attachment that opens: a scanned receipt, a photo, a statement."""
    kind = rng.choice(["pdf", "png", "csv"])
    if kind == "pdf":
        lines = [f"Receipt {rng.randint(10000, 99999)}", *(f"Item {n}: {rng.randint(1, 999)}.00" for n in range(20))]
        return (tiny_pdf(lines), "application", "pdf", rng.choice(["receipt.pdf", "invoice-4471.pdf", "رسید.pdf"]))
    if kind == "png":
        return (tiny_png(rng), "image", "png", rng.choice(["photo.png", "damage.png", "تصویر.png"]))
    rows = "\n".join(f"2026-02-{day:02d},{rng.randint(100, 9999)}.00,IRR" for day in range(1, 20))
    return (f"date,amount,currency\n{rows}\n".encode(), "text", "csv", "statement.csv")


def tiny_png(rng):
    """A valid RGB PNG of noisy pixels (a few KB)."""
    width, height = rng.randint(24, 64), rng.randint(24, 48)
    pixels = b"".join(b"\x00" + rng.randbytes(width * 3) for _row in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")


def tiny_pdf(lines):
    """A valid one-page PDF showing ``lines``."""
    text = "".join(f"({line}) Tj T* " for line in lines)
    stream = f"BT /F1 11 Tf 14 TL 56 780 Td {text}ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return pdf


def render(spec, to, variant):
    """The RFC 822 bytes of a message specification, addressed to ``to``."""
    msg = EmailMessage()
    msg["From"] = spec["from"]
    msg["To"] = to
    msg["Subject"] = spec["subject"]
    msg["Date"] = spec["date"]
    msg["Message-ID"] = f"<{spec['token']}.{variant}@{spec['domain']}>"
    text = "\n\n".join(spec["paragraphs"]) + "\n"
    msg.set_content(text)
    if spec["html"]:
        direction = ' dir="rtl"' if spec["rtl"] else ""
        paragraphs = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in spec["paragraphs"])
        msg.add_alternative(
            f'<html><head><meta charset="utf-8"></head><body><div{direction}>{paragraphs}</div></body></html>',
            subtype="html",
        )
    for data, maintype, subtype, filename in spec["attachments"]:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=SMTP)


# ------------------------------------------------------------------------ the benchmark
def run(db, specs, rounds):
    import odoo

    registry = odoo.modules.registry.Registry(db)
    with step("the two aliases"):
        targets = make_targets(registry)
    with step("the messages"):
        raws = render_all(specs, targets)
    with step("warm-up"):
        warm_up(registry, specs, targets)
    with step(f"{len(specs)} messages per variant, {rounds} rounds"):
        figures = measure_intake(registry, raws, rounds)
    with step("every message on its record"):
        lost = verify(registry, specs, targets, figures)
    print(
        f"complaints: median {figures['intake_s']['median']} s per round ({figures['intake_per_s']}/s); "
        f"helpdesk: median {figures['helpdesk_s']['median']} s ({figures['helpdesk_per_s']}/s); "
        f"ratio {figures['intake_ratio']} (budget {BUDGET_INTAKE_RATIO}); "
        f"{figures['complaints_created']} complaints, {figures['tickets_created']} tickets",
        flush=True,
    )
    return figures, lost


def env_of(cr):
    from odoo import SUPERUSER_ID, api

    return api.Environment(cr, SUPERUSER_ID, {})


def make_targets(registry):
    """The alias domain, the complaints team and the helpdesk team with their aliases;
    per variant, (model, team id, alias address)."""
    with registry.cursor() as cr:
        env = env_of(cr)
        # queue outgoing mail (the acknowledgements): no SMTP server in the figures
        env["ir.config_parameter"].set_param("mail.mail.force.send.limit", "0")
        domain = env["mail.alias.domain"].create({"name": ALIAS_DOMAIN})
        env.company.alias_domain_id = domain
        # an officer in the team: a complaint is acknowledged by e-mail once it has an owner
        officer = env["res.users"].create(
            {
                "name": "Bench Officer",
                "login": "bench_officer",
                "email": "officer@bench.example",
                "groups_id": [(6, 0, env.ref("iso10002_complaints.group_complaint_officer").ids)],
            }
        )
        team = env["iso10002.complaint.team"].create(
            {"name": "Bench complaints", "alias_name": "complaints", "user_id": officer.id, "member_ids": officer.ids}
        )
        helpdesk = env["helpdesk.ticket.team"].create({"name": "Bench helpdesk", "alias_name": "helpdesk"})
        (team.alias_id | helpdesk.alias_id).alias_domain_id = domain
        targets = {
            "complaints": ("iso10002.complaint", team.id, team.alias_id.alias_full_name),
            "helpdesk": ("helpdesk.ticket", helpdesk.id, helpdesk.alias_id.alias_full_name),
        }
    assert targets["complaints"][2] == f"complaints@{ALIAS_DOMAIN}", targets
    assert targets["helpdesk"][2] == f"helpdesk@{ALIAS_DOMAIN}", targets
    return targets


def render_all(specs, targets):
    """The RFC 822 bytes of every message, per variant."""
    raws = {
        variant: [render(spec, f"{variant.capitalize()} <{targets[variant][2]}>", variant) for spec in specs]
        for variant in VARIANTS
    }
    sizes = [len(raw) for raw in raws["complaints"]]
    print(
        f"{len(specs)} messages per variant, {len({str(s['from']) for s in specs})} senders, "
        f"{len({s['subject'] for s in specs})} subjects, {sum(s['html'] for s in specs)} with HTML, "
        f"{sum(bool(s['attachments']) for s in specs)} with attachments, "
        f"median {statistics.median(sizes)} bytes, largest {max(sizes)} bytes",
        flush=True,
    )
    return raws


def feed(registry, messages, commit=True):
    """Process ``messages`` in one transaction; the seconds it took, commit included."""
    with registry.cursor() as cr:
        gateway = env_of(cr)["mail.thread"]
        t0 = time.perf_counter()
        for raw in messages:
            gateway.message_process(None, raw)
        if commit:
            cr.commit()
        else:
            gateway.env.flush_all()
            cr.precommit.run()
        elapsed = time.perf_counter() - t0
        if not commit:
            cr.rollback()
        return elapsed


def acknowledge(registry):
    """Run the acknowledgement job that the complaints' intake triggered; its seconds."""
    with registry.cursor() as cr:
        env = env_of(cr)
        t0 = time.perf_counter()
        env["iso10002.complaint"]._cron_acknowledge(limit=10**6)
        cr.commit()
        return time.perf_counter() - t0


def warm_up(registry, specs, targets):
    """A few messages of each variant, rolled back: templates, caches, the first partners' lookups."""
    for variant in VARIANTS:
        warm = [render(spec, targets[variant][2], f"warmup.{variant}") for spec in specs[:WARMUP]]
        print(f"warm-up {variant}: {len(warm)} messages in {feed(registry, warm, commit=False):.2f} s", flush=True)


def measure_intake(registry, raws, rounds):
    """The two variants alternated, the first of a round alternating (A, B, B, A, ...),
    each round on the next slice of the messages; the acknowledgements after each
    complaints round."""
    per_round = len(raws["complaints"]) // rounds
    done = dict.fromkeys(VARIANTS, 0)

    def variant_runner(variant):
        def run_variant():
            index = done[variant]
            done[variant] += 1
            figures = {f"{variant}_s": feed(registry, raws[variant][index * per_round : (index + 1) * per_round])}
            if variant == "complaints":
                figures["acknowledge_s"] = acknowledge(registry)
            return figures

        return run_variant

    samples = alternate(rounds, [variant_runner(variant) for variant in VARIANTS], swap=True)
    complaints, helpdesk, acks = samples["complaints_s"], samples["helpdesk_s"], samples["acknowledge_s"]
    figures = {"messages": len(raws["complaints"]), "rounds": rounds, "messages_per_round": per_round}
    for key, runs in (("intake", complaints), ("helpdesk", helpdesk)):
        figures[f"{key}_per_s"] = round(per_round / statistics.median(runs), 1)
        figures[f"{key}_s"] = stats(runs)
    figures["intake_ratio"] = round(figures["intake_s"]["median"] / figures["helpdesk_s"]["median"], 2)
    figures["budget_intake_ratio"] = BUDGET_INTAKE_RATIO
    figures["round_ratios"] = [round(ours / theirs, 2) for ours, theirs in zip(complaints, helpdesk, strict=True)]
    figures["within_budget"] = figures["intake_ratio"] <= BUDGET_INTAKE_RATIO
    # the acknowledgements go out in a job triggered by the intake: timed apart, and with it
    figures["acknowledge_s"] = stats(acks)
    figures["acknowledge_per_s"] = round(per_round / statistics.median(acks), 1)
    figures["intake_with_acknowledgement_ratio"] = round(
        statistics.median([ours + ack for ours, ack in zip(complaints, acks, strict=True)])
        / figures["helpdesk_s"]["median"],
        2,
    )
    return figures


def verify(registry, specs, targets, figures):
    """Every message gave one record holding its e-mail as sent, every complaint was
    acknowledged; adds the counts to ``figures``, returns what was lost or altered."""
    lost = []
    by_token = {spec["token"]: spec for spec in specs}
    with registry.cursor() as cr:
        env = env_of(cr)
        for variant, key in (("complaints", "complaints_created"), ("helpdesk", "tickets_created")):
            model, team_id, alias = targets[variant]
            records = env[model].with_context(active_test=False).search([("team_id", "=", team_id)])
            figures[key] = len(records)
            # each record holds the e-mail it came from, as it was sent
            cr.execute(
                """
                SELECT m.message_id, m.subject, m.body, count(rel.attachment_id)
                  FROM mail_message m
             LEFT JOIN message_attachment_rel rel ON rel.message_id = m.id
                 WHERE m.model = %s AND m.res_id = ANY(%s) AND m.message_type = 'email' AND m.message_id LIKE %s
              GROUP BY m.id
                """,
                [model, records.ids, f"%.{variant}@%"],
            )
            emails, altered = set(), []
            for message_id, subject, body, attachments in cr.fetchall():
                token = message_id.strip("<>").split("@", 1)[0].removesuffix(f".{variant}")
                spec = by_token.get(token)
                emails.add(message_id)
                if not spec or (
                    subject != spec["subject"]
                    or spec["paragraphs"][0] not in (body or "")
                    or attachments != len(spec["attachments"])
                ):
                    altered.append(message_id)
            figures[f"{variant}_emails_on_records"] = len(emails)
            figures[f"{variant}_emails_altered"] = len(altered)
            figures[f"{variant}_mails_queued"] = env["mail.mail"].search_count([("model", "=", model)])
            if variant == "complaints":
                unacknowledged = records.filtered(lambda c: c.step != "acknowledged" or c.acknowledgement_pending)
                figures["complaints_unacknowledged"] = len(unacknowledged)
                if unacknowledged:
                    lost.append(f"complaints: {len(unacknowledged)} not acknowledged after the job ran")
            if len(records) != len(specs) or len(emails) != len(specs):
                lost.append(
                    f"{variant}: {len(specs)} sent, {len(records)} records created, "
                    f"{len(emails)} e-mails found on them ({model}, alias {alias})"
                )
            if altered:
                lost.append(
                    f"{variant}: {len(altered)} e-mails not stored as sent (subject, text or attachments), "
                    f"e.g. {', '.join(altered[:3])}"
                )
        figures["partners"] = env["res.partner"].search_count([])
    return lost


if __name__ == "__main__":
    main()
