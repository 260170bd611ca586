"""What people type into the complaints pages, read and checked before anything is
stored: the HTTP form's parsing, kept beside the routes (as ``website_sale`` keeps its
address form), so that the model receives clean values only."""

import re
import unicodedata

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools.mail import email_normalize
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.report_reader_locale.tools import Reader, western_digits

from ..tools.text import is_text_char

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


class ComplaintForm:
    """The values of a complaints page's form, each as clean text within its limit, or a
    ``UserError`` that names the field in the visitor's language."""

    def __init__(self, env):
        self.env = env
        self.reader = Reader(env)

    def text(self, post, name, label, required=False):
        """One value of the public form, as clean text within its limit, or a UserError."""
        value = post.get(name) or ""
        if not isinstance(value, str):
            raise UserError(self.env._("%s must be text.", label))
        value = value.strip()
        if any(not is_text_char(char) for char in value):
            raise UserError(self.env._("%s contains characters that are not text.", label))
        if len(value) > PORTAL_LIMITS[name]:
            raise UserError(
                self.env._(
                    "%(field)s is too long: at most %(limit)s characters.",
                    field=label,
                    limit=self.reader.digits(PORTAL_LIMITS[name]),
                )
            )
        # required: something one can see, not only joiners or marks
        if required and not any(char.isalnum() or unicodedata.category(char)[0] in "PS" for char in value):
            raise UserError(self.env._("%s is required.", label))
        return value

    def email(self, post, required=True):
        raw_email = self.text(post, "email", self.env._("Your e-mail address"), required=required)
        if not raw_email:
            return ""
        email = email_normalize(raw_email, strict=True)
        # one plain address, exactly as typed: no display name, no second address
        if not (EMAIL_RE.match(raw_email) and email == raw_email.lower()):
            raise UserError(self.env._("%s is not a valid e-mail address.", raw_email))
        return email

    def phone(self, post):
        phone = self.text(post, "phone", self.env._("Your phone number"))
        if not phone:
            return ""
        if any(not (char.isdigit() or char in PHONE_CHARS) for char in phone) or sum(map(str.isdigit, phone)) < 4:
            raise UserError(self.env._("%s is not a phone number.", phone))
        # Persian or Arabic digits as typed, kept as 0-9 so that it can be dialled
        return "".join(str(unicodedata.digit(char)) if char.isdigit() else char for char in phone)

    def date(self, post, name, label):
        value = post.get(name) or ""
        if not value:
            return False
        try:
            day = fields.Date.to_date(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
        if not day:
            raise UserError(self.env._("%s is not a date.", label))
        if (
            day > self.env["iso10002.complaint"]._today()
        ):  # the rule of every date of something that happened (_check_happened)
            raise UserError(self.env._("%s cannot be in the future.", label))
        if day.year < 1900:
            raise UserError(self.env._("%s is too old.", label))
        return day

    def files(self, files):
        """The supporting documents as [(name, bytes, mimetype)], within the caps."""
        files = [f for f in files or [] if f and f[1]]
        if len(files) > MAX_FILES:
            raise UserError(self.env._("Attach at most %s documents.", self.reader.digits(MAX_FILES)))
        total = 0
        checked = []
        for filename, content, _mimetype in files:
            name = filename if isinstance(filename, str) else ""
            # the file's own name, without the folders a browser or a script may send
            name = name.replace("\\", "/").rsplit("/", 1)[-1].lstrip(".")
            name = self.text({"name": name}, "name", self.env._("A document's name")) or self.env._("document")
            if len(content) > MAX_FILE_BYTES:
                raise UserError(
                    self.env._(
                        "%(name)s is too large: at most %(mb)s MB per document.",
                        name=name,
                        mb=self.reader.digits(MAX_FILE_BYTES >> 20),
                    )
                )
            total += len(content)
            if total > MAX_TOTAL_BYTES:
                raise UserError(
                    self.env._(
                        "The documents are too large together: at most %s MB.",
                        self.reader.digits(MAX_TOTAL_BYTES >> 20),
                    )
                )
            mimetype = guess_mimetype(content, default="application/octet-stream")
            if mimetype not in ALLOWED_MIMETYPES:
                raise UserError(
                    self.env._(
                        "%s cannot be attached: send a PDF, a picture (PNG, JPEG), a text or an office document.",
                        name,
                    )
                )
            checked.append((name, content, mimetype))
        return checked

    def complaint(self, post, user, files=None):
        """The values of the complaint form (ISO 10002 Annex C) for ``Iso10002Complaint._portal_submit``:
        ``files`` are the uploads as [(name, bytes, mimetype)]. Nothing is kept unless
        every value is valid."""
        values = {
            "subject": self.text(post, "subject", self.env._("The subject"), required=True),
            "description": self.text(post, "description", self.env._("The description"), required=True),
            "remedy_sought": self.text(post, "remedy_sought", self.env._("What you ask for")),
            "event_date": self.date(post, "event_date", self.env._("The date of the event")),
            "order_reference": self.text(post, "order_reference", self.env._("The product or order reference")),
            "on_behalf_of": self.text(post, "on_behalf_of", self.env._("The person you complain for")),
            "accessibility_needs": self.text(post, "accessibility_needs", self.env._("The help you need")),
            "phone": self.phone(post),
            "address": " ".join(self.text(post, "address", self.env._("Your postal address")).split()),
            "contact_preference": post.get("contact_preference") or "email",
            "large_print": post.get("large_print") in ("on", "1", "yes"),
        }
        preference = values["contact_preference"]
        if preference not in CONTACT_PREFERENCES:
            raise UserError(self.env._("Choose how we should contact you: e-mail, phone or letter."))
        if preference == "phone" and not (values["phone"] or (not user._is_public() and user.partner_id.phone)):
            raise UserError(self.env._("Give your phone number, to be contacted by phone."))
        if preference == "letter" and not (values["address"] or (not user._is_public() and user.partner_id.street)):
            raise UserError(self.env._("Give your postal address, to be contacted by letter."))
        if post.get("consent") not in ("on", "1", "yes"):
            raise UserError(
                self.env._("Agree that we process your data to handle your complaint: we cannot handle it otherwise.")
            )
        values["documents"] = self.files(files)
        values["name"] = values["email"] = False
        if user._is_public():
            values["name"] = self.text(post, "name", self.env._("Your name"), required=True)
            # an address is asked only of those who chose to be answered by e-mail (4.5)
            values["email"] = self.email(post, required=preference == "email")
        return values

    def lookup(self, post):
        """(reference, e-mail address) of the form that finds one's complaint."""
        # typed on a Persian keyboard, its digits are Persian
        reference = western_digits(self.text(post, "reference", self.env._("The reference"), required=True))
        return reference, self.email(post)

    def answer_reason(self, post, answer):
        """The reason given with an answer to the decision: required with a rejection."""
        return self.text(post, "reason", self.env._("Your reason"), required=answer == "rejected")
