# ruff: noqa: I001  (order matters: a model is defined before the models inheriting it)
#
# How iso10002.complaint is cut, one rule for every file that extends it:
# - iso10002_complaint.py holds the record and its state machine: the fields of the
#   record, TRANSITIONS and the steps' buttons, the refusals of a step (_missing_for_step),
#   create and write with their named hooks, the reference, the owner, the lifecycle's jobs.
# - each iso10002_complaint_<concern>.py holds one concern, its own fields and methods:
#   access (what a client may write, search or group by), correspondence (what the
#   complainant is sent, the way they chose, with the acknowledgement job), sla (time
#   limits, escalation and their jobs), mail (the mail gateway's intake and the chatter),
#   portal (the complainant's pages; their forms are read in controllers/), analysis,
#   authority (who decides, approves and reviews, and the recourse), safety, retention,
#   sealed (the trail that only the process changes: mail_thread_sealed's hooks).
#   A concern file is loaded after the main file, in the order below.
# - what is not a model (context sentinels, the text policy, the working-hours clock) is
#   in tools/.
from . import iso10002_median_mixin
from . import iso10002_notice
from . import iso10002_complaint_channel
from . import iso10002_intake_attempt
from . import iso10002_complaint_category
from . import iso10002_root_cause
from . import iso10002_complaint_team
from . import iso10002_complaint_stage
from . import iso10002_complaint
from . import iso10002_complaint_access
from . import iso10002_complaint_correspondence
from . import iso10002_complaint_sla
from . import iso10002_complaint_mail
from . import iso10002_complaint_portal
from . import iso10002_complaint_analysis
from . import iso10002_complaint_authority
from . import iso10002_complaint_safety
from . import iso10002_complaint_retention
from . import iso10002_complaint_bound
from . import iso10002_complaint_sealed
from . import iso10002_complaint_step_history
from . import iso10002_complaint_decision
from . import iso10002_sla_policy
from . import iso10002_sla_event
from . import iso10002_disposal_log
from . import iso10002_corrective_action
from . import iso10002_review_period_mixin
from . import iso10002_management_review
from . import iso10002_objective
from . import iso10002_audit
from . import res_company
from . import res_config_settings
from . import res_partner
from . import ir_actions_report
from . import ir_qweb_fields
from . import rating_rating
from . import digest_digest
from . import iso10002_policy
from . import iso10002_figure
