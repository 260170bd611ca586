from html import escape

import lxml.html

from odoo import models

from .reader_locale import PERSIAN_DIGITS, READER_KEY, is_persian

ARTICLES = "//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]"

LETTERS = ("iso10002_complaints.report_complaint_acknowledgement", "iso10002_complaints.report_complaint_decision")


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _iso10002_for_reader(self, report_ref, docids):
        """This module's documents are rendered for their reader: dates, numbers and
        amounts as the reader reads them (``reader_locale``), with the options of the
        documents' company. Letters are laid out in their reader's language (direction,
        right-to-left stylesheets): when every letter printed goes to readers of one
        language, the whole document is rendered in it."""
        report = self._get_report(report_ref)
        if not (report.report_name or "").startswith("iso10002_"):
            return self
        # how the documents are shown, not whether they may be: their access is checked
        # by the reports (iso10002.report.mixin)
        records = self.env[report.model].browse(docids or []).sudo().exists()
        company = records.company_id if records and "company_id" in records._fields else self.env.company
        context = {READER_KEY: company.id if len(company) == 1 else True}
        if report.report_name in LETTERS and records:
            langs = set(records.mapped(lambda c: c.partner_id.lang or False))
            if len(langs) == 1 and (lang := langs.pop()):
                context["lang"] = lang
        return self.with_context(**context)

    def report_action(self, docids, data=None, config=True):
        """The print buttons of this module answer RPC clients too: XML-RPC cannot send
        the None that Odoo's action holds when no data is given (an empty dict prints
        the same: the web client reads both as "print these records")."""
        action = super().report_action(docids, data=data, config=config)
        if (self.report_name or "").startswith("iso10002_"):
            # the action itself, or the one the layout configurator opens first
            for printing in (action, (action.get("context") or {}).get("report_action")):
                if isinstance(printing, dict) and "data" in printing and printing["data"] is None:
                    printing["data"] = {}
        return action

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        return super(IrActionsReport, self._iso10002_for_reader(report_ref, res_ids))._render_qweb_pdf(
            report_ref, res_ids=res_ids, data=data
        )

    def _render_qweb_html(self, report_ref, docids, data=None):
        return super(IrActionsReport, self._iso10002_for_reader(report_ref, docids))._render_qweb_html(
            report_ref, docids, data=data
        )

    def _prepare_html(self, html, report_model=False):
        """The page numbers of this module's reports, said in each document's language:
        "Page 1 of 3", "صفحه ۱ از ۳" (wkhtmltopdf fills them in the footer documents)."""
        bodies, res_ids, header, footer, paperformat_args = super()._prepare_html(html, report_model=report_model)
        if (self.report_name or "").startswith("iso10002_"):
            if footer:
                langs = [node.get("data-oe-lang") for node in lxml.html.fromstring(html).xpath(ARTICLES)]
                footer = self._iso10002_page_numbers(footer, langs)
            header = header and self._iso10002_address_lines(header)
            bodies = [self._iso10002_address_lines(body) for body in bodies]
        return bodies, res_ids, header, footer, paperformat_args

    @staticmethod
    def _iso10002_address_lines(document):
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

    def _iso10002_page_numbers(self, footer, langs):
        """``footer`` (the footer document of a print job) with each document's page
        number line worded in its language (``langs``, in the order of the documents)
        and, for Persian, marked to be shown in Persian digits."""
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
