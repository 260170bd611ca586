from odoo import _, api, models
from odoo.exceptions import AccessError

from .mail_message import SEALED_MODELS


class RatingRating(models.Model):
    _inherit = "rating.rating"

    def _check_sealed(self, models_=None):
        """Only the complainant rates the handling of a complaint, through the rating link
        (which runs as the system): employees neither create nor change ratings."""
        if self.env.su:
            return
        targets = set(models_ or ()) | set(self.sudo().mapped("res_model"))
        if targets & set(SEALED_MODELS):
            raise AccessError(_("Only the complainant rates the handling of a complaint."))

    @api.model_create_multi
    def create(self, vals_list):
        models_ = {vals.get("res_model") for vals in vals_list}
        models_ |= {
            self.env["ir.model"].sudo().browse(vals["res_model_id"]).model
            for vals in vals_list
            if vals.get("res_model_id")
        }
        self._check_sealed(models_)
        ratings = super().create(vals_list)
        ratings._track_complaints()
        return ratings

    def write(self, vals):
        models_ = {vals.get("res_model")} if vals.get("res_model") else set()
        if vals.get("res_model_id"):
            models_.add(self.env["ir.model"].sudo().browse(vals["res_model_id"]).model)
        self._check_sealed(models_)
        result = super().write(vals)
        if {"rating", "consumed", "res_id", "res_model", "res_model_id"} & set(vals):
            self._track_complaints()
        return result

    def _track_complaints(self):
        """A rating given (or changed) is a row of its complaint's step history: the
        satisfaction figures of a period read the ratings as they stood at its end."""
        rated = self.sudo().filtered(lambda r: r.res_model == "iso10002.complaint" and r.res_id)
        if rated:
            self.env["iso10002.complaint"].browse(set(rated.mapped("res_id"))).exists()._step_history_track()

    def unlink(self):
        self._check_sealed()
        return super().unlink()
