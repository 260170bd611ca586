from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    complaint_sla_enabled = fields.Boolean(string="Complaint SLAs", default=True)
    complaint_ack_target_hours = fields.Float(string="Default Acknowledgement Target (working hours)", default=8.0)
    complaint_resolution_target_hours = fields.Float(string="Default Resolution Target (working hours)", default=80.0)
    complaint_auto_close_days = fields.Integer(
        string="Auto-close After (days)",
        default=14,
        help="Complaints whose decision got no answer for this many days are closed; 0 never closes them.",
    )
    complaint_escalation_user_id = fields.Many2one("res.users", string="Escalation Manager")
