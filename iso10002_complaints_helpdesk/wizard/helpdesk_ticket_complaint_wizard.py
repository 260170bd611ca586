from odoo import api, fields, models
from odoo.exceptions import UserError


class HelpdeskTicketComplaintWizard(models.TransientModel):
    """Register a ticket as a complaint (with the team, owner and receipt date the
    officer confirms), or link it to a complaint that exists."""

    _name = "helpdesk.ticket.complaint.wizard"
    _description = "Register a Helpdesk Ticket as a Complaint"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, readonly=True)
    mode = fields.Selection(
        [("create", "Register a new complaint"), ("link", "Link an existing complaint")],
        default="create",
        required=True,
    )
    complaint_id = fields.Many2one("iso10002.complaint")
    team_id = fields.Many2one(
        "iso10002.complaint.team",
        string="Complaints Team",
        compute="_compute_from_ticket",
        store=True,
        readonly=False,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        compute="_compute_from_ticket",
        store=True,
        readonly=False,
        domain=lambda self: [("groups_id", "in", self.env.ref("iso10002_complaints.group_complaint_officer").id)],
    )
    received_date = fields.Datetime(
        string="Received",
        compute="_compute_from_ticket",
        store=True,
        readonly=False,
        help="When the complaint reached the company: when the ticket came in, unless you know better.",
    )
    acknowledgement_note = fields.Char(compute="_compute_acknowledgement_note")

    @api.depends("ticket_id")
    def _compute_from_ticket(self):
        officers = self.env.ref("iso10002_complaints.group_complaint_officer")
        for wizard in self:
            ticket = wizard.ticket_id
            # the helpdesk team's complaints team, else the one new complaints get by default
            wizard.team_id = (
                ticket.team_id.complaint_team_id
                or wizard.team_id
                or self.env["iso10002.complaint"].with_company(ticket.company_id or self.env.company)._default_team_id()
            )
            assignee = ticket.user_id
            # the ticket's assignee when they may own a complaint (an active officer)
            wizard.user_id = assignee if assignee.active and officers in assignee.groups_id else self.env.user
            wizard.received_date = ticket.create_date or fields.Datetime.now()

    @api.depends("ticket_id", "mode")
    def _compute_acknowledgement_note(self):
        for wizard in self:
            email = wizard.ticket_id.partner_id.email
            if wizard.mode != "create":
                wizard.acknowledgement_note = False
            elif email:
                wizard.acknowledgement_note = self.env._(
                    "The customer is sent the complaint's acknowledgement by e-mail, at %s.", email
                )
            else:
                wizard.acknowledgement_note = self.env._(
                    "The customer has no e-mail address: you will be asked to acknowledge the complaint another way."
                )

    def action_confirm(self):
        if len(self) != 1:
            raise UserError(self.env._("Register one ticket at a time."))
        ticket = self.ticket_id
        if ticket.is_complaint:
            raise UserError(self.env._("Ticket %s is already a complaint.", ticket.number))
        if self.mode == "link":
            if not self.complaint_id:
                raise UserError(self.env._("Choose the complaint to link."))
            ticket._link_complaint(self.complaint_id)
            complaint = self.complaint_id
        else:
            complaint = ticket._register_complaint(
                {
                    "team_id": self.team_id.id,
                    "user_id": self.user_id.id,
                    "received_date": self.received_date,
                }
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "iso10002.complaint",
            "res_id": complaint.id,
            "view_mode": "form",
        }
