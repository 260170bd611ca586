from odoo import _, fields, models
from odoo.exceptions import UserError


class HelpdeskTicketComplaintWizard(models.TransientModel):
    _name = "helpdesk.ticket.complaint.wizard"
    _description = "Register a Helpdesk Ticket as a Complaint"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, readonly=True)
    mode = fields.Selection(
        [("create", "Register a new complaint"), ("link", "Link an existing complaint")],
        default="create",
        required=True,
    )
    complaint_id = fields.Many2one("iso10002.complaint")

    def action_confirm(self):
        self.ensure_one()
        ticket = self.ticket_id
        if ticket.is_complaint:
            raise UserError(_("Ticket %s is already a complaint.", ticket.number))
        if self.mode == "link":
            if not self.complaint_id:
                raise UserError(_("Choose the complaint to link."))
            ticket._link_complaint(self.complaint_id)
            complaint = self.complaint_id
        else:
            complaint = ticket._register_complaint()
        return {
            "type": "ir.actions.act_window",
            "res_model": "iso10002.complaint",
            "res_id": complaint.id,
            "view_mode": "form",
        }
