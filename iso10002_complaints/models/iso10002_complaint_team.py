from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.trust import client_safe

OFFICER_GROUP = "iso10002_complaints.group_complaint_officer"

# the overview's counts: figures of the catalogue (iso10002.figure) as of now, per team
BACKLOG_FIGURES = ("open_end", "to_acknowledge_end", "at_risk_end", "overdue_end")


class Iso10002ComplaintTeam(models.Model):
    """The people who handle complaints together, with their own e-mail alias."""

    _name = "iso10002.complaint.team"
    _description = "Complaint Team"
    _inherit = ["mail.alias.mixin", "mail.thread"]
    _order = "sequence, name"
    _check_company_auto = True
    # its e-mails show dates, numbers and amounts as their reader reads them (report_reader_locale)
    _reader_locale = True

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
    assignment_rule = fields.Selection(
        [
            ("leader", "Team leader"),
            ("round_robin", "Round robin"),
            ("least_loaded", "Least loaded officer"),
        ],
        required=True,
        default="least_loaded",
        help="Who owns a complaint the team receives, unless the officer who records it takes it (ISO 10002 5.4, "
        "7.3): the team leader; the members in turn (the one who was given a complaint of the team longest ago); "
        "or the member with the fewest open complaints.",
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
        # every backlog figure counts open complaints only, and as of now a complaint's
        # state is its current step: the open ones (is_open, indexed) are all the figures
        # need to read, not the years of closed complaints beside them
        open_ = [("is_open", "=", True)]
        by_team = Figure._measures_by_team(BACKLOG_FIGURES, *now, domain=open_, teams=teams, companies=companies)
        mine = Figure._measures_by_team(
            ["open_end"], *now, domain=[*open_, ("user_id", "=", self.env.uid)], teams=teams, companies=companies
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
            raise UserError(self.env._("Open one team's complaints at a time."))
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
            raise UserError(self.env._("Team %s has handled complaints: archive it instead.", used[0].name))
        reviewed = self.env["iso10002.management.review"].sudo().search([("team_ids", "in", self.ids)], limit=1)
        if reviewed:
            raise UserError(
                self.env._("A management review covers team %s: archive it instead.", reviewed.team_ids[:1].name)
            )

    def unlink(self):
        # no client switch (the uninstall flag) skips the guard above
        return super(Iso10002ComplaintTeam, client_safe(self)).unlink()

    def _officers(self, company=None):
        """The team's leader and members who may own its complaints: active officers of
        the complaint's company."""
        self.ensure_one()
        company = company or self.company_id
        officers = (
            (self.user_id | self.member_ids)
            .sudo()
            .filtered(lambda user: user.active and company in user.company_ids and user.has_group(OFFICER_GROUP))
        )
        return officers.with_env(self.env)

    def _pick_owners(self, complaints):
        """An owner for each of ``complaints`` (of this team), by the team's rule:
        ``{complaint: user}``. Those who may not own one (the person it is about) are
        passed over; with nobody left, the complaint is not in the result.

        Stateless, read from the complaints themselves: concurrent intakes never wait on
        a counter (two may pick the same officer, nothing is lost)."""
        self.ensure_one()
        officers = self._officers()
        if not officers:
            return {}
        if self.assignment_rule == "leader" and self.user_id in officers:
            ranking = [self.user_id, *(officers - self.user_id)]
            load = dict.fromkeys(officers.ids, 0)
            last = dict.fromkeys(officers.ids, 0)
        else:
            rows = self.env.execute_query(
                SQL(
                    """
                    SELECT user_id, count(*) FILTER (WHERE is_open), max(id) FILTER (WHERE team_id = %(team)s)
                      FROM iso10002_complaint
                     WHERE user_id IN %(users)s
                     GROUP BY user_id
                    """,
                    team=self.id,
                    users=tuple(officers.ids),
                )
            )
            load = dict.fromkeys(officers.ids, 0)
            last = dict.fromkeys(officers.ids, 0)
            for user_id, open_count, last_id in rows:
                load[user_id], last[user_id] = open_count, last_id or 0
            ranking = None
        owners = {}
        for complaint in complaints:
            about = complaint.sudo().person_complained_about_id
            candidates = officers.filtered(lambda user, about=about: not about or user.partner_id != about)
            if not candidates:
                continue
            if ranking is not None:
                owner = next(user for user in ranking if user in candidates)
            elif self.assignment_rule == "least_loaded":
                owner = min(candidates, key=lambda user: (load[user.id], last[user.id], user.id))
            else:
                owner = min(candidates, key=lambda user: (last[user.id], user.id))
            owners[complaint] = owner
            # the next complaint of the batch sees this one
            load[owner.id] += 1
            last[owner.id] = max(last.values()) + 1
        return owners

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
