from odoo.modules.migration import load_script
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestUpgradeSteps(TransactionCase):
    def _index_exists(self, name):
        self.env.cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        return bool(self.env.cr.fetchone())

    def test_the_unread_text_index_of_earlier_versions_is_dropped_on_upgrade(self):
        """The GiST index that earlier versions kept on the complaint's text is only
        written at every intake, never read: an upgrade drops it, a new install never
        has it."""
        name = "iso10002_complaint_summary_text_trgm_idx"
        self.assertFalse(self._index_exists(name), "a new install has no such index")
        self.env.cr.execute(f"CREATE INDEX {name} ON iso10002_complaint (summary_text)")
        self.assertTrue(self._index_exists(name))
        script = load_script("iso10002_complaints/migrations/18.0.1.7.0/pre-drop-text-index.py", "iso10002_pre_drop")
        script.migrate(self.env.cr, "18.0.1.6.0")
        self.assertFalse(self._index_exists(name))

    def test_the_companys_calendar_and_rial_unit_are_kept_on_upgrade(self):
        """The calendar and the rial unit of complaint documents became
        report_reader_locale's settings: the upgrade copies each company's choice."""
        self.env.cr.execute(
            "ALTER TABLE res_company ADD COLUMN complaint_calendar varchar, ADD COLUMN complaint_rial_unit varchar"
        )
        company = self.env.company
        self.env.cr.execute(
            "UPDATE res_company SET complaint_calendar = 'solar_hijri', complaint_rial_unit = 'toman' WHERE id = %s",
            [company.id],
        )
        script = load_script("iso10002_complaints/migrations/18.0.1.7.0/post-reader-locale.py", "iso10002_post_reader")
        script.migrate(self.env.cr, "18.0.1.6.0")
        company.invalidate_recordset()
        self.assertEqual((company.reader_calendar, company.reader_rial_unit), ("solar_hijri", "toman"))
