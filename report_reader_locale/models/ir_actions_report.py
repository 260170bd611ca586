from html import escape

import lxml.html

from odoo import fields, models

from ..tools import PERSIAN_DIGITS, READER_KEY, is_persian

ARTICLES = "//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]"


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    reader_locale = fields.Boolean(
        string="Rendered for the Reader",
        help="Dates in the reader's calendar (Solar Hijri for Persian readers), numbers in the reader's digits, "
        "amounts in Iranian rial in rial or toman, page numbers in the reader's language and digits, and each "
        "line of an address in the direction of its own script.",
    )

    def _reader_locale_lang(self, records):
        """The language the whole document is rendered in for ``records``, or ``False``
        for the language of the one who prints. Override it for a report addressed to
        someone (a letter in its recipient's language, direction and stylesheets)."""
        self.ensure_one()
        return False

    def _reader_locale_for(self, report_ref, docids):
        """The reports that opt in (``reader_locale``) are rendered for their reader:
        dates, numbers and amounts as the reader reads them, with the options of the
        documents' company, in the language ``_reader_locale_lang`` chooses."""
        report = self._get_report(report_ref)
        if not report.reader_locale:
            # the others are rendered as Odoo renders them, whatever a caller's context says
            return self.with_context(**{READER_KEY: False})
        # how the documents are shown, not whether they may be: their access is the
        # report's to check
        records = self.env[report.model].browse(docids or []).sudo().exists()
        company = records.company_id if records and "company_id" in records._fields else self.env.company
        context = {READER_KEY: company.id if len(company) == 1 else True}
        if lang := report._reader_locale_lang(records):
            context["lang"] = lang
        return self.with_context(**context)

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        return super(IrActionsReport, self._reader_locale_for(report_ref, res_ids))._render_qweb_pdf(
            report_ref, res_ids=res_ids, data=data
        )

    def _render_qweb_html(self, report_ref, docids, data=None):
        return super(IrActionsReport, self._reader_locale_for(report_ref, docids))._render_qweb_html(
            report_ref, docids, data=data
        )

    def _prepare_html(self, html, report_model=False):
        """The page numbers of the reports that opt in, said in each document's language:
        "Page 1 of 3", "صفحه ۱ از ۳" (wkhtmltopdf fills them in the footer documents),
        and each line of their addresses in its own direction."""
        if not self.reader_locale:
            return super()._prepare_html(html, report_model=report_model)
        # the footer's script that shows page numbers in the reader's digits asks for it
        report = self.with_context(**{READER_KEY: self.env.context.get(READER_KEY) or True})
        bodies, res_ids, header, footer, paperformat_args = super(IrActionsReport, report)._prepare_html(
            html, report_model=report_model
        )
        if footer:
            langs = [node.get("data-oe-lang") for node in lxml.html.fromstring(html).xpath(ARTICLES)]
            footer = self._reader_locale_page_numbers(footer, langs)
        header = header and self._reader_locale_address_lines(header)
        bodies = [self._reader_locale_address_lines(body) for body in bodies]
        return bodies, res_ids, header, footer, paperformat_args

    @staticmethod
    def _reader_locale_address_lines(document):
        """Each line of an address (the letterhead's, the recipient's) in the direction
        of its own script: "250 Executive Park Blvd" stays in that order in a Persian
        letter, a Persian street in an English one (wkhtmltopdf knows no ``dir="auto"``)."""
        page = lxml.html.document_fromstring(document)
        # the innermost elements of addresses (lines may be split by <br> only)
        lines = [line for line in page.xpath("//address//*[not(*[not(self::br)])]") if line.text_content().strip()]
        if not lines:
            return document
        rtl_page = page.body is not None and page.body.get("dir") == "rtl"
        for line in lines:
            strong = next((char for char in line.text_content() if char.isalpha()), "")
            rtl = "\u0600" <= strong <= "\u06ff" or "\ufb50" <= strong <= "\ufeff"
            line.set("dir", "rtl" if rtl else "ltr")
            if rtl != rtl_page:
                # aligned as the page is, though written the other way
                style = f"{line.get('style') or ''}; text-align: {'right' if rtl_page else 'left'}"
                line.set("style", style.lstrip("; "))
        return lxml.html.tostring(page, encoding="unicode", doctype="<!DOCTYPE html>")

    def _reader_locale_page_numbers(self, footer, langs):
        """``footer`` (the footer document of a print job) with each document's page
        number line worded in its language (``langs``, in the order of the documents)
        and, for Persian, marked to be shown in Persian digits (by the script that
        ``views/report_templates.xml`` adds to the footer)."""
        page = lxml.html.document_fromstring(footer)
        container = page.get_element_by_id("minimal_layout_report_footers", None)
        if container is None:
            return footer
        for index, document_footer in enumerate(container):
            lang = (langs[index] if index < len(langs) else None) or self.env.lang or "en_US"
            env = self.with_context(lang=lang).env
            document_footer.set("dir", env["res.lang"]._get_data(code=lang).direction or "ltr")
            for number in document_footer.xpath(".//span[contains(concat(' ', @class, ' '), ' page ')]"):
                line = number.getparent()
                if not line.xpath(".//span[contains(concat(' ', @class, ' '), ' topage ')]"):
                    continue
                sentence = env._("Page %(page)s of %(total)s", page="\x00page\x00", total="\x00total\x00")
                marked = escape(sentence).replace("\x00page\x00", '<span class="page"/>')
                marked = marked.replace("\x00total\x00", '<span class="topage"/>')
                words = lxml.html.fragment_fromstring(f"<{line.tag}>{marked}</{line.tag}>")
                for child in list(line):
                    line.remove(child)
                line.text = words.text
                for child in words:
                    line.append(child)
                if is_persian(lang):
                    line.set("data-o-digits", "0123456789".translate(PERSIAN_DIGITS))
        return lxml.html.tostring(page, encoding="unicode", doctype="<!DOCTYPE html>")
