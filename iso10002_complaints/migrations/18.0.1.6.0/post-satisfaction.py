def migrate(cr, version):
    """18.0.1.6.0: a complainant's satisfaction is asked by any means, and the figures
    count the requests. A rating request of a complaint made before says when it was made
    (its creation); the step history records, from the moment of each complaint's first
    request (to the second, as the history keeps its dates), that it had been asked."""
    cr.execute(
        """UPDATE rating_rating SET satisfaction_asked_date = date_trunc('second', create_date)
            WHERE res_model = 'iso10002.complaint' AND satisfaction_asked_date IS NULL"""
    )
    cr.execute(
        """UPDATE iso10002_complaint_step_history h SET satisfaction_asked = TRUE
             FROM (SELECT res_id, min(date_trunc('second', create_date)) AS first
                     FROM rating_rating WHERE res_model = 'iso10002.complaint' GROUP BY res_id) r
            WHERE h.complaint_id = r.res_id AND h.date >= r.first AND h.satisfaction_asked IS NOT TRUE"""
    )
    cr.execute("UPDATE iso10002_complaint_step_history SET satisfaction_asked = FALSE WHERE satisfaction_asked IS NULL")
