from odoo import fields, models
from odoo.exceptions import AccessError


class Digest(models.Model):
    """Complaints in the periodic digest e-mail: received and closed in the period."""

    _inherit = "digest.digest"

    kpi_iso10002_complaints_received = fields.Boolean("Complaints Received")
    kpi_iso10002_complaints_received_value = fields.Integer(
        compute="_compute_kpi_iso10002_complaints_received_value", export_string_translation=False
    )
    kpi_iso10002_complaints_closed = fields.Boolean("Complaints Closed")
    kpi_iso10002_complaints_closed_value = fields.Integer(
        compute="_compute_kpi_iso10002_complaints_closed_value", export_string_translation=False
    )

    kpi_iso10002_complaints_overdue = fields.Boolean(
        "Complaints Overdue", help="Complaints still open past their resolution deadline at the end of the period."
    )
    kpi_iso10002_complaints_overdue_value = fields.Integer(
        compute="_compute_kpi_iso10002_complaints_overdue_value", export_string_translation=False
    )

    def _check_complaint_kpi_access(self):
        # as core digests do: a reader without the right is left out of this KPI
        if not self.env.user.has_group("iso10002_complaints.group_complaint_officer") and not self.env.user.has_group(
            "iso10002_complaints.group_complaint_auditor"
        ):
            raise AccessError(self.env._("Do not have access, skip this data for user's digest email"))

    def _compute_kpi_iso10002_complaints_received_value(self):
        self._check_complaint_kpi_access()
        self._calculate_company_based_kpi(
            "iso10002.complaint", "kpi_iso10002_complaints_received_value", date_field="received_date"
        )

    def _compute_kpi_iso10002_complaints_closed_value(self):
        self._check_complaint_kpi_access()
        self._calculate_company_based_kpi(
            "iso10002.complaint",
            "kpi_iso10002_complaints_closed_value",
            date_field="closed_date",
            additional_domain=[("step", "=", "closed")],
        )

    def _compute_kpi_iso10002_complaints_overdue_value(self):
        self._check_complaint_kpi_access()
        _start, end, companies = self._get_kpi_compute_parameters()
        self.kpi_iso10002_complaints_overdue_value = self.env["iso10002.complaint"].search_count(
            [
                ("company_id", "in", companies.ids),
                ("is_open", "=", True),
                ("resolution_deadline", "<", end),
                ("communication_date", "=", False),
            ]
        )

    def _compute_kpis_actions(self, company, user):
        res = super()._compute_kpis_actions(company, user)
        menu = self.env.ref("iso10002_complaints.menu_root", raise_if_not_found=False)
        action = "iso10002_complaints.iso10002_complaint_action"
        res["kpi_iso10002_complaints_received"] = f"{action}?menu_id={menu.id}" if menu else action
        res["kpi_iso10002_complaints_closed"] = res["kpi_iso10002_complaints_received"]
        res["kpi_iso10002_complaints_overdue"] = res["kpi_iso10002_complaints_received"]
        return res
