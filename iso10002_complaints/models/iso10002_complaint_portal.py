"""The complainant's side of a complaint: what the public and portal form (ISO 10002
Annex C) records, once its controller has read and checked it (``controllers/
complaint_form.py``); the lookup of a complaint's link by its reference and e-mail
address; the complainant's pages and answer."""

import uuid

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.mail import plaintext2html

from odoo.addons.report_reader_locale.tools import written_language

from ..tools.trust import as_engine


class Iso10002Complaint(models.Model):
    _inherit = "iso10002.complaint"

    def get_portal_url(self, suffix=None, report_type=None, download=None, query_string=None, anchor=None):
        """The complainant's link (e-mails, the form's redirect) opens in their language:
        prefixed with it when the website offers it and it is not the website's default."""
        url = super().get_portal_url(
            suffix=suffix, report_type=report_type, download=download, query_string=query_string, anchor=anchor
        )
        return self._portal_language_prefix() + url

    def _get_access_action(self, access_uid=None, force_website=False):
        """The buttons of the notification e-mails (``/mail/view``) open the complaint's
        page in the language of who it is for: the user it was sent to, else the
        complainant."""
        action = super()._get_access_action(access_uid=access_uid, force_website=force_website)
        if action.get("type") == "ir.actions.act_url" and (action.get("url") or "").startswith(self.access_url):
            user = self.env["res.users"].sudo().browse(access_uid) if access_uid else self.env.user
            lang = user.lang if access_uid and user.share else None
            action = dict(action, url=self._portal_language_prefix(lang) + action["url"])
        return action

    def _portal_language_prefix(self, lang=None):
        """``/fa`` (the URL prefix of ``lang``, by default the complainant's language)
        when the website offers that language and it is not its default; else nothing."""
        lang = lang or self.sudo().partner_id.lang
        data = self.env["res.lang"]._get_data(code=lang) if lang else None
        if not data or not data.url_code:
            return ""
        if "website" in self.env:
            website = self.env["website"].sudo().search([("company_id", "in", [self.company_id.id, False])], limit=1)
            if lang not in website.language_ids.mapped("code") or lang == website.default_lang_id.code:
                return ""
        elif lang == "en_US":
            return ""
        return f"/{data.url_code}"

    @api.model
    def _portal_submit(self, values, user, remote_addr=None, lang=None):
        """A complaint from the portal form of ``user`` (public: name and e-mail are given),
        with what ISO 10002 Annex C asks and its supporting documents: ``values`` as the
        form's controller read and checked them (``controllers/complaint_form.py``).

        Signed-in users file as themselves; a visitor always becomes a new contact (an
        officer may merge it), in the language ``lang`` of the form, never an existing
        partner on their word alone. Submissions are throttled per network address and
        per e-mail address.

        Returns the complaint, as superuser: the caller checks nothing more, the complaint
        belongs to the complainant who filed it.
        """
        subject, description, remedy_sought = values["subject"], values["description"], values["remedy_sought"]
        phone, address, accessibility_needs = values["phone"], values["address"], values["accessibility_needs"]
        documents = values["documents"]
        Partner = self.env["res.partner"].sudo()
        languages = dict(self.env["res.lang"].get_installed())
        if user._is_public():
            name, email = values["name"], values["email"]
            self.env["iso10002.intake.attempt"]._check_and_record(remote_addr, email or phone or address)
            partner = Partner.create(
                {
                    "name": name,
                    "email": email or False,
                    "phone": phone or False,
                    "street": address or False,
                    # the language they wrote in, else the page's (Odoo picks it from the
                    # address, the visitor's choice or their browser)
                    "lang": written_language(self.env, subject, description, remedy_sought)
                    or (lang if lang in languages else False),
                    "company_id": False,
                    "complaint_needs_assistance": bool(accessibility_needs),
                    "complaint_assistance_note": accessibility_needs or False,
                }
            )
        else:
            self.env["iso10002.intake.attempt"]._check_and_record(remote_addr, user.partner_id.email_normalized)
            partner = user.partner_id
            # what was missing on the complainant's contact; nothing they had is replaced
            missing = {"phone": phone, "street": address}
            missing = {key: value for key, value in missing.items() if value and not partner[key]}
            if missing:
                partner.sudo().write(missing)
        company = partner.company_id or user.company_id or self.env.company
        channel = self.env["iso10002.complaint.channel"].sudo()._channel_for("portal", company)
        Complaint = self.sudo().with_company(company)
        complaint = Complaint.create(
            {
                "subject": subject,
                "description": plaintext2html(description),
                "remedy_sought": remedy_sought or False,
                "event_date": values["event_date"],
                "order_reference": values["order_reference"] or False,
                "contact_preference": values["contact_preference"],
                "on_behalf_of": values["on_behalf_of"] or False,
                "accessibility_needs": accessibility_needs or False,
                "large_print": values["large_print"],
                "partner_id": partner.id,
                "channel_id": channel.id,
                "company_id": company.id,
                "team_id": Complaint._default_team_id().id,
            }
        )
        # the form's consent, recorded by the process (no client sets it)
        as_engine(complaint).write({"consent_date": fields.Datetime.now()})
        if documents:
            self.env["ir.attachment"].sudo().create(
                [
                    {
                        "name": name,
                        "raw": content,
                        "mimetype": mimetype,
                        "res_model": self._name,
                        "res_id": complaint.id,
                        "company_id": company.id,
                    }
                    for name, content, mimetype in documents
                ]
            )
        return complaint

    @api.model
    def _portal_find(self, reference, email, remote_addr=None):
        """The lookup of a complaint by its ``reference`` and the complainant's ``email``
        address (as the form's controller read them): when both match, the link to the
        complaint is e-mailed to that address, never shown. The answer is the same whether
        they match or not."""
        self.env["iso10002.intake.attempt"]._check_and_record(remote_addr, email, purpose="find")
        # as the acknowledgement writes it, or as a file name does (dashes for slashes)
        candidates = {ref for typed in (reference, reference.replace("-", "/")) for ref in (typed, typed.upper())}
        complaint = self.sudo().with_context(active_test=False).search([("name", "in", list(candidates))], limit=2)
        if len(complaint) != 1 or complaint.partner_id.email_normalized != email:
            return False
        complaint._send_link()
        return True

    def _send_link(self):
        """E-mail the complainant the link to follow their complaint, in their language.
        The link (its token) is not written in the chatter, which others may read; a note
        says it was sent."""
        self.ensure_one()
        complaint = self.sudo()
        partner = complaint.partner_id
        env = complaint.with_context(lang=partner.lang or self.env.lang).env
        url = complaint.get_base_url() + complaint.get_portal_url()
        body = env._(
            "You asked for the link to your complaint %(reference)s. Follow it here: %(url)s",
            reference=complaint.name,
            url=url,
        )
        complaint._mail_complainant_privately(
            env._("Your complaint %s", complaint.name),
            plaintext2html(body),
            self.env._("The complainant asked for the link to this complaint: it was e-mailed to them."),
        )

    # ------------------------------------------------------------ access links
    def _on_complainant_change(self, previous):
        """The complainant of these complaints was corrected (``previous``: complaint ->
        the partners it had). What was meant for the earlier complainants stops reaching
        them: the complaint's link and their rating links open nothing, they stop following
        it, and the e-mails still queued for them are cancelled. The new complainant
        follows it and, once it was acknowledged, gets the acknowledgement with its
        reference and link (or the owner a task to give it to them another way)."""
        Mail = self.env["mail.mail"].sudo()
        cancelled = {}
        for complaint in self:
            old = (previous.get(complaint) or self.env["res.partner"]) - complaint.partner_id
            if old:
                complaint.sudo().message_unsubscribe(partner_ids=old.ids)
                queued = Mail.search(
                    [
                        ("model", "=", complaint._name),
                        ("res_id", "=", complaint.id),
                        ("state", "in", ("outgoing", "exception")),
                        ("recipient_ids", "in", old.ids),
                    ]
                )
                queued.filtered(lambda mail, old=old: not (mail.recipient_ids - old)).write({"state": "cancel"})
                cancelled[complaint] = len(queued.filtered(lambda mail: mail.state == "cancel"))
            if complaint.partner_id:
                complaint.sudo().message_subscribe(partner_ids=complaint.partner_id.ids)
        self._rotate_access_links(keep_partner_ratings=True)
        note = self.env._("The complainant changed: the links sent before no longer open this complaint.")
        bodies = {}
        for complaint in self:
            body = Markup("<p>%s</p>") % note
            if cancelled.get(complaint):
                body += Markup("<p>%s</p>") % self.env._(
                    "%s e-mail(s) still queued for the earlier complainant were cancelled.", cancelled[complaint]
                )
            bodies[complaint.id] = body
        self.sudo()._message_log_batch(bodies=bodies)
        acknowledged = self.filtered(lambda c: c.acknowledged_date and c.partner_id and c.is_open)
        # by e-mail only to who chose it (4.5): the others are told by their owner, their way
        told = acknowledged.filtered(lambda c: c._contact_means() == "email")._send_acknowledgement_mail()
        for complaint in acknowledged - told:
            complaint._ask_owner(
                complaint._communication_task(
                    self.env._("its reference and how to follow it (the complainant of %s changed)", complaint.name),
                    email_failed=True,
                    printed=False,
                ),
                summary=self.env._("Tell the new complainant"),
            )

    def _rotate_access_links(self, keep_partner_ratings=False):
        """New tokens for the complaint's link and its rating links, so that a link made
        for someone else (an earlier complainant, an anonymised one) opens nothing. With
        ``keep_partner_ratings``, the current complainant's own rating requests stay
        valid. An anonymised complaint gets no link at all until one is asked for."""
        engine = as_engine(self.sudo())
        for complaint in engine:
            complaint.access_token = str(uuid.uuid4()) if not complaint.anonymised_date else False
            ratings = complaint.rating_ids
            if keep_partner_ratings:
                ratings = ratings.filtered(lambda r, c=complaint: r.partner_id != c.partner_id or not c.partner_id)
            for rating in ratings:
                rating.access_token = rating._default_access_token()

    # ------------------------------------------------- following and answering
    def _portal_progress(self):
        """The steps as the complainant follows them: each with its date once passed, the
        next one with the date it is due by. Read as the system (dates only)."""
        self.ensure_one()
        complaint = self.sudo()
        decided = complaint.step in ("communicated", "closed") and complaint.communication_date
        steps = [
            ("received", self.env._("Received"), complaint.received_date, False),
            ("acknowledged", self.env._("Acknowledged"), complaint.acknowledged_date, complaint.ack_deadline),
            ("assessment", self.env._("Assessed"), complaint.assessment_date, False),
            (
                "communicated",
                self.env._("Decision sent to you"),
                decided and complaint.communication_date,
                complaint.resolution_deadline,
            ),
            ("closed", self.env._("Closed"), complaint.step == "closed" and complaint.closed_date, False),
        ]
        if complaint.step in ("withdrawn", "out_of_scope") or complaint.closure_reason in ("withdrawn", "out_of_scope"):
            return [
                {"label": label, "date": when, "state": "done", "due": False}
                for _key, label, when, _due in steps
                if when
            ]
        progress, next_found = [], False
        for _key, label, when, due in steps:
            if when:
                progress.append({"label": label, "date": when, "state": "done", "due": False})
            else:
                progress.append(
                    {
                        "label": label,
                        "date": False,
                        "state": "todo" if next_found else "next",
                        "due": False if next_found else due,
                    }
                )
                next_found = True
        return progress

    def _portal_answer(self, answer, reason):
        """The complainant's answer to the decision, given online (on the portal, or
        through the link of the decision e-mail): accepted closes the complaint and asks
        the complainant's satisfaction; rejected, with the reason, asks the owner to offer
        the recourse (ISO 10002 7.9). Answered once; the answer is in the trail. ``reason``:
        as the form's controller read it, required when the decision is rejected."""
        self.ensure_one()
        complaint = self.sudo()
        if answer not in ("accepted", "rejected"):
            raise UserError(self.env._("Accept or reject the decision."))
        if complaint.step != "communicated":
            raise UserError(self.env._("Complaint %s has no decision waiting for your answer.", complaint.name))
        if complaint.complainant_response:
            raise UserError(self.env._("You have already answered the decision on complaint %s.", complaint.name))
        as_engine(complaint).write(
            {
                "complainant_response": answer,
                "complainant_response_date": fields.Datetime.now(),
                "complainant_feedback": reason or False,
            }
        )
        body = self.env._("I accept the decision.") if answer == "accepted" else self.env._("I reject the decision.")
        complaint.message_post(
            body=plaintext2html(f"{body}\n{reason}" if reason else body),
            author_id=complaint.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        if answer == "accepted":
            complaint.action_close()
        else:
            complaint._ask_owner(
                self.env._(
                    "The complainant rejected the decision on complaint %s. Offer a review by someone who was "
                    "not involved, or refer them to an external dispute-resolution provider.",
                    complaint.name,
                ),
                summary=self.env._("Decision rejected: offer recourse"),
            )
        return True
