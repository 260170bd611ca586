from unittest.mock import patch

from odoo.tests import TransactionCase, tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport as BaseReport

from ..models import ir_actions_report


@tagged("post_install", "-at_install")
class TestUnpatchedQt(TransactionCase):
    def test_letterhead_goes_into_the_page(self):
        body = "<!DOCTYPE html><html><body><main><div class='article'>Letter</div></main></body></html>"
        header = "<html><body><div class='header'>ACME Letterhead</div><script>subst()</script></body></html>"
        footer = (
            "<html><body><div class='footer'>ACME Ltd, Main Street"
            "<div>Page <span class='page'/> / <span class='topage'/></div></div></body></html>"
        )
        page = self.env["ir.actions.report"]._inline_letterhead(body, header, footer)
        self.assertLess(page.index("ACME Letterhead"), page.index("Letter<"))
        self.assertGreater(page.index("Main Street"), page.index("Letter<"))
        self.assertNotIn("subst()", page)
        self.assertNotIn("topage", page, "page numbers only work in wkhtmltopdf's own footer")

    def _run(self, patched, bodies):
        """The calls made to wkhtmltopdf for ``bodies`` with a header and a footer."""
        calls = []

        def run(report, bodies, **options):
            calls.append((bodies, options["header"], options["footer"]))
            return b"%PDF-1.4 stub"

        Report = self.env["ir.actions.report"]
        with (
            patch.object(ir_actions_report, "wkhtmltopdf_has_patched_qt", return_value=patched),
            patch.object(BaseReport, "_run_wkhtmltopdf", run),
            patch.object(ir_actions_report, "merge_pdf", b"".join),
        ):
            Report._run_wkhtmltopdf(bodies, header="<html><body><div>H</div></body></html>", footer=None)
        return calls

    TWO = ["<html><body><main>A</main></body></html>", "<html><body><main>B</main></body></html>"]

    def test_patched_qt_is_left_alone(self):
        calls = self._run(True, self.TWO)
        self.assertEqual(len(calls), 1, "one run for every document")
        self.assertTrue(calls[0][1], "the header stays a document of its own")

    def test_unpatched_qt_prints_one_document_per_run(self):
        calls = self._run(False, self.TWO)
        self.assertEqual(len(calls), 2)
        self.assertTrue(all(header is None for _bodies, header, _footer in calls))
        self.assertIn("H", calls[0][0][0])
