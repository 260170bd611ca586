from odoo import fields, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    complaint_category_ids = fields.Many2many(
        "helpdesk.ticket.category",
        "helpdesk_team_complaint_category_rel",
        "team_id",
        "category_id",
        string="Complaint Categories",
        help="Tickets of these categories become complaints by themselves when they are created.",
    )
    complaint_team_id = fields.Many2one(
        "iso10002.complaint.team",
        help="The complaints team that handles this helpdesk team's complaints.",
    )
    complaint_close_sync = fields.Selection(
        [
            ("none", "Independent"),
            ("complaint_closes_ticket", "Closing the complaint closes the ticket"),
            ("ticket_closes_complaint", "Closing the ticket closes the complaint"),
            ("both", "Either closes the other"),
        ],
        string="Closing",
        default="complaint_closes_ticket",
        required=True,
    )
