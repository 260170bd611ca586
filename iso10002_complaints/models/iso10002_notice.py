from odoo import api, models


class Iso10002Notice(models.AbstractModel):
    """A message to one internal user, listing what needs their attention, rendered from
    a QWeb view in that user's language and time zone (the ``digest`` way)."""

    _name = "iso10002.notice"
    _description = "Complaints notice to a user"

    @api.model
    def _mail_values(self, user, template, subject, values):
        """``mail.mail`` values of ``template`` rendered for ``user``; ``subject`` is a
        function of the user's environment, so that it is translated for them."""
        env = self.with_context(lang=user.lang, tz=user.tz or "UTC").env
        company = user.company_id
        Render = env["mail.render.mixin"]
        body = Render._render_template(
            template,
            "res.users",
            user.ids,
            engine="qweb_view",
            add_context={"user": user, "company": company, "base_url": company.get_base_url(), **values},
            options={"post_process": True},
        )[user.id]
        subject = subject(env)
        return {
            "subject": subject,
            "body_html": Render._render_encapsulate(
                "mail.mail_notification_light",
                body,
                add_context={
                    # the light layout expects a message; as res.users' security notices give it
                    "message": env["mail.message"].sudo().new({"body": body, "record_name": subject}),
                    "model_description": env._("Complaints"),
                    "company": company,
                },
            ),
            "email_from": company.partner_id.email_formatted or env.ref("base.user_root").email_formatted,
            "recipient_ids": [(4, user.partner_id.id)],
            "auto_delete": True,
        }

    @api.model
    def _send(self, notices):
        """``notices``: (user, template, subject, values) to send, one mail each; only
        to active internal users with an e-mail address (notices link to the backend)."""
        mails = [
            self._mail_values(user, template, subject, values)
            for user, template, subject, values in notices
            if user and user.active and user._is_internal() and user.partner_id.email
        ]
        self.env["mail.mail"].sudo().create(mails)
        return len(mails)
