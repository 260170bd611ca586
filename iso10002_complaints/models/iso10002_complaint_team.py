from ast import literal_eval

from odoo import _, api, fields, models
from odoo.exceptions import UserError

# the overview's buttons: the search filters of the complaints list they may turn on
BACKLOG_FILTERS = frozenset({"filter_mine", "filter_to_acknowledge", "filter_at_risk", "filter_breached"})


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
    open_complaint_count = fields.Integer(compute="_compute_backlog")
    # the overview (the officers' dashboard): what waits, per team and for the reader
    to_acknowledge_count = fields.Integer(compute="_compute_backlog")
    at_risk_count = fields.Integer(compute="_compute_backlog")
    breached_count = fields.Integer(compute="_compute_backlog")
    my_open_count = fields.Integer(compute="_compute_backlog")

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_backlog(self):
        """Counted by the database, with the reader's rights: one grouped query."""
        rows = self.env["iso10002.complaint"]._read_group(
            [("team_id", "in", self.ids), ("is_open", "=", True)],
            ["team_id", "step", "sla_state", "user_id"],
            ["__count"],
        )
        counts = {team: dict.fromkeys(("open", "ack", "risk", "late", "mine"), 0) for team in self}
        for team, step, sla_state, user, count in rows:
            figures = counts[team]
            figures["open"] += count
            figures["ack"] += count if step == "received" else 0
            figures["risk"] += count if sla_state == "at_risk" else 0
            figures["late"] += count if sla_state == "breached" else 0
            figures["mine"] += count if user == self.env.user else 0
        for team in self:
            figures = counts[team]
            team.open_complaint_count = figures["open"]
            team.to_acknowledge_count = figures["ack"]
            team.at_risk_count = figures["risk"]
            team.breached_count = figures["late"]
            team.my_open_count = figures["mine"]

    def action_open_backlog(self):
        """The team's open complaints, narrowed by the overview card's button (only the
        list's own filters; anything else a client sends is ignored)."""
        if len(self) != 1:
            raise UserError(_("Open one team's complaints at a time."))
        wanted = self.env.context.get("backlog_filters")
        wanted = {name for name in wanted if isinstance(name, str)} if isinstance(wanted, list | tuple) else set()
        action = self.action_view_complaints()
        action["context"] = {
            "default_team_id": self.id,
            "search_default_filter_open": 1,
            **{f"search_default_{name}": 1 for name in BACKLOG_FILTERS & wanted},
        }
        return action

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
