from ast import literal_eval

from odoo import fields, models


class Iso10002ComplaintTeam(models.Model):
    """The people who handle complaints together, with their own e-mail alias."""

    _name = "iso10002.complaint.team"
    _description = "Complaint Team"
    _inherit = ["mail.alias.mixin", "mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Team Leader",
        check_company=True,
        domain=lambda self: [("groups_id", "in", self.env.ref("iso10002_complaints.group_complaint_officer").id)],
    )
    member_ids = fields.Many2many(
        "res.users",
        "iso10002_complaint_team_member_rel",
        "team_id",
        "user_id",
        string="Members",
        check_company=True,
        domain=lambda self: [("groups_id", "in", self.env.ref("iso10002_complaints.group_complaint_officer").id)],
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        help="Calendar for deadlines. The company's calendar is used when empty.",
    )
    color = fields.Integer()
    response_days = fields.Integer(
        string="Response Target (working days)",
        default=10,
        help="Promised to complainants in the acknowledgement.",
    )
    complaint_ids = fields.One2many("iso10002.complaint", "team_id", string="Complaints")
    open_complaint_count = fields.Integer(compute="_compute_open_complaint_count")

    def _compute_open_complaint_count(self):
        groups = self.env["iso10002.complaint"]._read_group(
            [("team_id", "in", self.ids), ("is_open", "=", True)],
            ["team_id"],
            ["__count"],
        )
        counts = {team.id: count for team, count in groups}
        for team in self:
            team.open_complaint_count = counts.get(team.id, 0)

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get("iso10002.complaint").id
        if self.id:
            defaults = literal_eval(self.alias_defaults or "{}")
            defaults["team_id"] = self.id
            if self.company_id:
                defaults["company_id"] = self.company_id.id
            values["alias_defaults"] = defaults
        return values

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("iso10002_complaints.iso10002_complaint_action")
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"default_team_id": self.id}
        return action
