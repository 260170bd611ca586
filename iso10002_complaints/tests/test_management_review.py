"""The management review (ISO 10002 8.7) printed over HTTP, with a period the client sends."""

import json
import random
from urllib.parse import quote

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ComplaintsHttpCase

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
