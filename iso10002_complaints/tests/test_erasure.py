"""Erasure that erases (ISO 10002 8.1, 4.10) and repeats a manager can trust (8.2): the
complainant's contact goes with an anonymised complaint unless something else uses it,
the disposal log says what went under which rule and cannot be touched, the complainant
key is a pseudonym of a person's e-mail or phone, and the same visitor filing twice
from the public form is one complainant."""

import json
import random
from datetime import date, datetime, time

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import Request
from odoo.modules.migration import load_script
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.iso10002_complaint_analysis import normalise_phone
from .common import ComplaintsCase
from .test_figures import oracle_figures

SEED = 10002


def _spellings(rng, email, national):
    """The ways one person writes their address and their Iranian mobile number
    (``national``: the nine digits after 09...): case, spaces around, the +98, 0098 or 0
    prefix, spaces, dots, dashes and brackets between the digits, Persian digits."""
    local, domain = email.split("@")
    cased = "".join(char.upper() if rng.random() < 0.5 else char for char in local)
    mail = f"{' ' * rng.randrange(3)}{cased}@{domain.upper() if rng.random() < 0.5 else domain}{' ' * rng.randrange(3)}"
    number = "9" + national
    groups = [number[:3], number[3:6], number[6:]]
    separator = rng.choice([" ", ".", "-", "", " - "])
    prefix = rng.choice(["+98 ", "+98", "0098 ", "0098", "0", "(0)"])
    phone = prefix + separator.join(groups)
    if rng.random() < 0.3:
        phone = phone.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    return mail, phone


@tagged("post_install", "-at_install")
class TestErasure(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.country_id = cls.env.ref("base.ir")
        cls.company.complaint_retention_months = 12
        cls.Complaint = cls.env["iso10002.complaint"]
        cls.Log = cls.env["iso10002.disposal.log"]

    def _visitor(self, name="Walk In", email="walk.in@example.com", **values):
        """A contact as the public form makes it: for one complaint."""
        return self.env["res.partner"].create(
            {
                "name": name,
                "email": email,
                "phone": "0912 345 6789",
                "mobile": "0912 000 1111",
                "street": "12 High Street",
                "street2": "Flat 3",
                "zip": "1234",
                "city": "Tehran",
                "website": "https://walk.in.example",
                "vat": "IR123",
                "function": "Teacher",
                "comment": "<p>Prefers mornings</p>",
                "company_id": False,
                "complaint_needs_assistance": True,
                "complaint_assistance_note": "large print letters",
                **values,
            }
        )

    def _closed(self, when="2025-01-10 09:00:00", **values):
        with freeze_time(when):
            complaint = self._complaint(**values)
            self._walk_to(complaint, "closed")
        return complaint

    def _log(self, complaint):
        return self.Log.search([("complaint_id", "=", complaint.id)])

    # ----------------------------------------------------------- the contact
    def test_an_erasure_request_anonymises_and_archives_the_contact_made_for_it(self):
        visitor = self._visitor()
        visitor.write({"name": "Walk In Again"})  # a tracked change: the contact's own trail
        self.flush_tracking()
        self.assertTrue(self.env["mail.message"].search([("model", "=", "res.partner"), ("res_id", "=", visitor.id)]))
        complaint = self._closed(partner_id=visitor.id)
        key = complaint.complainant_key
        complaint.with_user(self.manager).action_anonymise()
        visitor.invalidate_recordset()
        for name in ("email", "phone", "mobile", "street", "street2", "zip", "city", "website", "vat", "function"):
            self.assertFalse(visitor[name], name)
        self.assertFalse(visitor.comment)
        self.assertFalse(visitor.complaint_assistance_note or visitor.complaint_needs_assistance)
        self.assertEqual(visitor.name, "Anonymised contact")
        self.assertFalse(visitor.active, "archived")
        self.assertFalse(
            self.env["mail.message"].search([("model", "=", "res.partner"), ("res_id", "=", visitor.id)]),
            "its tracking kept the old name: gone with it",
        )
        self.assertEqual(complaint.complainant_key, key, "the pseudonym outlives it")
        log = self._log(complaint)
        self.assertEqual(len(log), 1)
        self.assertEqual((log.rule, log.requested_by_id, log.contact_outcome), ("erasure", self.manager, "anonymised"))
        self.assertEqual(log.complaint_name, complaint.name)
        for name in ("email", "phone", "street", "complaint_assistance_note", "complaint_needs_assistance", "vat"):
            self.assertIn(name, log.contact_fields.split(", "))
        self.assertIn("partner_id", log.complaint_fields)
        self.assertNotIn("Walk In", " ".join(str(log[name]) for name in log._fields), "the log names no one")

    def test_a_contact_used_elsewhere_is_kept_and_the_log_says_why(self):
        again = self._visitor(email="again@example.com")
        first = self._closed(partner_id=again.id)
        second = self._complaint(partner_id=again.id, subject="Again")
        user_contact = self.portal_user.partner_id
        by_user = self._closed(partner_id=user_contact.id)
        audited = self._visitor(email="auditor.firm@example.com")
        self.env["iso10002.audit"].create(
            {"name": "External audit", "auditor_type": "external", "auditor_partner_id": audited.id}
        )
        by_auditor = self._closed(partner_id=audited.id)
        (first | by_user | by_auditor).with_user(self.manager).action_anonymise()
        for contact, complaint, because in (
            (again, first, "Complaint"),
            (user_contact, by_user, "User"),
            (audited, by_auditor, self.env["iso10002.audit"]._description),
        ):
            contact.invalidate_recordset()
            self.assertTrue(contact.email and contact.active, contact.name)
            log = self._log(complaint)
            self.assertEqual(log.contact_outcome, "kept")
            self.assertIn(because, log.contact_kept_because)
            self.assertFalse(log.contact_fields)
        # the last complaint that used it goes: the contact goes with it
        self._walk_to(second, "closed")
        second.with_user(self.manager).action_anonymise()
        again.invalidate_recordset()
        self.assertFalse(again.email or again.active)
        self.assertEqual(self._log(second).contact_outcome, "anonymised")

    def test_the_retention_job_logs_its_rule(self):
        plain = self._closed(partner_id=self._visitor(email="plain@example.com").id)
        held = self._closed(partner_id=self._visitor(email="held@example.com").id)
        held.with_user(self.manager).write({"legal_hold": True, "legal_hold_reason": "Claim"})
        self.flush_tracking()
        held.with_user(self.manager).write({"legal_hold": False})
        self.flush_tracking()
        with freeze_time("2026-03-01 02:00:00"):
            self.Complaint._cron_anonymise()
        self.assertEqual(
            (self._log(plain).rule, self._log(plain).retention_months, self._log(plain).requested_by_id.id),
            ("retention", 12, False),
        )
        self.assertEqual(self._log(held).rule, "hold_lifted")
        self.assertFalse(plain.partner_id)
        self.assertEqual(self._log(plain).contact_outcome, "anonymised")

    # ------------------------------------------------------------- the log
    def test_the_log_is_read_by_auditors_and_managers_and_changed_by_no_one(self):
        complaint = self._closed(partner_id=self._visitor().id)
        complaint.with_user(self.manager).action_anonymise()
        log = self._log(complaint)
        for user in (self.auditor, self.manager):
            self.assertEqual(self.Log.with_user(user).search([("complaint_id", "=", complaint.id)]), log)
        for user in (self.officer_a, self.employee, self.portal_user):
            with self.assertRaises(AccessError):
                log.with_user(user).read(["complaint_name"])
        contexts = ({}, {"module_uninstall": True}, {"_force_unlink": True}, {"iso10002_engine": True})
        for user in (self.auditor, self.manager, self.officer_a):
            for context in contexts:
                with self.assertRaises(AccessError):
                    log.with_user(user).with_context(**context).write({"rule": "retention"})
                with self.assertRaises(AccessError):
                    log.with_user(user).with_context(**context).unlink()
                with self.assertRaises(AccessError):
                    self.Log.with_user(user).with_context(**context).create(
                        {"complaint_name": "X", "rule": "erasure", "contact_outcome": "none", "company_id": 1}
                    )
        for context in contexts:  # not even the superuser
            with self.assertRaises(UserError):
                log.with_context(**context).write({"rule": "retention"})
            with self.assertRaises(UserError):
                log.with_context(**context).unlink()
        self.assertEqual(log.rule, "erasure")

    def test_another_company_s_log_is_not_read(self):
        other = self.env["res.company"].create({"name": "Third Company"})
        auditor = new_test_user(
            self.env,
            login="auditor_third",
            groups="iso10002_complaints.group_complaint_auditor",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        complaint = self._closed(partner_id=self._visitor().id)
        complaint.with_user(self.manager).action_anonymise()
        self.assertFalse(self.Log.with_user(auditor).search([]))

    # -------------------------------------------------------------- repeats
    def test_the_repeat_rate_of_a_period_is_the_same_after_anonymisation(self):
        first = self._closed("2025-01-10 09:00:00", partner_id=self._visitor(name="Walk In").id)
        second = self._closed(
            "2025-01-20 09:00:00", partner_id=self._visitor(name="W. In", email="Walk.In@Example.com ").id
        )
        self._closed("2025-01-21 09:00:00", partner_id=self._visitor(name="Other", email="other@example.com").id)
        self.assertEqual(first.complainant_key, second.complainant_key, "one person, two contacts")
        Figure = self.env["iso10002.figure"]
        period = (date(2025, 1, 1), date(2025, 1, 31))
        bounds = (datetime(2025, 1, 1), datetime.combine(period[1], time(23, 59, 59)))
        before = Figure._values(["repeat_rate"], *period)
        readable = set(self.Complaint.with_context(active_test=False).search([]).ids)
        self.env.flush_all()
        self.assertEqual(before["repeat_rate"], oracle_figures(self.env.cr, readable, set(), *bounds)["repeat_rate"])
        self.assertGreater(before["repeat_rate"], 0)
        with freeze_time("2026-03-01 02:00:00"):
            self.Complaint._cron_anonymise()
        self.assertTrue(first.anonymised_date and second.anonymised_date)
        self.assertEqual(Figure._values(["repeat_rate"], *period), before)
        self.env.flush_all()
        self.assertEqual(oracle_figures(self.env.cr, readable, set(), *bounds)["repeat_rate"], before["repeat_rate"])

    def test_a_person_is_keyed_by_any_spelling_of_their_address_or_number(self):
        """Seeded spellings of 40 people's e-mail and mobile: one key per person, whatever
        the spelling, a different key for each person, never the address itself."""
        rng = random.Random(SEED)
        Partner = self.env["res.partner"]
        keys = {}
        for person in range(40):
            national = f"{rng.randrange(10**8, 10**9)}"
            email = f"person.{person}@example.com"
            seen = set()
            for _spelling in range(5):
                mail, phone = _spellings(rng, email, national)
                by_mail = self.Complaint._complainant_identity_of(Partner.new({"name": "x", "email": mail}))
                by_phone = self.Complaint._complainant_identity_of(
                    Partner.new({"name": "x", "phone": phone}), company=self.company
                )
                seen.add(
                    (self.Complaint._complainant_pseudonym(by_mail), self.Complaint._complainant_pseudonym(by_phone))
                )
            self.assertEqual(len(seen), 1, f"person {person}: {seen}")
            keys[person] = seen.pop()
        self.assertEqual(len({key for pair in keys.values() for key in pair}), 80, "no two people alike")
        for mail_key, _phone_key in keys.values():
            self.assertNotIn("@", mail_key)
            self.assertEqual(len(mail_key), 24)
        self.assertEqual(normalise_phone("+98 912 345 6789"), normalise_phone("0912.345.6789", 98))
        self.assertFalse(normalise_phone("12"))
        # through real complaints: the same number, spelled two ways, on two contacts
        spelled = [
            self._visitor(email=False, phone=spelling, mobile=False)
            for spelling in ("+98 912 555 0000", "0912-555-0000")
        ]
        complaints = self.Complaint.browse([self._complaint(partner_id=partner.id).id for partner in spelled])
        self.assertEqual(len(set(complaints.mapped("complainant_key"))), 1)

    def test_a_company_s_contacts_are_one_complainant(self):
        acme = self.env["res.partner"].create({"name": "Acme Ltd", "is_company": True})
        buyer, clerk = self.env["res.partner"].create(
            [
                {"name": "Buyer", "email": "buyer@acme.example", "parent_id": acme.id},
                {"name": "Clerk", "email": "clerk@acme.example", "parent_id": acme.id},
            ]
        )
        self.assertEqual(
            self._complaint(partner_id=buyer.id).complainant_key, self._complaint(partner_id=clerk.id).complainant_key
        )

    def test_a_new_address_is_a_new_row_of_the_step_history(self):
        person = self._visitor(email="first@example.com")
        complaint = self._complaint(partner_id=person.id)
        key = complaint.step_history_id.complainant_key
        person.email = "second@example.com"
        self.env.flush_all()
        self.assertNotEqual(complaint.step_history_id.complainant_key, key)
        self.assertEqual(complaint.step_history_id.complainant_key, complaint.complainant_key)

    # ------------------------------------------------------------- the upgrade
    def test_the_upgrade_disposes_of_the_contacts_of_complaints_anonymised_before(self):
        gone = self._visitor(email="gone@example.com")
        shared = self._visitor(email="shared@example.com")
        old = self._closed(partner_id=gone.id)
        also_old = self._closed(partner_id=shared.id)
        still_open = self._complaint(partner_id=shared.id)
        self.env.flush_all()
        # anonymised by 18.0.1.5.0: the contact kept, the key a hash of its id, no log
        for complaint, contact in ((old, gone), (also_old, shared)):
            self.env.cr.execute(
                "UPDATE iso10002_complaint SET partner_id = NULL, email_from = NULL, anonymised_date = now(), "
                "complainant_key = %s WHERE id = %s",
                [self.Complaint._complainant_pseudonym(f"{contact.id}"), complaint.id],
            )
        self.env.cr.execute(
            "UPDATE iso10002_complaint SET complainant_key = %s WHERE id = %s",
            [self.Complaint._complainant_pseudonym(f"{shared.id}"), still_open.id],
        )
        self.env.invalidate_all()
        script = load_script("iso10002_complaints/migrations/18.0.1.6.0/post-erasure.py", "iso10002_post_erasure")
        script.migrate(self.env.cr, "18.0.1.5.0")
        self.env.invalidate_all()
        self.assertFalse(gone.email or gone.active or gone.complaint_assistance_note)
        self.assertEqual((self._log(old).rule, self._log(old).contact_outcome), ("upgrade", "anonymised"))
        self.assertTrue(shared.email and shared.active, "an open complaint still uses it")
        self.assertEqual(self._log(also_old).contact_outcome, "kept")
        self.assertEqual(
            also_old.complainant_key, still_open.complainant_key, "the same person by today's key, on both"
        )
        self.assertEqual(still_open.complainant_key, still_open.step_history_id.complainant_key)
        script.migrate(self.env.cr, "18.0.1.5.0")
        self.assertEqual(len(self._log(old)), 1, "run twice, logged once")


@tagged("post_install", "-at_install")
class TestSimilarAndSuggested(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.safety = cls.env["iso10002.complaint.category"].create({"name": "Safety"})

    def _lamp(self, day, email, subject="The desk lamp overheats", category=True):
        partner = self.env["res.partner"].create({"name": email, "email": email})
        # (no demo complaint around: the demo has lamps that overheat too)
        with freeze_time(datetime(2019, 3, day, 9)):
            return self._complaint(
                partner_id=partner.id, subject=subject, category_id=self.safety.id if category else False
            )

    def test_the_threshold_is_a_validated_setting(self):
        self.assertEqual(self.company.complaint_similar_threshold, 0.3, "today's behaviour")
        for wrong in (0.0, 1.0, -0.1, 1.5):
            with self.assertRaises(ValidationError):
                self.company.complaint_similar_threshold = wrong
        settings = self.env["res.config.settings"].create({"complaint_similar_threshold": 0.6})
        settings.execute()
        self.assertEqual(self.company.complaint_similar_threshold, 0.6)

    def test_the_threshold_decides_what_is_similar(self):
        # (a trigram likeness of 0.68)
        earlier = self._lamp(2, "a@example.com", "The desk lamp overheats badly", category=False)
        new = self._lamp(3, "b@example.com", "The desk lamp overheats quickly", category=False)
        new.invalidate_recordset()
        self.assertIn(earlier, new.similar_complaint_ids)
        self.company.complaint_similar_threshold = 0.9
        new.invalidate_recordset()
        self.assertNotIn(earlier, new.similar_complaint_ids)

    def test_a_growing_cluster_suggests_recurring_then_systemic(self):
        first = self._lamp(2, "a@example.com")
        second = self._lamp(3, "b@example.com")
        self.assertFalse(second.suggested_classification, "two alike: not yet")
        third = self._lamp(4, "c@example.com")
        for complaint in (first, second, third):
            complaint.invalidate_recordset()
            self.assertEqual(complaint.classification, "one_off")
            self.assertEqual(complaint.suggested_classification, "recurring")
        unrelated = self._lamp(4, "d@example.com", "Rude call centre staff", category=False)
        self.assertFalse(unrelated.suggested_classification)
        third.with_user(self.officer_a).action_apply_suggested_classification()
        self.assertEqual(third.classification, "recurring")
        third.invalidate_recordset()
        self.assertFalse(third.suggested_classification, "applied")
        self._lamp(5, "a@example.com")
        fifth = self._lamp(6, "e@example.com")
        self.assertEqual(fifth.suggested_classification, "systemic", "five from four complainants")
        with self.assertRaises(UserError):
            unrelated.action_apply_suggested_classification()
        with self.assertRaises(AccessError):
            fifth.with_user(self.auditor).action_apply_suggested_classification()

    def test_one_person_complaining_five_times_is_recurring_not_systemic(self):
        for day in range(2, 7):
            last = self._lamp(day, "same@example.com")
        self.assertEqual(last.suggested_classification, "recurring")


@tagged("post_install", "-at_install")
class TestErasureFromOutside(HttpCase):
    """The public form twice from one address, and the disposal log over JSON-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        cls.env["ir.config_parameter"].sudo().set_param("iso10002_complaints.form_limit_email_per_hour", 0)
        cls.manager = new_test_user(
            cls.env, login="er_manager", groups="iso10002_complaints.group_complaint_manager", name="Er Manager"
        )
        cls.auditor = new_test_user(
            cls.env, login="er_auditor", groups="iso10002_complaints.group_complaint_auditor", name="Er Auditor"
        )
        cls.Complaint = cls.env["iso10002.complaint"].with_context(active_test=False)

    def _post(self, **values):
        self.authenticate(None, None)
        data = {
            "subject": "Closed shop",
            "description": "The shop was closed during opening hours.",
            "consent": "on",
            **values,
            "csrf_token": Request.csrf_token(self),
        }
        response = self.url_open("/complaints/new", data=data, allow_redirects=False)
        self.assertLess(response.status_code, 400)

    def _call(self, method, args, kwargs=None, model="iso10002.disposal.log"):
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        }
        response = self.url_open(
            "/web/dataset/call_kw", data=json.dumps(payload), headers={"Content-Type": "application/json"}
        )
        return response.json()

    @mute_logger("odoo.http")
    def test_one_visitor_twice_is_one_complainant_and_their_erasure_is_logged(self):
        self._post(name="Sara Ahmadi", email="sara@example.com", subject="Closed shop on Monday")
        self._post(name="S. Ahmadi", email="SARA@example.com", phone="0912 345 6789", subject="Closed shop on Tuesday")
        complaints = self.Complaint.search([("subject", "like", "Closed shop on")])
        self.assertEqual(len(complaints), 2)
        self.assertEqual(len(complaints.partner_id), 2, "a visitor is always a new contact")
        self.assertEqual(len(set(complaints.mapped("complainant_key"))), 1, "but one complainant")
        today = fields.Date.context_today(complaints[0])
        figures = self.env["iso10002.figure"]._measures(["repeat_rate"], today, today, [("id", "in", complaints.ids)])
        self.assertEqual(figures["repeat_rate"]["value"], 100.0, "both complaints: a repeat")
        contacts = complaints.partner_id
        self.env.flush_all()
        for complaint in complaints:  # closed (the steps to it are tested elsewhere)
            self.env.cr.execute(
                "UPDATE iso10002_complaint SET stage_id = %s, step = 'closed', closed_date = now() WHERE id = %s",
                [self.Complaint._find_stage("closed", complaint.team_id).id, complaint.id],
            )
        self.env.invalidate_all()
        self.authenticate("er_manager", "er_manager")
        answer = self._call("action_anonymise", [complaints.ids], model="iso10002.complaint")
        self.assertNotIn("error", answer, answer)
        contacts.invalidate_recordset()
        self.assertFalse(any(contacts.mapped("email")) or any(contacts.mapped("active")))
        self.authenticate("er_auditor", "er_auditor")
        answer = self._call(
            "search_read", [[("complaint_id", "in", complaints.ids)]], {"fields": ["rule", "contact_outcome"]}
        )
        self.assertEqual(
            sorted((row["rule"], row["contact_outcome"]) for row in answer["result"]),
            [("erasure", "anonymised")] * 2,
        )
        ids = [row["id"] for row in answer["result"]]
        for method, args, context in (
            ("write", [ids, {"rule": "retention"}], {}),
            ("write", [ids, {"contact_outcome": "kept"}], {"iso10002_engine": True}),
            ("unlink", [ids], {"module_uninstall": True}),
            ("create", [{"complaint_name": "X", "rule": "erasure", "contact_outcome": "none"}], {}),
        ):
            answer = self._call(method, args, {"context": context})
            self.assertIn("error", answer, method)
            self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError", method)
        self.assertEqual(
            self.env["iso10002.disposal.log"].search_count([("id", "in", ids), ("rule", "=", "erasure")]), 2
        )


@tagged("post_install", "-at_install")
class TestErasureReachesOtherRecords(ComplaintsCase):
    def test_12_erased_contact_no_longer_in_other_records(self):
        """4.10: after erasure, the complainant's name is nowhere in the complaint's SLA
        trail or notices."""
        partner = self.env["res.partner"].create({"name": "Zebedee Uniquename", "email": "zeb@example.com"})
        complaint = self._complaint(
            partner_id=partner.id, user_id=self.officer_a.id, subject="Zebedee Uniquename parcel"
        )
        self._walk_to(complaint, "closed")
        complaint.with_user(self.manager).action_anonymise()
        self.env.flush_all()
        leaks = []
        for model in self.env.registry.models:
            Model = self.env[model].sudo()
            if Model._abstract or Model._transient or not Model._auto:
                continue
            for name, field in Model._fields.items():
                if field.type in ("char", "text", "html") and field.store and not field.translate:
                    if field.company_dependent:
                        continue
                    table, column = Model._table, name
                    self.env.cr.execute(
                        f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s', ("%Zebedee Uniquename%",)
                    )
                    if self.env.cr.fetchone()[0]:
                        leaks.append(f"{model}.{name}")
        self.assertFalse(leaks)
