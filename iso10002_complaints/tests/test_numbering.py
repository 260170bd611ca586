"""Complaint references under concurrency: intakes in several database transactions at
once (the form, the mail gateway, RPC) never wait for one another's numbering, and each
gets its own reference; a number drawn by a failed intake is a gap that an auditor tells
from a deletion."""

import re
import threading

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.modules.migration import load_script
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..controllers.complaint_form import ComplaintForm
from .common import ComplaintsCase

MAIL = """From: Concurrent Sender {index} <concurrent{index}@buyer.example>
To: complaints@example.com
Subject: Concurrent e-mail {index}
Message-ID: <concurrent-{index}-{run}@buyer.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Sent at the same time as the others.
"""


@tagged("post_install", "-at_install")
class TestConcurrentIntake(TransactionCase):
    """Each intake runs in a transaction of its own (a cursor of its own, in a thread),
    and all of them stay open until every one has drawn its reference: with a numbering
    that locks until commit, all but one would fail at once."""

    INTAKES = 8

    def _intake(self, env, kind, index, barrier, results):
        """One intake in ``env`` (a cursor of its own), run in a thread."""
        try:
            team = env.ref("iso10002_complaints.team_customer_care_demo")
            Complaint = env["iso10002.complaint"]
            if kind == "email":
                raw = MAIL.format(index=index, run=id(barrier)).encode()
                complaint = Complaint.browse(
                    env["mail.thread"].message_process(Complaint._name, raw, custom_values={"team_id": team.id})
                )
            elif kind == "form":
                post = {
                    "name": f"Visitor {index}",
                    "email": f"visitor{index}@concurrent.example",
                    "subject": f"Concurrent form {index}",
                    "description": "Filed at the same time as the others.",
                    "consent": "on",
                }
                public = env.ref("base.public_user")
                complaint = Complaint._portal_submit(
                    ComplaintForm(env).complaint(post, public), public, remote_addr=f"127.0.0.{index + 1}"
                )
            else:  # what an integrator's RPC create runs, as an officer
                complaint = Complaint.with_user(env.ref("base.user_admin")).create(
                    {
                        "subject": f"Concurrent call {index}",
                        "partner_id": env.ref("base.res_partner_2").id,
                        "team_id": team.id,
                        "channel_id": env.ref("iso10002_complaints.channel_phone").id,
                    }
                )
            env.flush_all()
            results.append((kind, complaint.name))
            # every intake holds its transaction open until all have drawn a number
            barrier.wait(timeout=60)
        except Exception as error:  # reported by the test
            results.append((kind, error))
            barrier.abort()

    @mute_logger("odoo.addons.mail.models.mail_thread", "odoo.sql_db")
    def test_concurrent_intakes_never_wait_for_a_number(self):
        kinds = ["form", "email", "rpc"]
        barrier = threading.Barrier(self.INTAKES)
        results = []
        # the cursors and their first environment are made here: a new transaction looks
        # its registry up under the registry's lock, which the test runner holds
        cursors = [self.registry.cursor() for _index in range(self.INTAKES)]
        try:
            envs = [api.Environment(cr, SUPERUSER_ID, {}) for cr in cursors]
            threads = [
                threading.Thread(target=self._intake, args=(envs[index], kinds[index % 3], index, barrier, results))
                for index in range(self.INTAKES)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
        finally:
            for cr in cursors:  # nothing of the test stays, but the numbers drawn (gaps)
                cr.rollback()
                cr.close()
        failures = [f"{kind}: {type(value).__name__}: {value}" for kind, value in results if not isinstance(value, str)]
        self.assertFalse(failures, "\n".join(failures))
        names = [value for _kind, value in results]
        self.assertEqual(len(names), self.INTAKES, "every intake got its reference while the others were open")
        self.assertEqual(len(set(names)), self.INTAKES, "each its own reference")
        self.assertTrue(all(name.startswith("CMP/") for name in names))

    def test_the_sequence_is_a_postgresql_sequence(self):
        """The no-gap numbering locked the company's sequence row until each intake
        committed; every company's complaint sequence draws from PostgreSQL instead, new
        companies' too."""
        company = self.env["res.company"].create({"name": "Numbered Later"})
        for each in self.env["res.company"].search([]):
            self.assertEqual(each._complaint_sequence().implementation, "standard", each.name)
        self.assertEqual(company._complaint_sequence().implementation, "standard")


@tagged("post_install", "-at_install")
class TestReferenceGaps(ComplaintsCase):
    def _oracle_gaps(self, company):
        """The gaps of the company's CMP/<year>/<n> numbering, read apart from the product:
        the PostgreSQL sequence's last value, the complaints' names and the references of
        the recorded deletions, in plain SQL."""
        cr = self.env.cr
        cr.execute("SELECT id FROM ir_sequence WHERE code = 'iso10002.complaint' AND company_id = %s", [company.id])
        cr.execute(f"SELECT last_value, is_called FROM ir_sequence_{cr.fetchone()[0]:03d}")
        last_value, is_called = cr.fetchone()
        last = last_value if is_called else last_value - 1
        cr.execute(
            """SELECT name FROM iso10002_complaint WHERE company_id = %(c)s
               UNION ALL
               SELECT complaint_name FROM iso10002_sla_event WHERE company_id = %(c)s AND kind = 'deleted'""",
            {"c": company.id},
        )
        held = {
            int(match.group(1)) for (name,) in cr.fetchall() if (match := re.fullmatch(r"CMP/\d{4}/(\d+)", name or ""))
        }
        return [number for number in range(min(held, default=last + 1), last + 1) if number not in held]

    def test_a_gap_is_told_from_a_deletion(self):
        """An auditor's question: is a missing reference a deleted complaint or a number
        that a failed intake drew? A deletion stays in the SLA history with who deleted
        the complaint and when; only the other numbers are gaps."""
        Complaint = self.env["iso10002.complaint"]
        first = self._complaint(subject="First")
        deleted = self._complaint(partner_id=self.person_about.id, subject="Recorded by mistake")
        deleted_name = deleted.name
        sequence = self.company._complaint_sequence()
        # an intake that failed after drawing its number
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            self._complaint(subject="Failed intake")
            raise RuntimeError("the intake failed after drawing its number")
        last = self._complaint(subject="Last")
        deleted.with_user(self.manager).unlink()
        # another system's reference with the same number explains nothing, nor breaks it
        self.env["iso10002.complaint"]._import_complaints(
            [
                {"name": f"LEGACY/2019/{number - 1:05d}", "subject": "Imported", "partner_id": self.complainant.id}
                for number in [int(last.name.rsplit("/", 1)[1])]
            ]
            + [{"name": "ERP/20190512000123456789", "subject": "Imported", "partner_id": self.complainant.id}]
        )
        number = lambda name: int(name.rsplit("/", 1)[1])  # noqa: E731
        gaps = Complaint._reference_gaps(self.company)
        self.assertEqual(
            [gap for gap in gaps if number(first.name) <= gap <= number(last.name)],
            [number(last.name) - 1],
            "the failed intake's number is the one gap",
        )
        self.assertNotIn(number(deleted_name), gaps, "a deletion is no gap")
        self.env.flush_all()
        oracle = self._oracle_gaps(self.company)
        self.assertEqual(gaps, oracle, "the gaps as plain SQL counts them")
        self.assertEqual(Complaint._reference_gap_count(self.company), len(oracle))
        trace = (
            self.env["iso10002.sla.event"]
            .with_user(self.auditor)
            .search([("complaint_name", "=", deleted_name), ("kind", "=", "deleted")])
        )
        self.assertEqual(len(trace), 1, "the auditor reads who deleted it and when")
        self.assertEqual(trace.user_id, self.manager)
        self.assertFalse(trace.complaint_id)
        self.assertEqual(sequence.implementation, "standard")

    def test_the_process_audit_shows_deletions_and_gaps(self):
        """What the auditor is shown: who deleted which complaint when, and the numbers no
        complaint and no deletion explains, company by company."""
        doomed = self._complaint(partner_id=self.person_about.id, subject="Deleted in the period")
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            self._complaint(subject="Failed intake")
            raise RuntimeError("failed after drawing its number")
        failed_number = int(self._complaint(subject="After").name.rsplit("/", 1)[1]) - 1
        doomed_name = doomed.name
        doomed.with_user(self.manager).unlink()
        today = fields.Date.context_today(self.env.user)
        audit = (
            self.env["iso10002.process.audit.wizard"]
            .with_user(self.auditor)
            .create({"date_from": today, "date_to": today, "company_ids": [(6, 0, self.company.ids)]})
        )
        register = audit._audit_values()["register"]
        self.assertEqual([entry["company"] for entry in register], [self.company])
        self.assertIn(doomed_name, register[0]["deletions"].mapped("complaint_name"))
        Complaint = self.env["iso10002.complaint"]
        self.assertIn(failed_number, Complaint._reference_gaps(self.company))
        self.assertEqual(register[0]["gap_count"], Complaint._reference_gap_count(self.company))
        self.assertEqual(register[0]["gaps"], Complaint._reference_gaps(self.company, limit=200), "the first 200")
        html = (
            self.env["ir.actions.report"]
            .with_user(self.auditor)
            ._render_qweb_html("iso10002_complaints.report_process_audit", audit.ids)[0]
            .decode()
        )
        self.assertIn(doomed_name, html)
        self.assertIn(self.manager.name, html, "who deleted it")
        text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
        self.assertIn(f"{register[0]['gap_count']:,} numbers of the sequence", text)

    def test_a_refused_deletion_leaves_no_trace(self):
        complaint = self._walk_to(self._complaint(), "acknowledged")
        with self.assertRaises(UserError), self.env.cr.savepoint():
            complaint.with_user(self.manager).unlink()
        self.assertFalse(
            self.env["iso10002.sla.event"].search([("complaint_name", "=", complaint.name), ("kind", "=", "deleted")])
        )

    def test_gaps_with_a_prefix_without_separator(self):
        """``C%(y)s`` gives C2600082: the year's two digits are not part of the number."""
        sequence = self.company._complaint_sequence()
        sequence.prefix = "C%(y)s"
        first = self._complaint(subject="Short prefix one")
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            self._complaint(subject="Failed intake")
            raise RuntimeError("failed after drawing its number")
        last = self._complaint(subject="Short prefix two")
        self.assertRegex(first.name, r"^C\d{2}\d{5}$")
        number = lambda name: int(name[3:])  # noqa: E731
        gaps = self.env["iso10002.complaint"]._reference_gaps(self.company)
        self.assertEqual([gap for gap in gaps if gap >= number(first.name)], [number(last.name) - 1])
        self.assertEqual(self.env["iso10002.complaint"]._reference_gap_count(self.company), len(gaps))
        self.assertEqual(self.env["iso10002.complaint"]._reference_gaps(self.company, limit=1), gaps[:1])

    def test_a_complaint_stays_in_the_company_that_numbered_it(self):
        complaint = self._complaint()
        with self.assertRaises(UserError):
            complaint.with_user(self.manager).write({"company_id": self.company_b.id})
        self.assertEqual(complaint.company_id, self.company)

    def test_the_upgrade_records_earlier_deletions(self):
        """Before 18.0.1.4.0 a deleted complaint left its reference in the SLA history,
        not who nor when: the upgrade says so with a Deleted event, so it is no gap."""
        doomed = self._complaint(partner_id=self.person_about.id, subject="Deleted long ago")
        name, number = doomed.name, int(doomed.name.rsplit("/", 1)[1])
        doomed.with_user(self.manager).unlink()
        self.env.cr.execute("DELETE FROM iso10002_sla_event WHERE complaint_name = %s AND kind = 'deleted'", (name,))
        self.assertIn(number, self.env["iso10002.complaint"]._reference_gaps(self.company), "as 18.0.1.3.0 left it")
        script = load_script("iso10002_complaints/migrations/18.0.1.4.0/post-migrate.py", "iso10002_post_migrate")
        script.migrate(self.env.cr, "18.0.1.3.0")
        self.env.invalidate_all()
        self.assertNotIn(number, self.env["iso10002.complaint"]._reference_gaps(self.company))
        event = self.env["iso10002.sla.event"].search([("complaint_name", "=", name), ("kind", "=", "deleted")])
        self.assertEqual(len(event), 1)
        self.assertIn("not recorded", event.note)
