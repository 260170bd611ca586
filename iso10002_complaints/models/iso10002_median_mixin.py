from odoo import models
from odoo.tools import SQL


class Iso10002MedianMixin(models.AbstractModel):
    """Adds a ``median`` aggregate to ``_read_group`` (``field:median``), for KPIs and pivots."""

    _name = "iso10002.median.mixin"
    _description = "Median aggregate for read_group"

    def _read_group_select(self, aggregate_spec, query):
        fname, _property, func = models.parse_read_group_spec(aggregate_spec)
        if func == "median":
            if fname not in self or self._fields[fname].type not in ("float", "integer", "monetary"):
                raise ValueError(f"Invalid aggregate {aggregate_spec!r}: median needs a numeric field")
            column = self._field_to_sql(self._table, fname, query)
            return SQL("percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)", column)
        return super()._read_group_select(aggregate_spec, query)
