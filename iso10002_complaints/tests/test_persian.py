"""Persian readers from outside: the Solar Hijri calendar, Persian digits, rial and
toman, the language of a complainant who writes Persian (by e-mail through the gateway,
or on the public form over HTTP), and the portal a Persian complainant sees."""

import base64
import io
import random
import re
from datetime import date, datetime

import openpyxl
from freezegun import freeze_time
from lxml import html as lxml_html

from odoo.http import Request
from odoo.tests import HttpCase, RecordCapturer, tagged

from odoo.addons.report_reader_locale.tools import READER_KEY, Reader, western_digits, written_language

from .common import ComplaintsCase, ComplaintsFromOutsideCase, MailGatewayCase
from .test_public_form import GOOD

PERSIAN_TEXT = "سفارش من با سه هفته تأخیر رسید و هیچ‌کس پاسخگوی تماس‌های من نبود."
ARABIC_TEXT = "وصلت طلبيتي متأخرة ثلاثة أسابيع ولم يرد أحد على مكالماتي في الشركة"


PERSIAN_MODULES = ["base", "web", "mail", "portal", "rating", "website", "iso10002_complaints"]


def _load_persian(env):
    """Persian, with the terms of this module and of the modules its pages show."""
    env["res.lang"]._activate_lang("fa_IR")
    installed = env["ir.module.module"].search([("name", "in", PERSIAN_MODULES), ("state", "=", "installed")])
    env["ir.module.module"]._load_module_terms(installed.mapped("name"), ["fa_IR"], overwrite=True)
    if "website" in env:
        # the website offers Persian: Odoo then serves it to browsers that ask for it
        websites = env["website"].search([])
        websites.language_ids |= env.ref("base.lang_fa_IR", raise_if_not_found=False) or env["res.lang"]._lang_get(
            "fa_IR"
        )


class PersianCase(ComplaintsCase):
    """The complaints fixtures, Persian loaded, the Iranian rial active."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_persian(cls.env)
        cls.irr = cls.env.ref("base.IRR")
        cls.irr.active = True

    def _written_language_from_seeded_texts(self, count):
        """Text mostly in Persian script is Persian, in Arabic is Arabic (when installed);
        Latin script, digits, symbols and too little text tell nothing: ``count`` seeded
        texts (the first ones of the same seed whatever the count)."""
        rng = random.Random(12)
        self.env["res.lang"]._activate_lang("ar_001")
        persian_words = PERSIAN_TEXT.split()
        arabic_words = ARABIC_TEXT.split()
        latin_words = "the parcel arrived three weeks late and nobody answered my calls".split()
        noise = ["12345", "CMP/2026/00001", "!!!", "https://example.com", "۱۴۰۵", "\u200c", "😀"]
        arabic_marked = [word for word in arabic_words if set(word) & set("ةى")]
        for _index in range(count):
            main = rng.choice(["fa", "ar", "en"])
            words = {"fa": persian_words, "ar": arabic_words, "en": latin_words}[main]
            text = [rng.choice(words) for _word in range(rng.randint(4, 12))]
            if main == "ar":
                text.append(rng.choice(arabic_marked))  # Arabic, by a letter only Arabic uses
            elif main == "fa" and rng.random() < 0.5:
                # Persian typed on an Arabic keyboard: Arabic yeh and kaf
                text = [word.replace("ی", "ي").replace("ک", "ك") for word in text]
            text += [rng.choice(latin_words) for _word in range(rng.randint(0, 1))]
            text += [rng.choice(noise) for _word in range(rng.randint(0, 3))]
            rng.shuffle(text)
            expected = {"fa": "fa_IR", "ar": "ar_001", "en": False}[main]
            self.assertEqual(written_language(self.env, " ".join(text)), expected, " ".join(text))
        self.assertFalse(written_language(self.env, "سلام"[:2]))
        self.assertFalse(written_language(self.env, "", None, "۱۲۳۴"))


@tagged("post_install", "-at_install")
class TestReader(PersianCase):
    def _reader(self, lang, calendar="language", unit="rial"):
        self.company.write({"reader_calendar": calendar, "reader_rial_unit": unit})
        return Reader(self.env(context=dict(self.env.context, tz="Asia/Tehran")), lang=lang, company=self.company)

    def test_solar_hijri_dates_for_persian_readers(self):
        reader = self._reader("fa_IR")
        self.assertEqual(reader.date(date(2026, 11, 25)), "۴ آذر ۱۴۰۵")
        self.assertEqual(reader.date(date(2026, 3, 21)), "۱ فروردین ۱۴۰۵", "Nowruz starts the year")
        # 21:00 UTC on 24 November is already 25 November in Tehran (UTC+3:30)
        self.assertEqual(reader.date(datetime(2026, 11, 24, 21, 0)), "۴ آذر ۱۴۰۵")
        self.assertEqual(reader.date(datetime(2026, 11, 24, 21, 0), with_time=True), "۴ آذر ۱۴۰۵، ۰۰:۳۰")
        self.assertEqual(reader.gregorian(date(2026, 11, 25)), "2026-11-25", "the Gregorian date beside it")
        self.assertEqual(reader.stamp(datetime(2026, 11, 24, 21, 0)), "۱۴۰۵/۰۹/۰۴ ۰۰:۳۰")

    def test_company_chooses_the_calendar(self):
        self.assertEqual(self._reader("en_US", calendar="solar_hijri").date(date(2026, 11, 25)), "4 Azar 1405")
        gregorian = self._reader("fa_IR", calendar="gregorian")
        self.assertFalse(gregorian.solar_hijri)
        self.assertNotIn("آذر", gregorian.date(date(2026, 11, 25)))
        self.assertIn("۲۰۲۶", gregorian.date(date(2026, 11, 25)), "Gregorian, still in Persian digits")
        self.assertEqual(gregorian.gregorian(date(2026, 11, 25)), "")
        english = self._reader("en_US")
        self.assertFalse(english.solar_hijri)
        self.assertEqual(english.digits("2026"), "2026")

    def test_rial_and_toman(self):
        self.assertEqual(self._reader("fa_IR").amount(1250000, self.irr), "۱٬۲۵۰٬۰۰۰ ریال")
        self.assertEqual(self._reader("fa_IR", unit="toman").amount(1250000, self.irr), "۱۲۵٬۰۰۰ تومان")
        self.assertEqual(self._reader("en_US").amount(1250000, self.irr), "1,250,000 Rial", "no decimals in rial")
        self.assertEqual(self._reader("fa_IR").amount(12.5, self.env.ref("base.EUR")), "۱۲٫۵۰\N{NO-BREAK SPACE}€")

    def test_toman_rounds_half_up(self):
        reader = self._reader("fa_IR", unit="toman")
        self.assertEqual([reader.amount(rials, self.irr) for rials in (15, 25, 35)], ["۲ تومان", "۳ تومان", "۴ تومان"])

    def test_another_companys_options_are_not_the_readers(self):
        """A client may send the context key; it cannot borrow the options of a company
        its user does not belong to."""
        self.company_b.reader_calendar = "solar_hijri"
        self.company.reader_calendar = "gregorian"
        Date = self.env["ir.qweb.field.date"].with_user(self.officer_a).with_context(lang="en_US")
        shown = Date.with_context(**{READER_KEY: self.company_b.id}).value_to_html(date(2026, 11, 25), {})
        self.assertNotIn("Azar", shown)
        for marker in ("x", [1], {"a": 1}, 10**30, -1, True):
            with self.subTest(marker=marker):
                Date.with_context(**{READER_KEY: marker}).value_to_html(date(2026, 11, 25), {})

    def test_many_values_shown_cost_no_query_each(self):
        """The converters run for every date and number of a document: they read the
        reader's options once, not once a value."""
        Integer = self.env["ir.qweb.field.integer"].with_context(lang="fa_IR", **{READER_KEY: self.company.id})
        Date = self.env["ir.qweb.field.date"].with_context(lang="fa_IR", **{READER_KEY: self.company.id})
        Integer.value_to_html(1, {})
        Date.value_to_html(date(2026, 11, 25), {})
        with self.assertQueryCount(0):
            for number in range(200):
                Integer.value_to_html(number, {})
                Date.value_to_html(date(2026, 11, 25), {})

    def test_amount_in_words_in_rial_and_toman(self):
        complaint = self._complaint(compensation_amount=1250000, currency_id=self.irr.id)
        complaint.partner_id.lang = "fa_IR"
        Letter = self.env["report.iso10002_complaints.report_complaint_decision"]
        self.company.reader_rial_unit = "rial"
        self.assertEqual(Letter._amount_in_words(complaint), "یک میلیون و دویست و پنجاه هزار ریال")
        self.company.reader_rial_unit = "toman"
        self.assertEqual(Letter._amount_in_words(complaint), "صد و بیست و پنج هزار تومان")

    def test_qweb_converters_only_in_complaint_documents(self):
        """Odoo's own widgets keep their format outside this module's documents."""
        Date = self.env["ir.qweb.field.date"].with_context(lang="fa_IR")
        self.assertNotIn("آذر", Date.value_to_html(date(2026, 11, 25), {}))
        Date = Date.with_context(**{READER_KEY: self.company.id})
        self.assertEqual(Date.value_to_html(date(2026, 11, 25), {}), "۴ آذر ۱۴۰۵")
        Integer = self.env["ir.qweb.field.integer"].with_context(lang="fa_IR", **{READER_KEY: True})
        self.assertEqual(Integer.value_to_html(12345, {}), "۱۲٬۳۴۵")
        Percent = self.env["ir.qweb.field.iso10002_percent"].with_context(lang="fa_IR", **{READER_KEY: True})
        self.assertEqual(Percent.value_to_html(12.5, {}), "۱۲٫۵٪")
        self.assertEqual(Percent.with_context(lang="en_US").value_to_html(12.5, {}), "12.5 %")
        Monetary = self.env["ir.qweb.field.monetary"].with_context(lang="fa_IR", **{READER_KEY: True})
        self.assertEqual(Monetary.value_to_html(1250000.0, {"display_currency": self.irr}), "۱٬۲۵۰٬۰۰۰ ریال")

    def test_register_for_a_persian_officer(self):
        """Solar Hijri stamps in the reader's digits, and the Gregorian date of receipt kept
        as a date a spreadsheet computes with."""
        with freeze_time("2026-11-24 21:00:00"):
            complaint = self._complaint()
        self.officer_a.write({"lang": "fa_IR", "tz": "Asia/Tehran"})
        # as the web client calls it: the user's language and time zone in the context
        officer = complaint.with_user(self.officer_a).with_context(lang="fa_IR", tz="Asia/Tehran")
        action = officer.action_export_register()
        download = self.env["iso10002.register.download"].browse(int(action["url"].split("/")[3]))
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download.data))).worksheets[0]
        headers = [cell.value for cell in sheet[1]]
        row = {headers[index]: cell.value for index, cell in enumerate(sheet[2])}
        self.assertEqual(row["دریافت شده"], "۱۴۰۵/۰۹/۰۴ ۰۰:۳۰")
        self.assertEqual(row["دریافت شده (میلادی)"], datetime(2026, 11, 25, 0, 30))
        action = officer.with_context(lang="en_US").action_export_register()
        download = self.env["iso10002.register.download"].browse(int(action["url"].split("/")[3]))
        sheet = openpyxl.load_workbook(io.BytesIO(base64.b64decode(download.data))).worksheets[0]
        self.assertEqual(sheet["B2"].value, datetime(2026, 11, 25, 0, 30), "Gregorian dates for the others")

    def test_written_language_from_seeded_texts(self):
        """The first 30 of the 300 seeded texts of the fuzz run, in the quick suite."""
        self._written_language_from_seeded_texts(30)

    def test_persian_digits_typed_in_a_reference(self):
        self.assertEqual(western_digits("CMP/۲۰۲۶/۰۰۰۱۲"), "CMP/2026/00012")
        self.assertEqual(western_digits("CMP/٢٠٢٦/٠٠٠١٢"), "CMP/2026/00012")


@tagged("post_install", "-at_install")
class TestPersianIntake(MailGatewayCase):
    """A complainant who writes Persian gets Persian, through the real mail gateway."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_persian(cls.env)

    @freeze_time("2026-11-23 08:00:00")
    def test_persian_e_mail_makes_a_persian_complainant(self):
        with self.mock_mail_gateway():
            complaint = self._intake(
                email_from="Reza Ahmadi <reza@buyer.example>",
                subject="تأخیر سه‌هفته‌ای در ارسال سفارش شماره‌ی ۱۲",
                body=PERSIAN_TEXT,
                msg_id="<fa-1@buyer.example>",
            )
        self.assertEqual(complaint.partner_id.lang, "fa_IR")
        mail = self._mails_to(complaint.partner_id)
        self.assertEqual(len(mail), 1, "the acknowledgement")
        body = lxml_html.fromstring(mail.body_html).text_content()
        self.assertIn("شکایت شما", body)
        self.assertIn("۱۴۰۵", body, "the promised date in the Solar Hijri calendar")
        self.assertRegex(body, "[۰-۹]+ (آذر|دی) ۱۴۰۵")
        # the reference (CMP/2026/..., CMP-2026-... in the layout) aside, no Gregorian year
        self.assertNotIn("2026", body.replace(complaint.name, "").replace(complaint.name.replace("/", "-"), ""))
        for sentence in ("Thank you", "What happens next", "Kind regards", "We will give you"):
            self.assertNotIn(sentence, body)
        self.assertIn("شکایت", mail.subject)
        self.assertNotIn("we received", mail.subject)

    def test_direction_overrides_leave_the_subject(self):
        with self.mock_mail_gateway():
            complaint = self._intake(
                email_from="mallory@buyer.example",
                subject="refund \u202egnp.exe\u202c please \u2067now\u2069",
                msg_id="<rlo-1@buyer.example>",
            )
        self.assertEqual(complaint.subject, "refund gnp.exe please now")

    def test_english_e_mail_keeps_the_default_language(self):
        with self.mock_mail_gateway():
            complaint = self._intake(email_from="ann@buyer.example", msg_id="<en-1@buyer.example>")
        self.assertNotEqual(complaint.partner_id.lang, "fa_IR")

    def test_a_known_contact_keeps_their_language(self):
        known = self.env["res.partner"].create({"name": "Known", "email": "known@buyer.example", "lang": "en_US"})
        with self.mock_mail_gateway():
            complaint = self._intake(
                email_from="known@buyer.example",
                subject="شکایت از پاسخگو نبودن",
                body=PERSIAN_TEXT,
                msg_id="<fa-2@buyer.example>",
            )
        self.assertEqual(complaint.partner_id, known)
        self.assertEqual(known.lang, "en_US", "their chosen language is theirs")


@tagged("post_install", "-at_install")
class TestPersianPortal(HttpCase, ComplaintsCase):
    """A Persian complainant on the website: the form, the page of their complaint."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _load_persian(cls.env)
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)

    def _post_form(self, data, headers=None):
        self.authenticate(None, None)
        return self.url_open("/complaints/new", data={**data, "csrf_token": Request.csrf_token(self)}, headers=headers)

    def test_a_visitor_who_writes_persian_gets_persian(self):
        with RecordCapturer(self.env["iso10002.complaint"], []) as capture:
            response = self._post_form(
                dict(GOOD, name="رضا احمدی", email="reza@example.com", subject="تأخیر", description=PERSIAN_TEXT)
            )
        self.assertEqual(response.status_code, 200)
        complaint = capture.records
        self.assertEqual(complaint.partner_id.lang, "fa_IR")
        ack = complaint.message_ids.filtered(lambda m: m.partner_ids == complaint.partner_id)
        self.assertTrue(ack)
        self.assertIn("شکایت", ack[0].subject or lxml_html.fromstring(ack[0].body).text_content())

    def test_a_visitor_writing_english_keeps_the_page_language(self):
        with RecordCapturer(self.env["iso10002.complaint"], []) as capture:
            self._post_form(dict(GOOD, email="ann@example.com", subject="Late"))
        self.assertNotEqual(capture.records.partner_id.lang, "fa_IR")

    def _visible_text(self, page):
        tree = lxml_html.fromstring(page)
        for node in tree.xpath("//script|//style|//noscript|//template|//*[contains(@class, 'o_not_editable')]"):
            node.drop_tree()
        main = tree.xpath("//main") or [tree]
        return " ".join(main[0].text_content().split())

    @freeze_time("2026-11-23 08:00:00")
    def test_a_persian_complainant_sees_no_english_on_the_page_of_their_complaint(self):
        partner = self.env["res.partner"].create({"name": "رضا احمدی", "email": "reza2@example.com", "lang": "fa_IR"})
        complaint = self._complaint(partner_id=partner.id, subject="تأخیر در ارسال", description=PERSIAN_TEXT)
        self._walk_to(complaint, "communicated")
        complaint.response_text = "<p>پوزش می‌خواهیم.</p>"
        # the link of the e-mails opens the page in the complainant's language
        url = complaint.get_portal_url()
        self.assertTrue(url.startswith("/fa/my/complaints/"), url)
        self.authenticate(None, None)
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        text = self._visible_text(page.text)
        # the button of the notification e-mails goes through /mail/view: Persian too
        self.authenticate(None, None)
        viewed = self.url_open(
            f"/mail/view?model={complaint._name}&res_id={complaint.id}&access_token={complaint.access_token}"
        )
        self.assertIn("/fa/my/complaints/", viewed.url)
        self.assertIn("۱۴۰۵", text, "dates in the Solar Hijri calendar")
        self.assertNotIn("2026", text.replace(complaint.name, ""))
        data = {complaint.name, "Team", "A", "Officer", "Odoo"} | set(self.company.name.split())
        english = {word for word in re.findall(r"[A-Za-z]{2,}", text.replace(complaint.name, "")) if word not in data}
        self.assertFalse(english, f"English on the Persian page: {sorted(english)[:20]}")


@tagged("-standard", "iso10002_fuzz", "post_install", "-at_install")
class TestReaderFuzz(PersianCase):
    """The 300 seeded texts: run by ``make test`` (tag ``iso10002_fuzz``), not by ``make test-fast``."""

    def test_written_language_from_300_seeded_texts(self):
        self._written_language_from_seeded_texts(300)


@tagged("post_install", "-at_install")
class TestTheReadersLocaleFromOutside(ComplaintsFromOutsideCase):
    """The reader's locale is the documents' own: a report that does not opt in, another company's calendar."""

    def _core_like_report(self):
        """A report of another addon that does not opt in to the reader's locale."""
        view = self.env["ir.ui.view"].create(
            {
                "name": "breaker_partner_report",
                "type": "qweb",
                "key": "iso10002_complaints.breaker_partner_report",
                "arch": '<t t-name="iso10002_complaints.breaker_partner_report">'
                '<t t-foreach="docs" t-as="o">'
                '<p class="date" t-field="o.create_date" t-options="{\'widget\': \'date\'}"/>'
                '<p class="num" t-out="o.color" t-options="{\'widget\': \'integer\'}"/></t></t>',
            }
        )
        return self.env["ir.actions.report"].create(
            {
                "name": "Partner (not for the reader)",
                "model": "res.partner",
                "report_type": "qweb-html",
                "report_name": view.key,
            }
        )

    def test_a_report_that_does_not_opt_in_is_unchanged_by_a_forged_reader_context(self):
        report = self._core_like_report()
        self.company.reader_calendar = "solar_hijri"
        self.complainant.write({"color": 12345})
        Report = self.env["ir.actions.report"].with_user(self.employee)
        plain = Report._render_qweb_html(report.report_name, self.complainant.ids)[0]
        for forged in (True, self.company.id, self.company_b.id):
            with self.subTest(forged=forged):
                shown = Report.with_context(**{READER_KEY: forged})._render_qweb_html(
                    report.report_name, self.complainant.ids
                )[0]
                self.assertEqual(shown, plain, "BREAK: a report that did not opt in rendered for the reader")

    def test_another_companys_calendar_is_not_forged_into_a_users_documents(self):
        self.company_b.reader_calendar = "solar_hijri"
        Date = self.env["ir.qweb.field.date"].with_user(self.officer_a)
        plain = Date.value_to_html(date(2026, 11, 25), {})
        self.assertEqual(
            Date.with_context(**{READER_KEY: self.company_b.id}).value_to_html(date(2026, 11, 25), {}), plain
        )
