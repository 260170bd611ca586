from unittest.mock import patch

from odoo.http import Request
from odoo.tests import HttpCase, tagged

from odoo.addons.google_recaptcha.models.ir_http import Http

FORM = {
    "name": "Walk In",
    "email": "walk.in@example.com",
    "subject": "Captcha",
    "description": "The shop was closed during opening hours.",
    "consent": "on",
}


@tagged("post_install", "-at_install")
class TestCaptcha(HttpCase):
    def _post(self, subject, **extra):
        self.authenticate(None, None)
        data = dict(FORM, subject=subject, csrf_token=Request.csrf_token(self), **extra)
        return self.url_open("/complaints/new", data=data, allow_redirects=False)

    def _complaints(self, subject):
        return self.env["iso10002.complaint"].search_count([("subject", "=", subject)])

    def test_no_keys_no_check(self):
        self.assertEqual(self._post("No keys").status_code, 303)
        self.assertEqual(self._complaints("No keys"), 1)

    def test_a_bot_is_refused_and_a_human_passes(self):
        self.env["ir.config_parameter"].sudo().set_param("recaptcha_private_key", "secret")
        verdicts = {"bot-token": "is_bot", "bad-token": "wrong_token", "human-token": "is_human"}

        def verify(self_, ip_addr, token, action=False):
            self.assertEqual(action, "iso10002_complaint")
            return verdicts.get(token, "wrong_token")

        with patch.object(Http, "_verify_recaptcha_token", verify):
            for token, subject in (("bot-token", "Bot"), ("bad-token", "Bad"), ("", "No token")):
                response = self._post(subject, recaptcha_token_response=token)
                self.assertEqual(response.status_code, 400, subject)
                self.assertEqual(self._complaints(subject), 0, subject)
            response = self._post("Human", recaptcha_token_response="human-token")
            self.assertEqual(response.status_code, 303)
            self.assertEqual(self._complaints("Human"), 1)

    def test_the_form_carries_the_captcha_hook(self):
        self.authenticate(None, None)
        self.assertIn("o_iso10002_complaint_form", self.url_open("/complaints/new").text)
