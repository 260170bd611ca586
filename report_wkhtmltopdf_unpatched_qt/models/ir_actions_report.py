import functools
import subprocess

from lxml import html as lxml_html

from odoo import models
from odoo.tools.misc import find_in_path
from odoo.tools.pdf import merge_pdf


@functools.cache
def wkhtmltopdf_has_patched_qt():
    """Whether the wkhtmltopdf binary is the "patched qt" build (a fact of the machine)."""
    try:
        out = subprocess.run(
            [find_in_path("wkhtmltopdf"), "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "patched qt" in out


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _run_wkhtmltopdf(
        self,
        bodies,
        report_ref=False,
        header=None,
        footer=None,
        landscape=False,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        """Reports with a wkhtmltopdf built on unpatched Qt (Debian's package).

        That build refuses more than one input document: the documents of a selection
        are printed one by one and merged. It also ignores the header and footer
        documents (the letterhead): they go into the page itself, at its top and bottom,
        without page numbers. With the patched build nothing changes.
        """
        options = {
            "report_ref": report_ref,
            "header": header,
            "footer": footer,
            "landscape": landscape,
            "specific_paperformat_args": specific_paperformat_args,
            "set_viewport_size": set_viewport_size,
        }
        if wkhtmltopdf_has_patched_qt():
            return super()._run_wkhtmltopdf(bodies, **options)
        if header or footer:
            bodies = [self._inline_letterhead(body, header, footer) for body in bodies]
            options.update(
                header=None,
                footer=None,
                specific_paperformat_args={
                    **(specific_paperformat_args or {}),
                    "data-report-margin-top": 10,
                    "data-report-header-spacing": 0,
                },
            )
        if len(bodies) > 1:
            return merge_pdf([super(IrActionsReport, self)._run_wkhtmltopdf([body], **options) for body in bodies])
        return super()._run_wkhtmltopdf(bodies, **options)

    @staticmethod
    def _inline_letterhead(body, header, footer):
        page = lxml_html.document_fromstring(body)
        target = page.find(".//main") if page.find(".//main") is not None else page.body
        for source, at_top in ((header, True), (footer, False)):
            if not source:
                continue
            part = lxml_html.document_fromstring(source).body
            # page numbers are filled in by wkhtmltopdf only in header and footer documents
            for number in part.xpath(".//span[contains(@class, 'page') or contains(@class, 'topage')]/.."):
                number.getparent().remove(number)
            parts = [node for node in part if node.tag != "script"]
            for index, node in enumerate(parts):
                if at_top:
                    target.insert(index, node)
                else:
                    target.append(node)
        return lxml_html.tostring(page, encoding="unicode", doctype="<!DOCTYPE html>")
