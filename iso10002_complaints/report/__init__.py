from . import iso10002_register_xlsx, iso10002_sla_report, report_complaint, report_management_review
