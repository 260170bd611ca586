from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    complaint_sla_enabled = fields.Boolean(related="company_id.complaint_sla_enabled", readonly=False)
    complaint_ack_target_hours = fields.Float(related="company_id.complaint_ack_target_hours", readonly=False)
    complaint_resolution_target_hours = fields.Float(
        related="company_id.complaint_resolution_target_hours", readonly=False
    )
    complaint_auto_close_days = fields.Integer(related="company_id.complaint_auto_close_days", readonly=False)
    complaint_escalation_user_id = fields.Many2one(related="company_id.complaint_escalation_user_id", readonly=False)

    @api.model
    def _complaint_sync_default_policy(self, company):
        policy = self.env["iso10002.sla.policy"]._default_for(company)
        policy.write(
            {
                "ack_target_hours": company.complaint_ack_target_hours,
                "resolution_target_hours": company.complaint_resolution_target_hours,
            }
        )

    def set_values(self):
        res = super().set_values()
        for settings in self:
            if settings.complaint_ack_target_hours > 0 and settings.complaint_resolution_target_hours > 0:
                self._complaint_sync_default_policy(settings.company_id)
        return res
