from odoo import SUPERUSER_ID, api

from odoo.addons.iso10002_complaints.tools.trust import as_engine

OFFICER_GROUP = "iso10002_complaints.group_complaint_officer"


def migrate(cr, version):
    """18.0.1.6.0: every complaint has an owner from receipt (ISO 10002 5.4, 7.3). An open
    complaint recorded without one is given the officer who last acted on it (who decided,
    who assessed it), else its team's assignment rule; the change is tracked on it."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    Complaint = env["iso10002.complaint"].with_context(active_test=False)
    complaints = Complaint.search([("user_id", "=", False), ("is_open", "=", True)], order="id")
    acted = {}
    for complaint in complaints:
        for user in (complaint.decided_by_id, complaint.assessed_by_id):
            if (
                user.active
                and complaint.company_id in user.company_ids
                and user.has_group(OFFICER_GROUP)
                and not complaint._is_about(user)
            ):
                acted.setdefault(user, Complaint)
                acted[user] |= complaint
                break
    for user, owned in acted.items():
        as_engine(owned).write({"user_id": user.id})
    (complaints - Complaint.union(*acted.values()))._assign_owners()
