from collections import defaultdict

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools.misc import file_path

REWRITTEN_RULES = (
    "rating_rating_rule_complaint_roles",
    "mail_followers_rule_complaint_roles",
    "iso10002_corrective_action_rule_officer",
)


def migrate(cr, version):
    """18.0.1.4.0:
    - complaint references come from a PostgreSQL sequence, which concurrent intakes do
      not wait for (the no-gap sequence locked its row until each intake committed); the
      next number is kept;
    - the links made for a complainant who was later corrected stop opening the
      complaint (its token, the earlier complainants' rating links), and the earlier
      complainants stop following it; found from the tracking of the complainant;
    - the followers and ratings of a complaint are read by the complaint roles with the
      complaint only, and an officer reads the corrective actions of the complaints they
      may read (not those of a colleague's confidential complaint)."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    # the rules are noupdate: these take their domain from the module's file again
    security = etree.parse(file_path("iso10002_complaints/security/iso10002_complaints_security.xml"))
    for xmlid in REWRITTEN_RULES:
        rule = env.ref(f"iso10002_complaints.{xmlid}", raise_if_not_found=False)
        domain = security.find(f".//record[@id='{xmlid}']/field[@name='domain_force']")
        if rule and domain is not None:
            rule.domain_force = domain.text
    env["ir.sequence"].with_context(active_test=False).search(
        [("code", "=", "iso10002.complaint"), ("implementation", "=", "no_gap")]
    ).write({"implementation": "standard"})
    # complaints deleted before: their reference was left in the SLA history, not who
    # deleted them nor when; a Deleted event says so, so that they are no gap
    cr.execute(
        """
        INSERT INTO iso10002_sla_event (complaint_name, company_id, date, kind, note,
                                        create_uid, create_date, write_uid, write_date)
        SELECT event.complaint_name, event.company_id, max(event.date), 'deleted',
               'Deleted before 18.0.1.4.0: who deleted it and when were not recorded.',
               %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
          FROM iso10002_sla_event event
         WHERE event.complaint_id IS NULL AND event.complaint_name IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM iso10002_complaint c
                            WHERE c.name = event.complaint_name AND c.company_id = event.company_id)
         GROUP BY event.complaint_name, event.company_id
        HAVING bool_and(event.kind != 'deleted')
        """,
        {"uid": SUPERUSER_ID},
    )
    cr.execute(
        """
        SELECT message.res_id, value.old_value_integer
          FROM mail_tracking_value value
          JOIN mail_message message ON message.id = value.mail_message_id
          JOIN ir_model_fields field ON field.id = value.field_id
         WHERE message.model = 'iso10002.complaint'
           AND field.model = 'iso10002.complaint' AND field.name = 'partner_id'
           AND COALESCE(value.old_value_integer, 0) != 0
        """
    )
    previous = defaultdict(set)
    for complaint_id, partner_id in cr.fetchall():
        previous[complaint_id].add(partner_id)
    complaints = env["iso10002.complaint"].with_context(active_test=False).browse(list(previous)).exists()
    Partner = env["res.partner"].with_context(active_test=False)
    complaints._on_complainant_change(
        {complaint: Partner.browse(previous[complaint.id]).exists() for complaint in complaints}
    )
