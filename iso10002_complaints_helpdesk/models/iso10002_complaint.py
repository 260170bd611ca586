from markupsafe import Markup

from odoo import api, fields, models

from odoo.addons.iso10002_complaints.tools.trust import as_engine, as_sync, is_sync


class Iso10002Complaint(models.Model):
    _inherit = "iso10002.complaint"

    ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Helpdesk Ticket",
        copy=False,
        index="btree_not_null",
        groups="helpdesk_mgmt.group_helpdesk_user_own",
        tracking=True,
    )
    ticket_number = fields.Char(
        compute="_compute_ticket_number",
        store=True,
        string="Ticket",
        help="The helpdesk ticket it came from.",
        groups="base.group_user",
    )

    @api.depends("ticket_id")
    def _compute_ticket_number(self):
        for complaint in self:
            complaint.ticket_number = complaint.ticket_id.number or False

    @api.ondelete(at_uninstall=False)
    def _unlink_unmark_tickets(self):
        """A ticket whose complaint is deleted (still received: a mistake) is no longer one."""
        tickets = self.env["helpdesk.ticket"].sudo().search([("complaint_id", "in", self.ids)])
        as_engine(tickets).write({"is_complaint": False, "complaint_reference": False, "complaint_id": False})

    def _on_step_change(self):
        """A complaint closed closes its ticket, where the ticket's team says so."""
        super()._on_step_change()
        if is_sync(self.env):
            return
        closing = self.sudo().filtered(
            lambda c: (
                c.step == "closed"
                and c.ticket_id
                and not c.ticket_id.closed
                and c.ticket_id.team_id.complaint_close_sync in ("complaint_closes_ticket", "both")
            )
        )
        stages = {}  # (company, team): the first closing stage
        for complaint in closing:
            ticket = complaint.ticket_id
            key = (ticket.company_id, ticket.team_id)
            if key not in stages:
                stages[key] = self.env["helpdesk.ticket.stage"].search(
                    [
                        ("closed", "=", True),
                        ("company_id", "in", (False, ticket.company_id.id)),
                        "|",
                        ("team_ids", "=", False),
                        ("team_ids", "in", ticket.team_id.ids),
                    ],
                    limit=1,
                )
            if stages[key]:
                as_sync(ticket).stage_id = stages[key]
                ticket.message_post(
                    body=self.env._("Closed with complaint %s.", complaint.name), subtype_xmlid="mail.mt_note"
                )

    def _anonymise_linked(self):
        """The ticket a complaint came from holds the same person and words: emptied with
        it, its messages and documents too (the ticket stays, as a closed number)."""
        result = super()._anonymise_linked()
        tickets = self.env["helpdesk.ticket"].sudo().search([("complaint_id", "in", self.ids)])
        if tickets:
            trail = [("res_id", "in", tickets.ids)]
            self.env["ir.attachment"].sudo().search([("res_model", "=", "helpdesk.ticket"), *trail]).unlink()
            self.env["mail.message"].sudo().search([("model", "=", "helpdesk.ticket"), *trail]).unlink()
            as_sync(tickets).with_context(tracking_disable=True).write(
                {
                    "name": self.env._("Anonymised complaint"),
                    "description": Markup("<p>%s</p>") % self.env._("Anonymised"),
                    "notes": False,
                    "partner_id": False,
                    "partner_name": False,
                    "partner_email": False,
                }
            )
        return result

    def action_view_ticket(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": self.ticket_id.id,
            "view_mode": "form",
        }
