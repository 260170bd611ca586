"""Dates, numbers and amounts the way a document's reader reads them.

Documents are read by people in their own language. For Persian readers (or for every
reader, when the company says so: ``res.company.reader_calendar``) dates are shown in the
Solar Hijri calendar, with ``jdatetime``; Persian documents show their numbers in Persian
digits; the Iranian rial is shown without decimals, in rial or in toman as the company
chooses (``res.company.reader_rial_unit``).

The rendering of the documents that opt in is marked with the context key ``READER_KEY``
(its value: the id of the company whose options apply, or ``True`` for the current
company); Odoo's QWeb field converters then format dates, numbers and amounts for the
reader (``models/ir_qweb_fields.py``). It changes how values are shown, never what is
stored: a client that sets it only changes the look of what it may read anyway. The
backend keeps Odoo's own widgets.
"""

import functools
import re
from datetime import date, datetime

import jdatetime
from markupsafe import Markup

from odoo import fields
from odoo.tools import float_round, format_date, format_datetime
from odoo.tools.misc import formatLang

READER_KEY = "report_reader_locale"
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
# a formatted number: Persian digits, decimal separator and thousands separator
PERSIAN_NUMBER = str.maketrans("0123456789.,%", "۰۱۲۳۴۵۶۷۸۹٫٬٪")
# what a reader may type: Persian and Arabic-Indic digits read as the digits they are
WESTERN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
RIAL = "IRR"
TOMAN_RIALS = 10


def is_persian(lang):
    return (lang or "").split("_")[0] == "fa"


def western_digits(text):
    return text.translate(WESTERN_DIGITS) if isinstance(text, str) else text


# letters only Persian uses (and its own forms of yeh and kaf), and letters only Arabic
# uses (teh marbuta, alef maksura); Persian typed on an Arabic keyboard has ي and ك
PERSIAN_LETTERS = set("پچژگیک")
ARABIC_LETTERS = set("ةى")
ADDRESS_LIKE = re.compile(r"[@/:.\d]")


def written_language(env, *texts):
    """The installed language a text is written in, when its script tells: Persian (or
    Arabic) for a text mostly in Arabic script; ``False`` when the script does not tell
    (Latin script is shared by too many languages to guess from)."""
    text = " ".join(t for t in texts if isinstance(t, str))
    # addresses, links and references are Latin whatever the language around them
    words = [word for word in text.split() if not ADDRESS_LIKE.search(word)]
    letters = [char for word in words for char in word if char.isalpha()]
    arabic_script = [char for char in letters if "\u0600" <= char <= "\u06ff" or "\ufb50" <= char <= "\ufeff"]
    if len(arabic_script) < 3 or len(arabic_script) * 2 < len(letters):
        return False
    persian = sum(char in PERSIAN_LETTERS for char in arabic_script)
    arabic = sum(char in ARABIC_LETTERS for char in arabic_script)
    iso = "ar" if arabic > persian else "fa"
    installed = [code for code, _name in env["res.lang"].get_installed()]
    return next((code for code in installed if code.split("_")[0] == iso), False)


class Reader:
    """How one reader, in language ``lang``, reads the documents of ``company``."""

    def __init__(self, env, lang=None, company=None):
        self.env = env
        self.lang = lang or env.lang or "en_US"
        self.company = company or env.company

    @functools.cached_property
    def solar_hijri(self):
        """Whether the reader reads dates in the Solar Hijri calendar (read when a date is
        shown: digits alone need only the language)."""
        calendar = self.company.sudo().reader_calendar or "language"
        return calendar == "solar_hijri" or (calendar == "language" and is_persian(self.lang))

    @classmethod
    def from_context(cls, env):
        """The reader of the document being rendered, or None outside the documents rendered
        for their reader (``READER_KEY`` in the context)."""
        marker = env.context.get(READER_KEY)
        if not marker:
            return None
        # one of the user's companies (a client may send any value; another company's
        # options are not the reader's to choose), without a query for each value shown
        mine = type(marker) is int and marker in env.user.company_ids.ids
        return cls(env, company=env["res.company"].browse(marker) if mine else None)

    def digits(self, text):
        """``text`` with Persian digits for a Persian reader (markup stays markup)."""
        if not is_persian(self.lang):
            return text
        local = str(text).translate(PERSIAN_DIGITS)
        return Markup(local) if isinstance(text, Markup) else local

    def number(self, text):
        """A number formatted by Odoo, in Persian digits and separators for a Persian reader."""
        if not is_persian(self.lang):
            return text
        return str(text).translate(PERSIAN_NUMBER)

    def date(self, value, with_time=False, tz=None):
        """A date (or a UTC datetime, shown in ``tz`` or the context's time zone) for the
        reader: ``۴ آذر ۱۴۰۵`` in the Solar Hijri calendar, else Odoo's own format."""
        if not value:
            return ""
        env = self.env(context=dict(self.env.context, tz=tz)) if tz else self.env
        if isinstance(value, str):
            value = fields.Datetime.to_datetime(value) if len(value) > 10 else fields.Date.to_date(value)
        if not self.solar_hijri:
            if isinstance(value, datetime) and with_time:
                tz = env.context.get("tz") or False
                return self.digits(format_datetime(env, value, tz=tz, dt_format="short", lang_code=self.lang))
            return self.digits(format_date(env, value, lang_code=self.lang))
        local = fields.Datetime.context_timestamp(env["res.users"], value) if isinstance(value, datetime) else value
        solar = jdatetime.date.fromgregorian(date=local if type(local) is date else local.date())
        months = jdatetime.date.j_months_fa if is_persian(self.lang) else jdatetime.date.j_months_en
        text = f"{solar.day} {months[solar.month - 1]} {solar.year}"
        if isinstance(value, datetime) and with_time:
            text = f"{text}{'،' if is_persian(self.lang) else ','} {local:%H:%M}"
        return self.digits(text)

    def stamp(self, value):
        """A UTC datetime as a sortable Solar Hijri stamp (``1405/09/04 10:30``, in the
        reader's digits), for the columns of a spreadsheet."""
        if not value:
            return ""
        local = fields.Datetime.context_timestamp(self.env["res.users"], value)
        solar = jdatetime.datetime.fromgregorian(datetime=local.replace(tzinfo=None))
        return self.digits(solar.strftime("%Y/%m/%d %H:%M"))

    def gregorian(self, value):
        """The Gregorian date beside a Solar Hijri one, where the law needs it (ISO 8601)."""
        if not self.solar_hijri or not value:
            return ""
        day = fields.Datetime.context_timestamp(self.env["res.users"], value) if isinstance(value, datetime) else value
        return day.strftime("%Y-%m-%d") if isinstance(day, date) else ""

    # ------------------------------------------------------------------ amounts
    def _in_toman(self, currency):
        return currency.name == RIAL and (self.company.sudo().reader_rial_unit or "rial") == "toman"

    def amount_parts(self, amount, currency):
        """``(amount, unit word, decimal places)`` of ``amount`` in ``currency`` for the
        reader: the rial has no decimals in use, and is shown in toman if the company
        counts in toman."""
        env = self.env(context=dict(self.env.context, lang=self.lang))
        if currency.name != RIAL:
            return amount, currency.with_env(env).currency_unit_label or currency.name, currency.decimal_places
        if self._in_toman(currency):
            return float_round(amount / TOMAN_RIALS, precision_digits=0), env._("Toman"), 0
        return float_round(amount, precision_digits=0), env._("Rial"), 0

    def amount(self, amount, currency):
        """``amount`` in ``currency`` as text: ``۱٬۲۵۰٬۰۰۰ ریال`` for a Persian reader."""
        if currency.name != RIAL:
            text = formatLang(self.env(context=dict(self.env.context, lang=self.lang)), amount, currency_obj=currency)
            return self.number(text)
        value, unit, places = self.amount_parts(amount, currency)
        number = self.env["res.lang"]._lang_get(self.lang).format(f"%.{places}f", value, grouping=True)
        return f"{self.number(number)} {unit}"
