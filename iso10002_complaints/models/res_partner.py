from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.trust import as_engine, check_domain_access

COMPLAINT_ROLES = "iso10002_complaints.group_complaint_officer,iso10002_complaints.group_complaint_auditor"
COMPLAINT_FIELDS = frozenset(
    {"complaint_ids", "complaint_count", "complaint_needs_assistance", "complaint_assistance_note"}
)
# what the complainant key of complaints (iso10002_complaint_analysis.py) is computed from
KEY_FIELDS = frozenset({"parent_id", "is_company", "email", "phone", "mobile", "country_id"})
# the models whose reference to a contact is no use of it: its own trail, the messages
# and notifications around any record, ratings, and the disposal log
TRAIL_MODELS = frozenset(
    {
        "mail.message",
        "mail.mail",
        "mail.notification",
        "mail.followers",
        "mail.message.reaction",
        "mail.tracking.value",
        "rating.rating",
        "iso10002.disposal.log",
    }
)
# what a contact says of a person beyond its text fields (iso10002_personal_values): its
# place, its title, its tags, its time zone, its needs
PERSONAL_RELATIONS = (
    "title",
    "state_id",
    "country_id",
    "industry_id",
    "category_id",
    "tz",
    "complaint_needs_assistance",
)
# the text fields that are the contact's kind, not the person's
NOT_PERSONAL = frozenset({"name", "type", "lang", "parent_path"})


class ResPartner(models.Model):
    _inherit = "res.partner"

    # who complained is the complaints process's to know, not every employee's or portal user's
    complaint_ids = fields.One2many("iso10002.complaint", "partner_id", string="Complaints", groups=COMPLAINT_ROLES)
    complaint_count = fields.Integer(compute="_compute_complaint_count", groups=COMPLAINT_ROLES)
    # health, disability: for those who handle complaints only (ISO 10002 4.5, 4.10)
    complaint_needs_assistance = fields.Boolean(
        string="Needs Assistance",
        groups=COMPLAINT_ROLES,
        help="The person needs help to complain: accessibility, language, disability (ISO 10002 4.5).",
    )
    complaint_assistance_note = fields.Text(string="Assistance Needed", groups=COMPLAINT_ROLES)

    def write(self, vals):
        """A contact moved to another company, or made one, or whose e-mail or phone
        changed, is another complainant for the repeat rate: the step history of their
        complaints records the new key."""
        result = super().write(vals)
        if KEY_FIELDS & set(vals):
            partners = self.sudo().with_context(active_test=False)
            complaints = (
                self.env["iso10002.complaint"]
                .sudo()
                .with_context(active_test=False)
                .search([("partner_id", "child_of", partners.ids)])
            )
            complaints._step_history_track()
        return result

    @api.model
    def _search(self, domain, *args, **kwargs):
        # the complaint fields of a contact are searched only by those who may read them
        check_domain_access(self, domain, names=COMPLAINT_FIELDS)
        return super()._search(domain, *args, **kwargs)

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_complaint_count(self):
        """Complaints of the partner and of its contacts, as the user may see them."""
        all_partners = self.with_context(active_test=False).search_fetch([("id", "child_of", self.ids)], ["parent_id"])
        groups = self.env["iso10002.complaint"]._read_group(
            [("partner_id", "in", all_partners.ids)], ["partner_id"], ["__count"]
        )
        self.complaint_count = 0
        for complainant, count in groups:
            partner = complainant
            while partner:
                if partner in self:
                    partner.complaint_count += count
                partner = partner.parent_id

    def action_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("iso10002_complaints.iso10002_complaint_action")
        action["domain"] = [("partner_id", "child_of", self.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_filter_open": 0}
        return action

    # ------------------------------------------------------------ disposal (8.1, 4.10)
    @api.model
    def _iso10002_uses(self, partners):
        """What else refers to each of ``partners``: {partner id: the descriptions of the
        models}. Every stored many2one and many2many to res.partner of every model with a
        table, read in SQL as base.partner.merge does (archived records refer too); not
        the trail (TRAIL_MODELS), nor a contact's reference to itself (its commercial
        partner); documents attached to the contact are a use."""
        uses = defaultdict(set)
        if not partners:
            return uses
        self.env.flush_all()
        ids = partners.ids
        read = set()
        for model in self.env.registry.values():
            if model._abstract or model._transient or not model._auto or model._name in TRAIL_MODELS:
                continue
            for field in model._fields.values():
                # (a company-dependent one is a jsonb of values per company: the default
                # properties, not a record's own reference)
                if field.comodel_name != self._name or not field.store or field.company_dependent:
                    continue
                if field.type == "many2one":
                    table, column = model._table, field.name
                    condition = SQL("%s = ANY(%s)", SQL.identifier(column), ids)
                    if model._name == self._name:
                        condition = SQL("%s AND %s != id", condition, SQL.identifier(column))
                elif field.type == "many2many":
                    table, column = field.relation, field.column2
                    condition = SQL("%s = ANY(%s)", SQL.identifier(column), ids)
                else:
                    continue
                if (table, column) in read:
                    continue
                read.add((table, column))
                query = SQL(
                    "SELECT DISTINCT %s FROM %s WHERE %s", SQL.identifier(column), SQL.identifier(table), condition
                )
                for [partner_id] in self.env.execute_query(query):
                    uses[partner_id].add(model._description)
        documents = SQL(
            "SELECT DISTINCT res_id FROM ir_attachment WHERE res_model = %s AND res_field IS NULL AND res_id = ANY(%s)",
            self._name,
            ids,
        )
        for [partner_id] in self.env.execute_query(documents):
            uses[partner_id].add(self.env["ir.attachment"]._description)
        return uses

    def _iso10002_personal_values(self):
        """The values that empty what this contact says of a person: every stored text,
        date or picture a person or an extension may fill in (not the computed ones:
        they follow), its place, title, tags, time zone and needs; the name becomes a
        placeholder. Only the fields that hold something."""
        self.ensure_one()
        names = [
            name
            for name, field in self._fields.items()
            if field.store
            and not field.related
            and not (field.compute and field.readonly)
            and name not in models.MAGIC_COLUMNS
            and name not in NOT_PERSONAL
            and field.type in ("char", "text", "html", "binary", "date", "datetime")
        ]
        names += [name for name in PERSONAL_RELATIONS if name in self._fields]
        values = {name: False for name in names if self[name]}
        if self.name:
            values["name"] = self.env._("Anonymised contact")
        return values

    def _iso10002_anonymise(self):
        """Empty these contacts (none used elsewhere: the caller checked) and archive
        them, their own messages and documents with them; {partner id: the fields
        emptied}."""
        emptied = {}
        contacts = as_engine(self.sudo().with_context(active_test=False)).with_context(
            tracking_disable=True, mail_notrack=True
        )
        domain = [("model", "=", self._name), ("res_id", "in", contacts.ids)]
        messages = self.env["mail.message"].sudo().search(domain)
        Attachment = self.env["ir.attachment"].sudo()
        Attachment.search([("res_model", "=", "mail.message"), ("res_id", "in", messages.ids)]).unlink()
        Attachment.search([("res_model", "=", self._name), ("res_id", "in", contacts.ids)]).unlink()
        messages.unlink()
        self.env["mail.followers"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", contacts.ids)]
        ).unlink()
        self.env["mail.activity"].sudo().search(
            [("res_model", "=", self._name), ("res_id", "in", contacts.ids)]
        ).unlink()
        for contact in contacts:
            values = contact._iso10002_personal_values()
            emptied[contact.id] = sorted(values)
            contact.write(dict(values, active=False))
        return emptied
