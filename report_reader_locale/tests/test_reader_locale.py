"""The documents that opt in are rendered for their reader; every other one is not.

Only this addon is needed: a report on contacts and QWeb views made by the tests.
"""

from datetime import date, datetime
from unittest.mock import patch

from lxml import html as lxml_html

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import format_date

from ..tools import READER_KEY, Reader, is_persian, western_digits, written_language

TEMPLATE = """<t t-name="%s">
    <t t-call="web.html_container">
        <div class="article" t-foreach="docs" t-as="doc">
            <p class="o_date" t-out="day" t-options="{'widget': 'date'}"/>
            <p class="o_datetime" t-out="moment" t-options="{'widget': 'datetime'}"/>
            <p class="o_integer" t-out="12345" t-options="{'widget': 'integer'}"/>
            <p class="o_amount" t-out="amount" t-options="{'widget': 'monetary', 'display_currency': currency}"/>
            <p class="o_share" t-out="12.5" t-options="{'widget': 'reader_percent'}"/>
            <p class="o_name" t-out="doc.name"/>
        </div>
    </t>
</t>"""

PAGE = """<html><body>
<main><div class="article" data-oe-lang="%s"><address><div>250 Executive Park Blvd</div>
<div>خیابان ولیعصر، پلاک ۱۲</div></address><p>Letter</p></div></main>
<div class="footer"><div>Page <span class="page"/> / <span class="topage"/></div></div>
</body></html>"""


def _text(html, klass):
    return lxml_html.fromstring(html).xpath(f"//p[@class='{klass}']")[0].text_content().strip()


@tagged("post_install", "-at_install")
class TestReaderLocale(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fa_IR")
        cls.irr = cls.env.ref("base.IRR")
        cls.irr.active = True
        cls.company = cls.env.company
        cls.company.write({"reader_calendar": "language", "reader_rial_unit": "rial"})
        cls.partner = cls.env["res.partner"].create({"name": "Sara Ahmadi"})
        cls.values = {
            "day": date(2026, 11, 25),
            # 21:00 UTC on 24 November is already 25 November in Tehran (UTC+3:30)
            "moment": datetime(2026, 11, 24, 21, 0),
            "amount": 1250000.0,
            "currency": cls.irr,
        }
        cls.reports = {}
        for opted_in in (True, False):
            key = f"report_reader_locale.test_report_{'reader' if opted_in else 'plain'}"
            cls.env["ir.ui.view"].create({"name": key, "type": "qweb", "key": key, "arch": TEMPLATE % key})
            cls.reports[opted_in] = cls.env["ir.actions.report"].create(
                {
                    "name": "Contact card",
                    "model": "res.partner",
                    "report_type": "qweb-pdf",
                    "report_name": key,
                    "reader_locale": opted_in,
                }
            )

    def _html(self, lang, opted_in=True):
        Report = self.env["ir.actions.report"].with_context(lang=lang, tz="Asia/Tehran")
        report = self.reports[opted_in]
        return Report._render_qweb_html(report.report_name, self.partner.ids, data=dict(self.values))[0].decode()

    def _render(self, arch, **context):
        """``arch`` rendered as a QWeb view, with ``context``."""
        view = self.env["ir.ui.view"].create({"name": "reader test", "type": "qweb", "arch": arch})
        return str(self.env["ir.qweb"].with_context(**context)._render(view.id, dict(self.values)))

    # ------------------------------------------------------------- reports
    def test_a_report_that_opts_in_shows_solar_hijri_dates_in_persian_digits(self):
        html = self._html("fa_IR")
        self.assertEqual(_text(html, "o_date"), "۴ آذر ۱۴۰۵")
        self.assertEqual(_text(html, "o_datetime"), "۴ آذر ۱۴۰۵، ۰۰:۳۰")
        self.assertEqual(_text(html, "o_integer"), "۱۲٬۳۴۵")
        self.assertEqual(_text(html, "o_amount"), "۱٬۲۵۰٬۰۰۰ ریال", "no decimals in rial")
        self.assertEqual(_text(html, "o_share"), "۱۲٫۵٪")
        self.assertEqual(_text(html, "o_name"), "Sara Ahmadi", "text is not numbers")

    def test_an_english_reader_reads_gregorian_dates(self):
        html = self._html("en_US")
        self.assertEqual(_text(html, "o_date"), "11/25/2026")
        self.assertNotIn("Azar", _text(html, "o_datetime"))
        self.assertEqual(_text(html, "o_integer"), "12,345")
        self.assertEqual(_text(html, "o_amount"), "1,250,000 Rial")
        self.assertEqual(_text(html, "o_share"), "12.5 %")

    def test_the_company_chooses_the_calendar_and_the_unit_of_the_rial(self):
        self.company.write({"reader_calendar": "solar_hijri", "reader_rial_unit": "toman"})
        html = self._html("en_US")
        self.assertEqual(_text(html, "o_date"), "4 Azar 1405")
        self.assertEqual(_text(html, "o_amount"), "125,000 Toman")
        self.assertEqual(_text(self._html("fa_IR"), "o_amount"), "۱۲۵٬۰۰۰ تومان")
        self.company.reader_calendar = "gregorian"
        gregorian = _text(self._html("fa_IR"), "o_date")
        self.assertNotIn("آذر", gregorian)
        self.assertIn("۲۰۲۶", gregorian, "Gregorian, still in Persian digits")

    def test_a_report_that_does_not_opt_in_is_unchanged(self):
        self.company.write({"reader_calendar": "solar_hijri", "reader_rial_unit": "toman"})
        html = self._html("fa_IR", opted_in=False)
        self.assertNotIn("آذر", html)
        self.assertEqual(_text(html, "o_integer"), "12,345")
        self.assertNotIn("تومان", _text(html, "o_amount"))
        self.assertNotIn("Toman", _text(html, "o_amount"))
        # as Odoo formats them
        env = self.env(context=dict(self.env.context, lang="fa_IR"))
        self.assertEqual(_text(html, "o_date"), format_date(env, date(2026, 11, 25), lang_code="fa_IR"))
        self.assertEqual(
            _text(html, "o_integer"), env["res.lang"]._lang_get("fa_IR").format("%d", 12345, grouping=True)
        )

    def test_a_report_that_does_not_opt_in_is_unchanged_whatever_the_callers_context(self):
        self.company.write({"reader_calendar": "solar_hijri", "reader_rial_unit": "toman"})
        plain = self.reports[False]
        for forged in (True, self.company.id):
            Report = self.env["ir.actions.report"].with_context(lang="en_US", **{READER_KEY: forged})
            html = Report._render_qweb_html(plain.report_name, self.partner.ids, data=dict(self.values))[0].decode()
            with self.subTest(forged=forged):
                self.assertEqual(_text(html, "o_date"), "11/25/2026")
                self.assertNotIn("Toman", _text(html, "o_amount"))

    # ------------------------------------------------------- any QWeb view
    def test_a_qweb_view_is_rendered_for_the_reader_only_with_the_context_key(self):
        arch = """<div><p class="o_date" t-out="day" t-options="{'widget': 'date'}"/></div>"""
        self.assertEqual(_text(self._render(arch, lang="fa_IR", **{READER_KEY: True}), "o_date"), "۴ آذر ۱۴۰۵")
        self.assertNotIn("آذر", _text(self._render(arch, lang="fa_IR"), "o_date"))

    def test_another_companys_options_are_not_the_readers(self):
        """A client may send the context key; it cannot borrow the options of a company
        its user does not belong to."""
        other = self.env["res.company"].create({"name": "Other", "reader_calendar": "solar_hijri"})
        self.company.reader_calendar = "gregorian"
        user = new_test_user(self.env, login="reader_locale_user", company_id=self.company.id)
        self.assertNotIn(other, user.company_ids)
        Date = self.env["ir.qweb.field.date"].with_user(user).with_context(lang="en_US")
        self.assertNotIn("Azar", Date.with_context(**{READER_KEY: other.id}).value_to_html(date(2026, 11, 25), {}))
        for marker in ("x", [1], {"a": 1}, 10**30, -1, True):
            with self.subTest(marker=marker):
                Date.with_context(**{READER_KEY: marker}).value_to_html(date(2026, 11, 25), {})

    # ---------------------------------------------------------------- mails
    def test_a_model_opts_in_for_its_mails(self):
        arch = """<p class="o_date" t-out="day" t-options="{'widget': 'date'}"/>"""
        Render = self.env["mail.render.mixin"].with_context(lang="fa_IR")

        def render():
            return Render._render_template(
                arch, "res.partner", self.partner.ids, engine="qweb", add_context={"day": date(2026, 11, 25)}
            )[self.partner.id]

        self.assertNotIn("آذر", render(), "a model that does not opt in keeps Odoo's format")
        with patch.object(type(self.env["res.partner"]), "_reader_locale", True, create=True):
            self.assertIn("۴ آذر ۱۴۰۵", render())

    # ------------------------------------------- page numbers and directions
    def _prepare(self, opted_in, lang):
        report = self.reports[opted_in].with_context(lang=lang)
        bodies, _ids, _header, footer, _args = report._prepare_html(PAGE % lang, report_model="res.partner")
        return bodies[0], footer

    def test_page_numbers_in_the_readers_language_and_digits(self):
        _body, footer = self._prepare(True, "fa_IR")
        page = lxml_html.document_fromstring(footer)
        line = page.xpath("//*[@data-o-digits]")[0]
        self.assertEqual(line.get("data-o-digits"), "۰۱۲۳۴۵۶۷۸۹")
        self.assertTrue(line.text_content().startswith("صفحه"), "worded in Persian")
        self.assertEqual(page.get_element_by_id("minimal_layout_report_footers")[0].get("dir"), "rtl")
        self.assertIn("getAttribute('data-o-digits')", footer, "the script that shows them in Persian digits")
        _body, footer = self._prepare(True, "en_US")
        self.assertIn('Page <span class="page"></span> of <span class="topage"></span>', footer)
        self.assertNotIn("data-o-digits=", footer)

    def test_each_address_line_in_the_direction_of_its_script(self):
        body, _footer = self._prepare(True, "fa_IR")
        latin, persian = lxml_html.document_fromstring(body).xpath("//address/div")
        self.assertEqual(latin.get("dir"), "ltr")
        self.assertIn("text-align: right", latin.get("style"), "aligned as the Persian page is")
        self.assertEqual(persian.get("dir"), "rtl")
        self.assertFalse(persian.get("style"))

    def test_the_footer_and_addresses_of_a_report_that_does_not_opt_in_are_unchanged(self):
        body, footer = self._prepare(False, "fa_IR")
        self.assertNotIn("صفحه", footer)
        self.assertNotIn("data-o-digits", footer)
        self.assertFalse(lxml_html.document_fromstring(body).xpath("//address//*[@dir]"))

    # ---------------------------------------------------------- the helpers
    def test_the_helpers(self):
        self.assertTrue(is_persian("fa_IR"))
        self.assertFalse(is_persian("en_US"))
        self.assertEqual(western_digits("۱۴۰۵/۰۹/۰۴ ٢٠"), "1405/09/04 20")
        self.assertEqual(written_language(self.env, "سفارش من با سه هفته تأخیر رسید"), "fa_IR")
        self.assertFalse(written_language(self.env, "My order came three weeks late"))
        reader = Reader(self.env(context=dict(self.env.context, tz="Asia/Tehran")), lang="fa_IR")
        self.assertEqual(reader.stamp(datetime(2026, 11, 24, 21, 0)), "۱۴۰۵/۰۹/۰۴ ۰۰:۳۰")
        self.assertEqual(reader.gregorian(date(2026, 11, 25)), "2026-11-25")
