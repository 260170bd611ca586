from odoo import fields, models
from odoo.exceptions import AccessError

from .iso10002_figure import CATALOGUE


class Digest(models.Model):
    """Complaints in the periodic digest e-mail: received and closed in the period."""

    _inherit = "digest.digest"

    # the catalogue's figures received, closed and overdue_end (iso10002.figure)
    kpi_iso10002_complaints_received = fields.Boolean("Complaints Received", help=CATALOGUE["received"][1]._source)
    kpi_iso10002_complaints_received_value = fields.Integer(
        compute="_compute_kpi_iso10002_complaints_received_value", export_string_translation=False
    )
    kpi_iso10002_complaints_closed = fields.Boolean("Complaints Closed", help=CATALOGUE["closed"][1]._source)
    kpi_iso10002_complaints_closed_value = fields.Integer(
        compute="_compute_kpi_iso10002_complaints_closed_value", export_string_translation=False
    )

    kpi_iso10002_complaints_overdue = fields.Boolean("Complaints Overdue", help=CATALOGUE["overdue_end"][1]._source)
    kpi_iso10002_complaints_overdue_value = fields.Integer(
        compute="_compute_kpi_iso10002_complaints_overdue_value", export_string_translation=False
    )

    def _check_complaint_kpi_access(self):
        # as core digests do: a reader without the right is left out of this KPI
        if not self.env.user.has_group("iso10002_complaints.group_complaint_officer") and not self.env.user.has_group(
            "iso10002_complaints.group_complaint_auditor"
        ):
            raise AccessError(self.env._("Do not have access, skip this data for user's digest email"))

    def _iso10002_figure(self, code, field):
        """A figure of the catalogue (iso10002.figure) over the digest's period, for the
        complaints the reader may read."""
        self._check_complaint_kpi_access()
        start, end, companies = self._get_kpi_compute_parameters()
        start, end = fields.Datetime.to_datetime(start), fields.Datetime.to_datetime(end)
        if not start or not end:  # read outside a digest's period: nothing to count
            self[field] = 0
            return
        values = self.env["iso10002.figure"]._values([code], start, end, companies=companies)
        self[field] = values[code] or 0

    def _compute_kpi_iso10002_complaints_received_value(self):
        self._iso10002_figure("received", "kpi_iso10002_complaints_received_value")

    def _compute_kpi_iso10002_complaints_closed_value(self):
        self._iso10002_figure("closed", "kpi_iso10002_complaints_closed_value")

    def _compute_kpi_iso10002_complaints_overdue_value(self):
        self._iso10002_figure("overdue_end", "kpi_iso10002_complaints_overdue_value")

    def _compute_kpis_actions(self, company, user):
        res = super()._compute_kpis_actions(company, user)
        menu = self.env.ref("iso10002_complaints.menu_root", raise_if_not_found=False)
        action = "iso10002_complaints.iso10002_complaint_action"
        res["kpi_iso10002_complaints_received"] = f"{action}?menu_id={menu.id}" if menu else action
        res["kpi_iso10002_complaints_closed"] = res["kpi_iso10002_complaints_received"]
        res["kpi_iso10002_complaints_overdue"] = res["kpi_iso10002_complaints_received"]
        return res
