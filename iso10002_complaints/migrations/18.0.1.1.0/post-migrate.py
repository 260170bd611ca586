"""18.0.1.1.0: a portal colleague no longer sees another contact's confidential complaint.

The record rule is ``noupdate`` (a company may have adapted it), so the update does not
rewrite it from the data file: the new domain is written here, once."""

from odoo import SUPERUSER_ID, api

PORTAL_RULE_DOMAIN = """[
    ('partner_id', 'child_of', [user.commercial_partner_id.id]),
    '|', ('is_confidential', '=', False), ('partner_id', '=', user.partner_id.id),
]"""


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref("iso10002_complaints.iso10002_complaint_rule_portal", raise_if_not_found=False)
    if rule and "is_confidential" not in (rule.domain_force or ""):
        rule.domain_force = PORTAL_RULE_DOMAIN
