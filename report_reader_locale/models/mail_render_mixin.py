from odoo import models

from ..tools import READER_KEY


class MailRenderMixin(models.AbstractModel):
    """The e-mails about the records of a model that opts in (``_reader_locale = True``
    on the model) show dates, numbers and amounts as their reader reads them."""

    _inherit = "mail.render.mixin"

    def _render_template(self, template_src, model, res_ids, engine="inline_template", add_context=None, options=None):
        mixin = self
        if model and model in self.env and not self.env.context.get(READER_KEY):
            if getattr(self.env[model], "_reader_locale", False):
                mixin = self.with_context(**{READER_KEY: True})
        return super(MailRenderMixin, mixin)._render_template(
            template_src, model, res_ids, engine=engine, add_context=add_context, options=options
        )
