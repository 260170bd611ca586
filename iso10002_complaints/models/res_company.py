import logging

from odoo import api, fields, models
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)

REFERENCE_PREFIX, REFERENCE_PADDING = "CMP/%(year)s/", 5
SEQUENCE_DOMAIN = [("code", "=", "iso10002.complaint")]


class ResCompany(models.Model):
    _inherit = "res.company"

    complaint_sla_enabled = fields.Boolean(string="Complaint SLAs", default=True)
    complaint_sla_policy_id = fields.Many2one(
        "iso10002.sla.policy",
        string="Default SLA Policy",
        compute="_compute_complaint_sla_policy_id",
        groups="base.group_user",
        help="The policy of complaints no other policy matches (the company's policy marked default).",
    )
    complaint_auto_close_days = fields.Integer(
        string="Auto-close After (days)",
        default=14,
        help="Complaints whose decision got no answer for this many days are closed; 0 never closes them.",
    )
    complaint_escalation_user_id = fields.Many2one("res.users", string="Escalation Manager", groups="base.group_user")
    # responsibility and authority (ISO 10002 5.4)
    complaint_representative_id = fields.Many2one(
        "res.users",
        string="Complaints Management Representative",
        groups="base.group_user",
        domain=[("share", "=", False)],
        help="Answers to top management for the complaints process; approves the remedies above the officers' "
        "limit and is told of corrective actions long overdue.",
    )
    complaint_officer_remedy_limit = fields.Monetary(
        string="Officers' Remedy Limit",
        currency_field="currency_id",
        groups="base.group_user",
        help="A refund, compensation or credit above this amount waits for a complaints manager's approval "
        "before the decision is sent; 0: no limit.",
    )
    complaint_action_escalation_days = fields.Integer(
        string="Escalate Overdue Actions After (days)",
        default=7,
        help="A corrective action overdue this many days is escalated to the representative.",
    )
    # analysis (8.2) and retention (8.1)
    complaint_similar_days = fields.Integer(
        string="Similar Complaints Window (days)",
        default=180,
        help="Complaints received this many days before or after are compared with a new one; 0: none.",
    )
    complaint_similar_threshold = fields.Float(
        string="Similar Text Threshold",
        default=0.3,
        digits=(3, 2),
        help="How alike two complaints' texts must be (trigram similarity, between 0 and 1, exclusive) to be "
        "similar; within the same category, half of it.",
    )
    complaint_retention_months = fields.Integer(
        string="Keep Closed Complaints (months)",
        default=0,
        help="Closed complaints are anonymised this many months after closing, their figures kept; "
        "0: kept as they are.",
    )

    @api.constrains(
        "complaint_officer_remedy_limit",
        "complaint_action_escalation_days",
        "complaint_similar_days",
        "complaint_retention_months",
        "complaint_similar_threshold",
    )
    def _check_complaint_figures(self):
        """Settings a person types: within the bounds that mean something."""
        for company in self:
            if company.sudo().complaint_officer_remedy_limit < 0:
                raise ValidationError(self.env._("The officers' remedy limit cannot be negative (0: no limit)."))
            if not 0 < company.complaint_similar_threshold < 1:
                raise ValidationError(
                    self.env._("The similar text threshold lies between 0 and 1 (0.3: some words in common).")
                )
            for field, top in (
                ("complaint_action_escalation_days", 3650),
                ("complaint_similar_days", 3650),
                ("complaint_retention_months", 1200),
            ):
                if not 0 <= company[field] <= top:
                    raise ValidationError(
                        self.env._(
                            "%(setting)s lies between 0 and %(top)s.",
                            setting=self._fields[field]._description_string(self.env),
                            top=top,
                        )
                    )

    def _compute_complaint_sla_policy_id(self):
        policies = (
            self.env["iso10002.sla.policy"]
            .sudo()
            .search([("company_id", "in", self.ids), ("is_default", "=", True)])
            .grouped("company_id")
        )
        for company in self:
            company.complaint_sla_policy_id = policies.get(company, self.env["iso10002.sla.policy"])[:1]

    # ---------------------------------------------- per-company set-up (stock's way)
    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies.sudo()._create_complaint_setup()
        return companies

    def _create_complaint_setup(self):
        """Each company's complaint sequence and default SLA policy, made with the company."""
        self._create_complaint_sequence()
        self._create_complaint_sla_policy()

    def _create_complaint_sequence(self):
        self.env["ir.sequence"].create(
            [
                {
                    "name": self.with_context(lang="en_US").env._("Complaints of %s", company.name),
                    "code": "iso10002.complaint",
                    "company_id": company.id,
                    "prefix": REFERENCE_PREFIX,
                    "padding": REFERENCE_PADDING,
                    # a PostgreSQL sequence: concurrent intakes never wait for each
                    # other; a failed intake leaves a gap (see iso10002.complaint._reference_gaps)
                    "implementation": "standard",
                }
                for company in self
            ]
        )

    def _create_complaint_sla_policy(self):
        # stored names in English, the database's source language (the policy name is translatable)
        env = self.with_context(lang="en_US").env
        self.env["iso10002.sla.policy"].create(
            [
                {
                    "name": env._("Standard"),
                    "company_id": company.id,
                    "is_default": True,
                    "ack_target_hours": 8.0,
                    "resolution_target_hours": 80.0,
                    "escalation_ids": [
                        (0, 0, {"level": 1, "delay_hours": 0, "notify": "team_leader"}),
                        (0, 0, {"level": 2, "delay_hours": 8, "notify": "managers"}),
                    ],
                }
                for company in self
            ]
        )

    @api.model
    def _create_missing_complaint_setup(self):
        """Back-fill the companies that existed before the module (install, upgrade)."""
        companies = self.sudo().with_context(active_test=False).search([])
        sequences = self.env["ir.sequence"].sudo().with_context(active_test=False).search(SEQUENCE_DOMAIN)
        companies.filtered(lambda c: c not in sequences.company_id)._create_complaint_sequence()
        defaults = self.env["iso10002.sla.policy"].sudo().search([("is_default", "=", True)])
        companies.filtered(lambda c: c not in defaults.company_id)._create_complaint_sla_policy()

    def _complaint_sequence(self):
        """The company's complaint sequence (made with the company; archived or not)."""
        self.ensure_one()
        Sequence = self.env["ir.sequence"].sudo().with_context(active_test=False)
        domain = [*SEQUENCE_DOMAIN, ("company_id", "=", self.id)]
        sequence = Sequence.search(domain, limit=1)
        if not sequence:
            # never lose a complaint for want of configuration: made now, and said
            _logger.warning("Company %s had no complaint sequence: made now.", self.id)
            self.sudo()._create_missing_complaint_setup()
            sequence = Sequence.search(domain, limit=1)
        return sequence
