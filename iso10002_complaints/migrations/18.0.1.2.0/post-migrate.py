from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """18.0.1.2.0: the sequence and default SLA policy are made with each company (data
    calls res.company._create_missing_complaint_setup); the "pattern" sequence they were
    copied from on first use is gone."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    pattern = env.ref("iso10002_complaints.seq_iso10002_complaint", raise_if_not_found=False)
    if pattern:
        pattern.unlink()
