import logging

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression

from ..tools.trust import as_engine
from .iso10002_complaint_authority import MANAGER_GROUP

_logger = logging.getLogger(__name__)

# what anonymisation empties: who complained and how to reach them, and every text that
# may tell it; what the reports count (dates, steps, category, products, SLA results,
# amounts, ratings, answers, recourse) stays
ANONYMISED_VALUES = {
    "partner_id": False,
    "email_from": False,
    "partner_phone": False,
    "partner_street": False,
    "partner_zip": False,
    "partner_city": False,
    "large_print": False,
    "email_cc": False,
    "description": False,
    "remedy_sought": False,
    "order_reference": False,
    "on_behalf_of": False,
    "accessibility_needs": False,
    "immediate_action": False,
    "findings": False,
    "response_text": False,
    "complainant_feedback": False,
    "withdrawal_reason": False,
    "external_outcome": False,
    "person_complained_about_id": False,
    "access_token": False,
}
ANONYMISE_BATCH = 1000


class Iso10002Complaint(models.Model):
    """Retention (ISO 10002 8.1, 4.10): closed complaints are anonymised once the company's
    retention period has passed, unless a manager put them on legal hold; their figures
    stay, so that reviews and audits of past periods give the same numbers."""

    _inherit = "iso10002.complaint"

    legal_hold = fields.Boolean(
        tracking=True,
        groups="base.group_user",
        copy=False,
        help="Kept as it is beyond the retention period (a dispute, a claim, an authority's request).",
    )
    legal_hold_reason = fields.Text(tracking=True, groups="base.group_user", copy=False)
    anonymised_date = fields.Datetime(readonly=True, copy=False, index="btree_not_null", groups="base.group_user")

    @api.model
    def _client_guarded_fields(self):
        return super()._client_guarded_fields() | {"legal_hold", "legal_hold_reason"}

    def _check_client_values(self, vals, creating=False):
        result = super()._check_client_values(vals, creating=creating)
        held = {name: vals[name] for name in ("legal_hold", "legal_hold_reason") if name in vals}
        # a form sends the fields it shows, changed or not: a change is what is refused
        changed = (
            any(held.values())
            if creating
            else any(
                (complaint[name] or False) != (value or False) for complaint in self for name, value in held.items()
            )
        )
        if changed and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a complaints manager puts a complaint on legal hold or releases it."))
        return result

    @api.model
    def _retention_expired_domain(self, company):
        cutoff = fields.Datetime.now() - relativedelta(months=company.complaint_retention_months)
        return [
            ("company_id", "=", company.id),
            ("step", "=", "closed"),
            ("closed_date", "<", cutoff),
            ("anonymised_date", "=", False),
            ("legal_hold", "=", False),
        ]

    @api.model
    def _cron_anonymise(self, limit=ANONYMISE_BATCH):
        """Anonymise the complaints whose retention period has passed, a batch per run."""
        Complaint = self.sudo().with_context(active_test=False)
        done = remaining = 0
        companies = self.env["res.company"].sudo().search([("complaint_retention_months", ">", 0)])
        for company in companies:
            domain = self._retention_expired_domain(company)
            # (a limit of 0 is no limit for the ORM: a full batch searches no more)
            expired = Complaint.search(domain, limit=limit - done, order="closed_date, id") if done < limit else None
            if expired:
                expired._anonymise(
                    reason=self.env._("retention period of %s months", company.complaint_retention_months),
                    rule="retention",
                )
                done += len(expired)
            remaining += Complaint.search_count(domain)
        if done:
            _logger.info("Anonymised %s complaints past their retention period (%s left).", done, remaining)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    def action_anonymise(self):
        """A manager anonymises closed complaints now (an erasure request)."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only a complaints manager anonymises complaints."))
        self.check_access("write")
        self.sudo()._anonymise(
            reason=self.env._("erasure by %s", self.env.user.name), rule="erasure", requested_by=self.env.user
        )
        return True

    def _anonymise(self, reason, rule="erasure", requested_by=None):
        """Empty who complained, their contact data, the free texts, the documents and the
        messages; keep every figure; dispose of the complainant's contact if nothing else
        uses it; log it on the complaint and in the disposal log (``rule``: erasure,
        retention; ``requested_by``: who asked for the erasure). Refused for complaints
        on legal hold and complaints not closed."""
        held = self.filtered("legal_hold")
        if held:
            raise UserError(
                self.env._(
                    "These complaints are on legal hold and are not anonymised: %s", ", ".join(held.mapped("name"))
                )
            )
        not_closed = self.filtered(lambda c: c.step != "closed")
        if not_closed:
            raise UserError(
                self.env._("Only closed complaints are anonymised: %s", ", ".join(not_closed.mapped("name")))
            )
        complaints = self.filtered(lambda c: not c.anonymised_date)
        if not complaints:
            return
        # what the disposal log records, read before it goes
        contacts = {complaint.id: complaint.partner_id for complaint in complaints}
        emptied = {
            complaint.id: [*(name for name in ANONYMISED_VALUES if complaint[name]), "subject", "messages", "documents"]
            for complaint in complaints
        }
        rules = complaints._disposal_rules(rule)
        domain = [("res_model", "=", self._name), ("res_id", "in", complaints.ids)]
        # the ratings are figures: kept, without the rater and their words, and detached from
        # the messages they were posted with (which would take them along)
        self.env["rating.rating"].sudo().search(domain).write(
            {"feedback": False, "partner_id": False, "message_id": False}
        )
        # the trail is sealed (mail_thread_sealed): the process itself empties it
        Message = as_engine(self.env["mail.message"].sudo())
        messages = Message.search([("model", "=", self._name), ("res_id", "in", complaints.ids)])
        as_engine(self.env["ir.attachment"].sudo()).search(
            expression.OR([domain, [("res_model", "=", "mail.message"), ("res_id", "in", messages.ids)]])
        ).unlink()
        messages.unlink()
        self.env["mail.mail"].sudo().search([("model", "=", self._name), ("res_id", "in", complaints.ids)]).unlink()
        self.env["mail.followers"].sudo().search(domain).unlink()
        self.env["mail.activity"].sudo().search(domain).unlink()
        now = fields.Datetime.now()
        engine = as_engine(complaints).with_context(tracking_disable=True, mail_notrack=True)
        engine.write(dict(ANONYMISED_VALUES, subject=self.env._("Anonymised complaint"), anonymised_date=now))
        complaints._anonymise_linked()
        complaints._dispose(contacts, rules, emptied, requested_by)
        # no link made for the complainant opens the complaint or its ratings any more
        complaints._rotate_access_links()
        note = Markup("<p>%s</p>") % self.env._("Anonymised (%s): the figures are kept.", reason)
        complaints.sudo()._message_log_batch(bodies={complaint.id: note for complaint in complaints})

    def _disposal_rules(self, rule):
        """The rule each of these complaints is disposed of under: ``rule``, or for the
        retention period, a legal hold lifted when the complaint was ever put on hold
        (its tracking tells, read before the messages go)."""
        rules = dict.fromkeys(self.ids, rule)
        if rule == "retention":
            field = self.env["ir.model.fields"]._get(self._name, "legal_hold")
            values = (
                self.env["mail.tracking.value"]
                .sudo()
                .search(
                    [
                        ("field_id", "=", field.id),
                        ("mail_message_id.model", "=", self._name),
                        ("mail_message_id.res_id", "in", self.ids),
                    ]
                )
            )
            rules.update(dict.fromkeys(values.mail_message_id.mapped("res_id"), "hold_lifted"))
        return rules

    def _dispose(self, contacts, rules, emptied, requested_by=None):
        """Dispose of the contacts of these complaints, just anonymised (``contacts``:
        {complaint id: partner}), and log it, a row per complaint: under ``rules``
        ({complaint id: rule}), the fields ``emptied`` ({complaint id: names}), on the
        request of ``requested_by`` (an erasure)."""
        disposed = self._dispose_contacts(contacts)
        self.env["iso10002.disposal.log"].sudo().create(
            [
                {
                    "company_id": complaint.company_id.id,
                    "complaint_id": complaint.id,
                    "complaint_name": complaint.name,
                    "rule": rules[complaint.id],
                    "retention_months": complaint.company_id.complaint_retention_months
                    if rules[complaint.id] in ("retention", "hold_lifted")
                    else 0,
                    "requested_by_id": requested_by.id if requested_by else False,
                    "complaint_fields": ", ".join(emptied[complaint.id]) or False,
                    "contact_outcome": disposed[complaint.id][0],
                    "contact_fields": ", ".join(disposed[complaint.id][1]) or False,
                    "contact_kept_because": disposed[complaint.id][2],
                }
                for complaint in self
            ]
        )

    def _dispose_contacts(self, contacts):
        """The complainants' contacts (``contacts``: {complaint id: partner}) of these
        complaints, once emptied: anonymised and archived when nothing else uses them
        (another complaint not anonymised, a user, a company, an order, an invoice...),
        else kept. {complaint id: (outcome, fields emptied, what keeps it)}."""
        Partner = self.env["res.partner"].sudo()
        partners = Partner.union(*contacts.values())
        uses = Partner._iso10002_uses(partners)
        emptied = partners.filtered(lambda partner: partner.id not in uses)._iso10002_anonymise()
        disposed = {}
        for complaint_id, partner in contacts.items():
            if not partner:
                disposed[complaint_id] = ("none", [], False)
            elif partner.id in uses:
                disposed[complaint_id] = ("kept", [], ", ".join(sorted(uses[partner.id])))
            else:
                disposed[complaint_id] = ("anonymised", emptied[partner.id], False)
        return disposed

    def _anonymise_linked(self):
        """Extensions empty what they keep of these complaints elsewhere (the helpdesk
        bridge: the tickets)."""
