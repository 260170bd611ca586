"""Real PDFs, read back as their readers would read them: page numbers in the footer of
every page ("Page 1 of 3"; in Persian words and digits for Persian readers), Solar Hijri
dates, Persian digits and rial amounts, long right-to-left lines wrapped inside the page,
several letters in one print job.

They need the wkhtmltopdf "with patched qt" that the test command puts on PATH (see the
README); with another build they are skipped, and the test command says so loudly.
"""

import random
import re
import shutil
import subprocess
import unicodedata
from datetime import date

from lxml import etree

from odoo.tests import HttpCase, tagged
from odoo.tools.misc import find_in_path

from .test_persian import PERSIAN_TEXT, PersianCase
from .test_reports import _report_args

BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")
VOCABULARY = "سفارش ارسال تأخیر پاسخ مشتری کالا فروشگاه شکایت پیگیری تماس هفته روز بررسی نتیجه خسارت".split()


def _patched_wkhtmltopdf():
    try:
        binary = find_in_path("wkhtmltopdf")
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return "patched qt" in version.stdout


def _clean(text):
    """Text as extracted, in letters a test can compare: the presentation forms of
    Arabic script (joined letters) back to letters, without direction marks."""
    return unicodedata.normalize("NFKC", text).translate(BIDI_CONTROLS)


@tagged("post_install", "-at_install")
class TestPersianPdf(HttpCase, PersianCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reader = cls.env["res.partner"].create(
            {"name": "رضا احمدی", "email": "reza@example.com", "lang": "fa_IR", "city": "شیراز"}
        )

    def setUp(self):
        super().setUp()
        if not shutil.which("pdftotext") or not _patched_wkhtmltopdf():
            self.skipTest("needs wkhtmltopdf with patched qt and pdftotext (see the README)")
        # wkhtmltopdf fetches the report's assets from the test server
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())

    # ------------------------------------------------------------------ helpers
    def _pdf(self, xmlid, records, lang="en_US"):
        xmlid, ids, data = _report_args(xmlid, records)
        pdf, _type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True, lang=lang)
            ._render_qweb_pdf(xmlid, ids, data=data)
        )
        self.assertTrue(pdf.startswith(b"%PDF"))
        return pdf

    def _run(self, *args, pdf):
        return subprocess.run(
            ["pdftotext", *args, "-", "-"], input=pdf, capture_output=True, check=True, timeout=120
        ).stdout.decode()

    def _page_count(self, pdf):
        return len(etree.fromstring(self._run("-bbox", pdf=pdf).encode()).xpath("//*[local-name()='page']"))

    def _text(self, pdf, page=None):
        pages = ["-f", str(page), "-l", str(page)] if page else []
        return _clean(self._run(*pages, pdf=pdf))

    def _footer(self, pdf, page):
        """The text of the bottom tenth of ``page`` (A4 at 72 dpi: 595 x 842)."""
        crop = ("-x", "0", "-y", "760", "-W", "600", "-H", "90")
        return _clean(self._run("-f", str(page), "-l", str(page), *crop, pdf=pdf))

    def _words(self, pdf):
        """(page width, [(xMin, xMax, (page, yMin), text)]) of every page."""
        root = etree.fromstring(self._run("-bbox", pdf=pdf).encode())
        pages = root.xpath("//*[local-name()='page']")
        words = [
            (float(w.get("xMin")), float(w.get("xMax")), (number, round(float(w.get("yMin")))), _clean(w.text or ""))
            for number, page in enumerate(pages)
            for w in page.xpath(".//*[local-name()='word']")
        ]
        return float(pages[0].get("width")), words

    def _assert_numbered(self, pdf, persian):
        total = self._page_count(pdf)
        for number in range(1, total + 1):
            footer = self._footer(pdf, number)
            with self.subTest(page=number):
                if persian:
                    # the extraction puts spaces inside joined words: compare without them
                    self.assertIn("صفحه", "".join(footer.split()))
                    self.assertIn("از", "".join(footer.split()))
                    expected = {str(number).translate(PERSIAN_DIGITS), str(total).translate(PERSIAN_DIGITS)}
                    self.assertEqual(set(re.findall("[۰-۹]+", footer)), expected)
                    self.assertFalse(re.search(r"Page|[0-9]", footer), f"Latin in the Persian footer: {footer!r}")
                else:
                    self.assertIn(f"Page {number} of {total}", " ".join(footer.split()))
        return total

    def _long_dossier(self, partner):
        complaint = self._complaint(partner_id=partner.id, subject="تأخیر در ارسال سفارش", description=PERSIAN_TEXT)
        for index in range(30):
            complaint.message_post(body=f"{PERSIAN_TEXT} {index}", message_type="comment", subtype_xmlid="mail.mt_note")
        return complaint

    # ------------------------------------------------------------------ tests
    def test_dossier_pages_numbered_in_both_languages(self):
        complaint = self._long_dossier(self.reader)
        pdf = self._pdf("iso10002_complaints.action_report_complaint_dossier", complaint, lang="fa_IR")
        self.assertGreaterEqual(self._assert_numbered(pdf, persian=True), 3)
        first = self._text(pdf, 1)
        self.assertIn("۱۴۰۵", first, "printed and received in the Solar Hijri calendar")
        self.assertIn("پرونده شکایت", first)
        english = self._pdf("iso10002_complaints.action_report_complaint_dossier", complaint, lang="en_US")
        self.assertGreaterEqual(self._assert_numbered(english, persian=False), 3)
        self.assertIn("Complaint dossier", self._text(english, 1))

    def _persian_on_page(self, complaint):
        """(Persian letters, lines with Persian, every word inside the page) of the
        decision letter of ``complaint``."""
        width, words = self._words(self._pdf("iso10002_complaints.action_report_complaint_decision", complaint))
        # the page itself, between the letterhead and the footer (A4, 842 points high)
        body = [word for word in words if 170 < word[2][1] < 770]
        persian = [word for word in body if ARABIC_SCRIPT.search(word[3])]
        letters = sum(len(ARABIC_SCRIPT.findall(word[3])) for word in persian)
        inside = all(0 <= x_min and x_max <= width for x_min, x_max, _y, _text in words)
        return letters, len({y for _x0, _x1, y, _text in persian}), inside

    def test_long_persian_paragraph_wraps_inside_the_page(self):
        rng = random.Random(7)
        paragraph = " ".join(rng.choice(VOCABULARY) for _word in range(160))
        complaint = self._complaint(partner_id=self.reader.id, subject="شکایت")
        self._walk_to(complaint, "response")
        complaint.response_text = "<p>پاسخ</p>"
        letters_before, lines_before, _inside = self._persian_on_page(complaint)
        complaint.response_text = f"<p>{paragraph}</p>"
        letters, lines, inside = self._persian_on_page(complaint)
        written = len(ARABIC_SCRIPT.findall(paragraph)) - len(ARABIC_SCRIPT.findall("پاسخ"))
        # a line run off the page loses its letters (Debian's wkhtmltopdf loses hundreds)
        self.assertGreaterEqual(letters - letters_before, written, "every letter of the paragraph is on the page")
        self.assertTrue(inside, "no word runs off the page")
        self.assertGreaterEqual(lines - lines_before, 5, "the paragraph wraps over several lines")

    def test_persian_decision_letter(self):
        complaint = self._complaint(partner_id=self.reader.id, subject="تأخیر در ارسال سفارش")
        complaint.write({"compensation_amount": 1250000, "currency_id": self.irr.id})
        self._walk_to(complaint, "response")
        pdf = self._pdf("iso10002_complaints.action_report_complaint_decision", complaint)
        text = self._text(pdf)
        flat = "".join(text.split())
        self.assertIn("پاسخ ما به شکایت شما", " ".join(text.split()))
        self.assertIn("۱٬۲۵۰٬۰۰۰", flat, "the amount in Persian digits")
        self.assertIn("ریال", flat)
        self.assertIn("یکمیلیونودویستوپنجاههزارریال", flat, "the amount in words")
        self.assertIn("۱۴۰۵", flat, "dated in the Solar Hijri calendar")
        self.assertRegex(flat, r"\(?20\d\d-\d\d-\d\d\)?", "and in the Gregorian one")
        self.assertNotIn("Our answer", text)
        self._assert_numbered(pdf, persian=True)
        self.company.reader_rial_unit = "toman"
        flat = "".join(self._text(self._pdf("iso10002_complaints.action_report_complaint_decision", complaint)).split())
        self.assertIn("۱۲۵٬۰۰۰", flat)
        self.assertIn("تومان", flat)

    def test_a_latin_address_keeps_its_order_in_a_persian_letter(self):
        self.company.partner_id.write({"street": "250 Executive Park Blvd", "city": "San Francisco"})
        complaint = self._complaint(partner_id=self.reader.id, subject="نشانی")
        pdf = self._pdf("iso10002_complaints.action_report_complaint_acknowledgement", complaint)
        _width, words = self._words(pdf)
        first = {text: x_min for x_min, _x_max, (page, _y), text in words if page == 0}
        self.assertLess(first["250"], first["Executive"], "left to right, as written")
        self.assertLess(first["Executive"], first["Park"])
        self.assertLess(first["San"], first["Francisco"])

    def test_several_letters_in_one_print_job(self):
        english = self.env["res.partner"].create({"name": "Ann Reader", "email": "ann@example.com", "lang": "en_US"})
        complaints = self._complaint(partner_id=self.reader.id, subject="یک")
        complaints |= self._complaint(partner_id=english.id, subject="Two")
        complaints |= self._complaint(partner_id=self.reader.id, subject="سه")
        pdf = self._pdf("iso10002_complaints.action_report_complaint_acknowledgement", complaints)
        self.assertEqual(self._page_count(pdf), 3, "one letter a page, one job")
        self.assertIn("شکایت شما", " ".join(self._text(pdf, 1).split()))
        self.assertIn("Your complaint", self._text(pdf, 2), "each letter in its reader's language")
        self.assertIn("شکایت شما", " ".join(self._text(pdf, 3).split()))
        self.assertIn("Page 1 of 1", " ".join(self._footer(pdf, 2).split()), "page numbers per letter")
        self.assertIn("صفحه", "".join(self._footer(pdf, 3).split()))

    def test_a_heading_in_an_e_mail_prints_each_dossier_once(self):
        """wkhtmltopdf makes headings PDF outlines, by which Odoo splits a print of several
        documents: a heading written in a complainant's e-mail must not double them."""
        first = self._complaint(subject="Heading one", description="<h1>My complaint</h1><p>Broken.</p>")
        first.message_post(body="<h1>URGENT</h1><h2>Please</h2><p>Call me.</p>", message_type="comment")
        second = self._complaint(subject="Plain two")
        pages = [
            self._page_count(self._pdf("iso10002_complaints.action_report_complaint_dossier", complaint))
            for complaint in (first, second)
        ]
        together = self._pdf("iso10002_complaints.action_report_complaint_dossier", first | second)
        self.assertEqual(self._page_count(together), sum(pages))

    def test_review_and_audit_in_persian(self):
        self._walk_to(self._complaint(partner_id=self.reader.id), "closed")
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2025, 1, 1), "date_to": date(2026, 12, 31)}
        )
        review = self._pdf("iso10002_complaints.action_report_management_review", wizard, lang="fa_IR")
        text = self._text(review)
        self.assertIn("۱۴۰۳", text, "1 January 2025 is 12 Dey 1403")
        self.assertIn("۱۴۰۵", text)
        self.assertIn("٪", text, "shares in Persian")
        self.assertFalse(re.search(r"\d+\.\d %", text), "no Latin percentage")
        self._assert_numbered(review, persian=True)
        audit = self.env["iso10002.process.audit.wizard"].create(
            {"date_from": date(2025, 1, 1), "date_to": date(2026, 12, 31)}
        )
        audit_pdf = self._pdf("iso10002_complaints.action_report_process_audit", audit, lang="fa_IR")
        self.assertIn("۱۴۰۵", self._text(audit_pdf))
        self._assert_numbered(audit_pdf, persian=True)
