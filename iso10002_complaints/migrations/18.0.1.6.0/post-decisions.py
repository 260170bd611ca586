from markupsafe import Markup

from odoo import SUPERUSER_ID, api

BATCH = 2000


def migrate(cr, version):
    """18.0.1.6.0: each decision communicated is kept as a version
    (iso10002.complaint.decision). The complaints whose decision was communicated before
    get the decision recorded on them as their first version. Those closed after a review
    or a referral that changed the decision were closed without a new decision (the old
    remedy stayed): their trail says so, for the auditor, and they stay as they closed."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    Complaint = env["iso10002.complaint"].with_context(active_test=False)
    cr.execute(
        """SELECT c.id FROM iso10002_complaint c
            WHERE c.communication_date IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM iso10002_complaint_decision d WHERE d.complaint_id = c.id)
            ORDER BY c.id"""
    )
    ids = [row[0] for row in cr.fetchall()]
    for index in range(0, len(ids), BATCH):
        Complaint.browse(ids[index : index + BATCH])._decision_backfill()
        env.invalidate_all()
    cr.execute(
        """SELECT id FROM iso10002_complaint
            WHERE id = ANY(%s) AND closure_reason = 'rejected' AND complainant_response = 'rejected'
              AND ((recourse_kind = 'review' AND review_outcome = 'changed')
                   OR (recourse_kind = 'referral' AND (referral_result = 'complainant'
                       OR (referral_result = 'settled' AND COALESCE(referral_amount, 0) > 0))))""",
        [ids],
    )
    changed = Complaint.browse([row[0] for row in cr.fetchall()])
    if changed:
        # written once, by the upgrade, in the database's language of record
        note = Markup("<p>%s</p>") % (
            "Upgrade to decision versions: this complaint closed after its recourse changed the decision, without a "
            "new decision being recorded. The decision recorded then is kept as version 1; reopen the complaint to "
            "decide and communicate the changed decision."
        )
        changed._message_log_batch(bodies=dict.fromkeys(changed.ids, note))
