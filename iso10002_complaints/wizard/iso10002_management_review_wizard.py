from odoo import fields, models


class Iso10002ManagementReviewWizard(models.TransientModel):
    """Choose a period, print the management review, save it or export the register."""

    _name = "iso10002.management.review.wizard"
    _description = "Print a Complaints Management Review"
    _inherit = ["iso10002.review.period.mixin"]

    name = fields.Char(default=lambda self: self.env._("Management review"), required=True)

    def _report_data(self):
        """The period, as the review report takes it (its ``data``): nothing is saved."""
        self.ensure_one()
        return {
            "period": {
                "name": self.name,
                "date_from": fields.Date.to_string(self.date_from),
                "date_to": fields.Date.to_string(self.date_to),
                "company_ids": self.company_ids.ids,
                "team_ids": self.team_ids.ids,
            }
        }

    def action_print(self):
        report = self.env.ref("iso10002_complaints.action_report_management_review")
        return report.report_action(self.env["iso10002.management.review"], data=self._report_data())

    def action_save_review(self):
        """Record the review, with its figures as they are now, for the minutes."""
        self.ensure_one()
        review = self.env["iso10002.management.review"].create(
            {
                "name": self.name,
                "date_from": self.date_from,
                "date_to": self.date_to,
                "company_ids": [(6, 0, self.company_ids.ids)],
                "team_ids": [(6, 0, self.team_ids.ids)],
                "participant_ids": [(4, self.env.uid)],
            }
        )
        review.action_snapshot()
        return {
            "type": "ir.actions.act_window",
            "res_model": "iso10002.management.review",
            "res_id": review.id,
            "view_mode": "form",
        }

    def action_export_register(self):
        self.ensure_one()
        complaints = self.env["iso10002.complaint"].search(self._received_domain())
        return self.env["report.iso10002_complaints.register_xlsx"]._action_download(complaints, self)
