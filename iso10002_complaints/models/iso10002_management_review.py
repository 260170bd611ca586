import copy

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from odoo.addons.report_reader_locale.tools import Reader

from ..tools.trust import as_engine, client_safe, is_engine, one

# what a held review keeps as it was held (its figures and state: recorded by its buttons)
HELD_FIELDS = frozenset({"date", "date_from", "date_to", "company_ids", "company_id", "team_ids"})


class Iso10002ManagementReview(models.Model):
    """A documented management review of the complaints process (ISO 10002 8.6)."""

    _name = "iso10002.management.review"
    _description = "Complaints Management Review"
    _inherit = ["iso10002.review.period.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    name = fields.Char(required=True, default=lambda self: self.env._("Management review"), tracking=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    state = fields.Selection([("draft", "Draft"), ("done", "Held")], default="draft", required=True, tracking=True)
    participant_ids = fields.Many2many("res.users", string="Participants")
    external_participants = fields.Char(help="People from outside who took part, by name and role.")
    notes = fields.Html(string="Discussion")
    decision_ids = fields.One2many("iso10002.management.review.decision", "review_id", string="Decisions", copy=False)
    corrective_action_ids = fields.One2many("iso10002.corrective.action", "review_id", string="Follow-up Actions")
    kpi_snapshot = fields.Json(readonly=True, copy=False, help="The figures as they were when the review was recorded.")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    figures_html = fields.Html(
        string="Figures", compute="_compute_figures_html", sanitize=False, help="The review's figures, as printed."
    )

    # A review's figures cover all its companies: only who belongs to every one of them
    # reads it (a record rule can only ask for one of them).
    @api.model
    def _own_companies_domain(self):
        others = self.env["res.company"].sudo().search([("id", "not in", self.env.user.company_ids.ids)])
        return [("company_ids", "not in", others.ids)] if others else []

    @api.model
    def _search(self, domain, *args, **kwargs):
        if not self.env.su:
            domain = expression.AND([domain, self._own_companies_domain()])
        return super()._search(domain, *args, **kwargs)

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if result or self.env.su or not any(self._ids):
            return result
        foreign = self - self.sudo().filtered_domain(self._own_companies_domain())
        if foreign:
            return foreign, lambda: AccessError(
                self.env._("This management review covers companies you do not belong to.")
            )
        return None

    @api.depends("name", "date", "company_id.reader_calendar")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for review in self:
            # the date as its reader writes it (Solar Hijri for a Persian reader), not in ISO form
            day = Reader(self.env, company=review.company_id).date(review.date)
            review.display_name = f"{review.name} ({day})" if review.date else review.name

    @api.depends("kpi_snapshot", "date_from", "date_to", "company_ids", "team_ids")
    def _compute_figures_html(self):
        """The figures on screen, as the PDF shows them (the same QWeb template)."""
        Report = self.env["report.iso10002_complaints.report_management_review"]
        for review in self:
            if not review.date_from or not review.date_to:
                review.figures_html = False
                continue
            values = review._review_values()
            html = self.env["ir.qweb"]._render(
                "iso10002_complaints.report_management_review_figures", {"v": values, "charts": Report._charts(values)}
            )
            review.figures_html = Markup('<div class="o_iso10002">%s</div>') % html

    def _review_values(self):
        """The recorded figures when there are, so that a review stays as it was held."""
        self.ensure_one()
        if not self.kpi_snapshot:
            return super()._review_values()
        values = copy.deepcopy(self.kpi_snapshot)  # the record's figures stay as recorded
        Objective = self.env["iso10002.objective"]
        # the figures as they were held, named and defined in the reader's language
        catalogue = {figure["code"]: figure for figure in self.env["iso10002.figure"]._catalogue()}
        for figure in values.get("figures") or []:
            if figure.get("code") in catalogue:
                figure.update(
                    name=catalogue[figure["code"]]["name"], definition=catalogue[figure["code"]]["definition"]
                )
        for objective in values.get("objectives") or []:
            # an objective without a title of its own is named in the reader's language
            if not objective.get("title") and objective.get("metric") in dict(Objective._fields["metric"].selection):
                objective["name"] = Objective._title(objective["metric"], objective["target"])
        return values

    @api.model_create_multi
    def create(self, vals_list):
        """A review is recorded as a draft: only holding it records its figures."""
        if not is_engine(self.env) and any(
            vals.get("state", "draft") != "draft" or vals.get("kpi_snapshot") for vals in vals_list
        ):
            raise UserError(self.env._("A review is held with its Hold button, which records its figures."))
        return super().create(vals_list)

    def write(self, vals):
        """A held review is the record of what management saw: its date, period, scope,
        company and figures stay as they were; its figures and state are recorded by its
        buttons only."""
        if not is_engine(self.env):
            if {"kpi_snapshot", "state"} & set(vals):
                raise UserError(self.env._("A review is held with its Hold button, which records its figures."))
            if HELD_FIELDS & set(vals) and self.filtered(lambda review: review.state == "done"):
                raise UserError(self.env._("A held management review keeps its period, its scope and its figures."))
        return super().write(vals)

    def unlink(self):
        # no client switch (the uninstall flag) skips the guard below
        return super(Iso10002ManagementReview, client_safe(self)).unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_held(self):
        if self.filtered(lambda review: review.state == "done"):
            raise UserError(self.env._("A held management review is a record: it is not deleted."))

    def action_snapshot(self):
        """Record the figures of the period now (until the review is held)."""
        if self.filtered(lambda review: review.state == "done"):
            raise UserError(self.env._("A held management review keeps its period, its scope and its figures."))
        self.check_access("write")
        for review in self:
            values = self._jsonable(super(Iso10002ManagementReview, review)._review_values())
            as_engine(review).write({"kpi_snapshot": values})
        return True

    def action_hold(self):
        self.action_snapshot()
        as_engine(self).write({"state": "done"})
        return True

    def action_print(self):
        self.ensure_one()
        return self.env.ref("iso10002_complaints.action_report_management_review").report_action(self)


class Iso10002ManagementReviewDecision(models.Model):
    _name = "iso10002.management.review.decision"
    _description = "Management Review Decision"
    _order = "review_id, sequence, id"

    review_id = fields.Many2one("iso10002.management.review", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    name = fields.Text(string="Decision", required=True)
    user_id = fields.Many2one("res.users", string="Owner")
    deadline = fields.Date()
    state = fields.Selection(
        [("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")], default="open", required=True
    )
    corrective_action_id = fields.Many2one("iso10002.corrective.action", string="Follow-up Action")

    def action_create_corrective_action(self):
        """One click: the decision becomes a corrective action of the review."""
        one(self)
        self.check_access("write")
        if self.corrective_action_id:
            raise UserError(self.env._("This decision already has its follow-up action."))
        result = self.env["iso10002.corrective.action"]._create_from(
            self.name.splitlines()[0][:200],
            self.review_id.company_id,
            description=Markup("<p>%s</p>") % self.name,
            review_id=self.review_id.id,
        )
        action = self.env["iso10002.corrective.action"].browse(result["res_id"])
        if self.user_id:
            action.user_id = self.user_id
        if self.deadline:
            action.deadline = self.deadline
        self.corrective_action_id = action
        return result
