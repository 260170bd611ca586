"""18.0.1.1.0: the records rewritten by the update are ``noupdate`` again."""

from odoo.tools import SQL

REWRITTEN = ("iso10002_complaint_rule_portal", "mail_template_complaint_acknowledgement")


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            "UPDATE ir_model_data SET noupdate = true WHERE module = 'iso10002_complaints' AND name = ANY(%s)",
            list(REWRITTEN),
        )
    )
