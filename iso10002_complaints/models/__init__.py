from . import (
    iso10002_complaint,
    iso10002_complaint_category,
    iso10002_complaint_channel,
    iso10002_complaint_stage,
    iso10002_complaint_team,
    iso10002_root_cause,
    res_partner,
)
