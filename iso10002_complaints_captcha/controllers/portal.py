from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.iso10002_complaints.controllers.portal import ComplaintPortal

CAPTCHA_ACTION = "iso10002_complaint"


class ComplaintPortalCaptcha(ComplaintPortal):
    def _check_form_submission(self):
        """The company's captcha, when one is configured (no key: nothing to check)."""
        res = super()._check_form_submission()
        if not request.env["ir.http"]._verify_request_recaptcha_token(CAPTCHA_ACTION):
            raise UserError(request.env._("Our check against automated submissions failed. Please try again."))
        return res
