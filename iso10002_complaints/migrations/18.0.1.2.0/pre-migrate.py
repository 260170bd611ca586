def migrate(cr, version):
    """18.0.1.2.0: a company's default SLA targets live on its default policy. Keep the
    targets of companies that have no default policy yet (they get one during the
    update), for post-migrate to give them to it."""
    cr.execute(
        """
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'res_company' AND column_name = 'complaint_resolution_target_hours'
        """
    )
    if not cr.fetchone():
        return
    cr.execute(
        """
        CREATE TABLE iso10002_migration_targets AS
        SELECT c.id AS company_id,
               c.complaint_ack_target_hours AS ack_hours,
               c.complaint_resolution_target_hours AS resolution_hours
          FROM res_company c
         WHERE NOT EXISTS (
                   SELECT 1 FROM iso10002_sla_policy p
                    WHERE p.company_id = c.id AND p.is_default AND p.active
               )
           AND c.complaint_ack_target_hours > 0
           AND c.complaint_resolution_target_hours > 0
        """
    )
