{
    "name": "Reports with an unpatched-Qt wkhtmltopdf",
    "summary": "Print reports with a wkhtmltopdf built on unpatched Qt (Debian's package): "
    "letterhead in the page, one document per run",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tools",
    "website": "https://github.com/iso10002/iso10002_complaints",
    "author": "iso10002_complaints developers",
    "maintainers": ["iso10002"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["web"],
    "installable": True,
}
