{
    "name": "ISO 10002 Complaints: website",
    "summary": "A Complaints menu on the website: the published complaints-handling policy, the form, "
    "the time limits and the recourse",
    "version": "18.0.1.0.0",
    "category": "Website",
    "website": "https://github.com/iso10002/iso10002_complaints",
    "author": "iso10002_complaints developers",
    "maintainers": ["iso10002"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["iso10002_complaints", "website"],
    "data": ["data/website_menu_data.xml"],
    "assets": {"web.assets_tests": ["iso10002_complaints_website/static/tests/tours/**/*"]},
    "auto_install": True,
    "installable": True,
}
