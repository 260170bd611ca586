{
    "name": "Documents in their Reader's Locale",
    "summary": "Reports and e-mails that opt in show dates in the Solar Hijri calendar, numbers in Persian "
    "digits, the rial in rial or toman, page numbers in the reader's language and each address line in its "
    "own direction",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tools",
    "website": "https://github.com/iso10002/iso10002_complaints",
    "author": "iso10002_complaints developers",
    "maintainers": ["iso10002"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["web", "mail"],
    "external_dependencies": {"python": ["jdatetime"]},
    "data": [
        "views/report_templates.xml",
        "views/ir_actions_report_views.xml",
        "views/res_company_views.xml",
    ],
    "installable": True,
}
