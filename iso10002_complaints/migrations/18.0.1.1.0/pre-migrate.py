"""18.0.1.1.0: records of the module's data that the update must rewrite though they are
``noupdate``: the portal record rule (confidential complaints of colleagues) and, when
nobody edited it, the acknowledgement template (it now promises the SLA deadline)."""

from odoo.tools import SQL

REWRITTEN = ("iso10002_complaint_rule_portal", "mail_template_complaint_acknowledgement")


def migrate(cr, version):
    if not version:
        return
    # the update loads these records again from the module's data files
    cr.execute(
        SQL(
            """UPDATE ir_model_data d SET noupdate = false
                WHERE d.module = 'iso10002_complaints' AND d.name = ANY(%s)
                  AND (d.model != 'mail.template' OR NOT EXISTS (
                        SELECT 1 FROM mail_template t
                         WHERE t.id = d.res_id AND t.write_date > t.create_date + interval '1 minute'))""",
            list(REWRITTEN),
        )
    )
