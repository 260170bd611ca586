import random
from datetime import timedelta

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)
# the unexplained numbers the audit lists (all are counted)
GAPS_LISTED = 200

# Each check of the process (ISO 10002 8.5): to which complaints it applies, and which pass.
AUDIT_CHECKS = [
    (
        # every complaint that is acknowledged or should be by now, never acknowledged ones
        # included; without SLA policy, "by now" is the company's default target
        "acknowledged",
        _lt("Acknowledged within target"),
        lambda wizard, now: [
            "|",
            "|",
            ("acknowledged_date", "!=", False),
            ("ack_deadline", "<=", now),
            "&",
            ("sla_policy_id", "=", False),
            *wizard._past_default_target("ack_target_hours", now),
        ],
        [("acknowledged_date", "!=", False), "|", ("ack_in_time", "=", True), ("sla_policy_id", "=", False)],
    ),
    (
        # decided complaints, and open ones whose decision is overdue (by the SLA policy,
        # or without one by the company's default target)
        "decided_in_time",
        _lt("Decision communicated within target"),
        lambda wizard, now: [
            "|",
            "&",
            ("sla_policy_id", "!=", False),
            "|",
            ("communication_date", "!=", False),
            "&",
            ("resolution_deadline", "<=", now),
            ("is_open", "=", True),
            "&",
            "&",
            ("sla_policy_id", "=", False),
            ("communication_date", "=", False),
            "&",
            ("is_open", "=", True),
            *wizard._past_default_target("resolution_target_hours", now),
        ],
        [("communication_date", "!=", False), "|", ("resolved_in_time", "=", True), ("sla_policy_id", "=", False)],
    ),
    (
        "assessed",
        _lt("Assessed before investigation"),
        [("investigation_date", "!=", False)],
        [("assessed_before_investigation", "=", True)],
    ),
    (
        "independent",
        _lt("Investigator independent"),
        [("investigator_id", "!=", False)],
        [("investigator_independent", "=", True)],
    ),
    (
        "communicated",
        _lt("Decision communicated"),
        [("step", "in", ("communicated", "closed")), ("closure_reason", "not in", ("withdrawn", "out_of_scope"))],
        [("communication_date", "!=", False)],
    ),
    (
        "answer",
        _lt("Complainant's answer recorded"),
        [("step", "=", "closed"), ("communication_date", "!=", False)],
        [("complainant_response", "!=", False)],
    ),
    (
        "satisfaction",
        _lt("Satisfaction asked"),
        [("step", "=", "closed"), ("communication_date", "!=", False)],
        [("rating_ids", "!=", False)],
    ),
    (
        "closed_in_time",
        _lt("Closed within target"),
        [("step", "=", "closed"), ("communication_date", "!=", False), ("sla_policy_id", "!=", False)],
        [("resolved_in_time", "=", True)],
    ),
]


class Iso10002ProcessAuditWizard(models.TransientModel):
    """Check a sample of complaints step by step against the process (ISO 10002 8.5)."""

    _name = "iso10002.process.audit.wizard"
    _description = "Complaints Process Audit"
    _inherit = ["iso10002.review.period.mixin"]

    sample_mode = fields.Selection(
        [("all", "Every complaint"), ("random", "A random sample")],
        default="all",
        required=True,
    )
    sample_size = fields.Integer(default=25)
    sample_seed = fields.Integer(
        default=lambda self: random.SystemRandom().randint(1, 10**6),
        help="The same seed draws the same sample again.",
    )

    def _sample(self):
        self.ensure_one()
        Complaint = self.env["iso10002.complaint"].with_context(active_test=False)
        complaints = Complaint.search(self._received_domain(), order="received_date, id")
        if self.sample_mode == "random" and len(complaints) > self.sample_size > 0:
            ids = random.Random(self.sample_seed).sample(complaints.ids, self.sample_size)
            complaints = Complaint.browse(sorted(ids))
        return complaints

    def _past_default_target(self, target_field, now):
        """Complaints received longer ago than the target of the company's default policy
        (working hours on the company's calendar): a domain, one branch per company."""
        self.ensure_one()
        branches = []
        for company in self.company_ids or self.env.companies:
            hours = company.complaint_sla_policy_id[target_field]
            calendar = company.resource_calendar_id
            cutoff = calendar.plan_hours(-hours, now, compute_leaves=True) if calendar else None
            cutoff = cutoff or now - timedelta(hours=hours)
            branches.append([("company_id", "=", company.id), ("received_date", "<=", cutoff.replace(tzinfo=None))])
        return expression.OR(branches) if branches else [("id", "=", False)]

    @api.model
    def _check_labels(self):
        return {key: label._translate(self.env.lang) for key, label, _applies, _passes in AUDIT_CHECKS}

    def _audit_values(self):
        """Compliance per check and overall, and the exceptions; counted by the database."""
        self.ensure_one()
        sample = self._sample()
        Complaint = self.env["iso10002.complaint"].with_context(active_test=False)
        base = [("id", "in", sample.ids)]
        labels = self._check_labels()
        checks, exceptions = [], []
        applicable_total = passed_total = 0
        now = fields.Datetime.now()
        for key, _label, applies_to, passes in AUDIT_CHECKS:
            applies = applies_to(self, now) if callable(applies_to) else applies_to
            applicable = Complaint.search_count(base + applies)
            passed = Complaint.search_count(base + applies + passes)
            failing = Complaint.search(
                base + applies + ["!", *expression.normalize_domain(passes)], order="received_date, id"
            )
            checks.append(
                {
                    "key": key,
                    "label": labels[key],
                    "applicable": applicable,
                    "passed": passed,
                    "pct": round(100.0 * passed / applicable, 1) if applicable else None,
                }
            )
            exceptions += [{"complaint": complaint, "check": labels[key]} for complaint in failing]
            applicable_total += applicable
            passed_total += passed
        exceptions.sort(key=lambda e: (e["complaint"].received_date, e["complaint"].id))
        return {
            "register": self._register_numbering(),
            "sample": sample,
            "checks": checks,
            "exceptions": exceptions,
            "overall_pct": round(100.0 * passed_total / applicable_total, 1) if applicable_total else None,
            "fully_compliant": len(sample) - len({e["complaint"].id for e in exceptions}),
        }

    def _register_numbering(self):
        """Per company of the scope: the complaints deleted in the period (only possible
        in the Received step; who and when, from the SLA history) and the numbers of its
        sequence that no complaint holds and no deletion explains (intakes that failed
        after drawing a number: gaps, nothing lost). ISO 10002 8.1: an auditor tells a gap
        from a deletion."""
        self.ensure_one()
        start, end = self._period_bounds()
        Event = self.env["iso10002.sla.event"]
        register = []
        for company in self.company_ids or self.env.companies:
            deletions = Event.search(
                [("company_id", "=", company.id), ("kind", "=", "deleted"), ("date", ">=", start), ("date", "<=", end)],
                order="date, id",
            )
            Complaint = self.env["iso10002.complaint"]
            register.append(
                {
                    "company": company,
                    "deletions": deletions,
                    "gaps": Complaint._reference_gaps(company, limit=GAPS_LISTED),
                    "gap_count": Complaint._reference_gap_count(company),
                }
            )
        return register

    def action_print(self):
        self.ensure_one()
        return self.env.ref("iso10002_complaints.action_report_process_audit").report_action(self)
