from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """18.0.1.2.0: the sequence and default SLA policy are made with each company (data
    calls res.company._create_missing_complaint_setup); the companies' own targets kept by
    pre-migrate go to the default policies just made; the "pattern" sequence they were
    copied from on first use is gone."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute("SELECT to_regclass('iso10002_migration_targets')")
    if cr.fetchone()[0]:
        cr.execute("SELECT company_id, ack_hours, resolution_hours FROM iso10002_migration_targets")
        for company_id, ack_hours, resolution_hours in cr.fetchall():
            company = env["res.company"].browse(company_id)
            company.complaint_sla_policy_id.write(
                {"ack_target_hours": ack_hours, "resolution_target_hours": resolution_hours}
            )
        cr.execute("DROP TABLE iso10002_migration_targets")
    pattern = env.ref("iso10002_complaints.seq_iso10002_complaint", raise_if_not_found=False)
    if pattern:
        pattern.unlink()
