from html import escape

import lxml.html
from markupsafe import Markup
from num2words import num2words

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_round

from odoo.addons.report_reader_locale.tools import Reader


class Iso10002ReportMixin(models.AbstractModel):
    """What every report of this module does before it renders: refuse the reader the
    report is not for, then give the template its values."""

    _name = "iso10002.report.mixin"
    _description = "Complaints report values"

    @api.model
    def _check_report_access(self, docs):
        """A report action's groups only hide it from menus: a user who calls the report
        by its name is refused here, with an access error rather than a broken page."""
        report = self.env["ir.actions.report"]._get_report_from_name(self._name.removeprefix("report."))
        if report.groups_id and not self.env.su and not (self.env.user.groups_id & report.groups_id):
            raise AccessError(self.env._("You are not allowed to print %s.", report.name))
        docs.check_access("read")
        return report

    @api.model
    def _get_report_values(self, docids, data=None):
        report = self._report_model()
        docs = self.env[report].browse(docids)
        self._check_report_access(docs)
        return {
            "doc_ids": docs.ids,
            "doc_model": report,
            "docs": docs,
            "quiet": self._quiet_headings,
            **self._report_values(docs, data or {}),
        }

    @api.model
    def _quiet_headings(self, html):
        """Written HTML (an e-mail, a response, notes) with its headings as bold blocks.

        wkhtmltopdf makes each heading an outline of the PDF, by which Odoo splits a
        print of several documents into one per record: a heading in a complainant's
        e-mail would make it print the documents twice."""
        if not html:
            return html
        tree = lxml.html.fragment_fromstring(str(html), create_parent="div")
        for heading in tree.iter("h1", "h2", "h3", "h4", "h5", "h6"):
            heading.tag = "div"
            heading.set("class", f"{heading.get('class') or ''} o_iso10002_heading".strip())
        inner = escape(tree.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in tree)
        return Markup(inner)

    @api.model
    def _report_model(self):
        return "iso10002.complaint"

    @api.model
    def _report_values(self, docs, data):
        return {}

    @api.model
    def _reader_lang(self, complaint):
        """The complainant's language, the letters' and amounts' language."""
        return complaint.partner_id.lang or self.env.lang or "en_US"

    @api.model
    def _amount_in_words(self, complaint, decision=None):
        """The compensation (of ``decision``, a version of the complaint's decision, else
        the complaint's own) in words, in the complainant's language, with its currency word.

        ``res.currency.amount_to_text`` joins the parts with base's own phrase, which
        base has not translated to every language (Persian among them); this joins them
        with this module's phrase, translated in its ``i18n``, and takes the currency
        words from the currency in that language.
        """
        lang = self._reader_lang(complaint)
        env = self.with_context(lang=lang).env
        decision = decision or complaint
        currency = decision.currency_id.with_env(env)
        iso = env["res.lang"]._get_data(code=lang).iso_code or "en"
        amount, unit, places = Reader(env, lang=lang, company=complaint.company_id).amount_parts(
            decision.compensation_amount, currency
        )

        def words(number):
            try:
                return num2words(number, lang=iso).title()
            except NotImplementedError:
                return num2words(number, lang="en").title()

        integral, _sep, fraction = f"{float_round(amount, precision_digits=places):.{places}f}".partition(".")
        if not int(fraction or 0):
            return env._("%(integral)s %(unit)s", integral=words(int(integral)), unit=unit)
        return env._(
            "%(integral)s %(unit)s and %(fraction)s %(subunit)s",
            integral=words(int(integral)),
            unit=unit,
            fraction=words(int(fraction)),
            subunit=currency.currency_subunit_label,
        )


class ReportComplaintDossier(models.AbstractModel):
    """The whole file of a complaint: identification, steps, decision, every message."""

    _name = "report.iso10002_complaints.report_complaint_dossier"
    _inherit = "iso10002.report.mixin"
    _description = "Complaint Dossier"

    @api.model
    def _report_values(self, docs, data):
        return {
            "step_trails": self._step_trails(docs),
            "messages": self._messages(docs),
            "amounts_in_words": {doc.id: self._amount_in_words(doc) for doc in docs if doc.compensation_amount},
        }

    @api.model
    def _step_trails(self, docs):
        """Per complaint: when it entered each step, and who moved it there."""
        steps = dict(docs._fields["step"]._description_selection(self.env))
        # read after the access check of the documents; tracking values are not
        # readable by every reader of the complaint, and no tracked field has groups
        trackings = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", docs._name),
                    ("mail_message_id.res_id", "in", docs.ids),
                    ("field_id.name", "=", "stage_id"),
                ],
                order="id",
            )
        )
        stages = (
            self.env["iso10002.complaint.stage"]
            .with_context(active_test=False)
            .browse(trackings.mapped("new_value_integer"))
        )
        stage_steps = {stage.id: stage.step for stage in stages.exists()}
        trails = {
            doc.id: [{"step": steps["received"], "date": doc.received_date, "user": doc.create_uid.name}]
            for doc in docs
        }
        for tracking in trackings:
            message = tracking.mail_message_id
            trails[message.res_id].append(
                {
                    "step": steps.get(stage_steps.get(tracking.new_value_integer), tracking.new_value_char),
                    "date": message.date,
                    "user": message.author_id.name or "",
                }
            )
        return trails

    @api.model
    def _messages(self, docs):
        """Per complaint: every message and tracked change, oldest first, internal notes marked."""
        messages = (
            self.env["mail.message"]
            .sudo()
            .search(
                [("model", "=", docs._name), ("res_id", "in", docs.ids), ("message_type", "!=", "user_notification")],
                order="date, id",
            )
        )
        changes = {value["id"]: value for value in messages.tracking_value_ids._tracking_value_format()}
        kinds = {
            "email": self.env._("E-mail received"),
            "comment": self.env._("Message to the complainant"),
            "change": self.env._("Change"),
            "note": self.env._("Internal note"),
            "notification": self.env._("Notification"),
        }
        rows = {doc.id: [] for doc in docs}
        for message in messages:
            internal = message.is_internal or message.subtype_id.internal
            if message.message_type == "email":
                kind = "email"
            elif message.message_type == "comment" and not internal:
                kind = "comment"
            elif message.tracking_value_ids and not message.body:
                kind = "change"
            else:
                kind = "note" if internal else "notification"
            rows[message.res_id].append(
                {
                    "date": message.date,
                    "author": message.author_id.name or message.email_from or "",
                    "kind": kinds[kind],
                    "internal": internal,
                    "subject": message.subject or "",
                    "body": self._quiet_headings(message.body),
                    "changes": [
                        {
                            "field": value["changedField"],
                            "old": value["oldValue"]["value"] or "",
                            "new": value["newValue"]["value"] or "",
                        }
                        for value in map(changes.get, message.tracking_value_ids.ids)
                    ],
                }
            )
        return rows


class ReportComplaintAcknowledgement(models.AbstractModel):
    """The acknowledgement letter, in its reader's language and direction."""

    _name = "report.iso10002_complaints.report_complaint_acknowledgement"
    _inherit = "iso10002.report.mixin"
    _description = "Complaint Acknowledgement Letter"

    @api.model
    def _report_values(self, docs, data):
        return {"letters": {doc.id: self._letter(doc) for doc in docs}}

    @api.model
    def _letter(self, complaint):
        lang = self._reader_lang(complaint)
        env = self.with_context(lang=lang).env
        today = fields.Date.context_today(complaint)
        return {
            "date": today,
            # the Gregorian date too, where the letter is dated in the Solar Hijri calendar
            "gregorian_date": Reader(env, lang=lang, company=complaint.company_id).gregorian(today),
            # word order differs: Persian puts "Dear" after the name
            "salutation": env._("Dear %s,", complaint.partner_id.name or ""),
            "direction": env["res.lang"]._get_data(code=lang).direction or "ltr",
            "amount_in_words": self._amount_in_words(complaint) if complaint.compensation_amount else "",
            # signed by whoever acknowledged it; before, by whoever prints it to send it
            "signer": complaint.sudo().acknowledged_by_id.name or self.env.user.name,
            # printed so for whoever needs it (4.5)
            "large_print": complaint.sudo().large_print,
            # never a date already past (_promised_decision_deadline)
            "promised": complaint._promised_decision_deadline(),
        }


class ReportComplaintDecision(models.AbstractModel):
    """The decision letter, with the amount in words."""

    _name = "report.iso10002_complaints.report_complaint_decision"
    _inherit = "report.iso10002_complaints.report_complaint_acknowledgement"
    _description = "Complaint Decision Letter"

    @api.model
    def _report_values(self, docs, data):
        undecided = docs.filtered(lambda doc: not doc.decision_date)
        if undecided:
            raise UserError(
                self.env._(
                    "No decision letter for %s: no decision is recorded yet (Response tab, Decide Response).",
                    ", ".join(undecided.mapped("name")),
                )
            )
        values = super()._report_values(docs, data)
        # the decision the letter gives: the one in force (the last communicated), or the
        # one being decided in the Response step (a first one, or a new one after a
        # recourse changed it); signed by whoever decided it
        for doc in docs:
            decision = doc._letter_decision()
            letter = values["letters"][doc.id]
            letter["decision"] = decision.with_context(lang=self._reader_lang(doc))
            letter["signer"] = decision.decided_by_id.name or doc.user_id.name or ""
            letter["amount_in_words"] = self._amount_in_words(doc, decision) if decision.compensation_amount else ""
        # the recourse the letter names: the providers of each complaint's company (7.9)
        Provider = self.env["iso10002.dispute.provider"].sudo()
        values["providers"] = {
            doc.id: Provider.with_context(lang=self._reader_lang(doc)).search(
                ["|", ("company_id", "=", False), ("company_id", "=", doc.company_id.id)]
            )
            for doc in docs
        }
        return values
