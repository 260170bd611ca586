"""The complainant's side of a complaint: the public and portal form."""

import re
import unicodedata

from odoo import _, api, models
from odoo.exceptions import UserError
from odoo.tools.mail import email_normalize, plaintext2html

# the public form: the longest value accepted for each field
PORTAL_LIMITS = {"name": 128, "email": 254, "subject": 200, "description": 20000, "remedy_sought": 4000}
# explicit direction overrides and isolates can disguise a name or a text (the joiners
# Persian needs, U+200C and U+200D, are kept)
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")


class Iso10002Complaint(models.Model):
    _inherit = "iso10002.complaint"

    @api.model
    def _portal_text(self, post, name, label, required=False):
        """One value of the public form, as clean text within its limit, or a UserError."""
        value = post.get(name) or ""
        if not isinstance(value, str):
            raise UserError(_("%s must be text.", label))
        value = value.strip()
        if any(
            (unicodedata.category(char) == "Cc" and char not in "\r\n\t") or char in BIDI_CONTROLS for char in value
        ):
            raise UserError(_("%s contains characters that are not text.", label))
        if len(value) > PORTAL_LIMITS[name]:
            raise UserError(
                _("%(field)s is too long: at most %(limit)s characters.", field=label, limit=PORTAL_LIMITS[name])
            )
        if required and not value:
            raise UserError(_("%s is required.", label))
        return value

    @api.model
    def _portal_submit(self, post, user, remote_addr=None):
        """A complaint from the portal form of ``user`` (public: name and e-mail are given).

        Signed-in users file as themselves; a visitor always becomes a new contact (an
        officer may merge it), never an existing partner on their word alone. Submissions
        are throttled per network address and per e-mail address.

        Returns the complaint, as superuser: the caller checks nothing more, the complaint
        belongs to the complainant who filed it.
        """
        subject = self._portal_text(post, "subject", _("The subject"), required=True)
        description = self._portal_text(post, "description", _("The description"), required=True)
        remedy_sought = self._portal_text(post, "remedy_sought", _("What you ask for"))
        Partner = self.env["res.partner"].sudo()
        if user._is_public():
            name = self._portal_text(post, "name", _("Your name"), required=True)
            raw_email = self._portal_text(post, "email", _("Your e-mail address"), required=True)
            email = email_normalize(raw_email, strict=True)
            # one plain address, exactly as typed: no display name, no second address
            if not (EMAIL_RE.match(raw_email) and email == raw_email.lower()):
                raise UserError(_("%s is not a valid e-mail address.", raw_email))
            self.env["iso10002.intake.attempt"]._check_and_record(remote_addr, email)
            partner = Partner.create({"name": name, "email": email, "company_id": False})
        else:
            self.env["iso10002.intake.attempt"]._check_and_record(remote_addr, user.partner_id.email_normalized)
            partner = user.partner_id
        company = partner.company_id or user.company_id or self.env.company
        channel = self.env["iso10002.complaint.channel"].sudo()._channel_for("portal", company)
        Complaint = self.sudo().with_company(company)
        return Complaint.create(
            {
                "subject": subject,
                "description": plaintext2html(description),
                "remedy_sought": remedy_sought or False,
                "partner_id": partner.id,
                "channel_id": channel.id,
                "company_id": company.id,
                "team_id": Complaint._default_team_id().id,
            }
        )
