{
    "name": "Sealed Mail Threads",
    "summary": "The messages, attachments and ratings of the models that declare it "
    "cannot be edited or deleted: their trail is their record",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tools",
    "website": "https://github.com/iso10002/iso10002_complaints",
    "author": "iso10002_complaints developers",
    "maintainers": ["iso10002"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["mail", "rating"],
    "installable": True,
}
