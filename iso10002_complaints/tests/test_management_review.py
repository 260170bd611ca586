"""The management review (ISO 10002 8.7) printed over HTTP, with a period the client sends."""

import json
import random
from datetime import date
from urllib.parse import quote

from odoo.tests import tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval, time

from odoo.addons.report_reader_locale.tools import Reader

from .common import ComplaintsHttpCase, SlaCase

REVIEW_URL = "/report/html/iso10002_complaints.report_management_review?options=%s"


@tagged("post_install", "-at_install")
class TestReviewOverHttp(ComplaintsHttpCase):
    def _get(self, period):
        return self.url_open(REVIEW_URL % quote(json.dumps({"period": period})), allow_redirects=False)

    @mute_logger("odoo.http", "odoo.addons.http_routing.models.ir_http")
    def test_the_review_period_comes_from_the_client_and_is_checked(self):
        period = {"date_from": "2026-01-01", "date_to": "2026-03-31", "company_ids": [], "team_ids": [], "name": "Q1"}
        self.authenticate("http_auditor", "http_auditor")
        response = self._get(period)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Key figures", response.text)
        rng = random.Random(10)
        hostile = [
            {**period, "company_ids": [self.company_b.id]},
            {**period, "date_from": "0001-01-01"},
            {**period, "date_to": "9999-12-31"},
            {**period, "team_ids": [True]},
            {**period, "company_ids": "1"},
            {"date_from": "2026-03-31", "date_to": "2026-01-01"},
            {"name": "no dates"},
        ]
        hostile += [{**period, "date_from": "".join(rng.choice("0123456789-x") for _n in range(10))} for _i in range(8)]
        for bad in hostile:
            with self.subTest(period=bad):
                response = self._get(bad)
                self.assertEqual(response.status_code, 400, "a clear refusal, never a server error")
                self.assertNotIn("Key figures", response.text)
        for login in ("http_officer", "http_portal"):
            self.authenticate(login, login)
            with self.subTest(login=login):
                response = self._get(period)
                self.assertIn(response.status_code, (303, 403), "refused, not rendered")
                self.assertNotIn("Key figures", response.text)


@tagged("post_install", "-at_install")
class TestTheReviewsNameAsItsReaderReadsIt(SlaCase):
    """The review's name and its PDF's file name."""

    def _review(self):
        return self.env["iso10002.management.review"].create(
            {
                "name": "Spring review",
                "date": date(2026, 3, 31),
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 3, 31),
            }
        )

    def test_a_persian_readers_review_name_gives_its_date_in_the_solar_hijri_calendar(self):
        """The review's name shows its date as its reader reads dates: for a Persian reader
        (the company's calendar "Solar Hijri for Persian readers"), the Solar Hijri date of
        its documents, not a Gregorian date in Latin digits."""
        self.env["res.lang"]._activate_lang("fa_IR")
        self.company.reader_calendar = "language"
        review = self._review().with_context(lang="fa_IR")
        solar = Reader(review.env, company=self.company).date(date(2026, 3, 31))
        self.assertIn("۱۴۰۵", solar, "the oracle: 31 March 2026 is in 1405 of the Solar Hijri calendar")
        self.assertEqual(review.display_name, f"Spring review ({solar})")

    def test_the_review_pdfs_file_name_carries_its_date_without_a_slash(self):
        """The PDF of a held review is filed under a name that a file system keeps: its
        date without a path separator (before the restructuring: 2026-03-31), as the
        decision letter replaces the slashes of its own name."""
        review = self._review()
        report = self.env.ref("iso10002_complaints.action_report_management_review")
        # what web/controllers/report.py evaluates for the file name
        name = safe_eval(report.print_report_name, {"object": review, "time": time})
        self.assertIn("Spring review", name)
        self.assertNotIn("/", name, f"the file name {name!r} holds a path separator")


@tagged("post_install", "-at_install")
class TestTheReviewsCompanies(SlaCase):
    """The companies a review period covers."""

    def test_a_period_without_companies_covers_the_users_current_companies_as_before(self):
        """_review_company_ids() is the former ``company_ids or env.companies`` for each
        caller: the review, the audits' inputs, the process audit wizard."""
        for model in ("iso10002.management.review.wizard", "iso10002.process.audit.wizard"):
            Period = self.env[model].with_context(allowed_company_ids=[self.company.id, self.company_b.id])
            period = Period.new({"date_from": date(2026, 1, 1), "date_to": date(2026, 3, 31)})
            self.assertEqual(period._review_company_ids()._origin, self.company | self.company_b)
            period.company_ids = self.company_b
            self.assertEqual(period._review_company_ids()._origin, self.company_b)
