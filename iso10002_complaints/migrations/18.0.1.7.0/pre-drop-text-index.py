def migrate(cr, version):
    """The texts of similar complaints are compared among the complaints closest in time
    (received_date's index): the GiST index of earlier versions is not read, only written
    at every intake."""
    if version:
        cr.execute("DROP INDEX IF EXISTS iso10002_complaint_summary_text_trgm_idx")
