"""The "nothing lost, nothing twice" figures, one definition each, in plain SQL on the raw
tables: the oracle the tests, ``benchmarks/load.py``, ``benchmarks/scale_out.py`` and the
demo's mail check (``tools/demo_mail.py``) all count with, independent of the ORM methods
they judge. It imports nothing of Odoo: the scripts load it by its path.

Each function takes a DB-API cursor and the complaints to look at (their ids), and returns
the ids of the complaints found at fault, sorted.
"""

# the acknowledgement's subject in every language it was translated to, as a LIKE pattern
# (``%%``: the query is run with parameters):
# each ``{{ ... }}`` of the template (the company, the reference) any text, and the rest
# literal; the template is found by its XML id, not by the method that renders it
_ACKNOWLEDGEMENT_PATTERNS = r"""
    SELECT regexp_replace(
               replace(replace(replace(subject.value, '\', '\\'), '%%', '\%%'), '_', '\_'),
               '\{\{.*?\}\}', '%%', 'g') AS pattern
      FROM ir_model_data data
      JOIN mail_template template ON template.id = data.res_id
     CROSS JOIN jsonb_each_text(template.subject) AS subject
     WHERE data.module = 'iso10002_complaints' AND data.model = 'mail.template'
       AND data.name = 'mail_template_complaint_acknowledgement'
"""


def acknowledgements(cr, complaint_ids):
    """{complaint id: how many acknowledgements it got} for ``complaint_ids`` (0 for none).

    An acknowledgement is an automatic message (``auto_comment``) on the complaint whose
    subject is the acknowledgement template's subject, in any of its languages, naming the
    complaint's reference. Not the complainant's reply quoting it (``email``), nor the
    progress, decision or new-date messages (other subjects, or none)."""
    cr.execute(
        f"""WITH patterns AS ({_ACKNOWLEDGEMENT_PATTERNS})
            SELECT c.id, count(m.id)
              FROM iso10002_complaint c
              LEFT JOIN mail_message m
                ON m.model = 'iso10002.complaint' AND m.res_id = c.id
               AND m.message_type = 'auto_comment'
               AND strpos(m.subject, c.name) > 0
               AND EXISTS (SELECT 1 FROM patterns p WHERE m.subject LIKE p.pattern)
             WHERE c.id = ANY(%s)
             GROUP BY c.id""",
        (list(complaint_ids),),
    )
    return dict(cr.fetchall())


def double_acknowledgements(cr, complaint_ids):
    """The complaints acknowledged more than once: more than one acknowledgement message,
    or more than one first acknowledgement recorded (``acknowledged_date`` tracked twice).

    Entering the Acknowledged step twice is not one: a complaint withdrawn after its
    acknowledgement and reopened goes back to that step without being acknowledged again;
    and the step history records a second acknowledgement of a complaint already at that
    step as no move at all."""
    twice = {cid for cid, count in acknowledgements(cr, complaint_ids).items() if count > 1}
    cr.execute(
        """SELECT m.res_id
             FROM mail_tracking_value v
             JOIN mail_message m ON m.id = v.mail_message_id
             JOIN ir_model_fields f ON f.id = v.field_id
            WHERE m.model = 'iso10002.complaint' AND m.res_id = ANY(%s)
              AND f.model = 'iso10002.complaint' AND f.name = 'acknowledged_date'
              AND v.old_value_datetime IS NULL AND v.new_value_datetime IS NOT NULL
            GROUP BY m.res_id HAVING count(*) > 1""",
        (list(complaint_ids),),
    )
    twice.update(row[0] for row in cr.fetchall())
    return sorted(twice)


def submissions(cr, subjects=(), message_ids=()):
    """(lost, twice) of the submissions a run made and was told were accepted: form posts
    by their subject (unique to each post), e-mails by their Message-Id (the message
    kept on a complaint). Lost: no complaint has it; twice: more than one complaint has
    it (counted apart, so that a double cannot hide a loss in a total)."""
    cr.execute(
        """SELECT s.subject, count(c.id) FROM unnest(%s::varchar[]) AS s(subject)
             LEFT JOIN iso10002_complaint c ON c.subject = s.subject GROUP BY s.subject""",
        (list(subjects),),
    )
    counts = dict(cr.fetchall())
    cr.execute(
        """SELECT s.message_id, count(DISTINCT m.res_id) FROM unnest(%s::varchar[]) AS s(message_id)
             LEFT JOIN mail_message m ON m.message_id = s.message_id AND m.model = 'iso10002.complaint'
            GROUP BY s.message_id""",
        (list(message_ids),),
    )
    counts.update(cr.fetchall())
    return sorted(key for key, count in counts.items() if not count), sorted(
        key for key, count in counts.items() if count > 1
    )


def double_escalations(cr, complaint_ids):
    """The complaints escalated twice to one level (their SLA events)."""
    cr.execute(
        """SELECT complaint_id FROM iso10002_sla_event
            WHERE kind = 'escalation' AND complaint_id = ANY(%s)
            GROUP BY complaint_id, escalation_level HAVING count(*) > 1""",
        (list(complaint_ids),),
    )
    return sorted({row[0] for row in cr.fetchall()})


def duplicate_references(cr):
    """The references two complaints of one company share (company id, reference)."""
    cr.execute("SELECT company_id, name FROM iso10002_complaint GROUP BY company_id, name HAVING count(*) > 1")
    return sorted(cr.fetchall())
