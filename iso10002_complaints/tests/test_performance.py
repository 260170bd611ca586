"""Query counts of the complainant's pages and of an officer's create, in the style of
Odoo's own performance tests (``@warmup``, ``assertQueryCount``).

The counts are measured on this machine with demo data (the three addons of this
repository installed, as the test harness does), with a margin of at most 10%: a count
that grows past it means a query added on a hot path, one that falls well below it may
be lowered."""

from contextlib import contextmanager

from odoo.http import Request
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tests.common import warmup


class PerformanceMixin:
    @classmethod
    def _complaint_values(cls, partner, subject):
        return {
            "subject": subject,
            "description": "<p>The parcel never arrived.</p>",
            "partner_id": partner.id,
            "channel_id": cls.env.ref("iso10002_complaints.channel_phone").id,
            "team_id": cls.team.id,
        }

    @contextmanager
    def _counting(self):
        """The queries of the block, as ``assertQueryCount`` counts them (flushed before
        and after), for comparing two counts of one test."""
        counted = {}
        self.env.flush_all()
        self.env.cr.flush()
        start = self.cr.sql_log_count
        yield counted
        self.env.flush_all()
        self.env.cr.flush()
        counted["queries"] = self.cr.sql_log_count - start


@tagged("post_install", "-at_install")
class TestPortalPerformance(PerformanceMixin, HttpCase):
    """The complainant's pages: their list, one complaint, the form to file one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(
            cls.env, login="perf_officer", groups="iso10002_complaints.group_complaint_officer", email="po@x.example"
        )
        cls.team = cls.env["iso10002.complaint.team"].create({"name": "Performance", "member_ids": cls.officer.ids})
        cls.portal_user = new_test_user(
            cls.env,
            login="perf_portal",
            groups="base.group_portal",
            name="Performance Complainant",
            email="perf.portal@example.com",
        )
        partner = cls.portal_user.partner_id
        cls.complaints = cls.env["iso10002.complaint"].create(
            [cls._complaint_values(partner, f"Performance complaint {index}") for index in range(20)]
        )
        cls.complaint = cls.complaints[0]
        few = new_test_user(cls.env, login="perf_portal_few", groups="base.group_portal", email="few@example.com")
        cls.env["iso10002.complaint"].create(
            [cls._complaint_values(few.partner_id, f"Few complaints {index}") for index in range(2)]
        )
        cls.complaint.with_user(cls.officer).message_post(
            body="We called the carrier.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        cls.complaint.with_user(cls.portal_user).message_post(
            body="Here is my order number: S00042.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        cls.complaint.with_user(cls.officer).message_post(
            body="Internal: the courier lost it.", message_type="comment", subtype_xmlid="mail.mt_note"
        )
        cls.complaint.with_user(cls.officer).message_post(
            body="The parcel is found.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )

    @warmup
    def test_portal_list(self):
        self.authenticate("perf_portal", "perf_portal")
        # measured on this machine with demo data: 12
        with self.assertQueryCount(default=13):
            response = self.url_open("/my/complaints")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.complaints[-1].name, response.text)

    @warmup
    def test_portal_list_cost_does_not_grow_with_complaints(self):
        """Two complaints or twenty: the list costs the same (no query per line)."""
        self.authenticate("perf_portal_few", "perf_portal_few")
        with self._counting() as few:
            self.url_open("/my/complaints")
        self.authenticate("perf_portal", "perf_portal")
        with self._counting() as many:
            self.url_open("/my/complaints")
        if self.warm:
            self.assertEqual(many["queries"], few["queries"])

    @warmup
    def test_portal_detail(self):
        self.authenticate("perf_portal", "perf_portal")
        # measured on this machine with demo data: 12
        with self.assertQueryCount(default=13):
            response = self.url_open(f"/my/complaints/{self.complaint.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.complaint.name, response.text)

    @warmup
    def test_new_complaint_form_public(self):
        self.authenticate(None, None)
        # measured on this machine with demo data: 7
        with self.assertQueryCount(default=7):
            response = self.url_open("/complaints/new")
        self.assertEqual(response.status_code, 200)
        self.assertIn('name="email"', response.text)

    @warmup
    def test_new_complaint_form_portal(self):
        self.authenticate("perf_portal", "perf_portal")
        # measured on this machine with demo data: 6
        with self.assertQueryCount(default=6):
            response = self.url_open("/complaints/new")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('name="email"', response.text)

    @warmup
    def test_new_complaint_post_public(self):
        self.authenticate(None, None)
        data = {
            "name": "Walk In",
            "email": "walk.in.perf@example.com",
            "subject": "Closed shop (performance)",
            "description": "The shop was closed during opening hours.",
            "consent": "on",
            "csrf_token": Request.csrf_token(self),
        }
        # measured on this machine with demo data: 76; 84 with the complaint's step history;
        # 108 once the team's rule gives the owner (the pick, the owner's tracking, following
        # and assignment e-mail)
        with self.assertQueryCount(default=112):
            response = self.url_open("/complaints/new", data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        complaint = self.env["iso10002.complaint"].search([("subject", "=", "Closed shop (performance)")])
        self.assertEqual(complaint.step, "acknowledged")

    @warmup
    def test_new_complaint_post_portal(self):
        self.authenticate("perf_portal", "perf_portal")
        data = {
            "subject": "Wrong size (performance)",
            "description": "The shoes are two sizes too big.",
            "consent": "on",
            "csrf_token": Request.csrf_token(self),
        }
        # measured on this machine with demo data: 67; 74 with the complaint's step history;
        # 102 once the team's rule gives the owner
        with self.assertQueryCount(default=106):
            response = self.url_open("/complaints/new", data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        complaint = self.env["iso10002.complaint"].search([("subject", "=", "Wrong size (performance)")])
        self.assertEqual(complaint.partner_id, self.portal_user.partner_id)


@tagged("post_install", "-at_install")
class TestCreatePerformance(PerformanceMixin, TransactionCase):
    """An officer records complaints (phone, letter...): each acknowledged by e-mail."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(
            cls.env, login="perf_creator", groups="iso10002_complaints.group_complaint_officer", email="pc@x.example"
        )
        cls.team = cls.env["iso10002.complaint.team"].create({"name": "Creation", "member_ids": cls.officer.ids})
        cls.complainants = cls.env["res.partner"].create(
            [{"name": f"Complainant {index}", "email": f"complainant{index}@example.com"} for index in range(11)]
        )
        cls.Complaint = cls.env["iso10002.complaint"].with_user(cls.officer)

    def _values(self, partners):
        return [self._complaint_values(partner, f"Recorded for {partner.name}") for partner in partners]

    @warmup
    def test_create_one(self):
        values = self._values(self.complainants[:1])
        # measured on this machine with demo data: 110; 123 with the complaint's step history
        with self.assertQueryCount(default=130):
            complaint = self.Complaint.create(values)
        self.assertEqual(complaint.step, "acknowledged")

    @warmup
    def test_create_ten(self):
        values = self._values(self.complainants[1:])
        # measured on this machine with demo data: 911
        with self.assertQueryCount(default=1002):
            complaints = self.Complaint.create(values)
        self.assertEqual(set(complaints.mapped("step")), {"acknowledged"})

    @warmup
    def test_create_cost_per_complaint_does_not_grow(self):
        """Ten complaints in one create cost less than ten single creates: what is done
        once per call stays once per call.

        Measured on this machine with demo data: 111 queries for one, 914 for ten (8.2
        times). Most of a complaint's cost is its acknowledgement (about 65 queries each:
        rendered, posted and moved to its stage one complaint at a time), which a batch
        does not share; without it ten cost about 4 times one. The bound is the measured
        ratio plus 10%: lower it when the acknowledgements are batched."""
        with self._counting() as one:
            self.Complaint.create(self._values(self.complainants[:1]))
        with self._counting() as ten:
            self.Complaint.create(self._values(self.complainants[1:]))
        if self.warm:
            self.assertLessEqual(ten["queries"], 9 * one["queries"], f"1: {one['queries']}, 10: {ten['queries']}")
