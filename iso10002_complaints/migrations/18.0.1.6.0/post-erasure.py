from odoo import SUPERUSER_ID, api

from odoo.addons.iso10002_complaints.models.iso10002_complaint_retention import ANONYMISED_VALUES
from odoo.addons.iso10002_complaints.tools.trust import as_engine

BATCH = 2000


def migrate(cr, version):
    """18.0.1.6.0: an anonymisation disposes of the complainant's contact too, and logs it
    (iso10002.disposal.log); the complainant key is a person's e-mail or phone, no longer
    their contact.

    1. The complaints anonymised before: their contact was emptied from them, but their
       key (a hash of the commercial entity's id) still tells which contact it was. Each
       such contact gets the key of what it is now known by (its e-mail...) on those
       complaints, then is anonymised and archived under the same rule as today's (kept
       when something else uses it); a row of the disposal log for each complaint, under
       the rule "anonymised before the log existed".
    2. The complaints not anonymised get their key by the new definition (a row of their
       step history from now on: the periods closed keep their figures)."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    Complaint = env["iso10002.complaint"].with_context(active_test=False)
    logged = env["iso10002.disposal.log"].search([]).complaint_id
    anonymised = Complaint.search([("anonymised_date", "!=", False)]) - logged
    if anonymised:
        keys = set(anonymised.mapped("complainant_key"))
        cr.execute("SELECT id FROM res_partner WHERE commercial_partner_id = id")
        by_key = {}
        for [partner_id] in cr.fetchall():
            key = Complaint._complainant_pseudonym(f"{partner_id}")
            if key in keys:
                by_key[key] = partner_id
        Partner = env["res.partner"].with_context(active_test=False)
        contacts = {complaint.id: Partner.browse(by_key.get(complaint.complainant_key)) for complaint in anonymised}
        # the key each contact is known by today, on the complaints anonymised
        for complaint in anonymised:
            contact = contacts[complaint.id]
            if contact:
                identity = Complaint._complainant_identity_of(contact, False, complaint.company_id)
                key = Complaint._complainant_pseudonym(identity)
                if key != complaint.complainant_key:
                    as_engine(complaint).write({"complainant_key": key})
        emptied = {complaint.id: [*ANONYMISED_VALUES, "subject", "messages", "documents"] for complaint in anonymised}
        anonymised._dispose(contacts, dict.fromkeys(anonymised.ids, "upgrade"), emptied)
        env.invalidate_all()
    cr.execute("SELECT id FROM iso10002_complaint WHERE anonymised_date IS NULL ORDER BY id")
    ids = [row[0] for row in cr.fetchall()]
    field = Complaint._fields["complainant_key"]
    for index in range(0, len(ids), BATCH):
        complaints = Complaint.browse(ids[index : index + BATCH])
        env.add_to_compute(field, complaints)
        complaints.flush_recordset(["complainant_key"])
        complaints._step_history_track()
        env.invalidate_all()
