from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.trust import client_safe

DISPOSAL_RULES = [
    ("erasure", "Erasure request"),
    ("retention", "Retention period"),
    ("hold_lifted", "Retention period, legal hold lifted"),
    ("upgrade", "Anonymised before the log existed"),
]
CONTACT_OUTCOMES = [
    ("anonymised", "Anonymised and archived"),
    ("kept", "Kept: used elsewhere"),
    ("none", "No contact"),
]


class Iso10002DisposalLog(models.Model):
    """What the retention of complaints disposed of (ISO 10002 8.1, 4.10): one row per
    anonymised complaint, with the rule that disposed of it (an erasure request and by
    whom, the retention period, a legal hold lifted), the fields emptied, and what became
    of the complainant's contact. Written by the process only, never changed nor deleted:
    an auditor samples it to check that personal data went when it had to, and no
    further. It names no person: the complaint's reference and the field names only (a
    contact kept is not named, or the log would tell who the anonymised complaint was from)."""

    _name = "iso10002.disposal.log"
    _description = "Complaint Disposal Log"
    _order = "date desc, id desc"
    _rec_name = "complaint_name"

    date = fields.Datetime(required=True, readonly=True, index=True, default=fields.Datetime.now)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    # the log outlives whatever happens to the complaint
    complaint_id = fields.Many2one("iso10002.complaint", readonly=True, index=True, ondelete="set null")
    complaint_name = fields.Char(string="Complaint Reference", required=True, readonly=True)
    rule = fields.Selection(DISPOSAL_RULES, required=True, readonly=True)
    retention_months = fields.Integer(
        readonly=True, aggregator=None, help="The company's retention period the rule applied (retention rules)."
    )
    requested_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        ondelete="restrict",
        help="The manager who anonymised the complaint on an erasure request.",
    )
    complaint_fields = fields.Text(string="Complaint Fields Emptied", readonly=True)
    contact_outcome = fields.Selection(CONTACT_OUTCOMES, string="Contact", required=True, readonly=True)
    contact_fields = fields.Text(string="Contact Fields Emptied", readonly=True)
    contact_kept_because = fields.Char(
        readonly=True,
        help="What else refers to the contact: the kinds of record (never which ones).",
    )

    @api.model_create_multi
    def create(self, vals_list):
        self.browse().check_access("create")  # only the process (as superuser) writes it
        return super().create(vals_list)

    def write(self, vals):
        self.check_access("write")  # a client is refused as one, whatever it writes
        if vals:
            raise UserError(self.env._("The disposal log cannot be changed."))
        return super().write(vals)

    def unlink(self):
        # no client switch (the uninstall flag) skips the guard below
        return super(Iso10002DisposalLog, client_safe(self)).unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The disposal log cannot be deleted."))
