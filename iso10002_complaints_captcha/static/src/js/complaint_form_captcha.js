/** @odoo-module **/

import publicWidget from "@web/legacy/js/public/public_widget";
import { ReCaptcha } from "@google_recaptcha/js/recaptcha";

/**
 * The public complaint form asks the company's captcha for a token before it is sent,
 * as Odoo's own sign-up form does (google_recaptcha/static/src/js/signup.js).
 */
publicWidget.registry.ComplaintFormCaptcha = publicWidget.Widget.extend({
    selector: ".o_iso10002_complaint_form",
    events: {
        submit: "_onSubmit",
    },

    init() {
        this._super(...arguments);
        this._recaptcha = new ReCaptcha();
    },

    async willStart() {
        return this._recaptcha.loadLibs();
    },

    _onSubmit(ev) {
        if (
            this._recaptcha._publicKey &&
            !this.el.querySelector("input[name='recaptcha_token_response']")
        ) {
            ev.preventDefault();
            this._recaptcha.getToken("iso10002_complaint").then((result) => {
                const input = document.createElement("input");
                input.type = "hidden";
                input.name = "recaptcha_token_response";
                input.value = result.token || "";
                this.el.appendChild(input);
                this.el.submit();
            });
        }
    },
});
