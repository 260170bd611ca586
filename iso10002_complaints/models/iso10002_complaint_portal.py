"""The complainant's side of a complaint: the public and portal form (ISO 10002 Annex C),
and the lookup of a complaint's link by its reference and e-mail address."""

import re
import unicodedata
import uuid

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.mail import email_normalize, plaintext2html
from odoo.tools.mimetypes import guess_mimetype

from ..tools.text import is_text_char
from ..tools.trust import as_engine
from .reader_locale import Reader, western_digits, written_language

# the public form: the longest value accepted for each field
PORTAL_LIMITS = {
    "name": 128,
    "email": 254,
    "phone": 32,
    "address": 300,
    "subject": 200,
    "description": 20000,
    "remedy_sought": 4000,
    "order_reference": 100,
    "on_behalf_of": 128,
    "accessibility_needs": 2000,
    "reference": 64,
    "reason": 4000,
}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
# a phone number as people type it, digits of any script (Persian ۰-۹ included)
PHONE_CHARS = frozenset("+()-./ ")
CONTACT_PREFERENCES = ("email", "phone", "letter")
# supporting documents: how many, how large, of which kinds (by their content, not their
# name: no page, script or image format a browser would run)
MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024
ALLOWED_MIMETYPES = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "text/plain",
        "text/csv",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)


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

    def _portal_text(self, post, name, label, required=False):
        """One value of the public form, as clean text within its limit, or a UserError."""
        value = post.get(name) or ""
        if not isinstance(value, str):
            raise UserError(_("%s must be text.", label))
        value = value.strip()
        if any(not is_text_char(char) for char in value):
            raise UserError(_("%s contains characters that are not text.", label))
        if len(value) > PORTAL_LIMITS[name]:
            raise UserError(
                _(
                    "%(field)s is too long: at most %(limit)s characters.",
                    field=label,
                    limit=Reader(self.env).digits(PORTAL_LIMITS[name]),
                )
            )
        # required: something one can see, not only joiners or marks
        if required and not any(char.isalnum() or unicodedata.category(char)[0] in "PS" for char in value):
            raise UserError(_("%s is required.", label))
        return value

    @api.model
    def _portal_email(self, post, required=True):
        raw_email = self._portal_text(post, "email", _("Your e-mail address"), required=required)
        if not raw_email:
            return ""
        email = email_normalize(raw_email, strict=True)
        # one plain address, exactly as typed: no display name, no second address
        if not (EMAIL_RE.match(raw_email) and email == raw_email.lower()):
            raise UserError(_("%s is not a valid e-mail address.", raw_email))
        return email

    @api.model
    def _portal_phone(self, post):
        phone = self._portal_text(post, "phone", _("Your phone number"))
        if not phone:
            return ""
        if any(not (char.isdigit() or char in PHONE_CHARS) for char in phone) or sum(map(str.isdigit, phone)) < 4:
            raise UserError(_("%s is not a phone number.", phone))
        # Persian or Arabic digits as typed, kept as 0-9 so that it can be dialled
        return "".join(str(unicodedata.digit(char)) if char.isdigit() else char for char in phone)

    @api.model
    def _portal_date(self, post, name, label):
        value = post.get(name) or ""
        if not value:
            return False
        try:
            day = fields.Date.to_date(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
        if not day:
            raise UserError(_("%s is not a date.", label))
        if day > self._today():  # the rule of every date of something that happened (_check_happened)
            raise UserError(_("%s cannot be in the future.", label))
        if day.year < 1900:
            raise UserError(_("%s is too old.", label))
        return day

    @api.model
    def _portal_files(self, files):
        """The supporting documents as [(name, bytes, mimetype)], within the caps."""
        files = [f for f in files or [] if f and f[1]]
        if len(files) > MAX_FILES:
            raise UserError(_("Attach at most %s documents.", Reader(self.env).digits(MAX_FILES)))
        total = 0
        checked = []
        for filename, content, _mimetype in files:
            name = filename if isinstance(filename, str) else ""
            # the file's own name, without the folders a browser or a script may send
            name = name.replace("\\", "/").rsplit("/", 1)[-1].lstrip(".")
            name = self._portal_text({"name": name}, "name", _("A document's name")) or _("document")
            if len(content) > MAX_FILE_BYTES:
                raise UserError(
                    _(
                        "%(name)s is too large: at most %(mb)s MB per document.",
                        name=name,
                        mb=Reader(self.env).digits(MAX_FILE_BYTES >> 20),
                    )
                )
            total += len(content)
            if total > MAX_TOTAL_BYTES:
                raise UserError(
                    _(
                        "The documents are too large together: at most %s MB.",
                        Reader(self.env).digits(MAX_TOTAL_BYTES >> 20),
                    )
                )
            mimetype = guess_mimetype(content, default="application/octet-stream")
            if mimetype not in ALLOWED_MIMETYPES:
                raise UserError(
                    _(
                        "%s cannot be attached: send a PDF, a picture (PNG, JPEG), a text or an office document.",
                        name,
                    )
                )
            checked.append((name, content, mimetype))
        return checked

    @api.model
    def _portal_submit(self, post, user, remote_addr=None, files=None, lang=None):
        """A complaint from the portal form of ``user`` (public: name and e-mail are given),
        with what ISO 10002 Annex C asks and its supporting documents ``files``
        ([(name, bytes, mimetype)]).

        Signed-in users file as themselves; a visitor always becomes a new contact (an
        officer may merge it), in the language ``lang`` of the form, never an existing
        partner on their word alone. Submissions are throttled per network address and
        per e-mail address. Nothing is created unless every value is valid.

        Returns the complaint, as superuser: the caller checks nothing more, the complaint
        belongs to the complainant who filed it.
        """
        subject = self._portal_text(post, "subject", _("The subject"), required=True)
        description = self._portal_text(post, "description", _("The description"), required=True)
        remedy_sought = self._portal_text(post, "remedy_sought", _("What you ask for"))
        event_date = self._portal_date(post, "event_date", _("The date of the event"))
        order_reference = self._portal_text(post, "order_reference", _("The product or order reference"))
        on_behalf_of = self._portal_text(post, "on_behalf_of", _("The person you complain for"))
        accessibility_needs = self._portal_text(post, "accessibility_needs", _("The help you need"))
        phone = self._portal_phone(post)
        address = " ".join(self._portal_text(post, "address", _("Your postal address")).split())
        preference = post.get("contact_preference") or "email"
        if preference not in CONTACT_PREFERENCES:
            raise UserError(_("Choose how we should contact you: e-mail, phone or letter."))
        if preference == "phone" and not (phone or (not user._is_public() and user.partner_id.phone)):
            raise UserError(_("Give your phone number, to be contacted by phone."))
        if preference == "letter" and not (address or (not user._is_public() and user.partner_id.street)):
            raise UserError(_("Give your postal address, to be contacted by letter."))
        if post.get("consent") not in ("on", "1", "yes"):
            raise UserError(
                _("Agree that we process your data to handle your complaint: we cannot handle it otherwise.")
            )
        documents = self._portal_files(files)
        Partner = self.env["res.partner"].sudo()
        languages = dict(self.env["res.lang"].get_installed())
        if user._is_public():
            name = self._portal_text(post, "name", _("Your name"), required=True)
            # an address is asked only of those who chose to be answered by e-mail (4.5)
            email = self._portal_email(post, required=preference == "email")
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
                "event_date": event_date,
                "order_reference": order_reference or False,
                "contact_preference": preference,
                "on_behalf_of": on_behalf_of or False,
                "accessibility_needs": accessibility_needs or False,
                "large_print": post.get("large_print") in ("on", "1", "yes"),
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
    def _portal_find(self, post, remote_addr=None):
        """The lookup of a complaint by its reference and the complainant's e-mail address:
        when both match, the link to the complaint is e-mailed to that address, never
        shown. The answer is the same whether they match or not."""
        # typed on a Persian keyboard, its digits are Persian
        reference = western_digits(self._portal_text(post, "reference", _("The reference"), required=True))
        email = self._portal_email(post)
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
            _("The complainant asked for the link to this complaint: it was e-mailed to them."),
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
            ("received", _("Received"), complaint.received_date, False),
            ("acknowledged", _("Acknowledged"), complaint.acknowledged_date, complaint.ack_deadline),
            ("assessment", _("Assessed"), complaint.assessment_date, False),
            (
                "communicated",
                _("Decision sent to you"),
                decided and complaint.communication_date,
                complaint.resolution_deadline,
            ),
            ("closed", _("Closed"), complaint.step == "closed" and complaint.closed_date, False),
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

    def _portal_answer(self, answer, post):
        """The complainant's answer to the decision, given online (on the portal, or
        through the link of the decision e-mail): accepted closes the complaint and asks
        the complainant's satisfaction; rejected, with the reason, asks the owner to offer
        the recourse (ISO 10002 7.9). Answered once; the answer is in the trail."""
        self.ensure_one()
        complaint = self.sudo()
        if answer not in ("accepted", "rejected"):
            raise UserError(_("Accept or reject the decision."))
        if complaint.step != "communicated":
            raise UserError(_("Complaint %s has no decision waiting for your answer.", complaint.name))
        if complaint.complainant_response:
            raise UserError(_("You have already answered the decision on complaint %s.", complaint.name))
        reason = self._portal_text(post, "reason", _("Your reason"), required=answer == "rejected")
        as_engine(complaint).write(
            {
                "complainant_response": answer,
                "complainant_response_date": fields.Datetime.now(),
                "complainant_feedback": reason or False,
            }
        )
        body = _("I accept the decision.") if answer == "accepted" else _("I reject the decision.")
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
                _(
                    "The complainant rejected the decision on complaint %s. Offer a review by someone who was "
                    "not involved, or refer them to an external dispute-resolution provider.",
                    complaint.name,
                ),
                summary=_("Decision rejected: offer recourse"),
            )
        return True
