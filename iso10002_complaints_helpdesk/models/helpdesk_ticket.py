from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.iso10002_complaints.tools.text import text_values
from odoo.addons.iso10002_complaints.tools.trust import as_engine, as_sync, is_engine, is_sync

COMPLAINT_MARKS = {"complaint_id", "complaint_reference", "is_complaint"}
# set by copy(), which no client can forge (see iso10002_complaints/tools/trust.py)
COPY_KEY = "iso10002_ticket_copy"
COPYING = object()


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    complaint_id = fields.Many2one(
        "iso10002.complaint",
        copy=False,
        index="btree_not_null",
        groups="iso10002_complaints.group_complaint_officer,iso10002_complaints.group_complaint_auditor",
    )
    # what every helpdesk user may know of the complaint: that there is one, and where it is
    complaint_reference = fields.Char(readonly=True, copy=False)
    complaint_step = fields.Char(compute="_compute_complaint_step", compute_sudo=True)
    is_complaint = fields.Boolean(string="Is a Complaint", readonly=True, copy=False, index=True)

    def _compute_complaint_step(self):
        complaints = self.env["iso10002.complaint"].search([("ticket_id", "in", self.ids)])
        steps = dict(complaints._fields["step"]._description_selection(self.env))
        by_ticket = {complaint.ticket_id.id: complaint for complaint in complaints}
        for ticket in self:
            complaint = by_ticket.get(ticket.id)
            ticket.complaint_step = steps.get(complaint.step, "") if complaint else ""

    @api.model_create_multi
    def create(self, vals_list):
        if not is_engine(self.env):
            for vals in vals_list:
                self._check_complaint_marks(vals)
        tickets = super().create(vals_list)
        if self.env.context.get(COPY_KEY) is COPYING:
            return tickets  # a copy of a ticket is not a new complaint (nor a new acknowledgement)
        flagged = tickets.filtered(lambda t: t.category_id and t.category_id in t.team_id.complaint_category_ids)
        if flagged:
            # whoever created the ticket (a portal user, the mail gateway) need not see complaints
            flagged.sudo()._register_complaint()
        return tickets

    def copy(self, default=None):
        return super(HelpdeskTicket, self.with_context(**{COPY_KEY: COPYING})).copy(default=default)

    def _check_complaint_marks(self, vals):
        """Whether a ticket is a complaint is set by registering or linking it, never by hand."""
        if COMPLAINT_MARKS & set(vals):
            raise AccessError(self.env._("A ticket becomes a complaint by registering or linking it as one."))

    def write(self, vals):
        if not is_engine(self.env):
            self._check_complaint_marks(vals)
        res = super().write(vals)
        if vals.get("stage_id") and not is_sync(self.env):
            closing = self.filtered(
                lambda t: (
                    t.closed
                    and t.is_complaint
                    and t.team_id.complaint_close_sync in ("ticket_closes_complaint", "both")
                )
            )
            if closing:
                closing.sudo()._close_complaints()
        return res

    def _complaint_values(self):
        """What the complaint takes of the ticket, its texts as a complaint's form accepts
        them (a ticket's name or description may hold characters the form refuses)."""
        self.ensure_one()
        team = self.team_id.complaint_team_id
        return text_values(
            self.env["iso10002.complaint"],
            {
                "subject": self.name,
                "description": self.description,
                "partner_id": self.partner_id.id,
                "channel_id": self.env.ref("iso10002_complaints_helpdesk.channel_helpdesk").id,
                "company_id": self.company_id.id,
                "team_id": team.id if team else False,
                "ticket_id": self.id,
            },
        )

    def _register_complaint(self, values=None):
        """A complaint for each ticket, linked both ways, with the ticket's attachments;
        ``values`` (team, owner, received date) as the officer confirmed them."""
        tickets = self.filtered(lambda t: not t.is_complaint)
        extra = {key: value for key, value in (values or {}).items() if value}
        owner = self.env["res.users"].browse(extra.get("user_id")).sudo()
        if owner and not (owner.active and owner.has_group("iso10002_complaints.group_complaint_officer")):
            # a ticket's user who handles no complaints: the team's rule gives the owner
            extra.pop("user_id")
        # one create for the batch, one search for the attachments
        complaints = self.env["iso10002.complaint"].create(
            [{**ticket._complaint_values(), **extra} for ticket in tickets]
        )
        attachments = (
            self.env["ir.attachment"]
            .search([("res_model", "=", "helpdesk.ticket"), ("res_id", "in", tickets.ids)])
            .grouped("res_id")
        )
        for ticket, complaint in zip(tickets, complaints, strict=True):
            for attachment in attachments.get(ticket.id, []):
                attachment.copy({"res_model": complaint._name, "res_id": complaint.id})
            ticket._link_complaint(complaint)
        return complaints

    def _link_complaint(self, complaint):
        self.ensure_one()
        if self.sudo().complaint_id and self.sudo().complaint_id != complaint:
            raise UserError(self.env._("Ticket %s is already linked to another complaint.", self.number))
        other = complaint.sudo().ticket_id
        if other and other != self:
            # one ticket per complaint: the other ticket would no longer follow it
            raise UserError(
                self.env._(
                    "Complaint %(complaint)s already comes from ticket %(ticket)s.",
                    complaint=complaint.name,
                    ticket=other.number,
                )
            )
        as_engine(self.sudo()).write(
            {"complaint_id": complaint.id, "complaint_reference": complaint.name, "is_complaint": True}
        )
        complaint.sudo().ticket_id = self
        # the markup around the translated text, not in it (a Markup argument escapes the text)
        self.message_post(
            body=self.env._("Registered as complaint %(complaint)s.", complaint=Markup("<b>%s</b>") % complaint.name),
            subtype_xmlid="mail.mt_note",
        )
        complaint.message_post(
            body=self.env._("From helpdesk ticket %(ticket)s.", ticket=Markup("<b>%s</b>") % self.number),
            subtype_xmlid="mail.mt_note",
        )

    def _close_complaints(self):
        for ticket in self:
            complaint = ticket.complaint_id
            if not complaint or complaint.step == "closed":
                continue
            if complaint._ready_to_close():
                as_sync(complaint).action_close()
            else:
                complaint.message_post(
                    body=self.env._(
                        "Ticket %s was closed; the complaint stays open until its decision is communicated "
                        "and answered (ISO 10002 7.8).",
                        ticket.number,
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    def action_register_complaint(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Register as Complaint"),
            "res_model": "helpdesk.ticket.complaint.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id},
        }

    def action_view_complaint(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "iso10002.complaint",
            "res_id": self.complaint_id.id,
            "view_mode": "form",
        }
