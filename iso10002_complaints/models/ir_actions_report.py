from odoo import models

LETTERS = ("iso10002_complaints.report_complaint_acknowledgement", "iso10002_complaints.report_complaint_decision")


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _reader_locale_lang(self, records):
        """This module's reports are rendered for their reader (``reader_locale`` on
        them, ``report_reader_locale``). Letters are laid out in their reader's language
        (direction, right-to-left stylesheets): when every letter printed goes to readers
        of one language, the whole document is rendered in it."""
        if self.report_name in LETTERS and records:
            langs = set(records.mapped(lambda c: c.partner_id.lang or False))
            if len(langs) == 1 and (lang := langs.pop()):
                return lang
        return super()._reader_locale_lang(records)

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
