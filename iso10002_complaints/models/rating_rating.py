from odoo import _, api, fields, models
from odoo.exceptions import AccessError

# how the complainant's satisfaction was asked: the rating link of the e-mail, or by
# whom the owner recorded it (iso10002.satisfaction.wizard)
SATISFACTION_MEANS = [("email", "E-mail"), ("phone", "Phone"), ("letter", "Letter"), ("in_person", "In person")]
# what only the process writes: the means, who asked and who recorded an answer
SATISFACTION_FIELDS = frozenset(
    {
        "satisfaction_means",
        "satisfaction_asked_by_id",
        "satisfaction_asked_date",
        "satisfaction_recorded_by_id",
        "satisfaction_declined",
    }
)


class RatingRating(models.Model):
    _inherit = "rating.rating"

    satisfaction_means = fields.Selection(
        SATISFACTION_MEANS,
        string="Asked By Means Of",
        readonly=True,
        help="How the complainant was asked: the e-mailed rating link, or by phone, letter or in person "
        "(the answer then recorded by the owner).",
    )
    satisfaction_asked_by_id = fields.Many2one("res.users", string="Asked By", readonly=True, ondelete="restrict")
    satisfaction_asked_date = fields.Datetime(string="Asked On", readonly=True)
    satisfaction_recorded_by_id = fields.Many2one(
        "res.users", string="Answer Recorded By", readonly=True, ondelete="restrict"
    )
    satisfaction_declined = fields.Boolean(
        string="Declined to Answer",
        readonly=True,
        help="Asked, the complainant declined to say how satisfied they are.",
    )

    def _check_sealed(self, vals_list=()):
        """Besides the sealed ratings of a complaint (mail_thread_sealed: only the
        complainant rates it, through the rating link, or the owner records the answer
        they were given by phone, letter or in person, iso10002.satisfaction.wizard, as the
        system), how a satisfaction was asked is said by the process only, on the ratings
        of any document."""
        super()._check_sealed(vals_list)
        if self.env.su:
            return
        context = {key[len("default_") :] for key in self.env.context if key.startswith("default_")}
        if any(SATISFACTION_FIELDS & (set(vals) | context) for vals in vals_list):
            raise AccessError(_("How a complainant's satisfaction was asked is recorded by the process only."))

    @api.model_create_multi
    def create(self, vals_list):
        ratings = super().create(vals_list)
        ratings._track_complaints()
        return ratings

    def write(self, vals):
        result = super().write(vals)
        if {"rating", "consumed", "res_id", "res_model", "res_model_id"} & set(vals):
            self._track_complaints()
        return result

    def _track_complaints(self):
        """A rating asked, given (or changed) is a row of its complaint's step history:
        the satisfaction figures of a period read the requests and the ratings as they
        stood at its end."""
        rated = self.sudo().filtered(lambda r: r.res_model == "iso10002.complaint" and r.res_id)
        if rated:
            self.env["iso10002.complaint"].browse(set(rated.mapped("res_id"))).exists()._step_history_track()
