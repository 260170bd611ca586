"""Odoo's QWeb field converters, for the documents rendered for their reader.

Only a rendering marked with ``READER_KEY`` (``tools/reader.py``) changes: dates in the
reader's calendar, numbers in the reader's digits, the rial in rial or toman. Any other
rendering gets Odoo's own output, untouched.
"""

from odoo import api, models

from ..tools import Reader, is_persian


class IrQwebFieldDate(models.AbstractModel):
    _inherit = "ir.qweb.field.date"

    @api.model
    def value_to_html(self, value, options):
        reader = Reader.from_context(self.env)
        if reader and value and reader.solar_hijri and not options.get("format"):
            return reader.date(value)
        html = super().value_to_html(value, options)
        return reader.digits(html) if reader else html


class IrQwebFieldDatetime(models.AbstractModel):
    _inherit = "ir.qweb.field.datetime"

    @api.model
    def value_to_html(self, value, options):
        reader = Reader.from_context(self.env)
        if reader and value and reader.solar_hijri and not options.get("format") and not options.get("time_only"):
            return reader.date(value, with_time=not options.get("date_only"), tz=options.get("tz_name"))
        html = super().value_to_html(value, options)
        return reader.digits(html) if reader else html


def _number_for_reader(env, html):
    reader = Reader.from_context(env)
    return reader.number(html) if reader else html


class IrQwebFieldInteger(models.AbstractModel):
    _inherit = "ir.qweb.field.integer"

    @api.model
    def value_to_html(self, value, options):
        return _number_for_reader(self.env, super().value_to_html(value, options))


class IrQwebFieldFloat(models.AbstractModel):
    _inherit = "ir.qweb.field.float"

    @api.model
    def value_to_html(self, value, options):
        return _number_for_reader(self.env, super().value_to_html(value, options))


class IrQwebFieldReaderPercent(models.AbstractModel):
    """``t-options="{'widget': 'reader_percent'}"``: a share, one decimal and the
    percent sign (``12.5 %``; ``۱۲٫۵٪`` for a Persian reader); a dash when there is none."""

    _name = "ir.qweb.field.reader_percent"
    _inherit = "ir.qweb.field.float"
    _description = "Qweb Field Percentage for the Reader"

    @api.model
    def value_to_html(self, value, options):
        if value is None or value is False:
            return "–"
        html = super().value_to_html(value, dict(options, precision=options.get("precision", 1)))
        reader = Reader.from_context(self.env)
        return f"{html}٪" if reader and is_persian(reader.lang) else f"{html} %"


class IrQwebFieldMonetary(models.AbstractModel):
    _inherit = "ir.qweb.field.monetary"

    @api.model
    def value_to_html(self, value, options):
        reader = Reader.from_context(self.env)
        currency = options.get("display_currency")
        if not reader or not currency or options.get("from_currency") or not isinstance(value, (int, float)):
            return super().value_to_html(value, options)
        return reader.amount(value, currency)
