from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.trust import client_safe


class Iso10002ComplaintCategory(models.Model):
    """What the complaint is about; a tree so that reports can roll up."""

    _name = "iso10002.complaint.category"
    _description = "Complaint Category"
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"

    name = fields.Char(required=True, translate=True)
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True, store=True)
    parent_id = fields.Many2one(
        "iso10002.complaint.category", string="Parent Category", index=True, ondelete="restrict"
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("iso10002.complaint.category", "parent_id", string="Subcategories")
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        """A category that classified complaints is archived, never deleted: the step
        history (and the figures of past periods) name it."""
        used = self.env["iso10002.complaint.step.history"]._used(self, "category_id")
        if used:
            raise UserError(
                self.env._("Category %s has classified complaints: archive it instead.", used[0].display_name)
            )
        targeted = (
            self.env["iso10002.objective"]
            .sudo()
            .with_context(active_test=False)
            .search([("category_ids", "in", self.ids)], limit=1)
        )
        if targeted:
            raise UserError(
                self.env._("Objective %s is about this category: archive the category instead.", targeted.display_name)
            )

    def unlink(self):
        # no client switch (the uninstall flag) skips the guard above
        return super(Iso10002ComplaintCategory, client_safe(self)).unlink()

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for category in self:
            if category.parent_id:
                category.complete_name = f"{category.parent_id.complete_name} / {category.name}"
            else:
                category.complete_name = category.name

    @api.constrains("parent_id")
    def _check_category_recursion(self):
        if self._has_cycle():
            raise ValidationError(self.env._("You cannot create recursive categories."))
