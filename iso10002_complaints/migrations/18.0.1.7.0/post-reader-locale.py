from odoo.tools import SQL
from odoo.tools.sql import column_exists


def migrate(cr, version):
    """The calendar and the rial unit of the documents are report_reader_locale's company
    settings now (reader_calendar, reader_rial_unit): each company keeps its choice. The
    old columns are still there after the module's upgrade; Odoo drops them at the end."""
    for old, new in (("complaint_calendar", "reader_calendar"), ("complaint_rial_unit", "reader_rial_unit")):
        if column_exists(cr, "res_company", old) and column_exists(cr, "res_company", new):
            old_column, new_column = SQL.identifier(old), SQL.identifier(new)
            cr.execute(SQL("UPDATE res_company SET %s = %s WHERE %s IS NOT NULL", new_column, old_column, old_column))
