# ruff: noqa: I001
from . import iso10002_management_review_wizard
from . import iso10002_process_audit_wizard
from . import iso10002_satisfaction_wizard
