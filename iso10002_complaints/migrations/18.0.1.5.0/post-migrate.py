from odoo import SUPERUSER_ID, api

BATCH = 2000


def migrate(cr, version):
    """18.0.1.5.0: the figures are computed from the step history of complaints; the
    complaints recorded before get theirs rebuilt from the tracking of their stage, or
    else from their process dates. A cancelled corrective action gets the day it was
    cancelled (its last change), from which it no longer counts as open."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    Complaint = env["iso10002.complaint"].with_context(active_test=False)
    cr.execute("SELECT id FROM iso10002_complaint WHERE step_history_id IS NULL ORDER BY id")
    ids = [row[0] for row in cr.fetchall()]
    for index in range(0, len(ids), BATCH):
        Complaint.browse(ids[index : index + BATCH])._step_history_rebuild()
        env.invalidate_all()
    cr.execute(
        "UPDATE iso10002_corrective_action SET cancelled_date = write_date::date "
        "WHERE state = 'cancelled' AND cancelled_date IS NULL"
    )
