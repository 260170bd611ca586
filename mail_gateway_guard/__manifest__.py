{
    "name": "Mail Gateway Guard",
    "summary": "Incoming mail hardened: only the gateway processes it, unreadable mail and broken "
    "delivery reports are kept, and models can keep automatic and looping mail",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tools",
    "website": "https://github.com/iso10002/iso10002_complaints",
    "author": "iso10002_complaints developers",
    "maintainers": ["iso10002"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["mail"],
    "installable": True,
}
