from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.iso10002_complaint import LEVELS
from ..models.iso10002_complaint_sla import SLA_STATES
from ..models.iso10002_complaint_stage import STEPS


class Iso10002SlaReport(models.Model):
    """SLA analysis: in-time shares, average and median working hours."""

    _name = "iso10002.sla.report"
    _description = "Complaint SLA Analysis"
    _inherit = ["iso10002.median.mixin"]
    _auto = False
    _order = "received_date desc"

    complaint_id = fields.Many2one("iso10002.complaint", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("iso10002.complaint.team", readonly=True)
    category_id = fields.Many2one("iso10002.complaint.category", readonly=True)
    channel_id = fields.Many2one("iso10002.complaint.channel", readonly=True)
    user_id = fields.Many2one("res.users", string="Owner", readonly=True)
    sla_policy_id = fields.Many2one("iso10002.sla.policy", readonly=True)
    severity = fields.Selection(LEVELS, readonly=True)
    step = fields.Selection(STEPS, readonly=True)
    sla_state = fields.Selection(SLA_STATES, string="SLA", readonly=True)
    received_date = fields.Datetime(readonly=True)
    is_confidential = fields.Boolean(readonly=True)
    ack_in_time_pct = fields.Float(string="% Acknowledged in Time", aggregator="avg", readonly=True)
    resolved_in_time_pct = fields.Float(string="% Resolved in Time", aggregator="avg", readonly=True)
    ack_hours = fields.Float(string="Avg Hours to Acknowledge", aggregator="avg", readonly=True)
    ack_hours_median = fields.Float(string="Median Hours to Acknowledge", aggregator="median", readonly=True)
    resolution_hours = fields.Float(string="Avg Hours to Resolve", aggregator="avg", readonly=True)
    resolution_hours_median = fields.Float(string="Median Hours to Resolve", aggregator="median", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE VIEW %s AS (
                SELECT c.id, c.id AS complaint_id, c.company_id, c.team_id, c.category_id, c.channel_id,
                       c.user_id, c.sla_policy_id, c.severity, c.step, c.sla_state, c.received_date,
                       c.is_confidential,
                       CASE WHEN c.acknowledged_date IS NULL THEN NULL
                            WHEN c.ack_in_time THEN 100.0 ELSE 0.0 END AS ack_in_time_pct,
                       CASE WHEN c.communication_date IS NULL THEN NULL
                            WHEN c.resolved_in_time THEN 100.0 ELSE 0.0 END AS resolved_in_time_pct,
                       -- each duration twice: one column per aggregator (average, median)
                       CASE WHEN c.acknowledged_date IS NULL THEN NULL ELSE c.ack_hours END AS ack_hours,
                       CASE WHEN c.acknowledged_date IS NULL THEN NULL ELSE c.ack_hours END AS ack_hours_median,
                       CASE WHEN c.communication_date IS NULL THEN NULL ELSE c.resolution_hours END
                           AS resolution_hours,
                       CASE WHEN c.communication_date IS NULL THEN NULL ELSE c.resolution_hours END
                           AS resolution_hours_median
                  FROM iso10002_complaint c
                 WHERE c.active AND c.sla_policy_id IS NOT NULL
            )""",
                SQL.identifier(self._table),
            )
        )
