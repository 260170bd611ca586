# ruff: noqa: I001
from . import helpdesk_ticket_team
from . import helpdesk_ticket
from . import iso10002_complaint
from . import iso10002_review_period_mixin
