import random

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import LazyTranslate

_lt = LazyTranslate(__name__)
# the unexplained numbers the audit lists (all are counted)
GAPS_LISTED = 200
# the satisfaction figures of the catalogue the audit shows beside its checks
SATISFACTION_FIGURES = ("satisfaction_response_rate", "satisfaction")

# Each check of the process (ISO 10002 8.5): to which complaints it applies, and which pass.
AUDIT_CHECKS = [
    # the two SLA checks are the catalogue's figures (iso10002.figure) over the period:
    # the complaints the share is of, and those in time
    (
        "acknowledged",
        _lt("Acknowledged within target"),
        lambda wizard: wizard._figure_domain("ack_in_time", "denominator"),
        lambda wizard: wizard._figure_domain("ack_in_time", "numerator"),
    ),
    (
        "decided_in_time",
        _lt("Decision communicated within target"),
        lambda wizard: wizard._figure_domain("decided_in_time", "denominator"),
        lambda wizard: wizard._figure_domain("decided_in_time", "numerator"),
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
    # asked by any means: a rating request e-mailed (or offered on the complaint's page),
    # or an answer (or a refusal to answer) recorded after asking by phone, letter or in person
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

    def _figure_domain(self, code, part):
        """The complaints of the period a figure's ``part`` counts, as a domain."""
        query = self.env["iso10002.figure"]._records_sql(
            code, *self._figure_period(), **self._figure_scope(), part=part
        )
        return [("id", "in", query)]

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
        for key, _label, applies_to, passing in AUDIT_CHECKS:
            applies = applies_to(self) if callable(applies_to) else applies_to
            passes = passing(self) if callable(passing) else passing
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
        Figure = self.env["iso10002.figure"]
        satisfaction = Figure._measures(SATISFACTION_FIGURES, *self._figure_period(), **self._figure_scope())
        return {
            # the satisfaction of the period as the catalogue counts it (8.3), with its definition
            "satisfaction": [
                {**Figure._definition(code), **satisfaction[code], "ratio": Figure._ratio(satisfaction[code])}
                for code in SATISFACTION_FIGURES
            ],
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
        for company in self._review_company_ids():
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
