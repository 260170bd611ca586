from odoo import _, api, fields, models

from odoo.addons.iso10002_complaints.models.trust import as_sync, is_sync


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
            complaint.ticket_number = complaint.sudo().ticket_id.number or False

    def write(self, vals):
        res = super().write(vals)
        if vals.get("stage_id") and not is_sync(self.env):
            closing = self.sudo().filtered(
                lambda c: (
                    c.step == "closed"
                    and c.ticket_id
                    and not c.ticket_id.closed
                    and c.ticket_id.team_id.complaint_close_sync in ("complaint_closes_ticket", "both")
                )
            )
            for complaint in closing:
                ticket = complaint.ticket_id
                stage = self.env["helpdesk.ticket.stage"].search(
                    [
                        ("closed", "=", True),
                        ("company_id", "in", (False, ticket.company_id.id)),
                        "|",
                        ("team_ids", "=", False),
                        ("team_ids", "in", ticket.team_id.ids),
                    ],
                    limit=1,
                )
                if stage:
                    as_sync(ticket).stage_id = stage
                    ticket.message_post(
                        body=_("Closed with complaint %s.", complaint.name), subtype_xmlid="mail.mt_note"
                    )
        return res

    def action_view_ticket(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": self.ticket_id.id,
            "view_mode": "form",
        }

    def _register_columns(self):
        columns = super()._register_columns()
        columns.insert(3, (_("Helpdesk Ticket"), 14, "text", lambda c: c.ticket_number or ""))
        return columns
