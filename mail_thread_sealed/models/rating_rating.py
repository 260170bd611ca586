from odoo import api, models
from odoo.exceptions import AccessError

from .mail_thread import is_sealed


class RatingRating(models.Model):
    _inherit = "rating.rating"

    def _check_sealed(self, vals_list=()):
        """The ratings of a sealed record are given through the rating link (which runs as
        the system) or recorded by the record's own process: people neither create, change
        nor delete them."""
        if self.env.su:
            return
        targets = self._models_of(vals_list) | set(self.sudo().mapped("res_model"))
        if any(
            is_sealed(self.env, model) and not self.env[model]._mail_thread_sealed_by_process() for model in targets
        ):
            raise AccessError(self.env._("The ratings of this document are given through its rating link only."))

    def _models_of(self, vals_list):
        """The models rated by ``vals_list`` (by name or by ``ir.model``)."""
        models_ = {vals["res_model"] for vals in vals_list if vals.get("res_model")}
        ids = {vals["res_model_id"] for vals in vals_list if vals.get("res_model_id")}
        if ids:
            models_ |= set(self.env["ir.model"].sudo().browse(ids).mapped("model"))
        return models_

    @api.model_create_multi
    def create(self, vals_list):
        self._check_sealed(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_sealed([vals])
        return super().write(vals)

    def unlink(self):
        self._check_sealed()
        return super().unlink()
