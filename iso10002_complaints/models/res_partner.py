from odoo import api, fields, models

from .trust import check_domain_access

COMPLAINT_ROLES = "iso10002_complaints.group_complaint_officer,iso10002_complaints.group_complaint_auditor"
COMPLAINT_FIELDS = frozenset(
    {"complaint_ids", "complaint_count", "complaint_needs_assistance", "complaint_assistance_note"}
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # who complained is the complaints process's to know, not every employee's or portal user's
    complaint_ids = fields.One2many("iso10002.complaint", "partner_id", string="Complaints", groups=COMPLAINT_ROLES)
    complaint_count = fields.Integer(compute="_compute_complaint_count", groups=COMPLAINT_ROLES)
    # health, disability: for those who handle complaints only (ISO 10002 4.5, 4.10)
    complaint_needs_assistance = fields.Boolean(
        string="Needs Assistance",
        groups=COMPLAINT_ROLES,
        help="The person needs help to complain: accessibility, language, disability (ISO 10002 4.5).",
    )
    complaint_assistance_note = fields.Text(string="Assistance Needed", groups=COMPLAINT_ROLES)

    def write(self, vals):
        """A contact moved to another company, or made one, complains for another
        commercial entity: the step history of their complaints records the new key
        (the repeat rate counts by it)."""
        result = super().write(vals)
        if {"parent_id", "is_company"} & set(vals):
            partners = self.sudo().with_context(active_test=False)
            complaints = (
                self.env["iso10002.complaint"]
                .sudo()
                .with_context(active_test=False)
                .search([("partner_id", "child_of", partners.ids)])
            )
            complaints._step_history_track()
        return result

    @api.model
    def _search(self, domain, *args, **kwargs):
        # the complaint fields of a contact are searched only by those who may read them
        check_domain_access(self, domain, names=COMPLAINT_FIELDS)
        return super()._search(domain, *args, **kwargs)

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_complaint_count(self):
        """Complaints of the partner and of its contacts, as the user may see them."""
        all_partners = self.with_context(active_test=False).search_fetch([("id", "child_of", self.ids)], ["parent_id"])
        groups = self.env["iso10002.complaint"]._read_group(
            [("partner_id", "in", all_partners.ids)], ["partner_id"], ["__count"]
        )
        self.complaint_count = 0
        for complainant, count in groups:
            partner = complainant
            while partner:
                if partner in self:
                    partner.complaint_count += count
                partner = partner.parent_id

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("iso10002_complaints.iso10002_complaint_action")
        action["domain"] = [("partner_id", "child_of", self.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_filter_open": 0}
        return action
