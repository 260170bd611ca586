from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    complaint_sla_enabled = fields.Boolean(related="company_id.complaint_sla_enabled", readonly=False)
    # the default targets are those of the company's default policy: one home for them
    complaint_ack_target_hours = fields.Float(
        related="company_id.complaint_sla_policy_id.ack_target_hours", readonly=False
    )
    complaint_resolution_target_hours = fields.Float(
        related="company_id.complaint_sla_policy_id.resolution_target_hours", readonly=False
    )
    complaint_auto_close_days = fields.Integer(related="company_id.complaint_auto_close_days", readonly=False)
    complaint_escalation_user_id = fields.Many2one(related="company_id.complaint_escalation_user_id", readonly=False)
    complaint_currency_id = fields.Many2one(related="company_id.currency_id", string="Company Currency")
    complaint_representative_id = fields.Many2one(related="company_id.complaint_representative_id", readonly=False)
    complaint_officer_remedy_limit = fields.Monetary(
        related="company_id.complaint_officer_remedy_limit", readonly=False, currency_field="complaint_currency_id"
    )
    complaint_action_escalation_days = fields.Integer(
        related="company_id.complaint_action_escalation_days", readonly=False
    )
    complaint_similar_days = fields.Integer(related="company_id.complaint_similar_days", readonly=False)
    complaint_retention_months = fields.Integer(related="company_id.complaint_retention_months", readonly=False)
    complaint_similar_threshold = fields.Float(related="company_id.complaint_similar_threshold", readonly=False)
