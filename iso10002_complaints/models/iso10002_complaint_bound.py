"""What Odoo keeps beside a document (its followers, the notifications of its messages,
its ratings) names who complained and to whom the company wrote. Core lets every
employee read those rows of any document. For a complaint they are read by the users who
may read the complaint itself: the record rules of these models ask
``iso10002_visible``, which is True for a row about any other document, and for a row
about a complaint the current user may read (ISO 10002 4.10: confidentiality)."""

from odoo import api, fields, models
from odoo.exceptions import UserError

COMPLAINT = "iso10002.complaint"
# what decides whether a user may read complaints at all
USER_ACCESS_FIELDS = frozenset({"active", "groups_id", "company_ids"})
# what decides who may read a complaint (the record rules)
READ_ACCESS_FIELDS = frozenset({"team_id", "user_id", "investigator_id", "is_confidential", "company_id"})


class Iso10002ComplaintBound(models.AbstractModel):
    """A row about complaints, read only with one of them (or when it is about none).

    Inheriting models say where the complaints are: ``_iso10002_document_fields`` names
    the model field and the record id field of a row about one document (dotted paths
    for a row bound through its message); a model that points to complaints otherwise
    overrides ``_iso10002_complaint_ids`` and ``_iso10002_about_domain``."""

    _name = "iso10002.complaint.bound"
    _description = "Row bound to a complaint's access"
    _iso10002_document_fields = ("res_model", "res_id")

    # technical: searched by the record rules (which run as the system), not by clients
    iso10002_visible = fields.Boolean(
        string="Readable with its Complaint",
        compute="_compute_iso10002_visible",
        search="_search_iso10002_visible",
        groups="base.group_system",
    )

    def _iso10002_complaint_ids(self):
        """{row: ids of the complaints it is about} (empty: about no complaint)."""
        model_field, id_field = self._iso10002_document_fields
        about = {}
        for record in self.sudo():
            models_, res_ids = record.mapped(model_field), record.mapped(id_field)
            about[record.id] = res_ids[:1] if models_ == [COMPLAINT] and res_ids else []
        return about

    def _iso10002_about_domain(self, readable):
        """The rows about no complaint or about one of ``readable`` (a query of the
        complaints the user may read; None: the user reads no complaint)."""
        model_field, id_field = self._iso10002_document_fields
        if readable is None:
            return [(model_field, "!=", COMPLAINT)]
        return ["|", (model_field, "!=", COMPLAINT), (id_field, "in", readable)]

    @api.depends_context("uid")
    def _compute_iso10002_visible(self):
        """As the user, not as the superuser the access check may run as."""
        about = self._iso10002_complaint_ids()
        readable = self._iso10002_readable_ids({cid for ids in about.values() for cid in ids})
        for record in self:
            ids = about.get(record.id) or []
            record.iso10002_visible = not ids or any(cid in readable for cid in ids)

    def _iso10002_readable_ids(self, ids):
        """The ids among ``ids`` of the complaints the current user may read."""
        env = self.env(su=False)
        Complaint = env[COMPLAINT]
        if not ids or not Complaint.has_access("read"):
            return set()
        return set(Complaint.sudo().browse(ids).exists().with_env(env)._filtered_access("read").ids)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        if any(spec.split(":")[0].split(".")[0] == "iso10002_visible" for spec in groupby):
            raise UserError(self.env._("Rows are not grouped by whether they are readable with their complaint."))
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    def _search_iso10002_visible(self, operator, value):
        if operator in ("in", "not in") and isinstance(value, list | tuple) and len(set(map(bool, value))) == 1:
            operator, value = ("=" if operator == "in" else "!="), bool(value[0])
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Whether a row is readable with its complaint is True or False."))
        Complaint = self.env(su=False)[COMPLAINT]
        readable = self._iso10002_about_domain(Complaint._search([]) if Complaint.has_access("read") else None)
        if (operator == "=") == value:
            return readable
        return ["!", *readable]


class MailFollowers(models.Model):
    _name = "mail.followers"
    _inherit = ["mail.followers", "iso10002.complaint.bound"]


class MailNotification(models.Model):
    _name = "mail.notification"
    _inherit = ["mail.notification", "iso10002.complaint.bound"]
    _iso10002_document_fields = ("mail_message_id.model", "mail_message_id.res_id")

    @api.model_create_multi
    def create(self, vals_list):
        """Employees may create notifications (core): one names its partner as told of a
        message, who may then read it. On a complaint's message, only people who may read
        the complaint are told (the process, as superuser, decides for itself)."""
        notifications = super().create(vals_list)
        if not self.env.su:
            for notification in notifications.sudo():
                message = notification.mail_message_id
                if message.model == COMPLAINT and message.res_id:
                    complaint = self.env[COMPLAINT].browse(message.res_id)
                    complaint._refuse_blind(notification.res_partner_id.ids)
        return notifications


class RatingRating(models.Model):
    _name = "rating.rating"
    _inherit = ["rating.rating", "iso10002.complaint.bound"]


class Iso10002Complaint(models.Model):
    """Who follows a complaint, or is written to on it as a user, may read it: a
    follower or a mentioned colleague would otherwise get its messages, and Odoo lets a
    notified user read the message (its text and the complaint's name)."""

    _inherit = COMPLAINT

    def _partners_who_cannot_read(self, partner_ids):
        """The partners among ``partner_ids`` that are users none of whom may read all of
        these complaints. Partners without a user (an address the officer writes to) are
        the process's to choose, and the complainant is written to on their complaint
        even when they are an employee without complaint rights: neither is among them."""
        blind = self.env["res.partner"].sudo()
        ids = set(partner_ids or ()) - set(self.sudo().partner_id.ids)
        if not ids:
            return blind
        partners = blind.browse(ids).exists()
        for partner in partners:
            # an archived user's partner is still the user's: not an address like any other
            users = partner.with_context(active_test=False).user_ids
            if users and not any(user.active and self._readable_by(user) for user in users):
                blind |= partner
        return blind

    def _readable_by(self, user):
        """Whether ``user`` may read all of these complaints, in any of their companies."""
        companies = user.sudo().company_ids.ids
        return self.with_user(user).with_context(allowed_company_ids=companies).has_access("read")

    def _refuse_blind(self, partner_ids):
        blind = self._partners_who_cannot_read(partner_ids)
        if blind:
            raise UserError(
                self.env._(
                    "%s may not read this complaint: they cannot follow it nor be written to on it.",
                    ", ".join(blind.mapped("display_name")),
                )
            )

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        # a person is refused; the process's own calls (an activity's assignee) are
        # filtered below instead, so that no intake or step fails for it
        if not self.env.su:
            self._refuse_blind(partner_ids)
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)

    def _message_subscribe(self, partner_ids=None, subtype_ids=None, customer_ids=None):
        # what the process subscribes by itself (an owner, an author): never someone who
        # may not read the complaint
        blind = self._partners_who_cannot_read(partner_ids)
        if blind:
            partner_ids = [pid for pid in partner_ids if pid not in blind.ids]
        return super()._message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids, customer_ids=customer_ids)

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        if not self.env.su:  # the process writes to whom it decides (the complainant)
            self._refuse_blind(kwargs.get("partner_ids"))
        return super().message_post(**kwargs)

    def write(self, vals):
        result = super().write(vals)
        if READ_ACCESS_FIELDS & set(vals):
            if not self.env.su and {"user_id", "investigator_id", "company_id"} & set(vals):
                self._check_handlers_read()
            self._reassign_blind_activities()
        return result

    def _reassign_blind_activities(self, domain=None):
        """An activity whose assignee may no longer read its complaint (moved to another
        team, made confidential, another owner; removed from the team, from the officers,
        archived) goes to whom answers for it now: the assignee would otherwise still read
        the complaint's name and the task. ``domain``: the activities to look at (default:
        those of these complaints)."""
        domain = domain or [("res_id", "in", self.ids)]
        activities = self.env["mail.activity"].sudo().search([("res_model", "=", COMPLAINT), *domain])
        Complaint = self.env[COMPLAINT].sudo()
        for activity in activities.filtered("user_id"):
            complaint = Complaint.browse(activity.res_id).exists()
            if complaint and not (activity.user_id.active and complaint._readable_by(activity.user_id)):
                activity.user_id = complaint._responsible_user()

    def message_notify(self, **kwargs):
        if not self.env.su:
            self._refuse_blind(kwargs.get("partner_ids"))
        return super().message_notify(**kwargs)

    @api.model_create_multi
    def create(self, vals_list):
        complaints = super().create(vals_list)
        if not self.env.su:
            complaints._check_handlers_read()
        return complaints

    def _check_handlers_read(self):
        """Who owns or investigates a complaint may read it (the officer rules give them
        read access): anyone else would be made a follower and given its tasks."""
        for complaint in self:
            for user in complaint.user_id | complaint.investigator_id:
                if not complaint._readable_by(user):
                    raise UserError(
                        self.env._(
                            "%(user)s may not read complaint %(complaint)s: only a complaints officer of its "
                            "company owns or investigates it.",
                            user=user.name,
                            complaint=complaint.name,
                        )
                    )

    def _notify_get_recipients(self, message, msg_vals, **kwargs):
        """Whoever followed before they could no longer read the complaint (moved to
        another team, the complaint made confidential) is not sent its messages; and
        what the process writes to the complainant (an acknowledgement, a new date) goes
        to them alone, not as a copy to every follower (the owner reads it in the chatter).
        An e-mail into the thread from a stranger (neither the complainant nor a user of
        the company: anyone who knows a Message-Id of the thread can write one) is read by
        the handlers only: it is not relayed to the complainant from the company."""
        recipients = super()._notify_get_recipients(message, msg_vals, **kwargs)
        if not self:
            return recipients
        message_type = (msg_vals or {}).get("message_type") or message.message_type
        if message_type == "auto_comment":
            addressed = set((msg_vals or {}).get("partner_ids") or message.partner_ids.ids)
            recipients = [r for r in recipients if r["id"] in addressed]
        if message_type == "email":
            author_id = (msg_vals or {}).get("author_id") or message.author_id.id
            author = self.env["res.partner"].sudo().browse(author_id)
            if author_id not in self.sudo().partner_id.ids and not any(not user.share for user in author.user_ids):
                recipients = [r for r in recipients if r.get("type") == "user"]
        complainants = set(self.sudo().partner_id.ids)
        partner_ids = [r["id"] for r in recipients if r["id"] not in complainants]
        blind = set(self._partners_who_cannot_read(partner_ids).ids) if partner_ids else set()
        return [r for r in recipients if r["id"] not in blind]


class MailActivity(models.Model):
    """A complaint's task goes to someone who may read the complaint: Odoo lets the
    user an activity is assigned to read it, its note and the complaint's name."""

    _inherit = "mail.activity"

    @api.model_create_multi
    def create(self, vals_list):
        activities = super().create(vals_list)
        activities._refuse_blind_assignee()
        return activities

    def write(self, vals):
        result = super().write(vals)
        if {"user_id", "res_id", "res_model", "res_model_id"} & set(vals):
            self._refuse_blind_assignee()
        return result

    def _refuse_blind_assignee(self):
        if self.env.su:  # the process's own tasks (SLA reminders) go to whom it answers to
            return
        for activity in self.sudo().filtered(lambda a: a.res_model == COMPLAINT and a.user_id):
            complaint = self.env[COMPLAINT].sudo().browse(activity.res_id).exists()
            if complaint and not complaint._readable_by(activity.user_id):
                raise UserError(
                    self.env._(
                        "%(user)s may not read complaint %(complaint)s: the activity cannot be theirs.",
                        user=activity.user_id.name,
                        complaint=complaint.name,
                    )
                )


class MailComposeMessage(models.TransientModel):
    """The composer writes to whom a complaint's message may go: in mass-mail mode it
    queues e-mails itself, without posting through ``message_post``."""

    _inherit = "mail.compose.message"

    def _action_send_mail(self, auto_commit=False):
        if not self.env.su:
            for wizard in self.filtered(lambda w: w.model == COMPLAINT):
                complaints = self.env[COMPLAINT].browse(wizard._evaluate_res_ids() or [])
                complaints._refuse_blind(wizard.partner_ids.ids)
        return super()._action_send_mail(auto_commit=auto_commit)

    def _prepare_mail_values(self, res_ids):
        """The recipients each e-mail gets once rendered (a template's partner_to too)."""
        values = super()._prepare_mail_values(res_ids)
        if not self.env.su and self.model == COMPLAINT:
            for res_id, mail_values in values.items():
                partner_ids = _command_ids(mail_values.get("recipient_ids")) + _command_ids(
                    mail_values.get("partner_ids")
                )
                self.env[COMPLAINT].browse(res_id)._refuse_blind(partner_ids)
        return values


def _command_ids(value):
    """The record ids of a many2many value: ids, or x2many commands (4 and 6)."""
    ids = []
    for item in value or ():
        if isinstance(item, int):
            ids.append(item)
        elif isinstance(item, list | tuple) and item:
            if item[0] == 6 and len(item) > 2:
                ids += list(item[2] or ())
            elif item[0] == 4 and len(item) > 1:
                ids.append(item[1])
    return ids


class Iso10002ComplaintTeam(models.Model):
    _inherit = "iso10002.complaint.team"

    def write(self, vals):
        result = super().write(vals)
        if {"member_ids", "user_id"} & set(vals):
            # who left the team no longer reads its complaints, nor keeps their tasks
            complaints = (
                self.env[COMPLAINT].sudo().with_context(active_test=False)._search([("team_id", "in", self.ids)])
            )
            self.env[COMPLAINT]._reassign_blind_activities([("res_id", "in", complaints)])
        return result


class ResUsers(models.Model):
    _inherit = "res.users"

    def write(self, vals):
        result = super().write(vals)
        if any(key in USER_ACCESS_FIELDS or key.startswith(("in_group_", "sel_groups_")) for key in vals):
            # archived, or no longer an officer of the company: their complaint tasks move
            self.env[COMPLAINT]._reassign_blind_activities([("user_id", "in", self.ids)])
        return result
