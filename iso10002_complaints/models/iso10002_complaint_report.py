from num2words import num2words

from odoo import _, models


class Iso10002Complaint(models.Model):
    _inherit = "iso10002.complaint"

    def _amount_in_words(self):
        """The compensation in words, in the complainant's language, with its currency word.

        ``res.currency.amount_to_text`` joins the parts with base's own phrase, which
        base has not translated to every language (Persian among them); this joins them
        with this module's phrase, translated in its ``i18n``, and takes the currency
        words from the currency in that language.
        """
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang or "en_US"
        self = self.with_context(lang=lang)  # noqa: PLW0642  (so that _() translates to ``lang``)
        currency = self.currency_id
        iso = self.env["res.lang"]._get_data(code=lang).iso_code or "en"

        def words(number):
            try:
                return num2words(number, lang=iso).title()
            except NotImplementedError:
                return num2words(number, lang="en").title()

        integral, _sep, fraction = f"{self.compensation_amount:.{currency.decimal_places}f}".partition(".")
        if not int(fraction or 0):
            return _("%(integral)s %(unit)s", integral=words(int(integral)), unit=currency.currency_unit_label)
        return _(
            "%(integral)s %(unit)s and %(fraction)s %(subunit)s",
            integral=words(int(integral)),
            unit=currency.currency_unit_label,
            fraction=words(int(fraction)),
            subunit=currency.currency_subunit_label,
        )

    def _letter_salutation(self):
        """ "Dear …," in the complainant's language (word order differs: Persian puts it after)."""
        self.ensure_one()
        self = self.with_context(lang=self.partner_id.lang or self.env.lang or "en_US")  # noqa: PLW0642
        return _("Dear %s,", self.partner_id.name or "")

    def _letter_direction(self):
        self.ensure_one()
        lang = self.partner_id.lang or self.env.lang or "en_US"
        return self.env["res.lang"]._get_data(code=lang).direction or "ltr"

    def _dossier_step_trail(self):
        """When the complaint entered each step, and who moved it there."""
        self.ensure_one()
        self.check_access("read")
        steps = dict(self._fields["step"]._description_selection(self.env))
        rows = [{"step": steps["received"], "date": self.received_date, "user": self.create_uid.name}]
        trackings = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", self._name),
                    ("mail_message_id.res_id", "=", self.id),
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
        for tracking in trackings:
            step = stage_steps.get(tracking.new_value_integer)
            message = tracking.mail_message_id
            rows.append(
                {
                    "step": steps.get(step, tracking.new_value_char),
                    "date": message.date,
                    "user": message.author_id.name or "",
                }
            )
        return rows

    def _dossier_messages(self):
        """Every message and tracked change, oldest first, internal notes marked."""
        self.ensure_one()
        self.check_access("read")
        messages = (
            self.env["mail.message"]
            .sudo()
            .search(
                [("model", "=", self._name), ("res_id", "=", self.id), ("message_type", "!=", "user_notification")],
                order="date, id",
            )
        )
        rows = []
        for message in messages:
            internal = message.is_internal or message.subtype_id.internal
            if message.message_type == "email":
                kind = _("E-mail received")
            elif message.message_type == "comment" and not internal:
                kind = _("Message to the complainant")
            elif message.tracking_value_ids and not message.body:
                kind = _("Change")
            else:
                kind = _("Internal note") if internal else _("Notification")
            changes = [
                {
                    "field": value["changedField"],
                    "old": value["oldValue"]["value"] or "",
                    "new": value["newValue"]["value"] or "",
                }
                for value in message.tracking_value_ids._tracking_value_format()
            ]
            rows.append(
                {
                    "date": message.date,
                    "author": message.author_id.name or message.email_from or "",
                    "kind": kind,
                    "internal": internal,
                    "subject": message.subject or "",
                    "body": message.body,
                    "changes": changes,
                }
            )
        return rows
