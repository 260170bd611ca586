"""A complaint's thread: the mail gateway, the chatter, notifications and ratings."""

import logging
from ast import literal_eval
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.mail import email_normalize, email_split, html2plaintext, parse_contact_from_email

from odoo.addons.rating.models.rating_data import RATING_LIMIT_MIN
from odoo.addons.report_reader_locale.tools import written_language

from ..tools.text import is_text_char, text_values
from ..tools.trust import ACKNOWLEDGE_KEY, DEFERRED_ACKNOWLEDGEMENT, as_engine
from .iso10002_complaint import PROGRESS_ACTIVITY

# HTML fields cannot be tracked by mail.thread: their previous text is logged instead
HTML_TRACED = ("description", "findings", "response_text")
# how long after its receipt an e-mail may be processed and still be dated by it: a mail
# server keeps a message it could not deliver for up to 5 days (Postfix's queue lifetime)
RECEIPT_DELAY_DAYS = 7

_logger = logging.getLogger(__name__)


def _post_as_received(thread, message_dict):
    """An incoming e-mail kept on ``thread`` as an internal note, as it came: its text,
    sender, Message-Id (a redelivery is recognised) and attachments."""
    return thread.message_post(
        body=message_dict.get("body") or "",
        subject=message_dict.get("subject") or False,
        message_type="email",
        subtype_xmlid="mail.mt_note",
        author_id=message_dict.get("author_id") or False,
        email_from=message_dict.get("email_from") or False,
        message_id=message_dict.get("message_id"),
        attachments=message_dict.get("attachments") or [],
    )


class Iso10002Complaint(models.Model):
    # the gateway's per-model behaviours (mail_gateway_guard): one complaint per e-mail,
    # automatic, looping mail and delivery reports kept on the team or the complaint
    _name = "iso10002.complaint"
    _inherit = ["iso10002.complaint", "mail.gateway.guarded"]
    # its e-mails show dates, numbers and amounts as their reader reads them (report_reader_locale)
    _reader_locale = True

    def _track_template(self, changes):
        res = super()._track_template(changes)
        complaint = self[0]
        if "stage_id" not in changes or not complaint.stage_id.mail_template_id:
            return res
        if complaint._contact_means() != "email":
            # the complainant chose letters or calls (4.5, 7.4): the owner tells them
            complaint._ask_owner(
                complaint._communication_task(
                    self.env._("the news that the complaint is now at %s", complaint.stage_id.name), printed=False
                ),
                summary=self.env._("Tell the progress"),
                activity=PROGRESS_ACTIVITY,
            )
        elif complaint.email_from:
            res["stage_id"] = (
                complaint.stage_id.mail_template_id,
                {
                    # written to the complainant, who reads it on the portal too
                    "auto_delete_keep_log": False,
                    "message_type": "auto_comment",
                    "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"),
                    "email_layout_xmlid": "mail.mail_notification_light",
                },
            )
        return res

    def _portal_ensure_token(self):
        # the token is read by the system only (see access_token)
        return super(Iso10002Complaint, self.sudo())._portal_ensure_token()

    def _check_can_update_message_content(self, messages):
        # the chatter's edit and delete of a message (also its superuser routes)
        raise AccessError(self.env._("The messages of a complaint are its record: they cannot be changed or deleted."))

    @api.returns("mail.message", lambda value: value.id)
    def message_post(self, **kwargs):
        """Who writes on a complaint: its handlers (write access); the complainant side
        posts through the portal's routes (comments only, see controllers/portal.py). Nobody
        rates a complaint but through the satisfaction request (``rating_apply``)."""
        if kwargs.get("rating_value"):
            raise AccessError(self.env._("The handling of a complaint is rated through the satisfaction request only."))
        if not self.env.su and self.env.user._is_internal():
            self.check_access("write")
        return super().message_post(**kwargs)

    def message_notify(self, **kwargs):
        if not self.env.su:
            self.check_access("write")
        return super().message_notify(**kwargs)

    def rating_apply(self, rate, token=None, rating=None, feedback=None, subtype_xmlid=None, notify_delay_send=False):
        """A complainant who answers the satisfaction request again changes the rating,
        but the first answer stays in the trail: the change is a message of its own.

        Only the rating link (which runs as superuser) applies a rating: over RPC anyone
        holding a token could otherwise rate, post on and follow any complaint."""
        if not self.env.su:
            raise AccessError(self.env._("The handling of a complaint is rated through the satisfaction request only."))
        self.ensure_one()
        if isinstance(feedback, str):
            # the complainant's words, without what would disguise them (as on the form)
            feedback = "".join(char for char in feedback[:4000] if is_text_char(char))
        if token:
            rating = self.env["rating.rating"].sudo().search([("access_token", "=", token)], limit=1)
        if rating and not rating.consumed and self._satisfaction_answered():
            # answered already by phone, letter or in person: one request, one answer (the
            # first stays; the link thanks them)
            return self.sudo().rating_ids.filtered("consumed").sorted("id")[-1]
        if not (rating and rating.consumed):
            rating = super().rating_apply(
                rate,
                token=token,
                rating=rating,
                feedback=feedback,
                subtype_xmlid=subtype_xmlid,
                notify_delay_send=notify_delay_send,
            )
            self._follow_up_dissatisfaction(rate)
            return rating
        if rate < 0 or rate > 5:
            raise ValueError(self.env._("Wrong rating value. A rate should be between 0 and 5 (received %d).", rate))
        previous = rating.rating
        rating.sudo().write({"rating": rate, "feedback": feedback})
        if previous > RATING_LIMIT_MIN:
            self._follow_up_dissatisfaction(rate)
        self.sudo().message_post(
            author_id=rating.partner_id.id or None,
            body=Markup("<p>%s</p>%s")
            % (self.env._("Rating changed from %(old)s to %(new)s.", old=int(previous), new=int(rate)), feedback or ""),
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
        )
        return rating

    def _follow_up_dissatisfaction(self, rate):
        """A "not satisfied" rating asks the owner to follow it up (ISO 10002 8.3)."""
        if not 0 < rate <= RATING_LIMIT_MIN:
            return
        complaint = self.sudo()
        complaint._ask_owner(
            self.env._(
                "The complainant is not satisfied with the handling of complaint %s: contact them, "
                "and consider a corrective action.",
                complaint.name,
            ),
            summary=self.env._("Complainant not satisfied"),
        )

    def _track_subtype(self, init_values):
        self.ensure_one()
        if "stage_id" in init_values:
            return self.env.ref("iso10002_complaints.mt_complaint_stage")
        return super()._track_subtype(init_values)

    def _creation_subtype(self):
        return self.env.ref("iso10002_complaints.mt_complaint_received")

    def _creation_message(self):
        self.ensure_one()
        return self.env._("Complaint received through %s.", self.channel_id.name)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A complaint from an e-mail to a team's alias (ISO 10002 7.2).

        The reference always comes from the sequence (never from the subject), and the
        alias defaults cannot set what only the process records, nor the owner: the team's
        rule gives it (a default naming someone who may not own it would lose the e-mail)."""
        values = {k: v for k, v in (custom_values or {}).items() if k not in self._process_fields() and k != "user_id"}
        email_from = msg_dict.get("email_from") or ""
        normalized = email_normalize(email_from, strict=False)
        company = (
            self.env["iso10002.complaint.team"].browse(values.get("team_id")).company_id
            or self.env["res.company"].browse(values.get("company_id"))
            or self.env.company
        )
        partner = self.env["res.partner"].browse(msg_dict.get("author_id") or [])
        if partner.company_id and partner.company_id != company:
            partner = partner.browse()  # a contact of another company cannot complain here
        if not partner and normalized:
            # written in Persian: the acknowledgement and the letters come in Persian
            lang = written_language(self.env, msg_dict.get("subject"), html2plaintext(msg_dict.get("body") or ""))
            partner = self._partner_from_sender(email_from, company, lang=lang)
            # the gateway posts the incoming message with this author
            msg_dict["author_id"] = partner.id
        channel = self.env["iso10002.complaint.channel"]._channel_for("email", company)
        # the subject is shown in e-mails and letters: no control or direction override
        # character of it may turn their text around (the form refuses them)
        subject = "".join(char for char in msg_dict.get("subject") or "" if is_text_char(char) or char.isspace())
        subject = " ".join(subject.split())
        values.setdefault("subject", subject[:250] or self.env._("(no subject)"))
        values.setdefault("description", msg_dict.get("body") or "")
        values.setdefault("channel_id", channel.id)
        values.setdefault("company_id", company.id)
        values["received_date"] = self._received_by_mail(msg_dict)
        if partner:
            values.setdefault("partner_id", partner.id)
        if email_from:
            # the address alone, as the loop guard compares it; kept as given when unreadable
            values.setdefault("email_from", normalized or email_from[:254])
        else:
            _logger.info("Complaint e-mail without sender address: created, to acknowledge by hand")
        # the gateway user must not become the owner nor a follower; the acknowledgement
        # goes out right after, so that receipt never waits for nor fails with it
        # what the mail says goes in as text: nothing in it may make the form refuse it
        return self.with_context(mail_create_nosubscribe=True, **{ACKNOWLEDGE_KEY: DEFERRED_ACKNOWLEDGEMENT}).create(
            text_values(self, values)
        )

    @api.model
    def _received_by_mail(self, msg_dict):
        """When a complaint e-mail was received (ISO 10002 7.2): when our mail server got
        it (``received_at``, its topmost ``Received:`` header), not when Odoo processed it:
        a message fetched again after a crash or an outage, or one the mail server kept
        while Odoo was down, starts its clocks at its receipt. Only a time in the last
        RECEIPT_DELAY_DAYS days is taken (the header could be the sender's own without a
        mail server of ours in between); otherwise, now."""
        now = fields.Datetime.now()
        received = msg_dict.get("received_at")
        if received and now - timedelta(days=RECEIPT_DELAY_DAYS) <= received <= now:
            return received
        return now

    @api.model
    def _mail_gateway_keep_automatic_mail(self, message_dict, defaults, reason):
        """Automatic mail to an alias (auto-replies, delivery reports, our own mail coming
        back) never becomes a complaint, so it is never acknowledged and cannot start a
        loop: it is kept in the chatter of the team whose alias received it."""
        return self._keep_on_team(message_dict, defaults, reason)

    @api.model
    def _mail_gateway_keep_looping_mail(self, message_dict, defaults):
        """A complaint is never dropped by the mail loop guard: the message is kept on
        the team instead."""
        return self._keep_on_team(
            message_dict, defaults, self.env._("too many complaints from this sender lately (mail loop guard)")
        )

    @api.model
    def _mail_gateway_keep_delivery_report(self, message_dict, outcome):
        """A report about a complaint's message, or received on a complaint team's alias,
        is kept (the README's promise)."""
        return self._keep_delivery_report(message_dict, outcome)

    @api.model
    def _keep_on_team(self, message_dict, defaults, reason):
        """Keep an incoming message that must not become a complaint on the team whose
        alias received it (nothing is lost); False when there is no team to keep it."""
        team = self.env["iso10002.complaint.team"].sudo().browse(defaults.get("team_id")).exists()
        if not team:
            team = (
                self.env["iso10002.complaint.team"]
                .sudo()
                .search([("company_id", "=", defaults.get("company_id") or self.env.company.id)], limit=1)
            )
        if not team:
            return False
        _logger.info(
            "Mail from %s (%s) kept on complaint team %s, not registered as a complaint",
            message_dict.get("email_from"),
            reason,
            team.id,
        )
        _post_as_received(team.with_context(mail_create_nosubscribe=True), message_dict)
        team._message_log(body=self.env._("Not registered as a complaint: %s.", reason))
        return True

    @api.model
    def _keep_delivery_report(self, message_dict, outcome="failed"):
        """Keep a delivery report (Odoo drops it once it has marked what bounced): on the
        complaint whose message it is about, so that its owner learns that the message
        did not reach the complainant; else on the team whose alias received it. A report
        about anything else is left to Odoo. Returns the record it is kept on, or False.

        ``outcome``: what the report says of the message (see mail_gateway_guard's
        ``tools.delivery_report.report_outcome``)."""
        message_id = message_dict.get("message_id")
        if message_id and self.env["mail.message"].sudo().search_count([("message_id", "=", message_id)], limit=1):
            return False  # kept already: a redelivery
        bounced = (message_dict.get("bounced_message") or self.env["mail.message"]).sudo()[:1]
        complaint = self.sudo().browse(bounced.res_id if bounced.model == self._name else []).exists()
        if complaint:
            try:
                with self.env.cr.savepoint():
                    complaint._post_delivery_report(message_dict, outcome)
                return complaint
            except Exception:  # nothing is lost: the report goes to the complaint's team
                _logger.exception("Delivery report %s not posted on complaint %s", message_id, complaint.id)
            team = complaint.team_id
        else:
            team = self._team_of_recipients(message_dict)
        if team and self._keep_on_team(
            message_dict, {"team_id": team.id, "company_id": team.company_id.id}, self.env._("delivery report")
        ):
            return team
        return False

    def _post_delivery_report(self, message_dict, outcome):
        """The report as an internal note of the complaint, and what it means for its
        owner: a message the complainant did not get is given to them another way.

        Posted in the process's own environment: a complaint's messages are sealed."""
        self.ensure_one()
        complaint = as_engine(self.sudo()).with_context(mail_create_nosubscribe=True)
        _post_as_received(complaint, message_dict)
        address = (
            message_dict.get("bounced_email")
            or complaint.email_from
            or complaint.partner_id.email
            or complaint.partner_id.display_name
        )
        if outcome == "failed":
            note = self.env._("The message to %s could not be delivered: contact the complainant another way.", address)
        elif outcome == "delayed":
            note = self.env._("The mail server reports the message to %s as delayed: it is not delivered yet.", address)
        else:
            note = self.env._("A delivery or read notice about the message to %s was received.", address)
        complaint._message_log(body=note)
        summary = self.env._("Message not delivered")
        open_task = complaint.activity_ids.filtered(lambda activity: activity.summary == summary)
        if outcome == "failed" and not open_task:
            # one task while it is open, however many reports arrive (a report's word is
            # not authenticated: each is kept, none multiplies the owner's work)
            complaint._ask_owner(note, summary=summary)
        _logger.info("Delivery report %s (%s) kept on complaint %s", message_dict.get("message_id"), outcome, self.id)

    @api.model
    def _team_of_recipients(self, message_dict):
        """The complaint team whose alias is the first of the message's recipients (To,
        Delivered-To, Cc) that is one, or an empty recordset."""
        Team = self.env["iso10002.complaint.team"].sudo()
        emails = []
        for key in ("to", "recipients", "cc"):
            for address in email_split(message_dict.get(key) or ""):
                normalized = email_normalize(address)
                if normalized and normalized not in emails:
                    emails.append(normalized)
        if not emails:
            return Team
        locals_ = [email.split("@", 1)[0] for email in emails]
        aliases = (
            self.env["mail.alias"]
            .sudo()
            .search(
                [
                    ("alias_model_id.model", "=", self._name),
                    "|",
                    ("alias_full_name", "in", emails),
                    "&",
                    ("alias_incoming_local", "=", True),
                    ("alias_name", "in", locals_),
                ]
            )
        )
        for email, local in zip(emails, locals_, strict=True):
            for alias in aliases:
                if alias.alias_full_name != email and not (alias.alias_incoming_local and alias.alias_name == local):
                    continue
                try:
                    defaults = literal_eval(alias.alias_defaults or "{}")
                except (ValueError, SyntaxError):
                    defaults = {}
                team_id = defaults.get("team_id") if isinstance(defaults, dict) else None
                team = Team.browse(team_id if isinstance(team_id, int) else []).exists()
                team = team or Team.search([("alias_id", "=", alias.id)], limit=1)
                if team:
                    return team
        return Team

    @api.model
    def _detect_loop_sender_domain(self, email_from_normalized):
        # An unreadable sender cannot be answered, so cannot make a mail loop; the
        # default domain would match every complaint and drop the message.
        if not email_from_normalized:
            return []
        return [("email_from", "=ilike", email_from_normalized)]

    @api.model
    def _partner_from_sender(self, email_from, company=None, lang=False):
        """The contact of ``email_from`` that may complain to ``company``, or a new one
        (in the language ``lang``, when given)."""
        domain = [("company_id", "in", [False, company.id])] if company else False
        partner = self.env["mail.thread"]._mail_find_partner_from_emails(
            [email_from], force_create=False, extra_domain=domain
        )[0]
        if partner:
            return partner
        name, email = parse_contact_from_email(email_from)
        values = {"name": name or email, "email": email, "company_id": False}
        if lang:
            values["lang"] = lang
        return self.env["res.partner"].create(values)

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        if self.partner_id and self.partner_id.email:
            self._message_add_suggested_recipient(recipients, partner=self.partner_id, reason=self.env._("Complainant"))
        return recipients

    def _notify_get_reply_to(self, default=None):
        """Replies go to the team's alias so that they land back in the complaint."""
        aliases = self.sudo().mapped("team_id")._notify_get_reply_to(default=default)
        res = {complaint.id: aliases.get(complaint.team_id.id) for complaint in self}
        leftover = self.filtered(lambda rec: not rec.team_id)
        if leftover:
            res.update(super(Iso10002Complaint, leftover)._notify_get_reply_to(default=default))
        return res

    def _rating_get_access_token(self, partner=None):
        """A rating request made (the e-mail's links, the complaint page's) says when it
        was made: an answer recorded later answers the decision communicated before it."""
        token = super()._rating_get_access_token(partner=partner)
        self.env["rating.rating"].sudo().search(
            [("access_token", "=", token), ("satisfaction_asked_date", "=", False)]
        ).write({"satisfaction_asked_date": fields.Datetime.now()})
        return token

    def _rating_get_partner(self):
        return self.partner_id

    def _rating_get_operator(self):
        return self.user_id.partner_id

    def _html_trace_before(self, vals):
        """Tracking cannot follow HTML fields: their previous text, to log after the write."""
        names = [name for name in HTML_TRACED if name in vals]
        if not names or "anonymised_date" in vals:  # anonymisation keeps no copy of the texts
            return {}
        return {complaint: {name: complaint[name] for name in names} for complaint in self}

    def _html_trace_log(self, before):
        for complaint, old_values in before.items():
            changed = [name for name, old in old_values.items() if (old or "") != (complaint[name] or "")]
            if not changed:
                continue
            parts = [
                Markup("<li>%s<blockquote>%s</blockquote></li>")
                % (
                    self.env._("%s changed; it was:", self._fields[name]._description_string(self.env)),
                    old_values[name] or self.env._("(empty)"),
                )
                for name in changed
            ]
            complaint._message_log(body=Markup("<ul>%s</ul>") % Markup("").join(parts))
