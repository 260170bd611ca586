import hashlib
import hmac
import logging
import unicodedata
from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize

from ..tools.trust import one

_logger = logging.getLogger(__name__)

CLASSIFICATIONS = [("one_off", "One-off"), ("recurring", "Recurring"), ("systemic", "Systemic")]
# what the similar-complaints lookup reads of each candidate, and how much each likeness
# counts: the text (pg_trgm similarity, 0 to 1), the same commercial entity, a shared
# product, the same category
SUMMARY_CHARS = 240
SCORE_TEXT, SCORE_PARTNER, SCORE_PRODUCT, SCORE_CATEGORY = 0.6, 0.25, 0.1, 0.05
SIMILAR_SHOWN = 10
# the complaints of the same commercial entity, product or category received closest in
# time, and the most alike texts, considered
SAME_CANDIDATES, TEXT_CANDIDATES = 200, 50
# the complaints received closest in time (half before, half after) whose text is compared:
# the whole window in a register of up to this many complaints in it, a bounded cost in a
# larger one (pg_trgm's indexes find near texts no faster than this among 100,000 complaints
# of everyday words: their signatures fill up and their posting lists are long)
TEXT_NEIGHBOURS = 1000
# the likeness of text (pg_trgm similarity) that makes a complaint similar by itself by
# default (the company's complaint_similar_threshold); within the same category, half of it
TEXT_ALIKE = 0.3
# the suggested classification (ISO 10002 8.2): among the complaints received within the
# company's window around a complaint, those alike (a text alike, or the same category and
# half the likeness), this one included: this many are a recurring problem; this many, from
# this many complainants at least, a systemic one (no longer one person's problem)
RECURRING_AT = 3
SYSTEMIC_AT, SYSTEMIC_COMPLAINANTS = 5, 3
CLASSIFICATION_RANK = {"one_off": 0, "recurring": 1, "systemic": 2}


def normalise_phone(number, country_code=None):
    """A phone number as digits with its country code, however it was spelled: spaces,
    dots, dashes, brackets, Persian or Arabic digits, an international "+98" or "0098",
    or a national "0" prefix (the country's code ``country_code`` then; without one, the
    national number alone: "0912..." and "+98912..." are then told apart). False for
    a number of fewer than 4 digits."""
    if not number:
        return False
    text = number.strip()
    digits = "".join(str(unicodedata.digit(char)) for char in text if char.isdigit())
    if len(digits) < 4:
        return False
    if text.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    national = digits[1:] if digits.startswith("0") else digits
    return f"{country_code or ''}{national}"


class Iso10002Complaint(models.Model):
    """Analysis of complaints (ISO 10002 8.2): one-off, recurring or systemic; similar
    complaints found on arrival; repeats counted by commercial entity."""

    _inherit = "iso10002.complaint"

    classification = fields.Selection(
        CLASSIFICATIONS,
        compute="_compute_classification",
        store=True,
        readonly=False,
        tracking=True,
        groups="base.group_user",
        help="One-off: an isolated case. Recurring: the same problem came back (linked complaints). "
        "Systemic: it comes from how things are done and needs a corrective action.",
    )
    complainant_key = fields.Char(
        compute="_compute_complainant_key",
        store=True,
        readonly=True,
        index=True,
        groups="base.group_user",
        help="Who complained, as a pseudonym that counts repeats and outlives anonymisation: a company's "
        "contact by the company, a person by their e-mail address, else their phone, else their contact.",
    )
    summary_text = fields.Char(
        compute="_compute_summary_text",
        store=True,
        readonly=True,
        groups="base.group_user",
        help="The start of the subject and description, compared by the similar-complaints lookup.",
    )
    related_complaint_ids = fields.Many2many(
        "iso10002.complaint",
        "iso10002_complaint_related_rel",
        "complaint_id",
        "related_id",
        string="Repeats",
        groups="base.group_user",
        tracking=True,
        check_company=True,
        help="Earlier complaints this complaint repeats.",
    )
    repeated_by_ids = fields.Many2many(
        "iso10002.complaint",
        "iso10002_complaint_related_rel",
        "related_id",
        "complaint_id",
        readonly=True,
        groups="base.group_user",
    )
    similar_complaint_ids = fields.Many2many(
        "iso10002.complaint", compute="_compute_similar_complaint_ids", groups="base.group_user", string="Similar"
    )
    similar_count = fields.Integer(compute="_compute_similar_complaint_ids", groups="base.group_user")
    suggested_classification = fields.Selection(
        CLASSIFICATIONS,
        compute="_compute_suggested_classification",
        groups="base.group_user",
        help="What the complaints alike received around this one suggest, when it is more than the classification: "
        f"{RECURRING_AT} alike (this one included) within the company's similar-complaints window are recurring; "
        f"{SYSTEMIC_AT} alike from {SYSTEMIC_COMPLAINANTS} complainants or more, systemic.",
    )
    alike_count = fields.Integer(
        compute="_compute_suggested_classification",
        groups="base.group_user",
        help="Complaints alike received within the company's window, this one included.",
    )

    @api.depends("related_complaint_ids")
    def _compute_classification(self):
        for complaint in self:
            if complaint.classification == "systemic":
                continue
            complaint.classification = "recurring" if complaint.related_complaint_ids else "one_off"

    @api.depends(
        "partner_id.commercial_partner_id",
        "partner_id.is_company",
        "partner_id.email",
        "partner_id.phone",
        "partner_id.mobile",
        "partner_id.country_id",
        "email_from",
        "company_id",
    )
    def _compute_complainant_key(self):
        for complaint in self:
            identity = complaint._complainant_identity()
            if identity:
                complaint.complainant_key = self._complainant_pseudonym(identity)
            elif not complaint.anonymised_date:
                complaint.complainant_key = False

    def _complainant_identity(self):
        """Who complained, as the repeat rate tells one complainant from another (ISO 10002
        8.2): a company's contact complains for the company (its commercial entity); a
        person, by their e-mail address (normalised: case, spaces), else their phone
        (normalise_phone), else their contact. The same visitor filing twice from the
        public form (two contacts) is one complainant. False without a complainant."""
        self.ensure_one()
        return self._complainant_identity_of(self.partner_id, self.email_from, self.company_id)

    @api.model
    def _complainant_identity_of(self, partner, email_from=False, company=None):
        """The identity of a complainant (_complainant_identity) from their contact."""
        entity = partner.commercial_partner_id
        if entity and (entity != partner or entity.is_company):
            return f"{entity.id}"
        email = email_normalize(partner.email or "") or email_normalize(email_from or "")
        if email:
            return f"email:{email}"
        country = partner.country_id or (company or self.env.company).country_id
        phone = normalise_phone(partner.phone or partner.mobile, country.phone_code)
        if phone:
            return f"phone:{phone}"
        return f"{entity.id}" if entity else False

    @api.model
    def _complainant_pseudonym(self, identity):
        """The key of a complainant: a keyed hash of their identity (the database's secret),
        never the address or number itself; the keys of commercial entities are those of
        18.0.1.5.0 (the keys anonymised complaints keep)."""
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret", "").encode()
        message = f"iso10002-complainant:{identity}".encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()[:24]

    @api.depends("subject", "description")
    def _compute_summary_text(self):
        for complaint in self:
            text = " ".join(filter(None, [complaint.subject, tools.html2plaintext(complaint.description or "")]))
            complaint.summary_text = " ".join(text.split())[:SUMMARY_CHARS] or False

    def _compute_similar_complaint_ids(self):
        for complaint in self:
            similar = complaint._similar_complaints() if complaint.id else self.browse()
            complaint.similar_complaint_ids = similar
            complaint.similar_count = len(similar)

    def _compute_suggested_classification(self):
        for complaint in self:
            alike = complaint._alike_complaints() if complaint.id else self.browse()
            cluster = alike | complaint._origin
            complainants = len({alike.complainant_key or alike.id for alike in cluster})
            suggestion = False
            if len(cluster) >= SYSTEMIC_AT and complainants >= SYSTEMIC_COMPLAINANTS:
                suggestion = "systemic"
            elif len(cluster) >= RECURRING_AT:
                suggestion = "recurring"
            rank = CLASSIFICATION_RANK.get(complaint.classification or "one_off", 0)
            complaint.alike_count = len(cluster) if alike else 0
            complaint.suggested_classification = (
                suggestion if suggestion and CLASSIFICATION_RANK[suggestion] > rank else False
            )

    def init(self):
        super().init()
        cr = self.env.cr
        if not self.env.registry.has_trigram:
            try:
                with cr.savepoint():
                    cr.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except Exception:
                _logger.warning(
                    "PostgreSQL's pg_trgm extension is missing and could not be created: similar complaints are "
                    "found by complainant, product and category only. Run CREATE EXTENSION pg_trgm as a superuser."
                )
                return
            self.env.registry.has_trigram = True

    def _similar_complaints(self, limit=SIMILAR_SHOWN):
        """Complaints alike (_similar_scored): the same commercial entity, a shared
        product, a text alike, or the same category and half the likeness of text; best
        first, and only those the user may read."""
        threshold = self._similar_threshold()
        ids = [
            cid
            for cid, text_score, same_partner, same_product, same_category in self._similar_scored(limit * 5)
            if same_partner
            or same_product
            or text_score >= threshold
            or (same_category and text_score >= threshold / 2)
        ]
        return self.browse(ids)._filtered_access("read")[:limit]

    def _alike_complaints(self, limit=SIMILAR_SHOWN * 5):
        """The complaints about the same problem as this one: a text alike, or the same
        category and half the likeness (not the same complainant or product alone), those
        the user may read."""
        threshold = self._similar_threshold()
        ids = [
            cid
            for cid, text_score, _same_partner, _same_product, same_category in self._similar_scored(limit)
            if text_score >= threshold or (same_category and text_score >= threshold / 2)
        ]
        return self.browse(ids)._filtered_access("read")

    def _similar_threshold(self):
        return self.company_id.complaint_similar_threshold or TEXT_ALIKE

    def _similar_scored(self, limit):
        """Complaints of the same company received within the company's window before or
        after this one, and how they look alike: [(id, likeness of text, same commercial
        entity, shared product, same category)], best first, at most ``limit``; each kind
        among the complaints received closest in time (SAME_CANDIDATES, TEXT_NEIGHBOURS)."""
        self.ensure_one()
        days = self.company_id.complaint_similar_days or 0
        if not self.received_date or days <= 0:
            return []
        # what the query reads: the complaints and their products, nothing else
        self.flush_model(["company_id", "received_date", "summary_text", "complainant_key", "category_id"])
        self.env["product.product"].flush_model()
        self.flush_model(["product_ids"])
        since, until = self.received_date - timedelta(days=days), self.received_date + timedelta(days=days)
        products = self.product_ids.ids or [0]
        text = self.summary_text or ""
        trigram = bool(text) and self.env.registry.has_trigram
        similarity = SQL("similarity(c.summary_text, %s)", text) if trigram else SQL("0.0")
        window = SQL(
            "c.company_id = %s AND c.id != %s AND c.received_date BETWEEN %s AND %s",
            self.company_id.id,
            self.id,
            since,
            until,
        )
        field = self._fields["product_ids"]
        relation = SQL.identifier(field.relation)
        own, product = SQL.identifier(field.column1), SQL.identifier(field.column2)

        def closest(condition, count, source=None):
            """The ``count`` complaints of the window meeting ``condition`` received closest
            in time to this one (half before, half after): every likeness is looked for at
            a bounded cost, however many complaints share it."""
            before, after = (
                SQL(
                    "SELECT c.id, c.summary_text FROM %s WHERE %s AND %s AND c.received_date %s %s "
                    "ORDER BY c.received_date %s LIMIT %s",
                    source or SQL("iso10002_complaint c"),
                    window,
                    condition,
                    SQL(side),
                    self.received_date,
                    SQL(order),
                    count // 2,
                )
                for side, order in (("<=", "DESC"), (">", "ASC"))
            )
            return SQL("(%s) UNION ALL (%s)", before, after)

        branches = []
        if self.product_ids:
            source = SQL("%s p JOIN iso10002_complaint c ON c.id = p.%s", relation, own)
            branches.append(closest(SQL("p.%s = ANY(%s)", product, products), SAME_CANDIDATES, source))
        if self.complainant_key:
            branches.append(closest(SQL("c.complainant_key = %s", self.complainant_key), SAME_CANDIDATES))
        if self.category_id:
            branches.append(closest(SQL("c.category_id = %s", self.category_id.id), SAME_CANDIDATES))
        candidates = [SQL("SELECT id FROM (%s) AS branch", branch) for branch in branches]
        if trigram:
            text_score = SQL("similarity(neighbour.summary_text, %s)", text)
            candidates.append(
                SQL(
                    "(SELECT id FROM (%s) AS neighbour WHERE %s >= %s ORDER BY %s DESC LIMIT %s)",
                    closest(SQL("c.summary_text IS NOT NULL"), TEXT_NEIGHBOURS),
                    text_score,
                    self._similar_threshold(),
                    text_score,
                    TEXT_CANDIDATES,
                )
            )
        if not candidates:
            return []
        query = SQL(
            """SELECT id, %(text)s * text_score + %(partner)s * same_partner::int + %(product)s * same_product::int
                          + %(category)s * same_category::int AS score,
                      text_score, same_partner, same_product, same_category
                 FROM (SELECT c.id, c.received_date,
                              %(similarity)s AS text_score,
                              COALESCE(c.complainant_key = %(key)s, FALSE) AS same_partner,
                              EXISTS(SELECT 1 FROM %(relation)s p
                                      WHERE p.%(own)s = c.id AND p.%(product_column)s = ANY(%(products)s))
                                  AS same_product,
                              COALESCE(c.category_id = %(category_id)s, FALSE) AS same_category
                         FROM iso10002_complaint c
                        WHERE c.id IN (%(candidates)s)) AS alike
             ORDER BY score DESC, received_date DESC
                LIMIT %(limit)s""",
            text=SCORE_TEXT,
            similarity=similarity,
            partner=SCORE_PARTNER,
            key=self.complainant_key or None,
            product=SCORE_PRODUCT,
            products=products,
            relation=relation,
            own=own,
            product_column=product,
            category=SCORE_CATEGORY,
            category_id=self.category_id.id or None,
            candidates=SQL(" UNION ").join(candidates),
            limit=limit,
        )
        return [(cid, *flags) for cid, _score, *flags in self.env.execute_query(query)]

    def _check_client_values(self, vals, creating=False):
        result = super()._check_client_values(vals, creating=creating)
        if vals.get("related_complaint_ids"):
            # only complaints the user may read are linked (the ORM checks the company only)
            linked = self.new({"related_complaint_ids": vals["related_complaint_ids"]}).related_complaint_ids
            linked._origin.check_access("read")
        return result

    def action_view_similar(self):
        one(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("iso10002_complaints.iso10002_complaint_action")
        title = self.env._("Similar to %s", self.name)
        action.update(
            domain=[("id", "in", self.similar_complaint_ids.ids)],
            context={"active_test": False},
            name=title,
            display_name=title,  # what the breadcrumb shows
            # a list first: the similar complaints side by side
            views=sorted(action["views"], key=lambda view: view[1] != "list"),
        )
        return action

    def action_apply_suggested_classification(self):
        """Classify the complaint as its alike complaints suggest (an officer's decision)."""
        one(self)
        suggestion = self.suggested_classification
        if not suggestion:
            raise UserError(self.env._("Nothing to suggest: the complaints alike do not make it more than it is."))
        self.write({"classification": suggestion})
        return True

    def action_link_related(self):
        """Link this complaint (a similar one, in the list of the complaint being handled)
        as an earlier complaint that the one being handled repeats."""
        one(self)
        target_id = self.env.context.get("link_complaint_id")
        target = self.browse(target_id).exists() if type(target_id) is int else self.browse()
        if not target or target == self:
            raise UserError(self.env._("Open the complaint to link it from."))
        target.check_access("write")
        self.check_access("read")
        target.write({"related_complaint_ids": [fields.Command.link(self.id)]})
        return True

    def action_create_corrective_action(self):
        """One click, from a complaint's form or from several selected in the list: a
        corrective action linked to them (ISO 10002 8.7)."""
        if not self:
            raise UserError(self.env._("Select the complaints the action answers."))
        if len(self.company_id) > 1:
            raise UserError(
                self.env._("A corrective action answers complaints of one company: select them by company.")
            )
        self.check_access("write")
        # named by references and category, never by what the complainant wrote: the
        # action is read by officers of other teams and outlives anonymisation
        categories = self.category_id
        about = categories.display_name if len(categories) == 1 else self.env._("Corrective action")
        if len(self) == 1:
            name = self.env._("%(reference)s: %(about)s", reference=self.name, about=about)
        else:
            name = self.env._("%(count)s complaints: %(about)s", count=len(self), about=about)
        causes = self.root_cause_id
        return self.env["iso10002.corrective.action"]._create_from(
            name[:200],
            self.company_id,
            complaint_ids=[fields.Command.set(self.ids)],
            root_cause_id=causes.id if len(causes) == 1 else False,
        )
