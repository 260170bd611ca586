from ast import literal_eval

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .trust import client_safe

# the overview's counts: figures of the catalogue (iso10002.figure) as of now, per team
BACKLOG_FIGURES = ("open_end", "to_acknowledge_end", "at_risk_end", "overdue_end")


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
    # the overview (the officers' dashboard): what waits, per team and for the reader
    open_complaint_count = fields.Integer(compute="_compute_backlog")
    to_acknowledge_count = fields.Integer(compute="_compute_backlog")
    at_risk_count = fields.Integer(compute="_compute_backlog")
    overdue_count = fields.Integer(compute="_compute_backlog")
    my_open_count = fields.Integer(compute="_compute_backlog")
    backlog_help = fields.Text(compute="_compute_backlog_help")

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_backlog(self):
        """The catalogue's figures as of now, per team, with the reader's rights: one
        query for the team's, one for the reader's own."""
        Figure = self.env["iso10002.figure"]
        now = Figure._now()
        teams = self.filtered("id")
        companies = teams.company_id & self.env.companies
        by_team = Figure._measures_by_team(BACKLOG_FIGURES, *now, teams=teams, companies=companies)
        mine = Figure._measures_by_team(
            ["open_end"], *now, domain=[("user_id", "=", self.env.uid)], teams=teams, companies=companies
        )
        for team in self:
            figures = by_team.get(team._origin, {})

            def value(code, figures=figures):
                return figures[code]["value"] if code in figures else 0

            team.open_complaint_count = value("open_end")
            team.to_acknowledge_count = value("to_acknowledge_end")
            team.at_risk_count = value("at_risk_end")
            team.overdue_count = value("overdue_end")
            team.my_open_count = mine.get(team._origin, {}).get("open_end", {}).get("value", 0)

    @api.depends_context("lang")
    def _compute_backlog_help(self):
        catalogue = self.env["iso10002.figure"]._catalogue()
        definitions = {figure["code"]: figure for figure in catalogue if figure["code"] in BACKLOG_FIGURES}
        text = "\n".join(f"{definitions[code]['name']}: {definitions[code]['definition']}" for code in BACKLOG_FIGURES)
        for team in self:
            team.backlog_help = text

    def action_open_backlog(self):
        """Exactly the complaints an overview count counts (the figure the button names,
        the reader's own for "mine"); anything else a client sends opens the open ones."""
        if len(self) != 1:
            raise UserError(_("Open one team's complaints at a time."))
        code = self.env.context.get("backlog_figure")
        code = code if isinstance(code, str) and code in BACKLOG_FIGURES else "open_end"
        domain = [("user_id", "=", self.env.uid)] if self.env.context.get("backlog_mine") is True else []
        Figure = self.env["iso10002.figure"]
        complaints = Figure._records(
            code, *Figure._now(), domain=domain, teams=self, companies=self.company_id & self.env.companies
        )
        action = self.action_view_complaints()
        name = self.env["iso10002.figure"]._definition(code)["name"]
        action.update(
            domain=[("id", "in", complaints.ids)],
            context={"default_team_id": self.id, "active_test": False},
            name=f"{self.name}: {name}",
            display_name=f"{self.name}: {name}",
        )
        return action

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_complaints(self):
        """A team that handled complaints is archived, never deleted: its complaints would
        lose their team (and be read by every officer) and their history its name."""
        used = self.env["iso10002.complaint.step.history"]._used(self, "team_id")
        if used:
            raise UserError(_("Team %s has handled complaints: archive it instead.", used[0].name))
        reviewed = self.env["iso10002.management.review"].sudo().search([("team_ids", "in", self.ids)], limit=1)
        if reviewed:
            raise UserError(_("A management review covers team %s: archive it instead.", reviewed.team_ids[:1].name))

    def unlink(self):
        # no client switch (the uninstall flag) skips the guard above
        return super(Iso10002ComplaintTeam, client_safe(self)).unlink()

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
