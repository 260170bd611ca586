from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """18.0.1.2.0: the sequence and default SLA policy are made with each company (data
    calls res.company._create_missing_complaint_setup); the companies' own targets kept by
    pre-migrate go to the default policies just made; the "pattern" sequence they were
    copied from on first use is gone; sla_deadline is filled for the running complaints."""
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
    # the deadline that runs now, which the SLA engine sets from now on
    cr.execute(
        """
        UPDATE iso10002_complaint
           SET sla_deadline = CASE WHEN sla_target = 'resolution' THEN resolution_deadline ELSE ack_deadline END
         WHERE sla_state IN ('on_track', 'at_risk', 'breached')
           AND sla_paused_since IS NULL
           AND step NOT IN ('closed', 'withdrawn', 'out_of_scope')
        """
    )
    pattern = env.ref("iso10002_complaints.seq_iso10002_complaint", raise_if_not_found=False)
    if pattern:
        pattern.unlink()
