"""18.0.1.1.0: sla_next_check is indexed on its non-empty values only (most complaints have
none once met, paused or withdrawn). Odoo keeps an index of the same name as it is, so
the old one is dropped here and the update creates the new one."""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(SQL("DROP INDEX IF EXISTS %s", SQL.identifier("iso10002_complaint__sla_next_check_index")))
