{
    "name": "ISO 10002 Complaints: captcha on the public form",
    "summary": "Odoo's own captcha (reCAPTCHA, or Turnstile with website_cf_turnstile) on the public complaint form",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "website": "https://github.com/iso10002/iso10002_complaints",
    "author": "iso10002_complaints developers",
    "maintainers": ["iso10002"],
    "license": "LGPL-3",
    "development_status": "Beta",
    "depends": ["iso10002_complaints", "google_recaptcha"],
    "assets": {
        "web.assets_frontend": [
            "iso10002_complaints_captcha/static/src/js/complaint_form_captcha.js",
        ],
    },
    "auto_install": True,
    "installable": True,
}
