from odoo import fields, models
from odoo.exceptions import UserError

STEPS = [
    ("received", "Received"),
    ("acknowledged", "Acknowledged"),
    ("assessment", "Assessment"),
    ("investigation", "Investigation"),
    ("response", "Response"),
    ("communicated", "Decision communicated"),
    ("closed", "Closed"),
    ("withdrawn", "Withdrawn"),
    ("out_of_scope", "Out of scope"),
]

# ISO 10002:2018 clause 7, in process order; withdrawn and out_of_scope end a complaint
# without a decision.
FINAL_STEPS = ("closed", "withdrawn", "out_of_scope")


class Iso10002ComplaintStage(models.Model):
    """A stage that a company names as it likes, mapped to one ISO 10002 step."""

    _name = "iso10002.complaint.stage"
    _description = "Complaint Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    step = fields.Selection(
        STEPS,
        required=True,
        default="received",
        help="The ISO 10002 step this stage belongs to: reports, guards and SLAs work on steps.",
    )
    description = fields.Text(translate=True)
    fold = fields.Boolean(string="Folded in Kanban")
    pauses_sla = fields.Boolean(
        string="Pauses SLA", help="While a complaint is in this stage its SLA clock stands still."
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain=[("model", "=", "iso10002.complaint")],
        help="Sent to the complainant when a complaint reaches this stage.",
    )
    team_ids = fields.Many2many(
        "iso10002.complaint.team",
        string="Teams",
        help="Teams that use this stage; empty means every team.",
    )
    active = fields.Boolean(default=True)

    def write(self, vals):
        # a stage's step is what the guards, the closed lock and the reports read: it does
        # not change under complaints that are in it (a closed one would reopen unseen)
        if "step" in vals:
            moved = self.filtered(lambda stage: stage.step != vals["step"])
            if moved and self.env["iso10002.complaint"].sudo().with_context(active_test=False).search_count(
                [("stage_id", "in", moved.ids)], limit=1
            ):
                raise UserError(
                    self.env._(
                        "The step of stage %s cannot change while complaints are in it; create a new stage instead.",
                        ", ".join(moved.mapped("name")),
                    )
                )
        return super().write(vals)
