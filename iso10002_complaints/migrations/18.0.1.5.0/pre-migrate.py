# the objectives' figures are the codes of the catalogue of figures (iso10002.figure)
RENAMED_METRICS = {
    "median_resolution": "decision_hours_median",
    "open_actions": "actions_open_end",
    "backlog": "open_end",
    "overdue": "overdue_end",
}


def migrate(cr, version):
    """18.0.1.5.0: an objective targets a figure of the catalogue, by its code."""
    for old, new in RENAMED_METRICS.items():
        cr.execute("UPDATE iso10002_objective SET metric = %s WHERE metric = %s", (new, old))
