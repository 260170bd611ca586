"""Correspondence with the complainant, the way they chose (ISO 10002 4.5, 7.4, 7.8,
8.3): the acknowledgement (at once, or by its job right after a mail intake), the
owner's letter and call tasks and the record of what was sent, the promised decision
date and its news, and the satisfaction asked once the complaint is closed."""

import ast
import logging
import math
from datetime import timedelta

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.tools import SQL
from odoo.tools.mail import email_normalize

from odoo.addons.report_reader_locale.tools import Reader

from ..tools.trust import as_engine, without_defaults
from ..tools.work_clock import ClockSet
from .iso10002_complaint import PROGRESS_ACTIVITY

# the owner's task to ask the complainant's satisfaction by phone, letter or in person
SATISFACTION_ACTIVITY = "iso10002_complaints.mail_activity_type_satisfaction"

_logger = logging.getLogger(__name__)


class Iso10002Complaint(models.Model):
    _inherit = "iso10002.complaint"

    def _mail_complainant_privately(self, subject, body_html, note):
        """E-mail the complainant something that holds a token of theirs (a link, rating
        links): as an e-mail only, never in the chatter that colleagues and officers read;
        the chatter gets ``note`` instead."""
        self.ensure_one()
        complaint = self.sudo()
        self.env["mail.mail"].sudo().create(
            {
                "subject": subject,
                "body_html": body_html,
                "email_from": complaint.company_id.email_formatted or complaint.company_id.partner_id.email_formatted,
                "recipient_ids": [Command.link(complaint.partner_id.id)],
                "model": complaint._name,
                "res_id": complaint.id,
                # kept once sent (system only): deleting it would delete the message it
                # carries, which belongs to the complaint's sealed record
                "auto_delete": False,
                "headers": repr({"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}),
            }
        )
        complaint.message_post(body=note, subtype_xmlid="mail.mt_note")

    def _ask_to_communicate(self):
        """A decision was made: its owner is asked to send it the way the complainant chose."""
        for complaint in self:
            complaint._ask_owner(
                complaint._communication_task(self.env._("the decision")),
                summary=self.env._("Send the decision"),
                activity="iso10002_complaints.mail_activity_type_communicate",
            )

    def _contact_means(self):
        """How the complainant is written to: the means they chose (4.5, 7.4), else e-mail."""
        self.ensure_one()
        return self.contact_preference or "email"

    def _acknowledge_on_receipt(self):
        """Each new complaint is acknowledged by e-mail when the complainant chose e-mail
        and an e-mail reaches them; otherwise its owner is asked to acknowledge it the way
        the complainant chose (a letter, in large print when they need it; a call)."""
        by_email = self.filtered(lambda c: c.user_id and c._contact_means() == "email")
        sent = by_email._send_acknowledgement_mail()
        for team, acknowledged in sent.grouped("team_id").items():
            stage = self._find_stage("acknowledged", team)
            acknowledged.write({"acknowledgement_channel": "email", "stage_id": stage.id})
        for complaint in self - sent:
            complaint._ask_owner(
                complaint._communication_task(self.env._("the acknowledgement"), complaint in by_email),
                activity="iso10002_complaints.mail_activity_type_acknowledge",
            )

    def _communication_task(self, what, email_failed=False, printed=True):
        """What the owner is asked to do to tell the complainant ``what`` by the means
        they chose (the note of the activity); ``printed``: a letter of the Print menu
        says it (the acknowledgement, the decision), else the owner writes it."""
        self.ensure_one()
        complaint = self.sudo()
        return Markup("<p>%s</p>") % complaint._communication_text(what, email_failed, printed)

    def _communication_text(self, what, email_failed=False, printed=True):
        complaint = self.sudo()
        if not complaint.user_id:
            return self.env._(
                "Nobody can own this complaint yet (no officer in its team): give it an Owner, then send %s.", what
            )
        means = complaint._contact_means()
        if means == "letter":
            letter = {
                "print": self.env._(", in large print") if complaint.large_print else "",
                "what": what,
                "address": complaint._postal_address()
                or self.env._("(no postal address yet: type it on the complaint)"),
            }
            if not printed:
                return self.env._(
                    "The complainant asked to be written to by letter%(print)s: write to them with %(what)s at "
                    "%(address)s, then mark this task done.",
                    **letter,
                )
            return self.env._(
                "The complainant asked to be written to by letter%(print)s: print %(what)s (Print menu), post it "
                "to %(address)s, then record it, by letter.",
                **letter,
            )
        if means == "phone":
            return self.env._(
                "The complainant asked to be called: give %(what)s by phone at %(phone)s, then record it, by phone.",
                what=what,
                phone=complaint.partner_phone or self.env._("(no number yet: type it on the complaint)"),
            )
        if email_failed:
            return self.env._(
                "No e-mail could reach the complainant: give %s by phone, letter or in person, then record it.", what
            )
        return self.env._("Send %s to the complainant, then record it.", what)

    def _postal_address(self):
        """The complainant's postal address on one line, as letters print it."""
        self.ensure_one()
        complaint = self.sudo()
        parts = [complaint.partner_street, complaint.partner_zip, complaint.partner_city]
        return ", ".join(part for part in parts if part)

    def _record_communication(self, report_xmlid, what, means):
        """The evidence of a communication sent by post or given by phone or in person
        (7.4, 7.8): the letter as printed, kept on the complaint, or a note of the call;
        and the owner's task done."""
        self.ensure_one()
        officer = self.env.user.name
        if means == "letter":
            report = self.env.ref(report_xmlid).sudo()
            content, _kind = report._render_qweb_pdf(report.report_name, self.ids)
            filename = f"{report.name} {self.name}.pdf".replace("/", "-")
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": filename,
                        "raw": content,
                        "mimetype": "application/pdf",
                        "res_model": self._name,
                        "res_id": self.id,
                    }
                )
            )
            body = self.env._(
                "%(what)s sent by letter%(print)s to %(address)s by %(officer)s; the letter as printed is attached.",
                what=what,
                print=self.env._(", in large print") if self.large_print else "",
                address=self._postal_address() or self.env._("(no postal address)"),
                officer=officer,
            )
            self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note", attachment_ids=attachment.ids)
        elif means in ("phone", "in_person"):
            body = (
                self.env._(
                    "%(what)s given by phone at %(phone)s by %(officer)s.",
                    what=what,
                    phone=self.partner_phone or "-",
                    officer=officer,
                )
                if means == "phone"
                else self.env._("%(what)s given in person by %(officer)s.", what=what, officer=officer)
            )
            self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    @api.model
    def _cron_acknowledge(self, limit=200):
        """Plan and acknowledge the complaints received by e-mail (triggered by their
        intake), so that the mail gateway only records them: their SLA deadlines (from the
        received date, as at intake) in one batch, then each acknowledgement.

        Each acknowledgement in its own savepoint: one that cannot be sent by e-mail (a
        broken template, say) is handed to its owner and does not hold up the others. The
        complaints are claimed (:meth:`_claim_ids`): the job run on two servers at once
        acknowledges each complaint once."""
        pending = self.with_context(active_test=False).browse(
            self._claim_ids(SQL("acknowledgement_pending"), SQL("id"), limit)
        )
        with ClockSet.shared(self.env):
            pending.filtered(lambda c: not c.sla_policy_id)._sla_on_create()
        for complaint in pending:
            try:
                with self.env.cr.savepoint():
                    if complaint.step == "received":
                        complaint._acknowledge_on_receipt()
            except Exception as error:  # the owner is told, nothing is lost
                _logger.exception("Acknowledgement of complaint %s failed", complaint.name)
                complaint._ask_owner(
                    self.env._("The acknowledgement e-mail could not be sent (%s): acknowledge it another way.", error),
                    activity="iso10002_complaints.mail_activity_type_acknowledge",
                )
        as_engine(pending).write({"acknowledgement_pending": False})  # one write for the batch
        remaining = self.search_count([("acknowledgement_pending", "=", True)]) if len(pending) == limit else 0
        self.env["ir.cron"]._notify_progress(done=len(pending), remaining=remaining)
        return len(pending)

    def _get_expected_response_days(self):
        """Working days to the decision: the SLA resolution target in working days of the
        team's calendar, or the team's response target without SLA (acknowledgement
        templates of 18.0.1.0 still promise this)."""
        self.ensure_one()
        calendar = self.team_id.resource_calendar_id or self.company_id.resource_calendar_id
        hours = self.sla_policy_id.resolution_target_hours
        if hours and calendar.hours_per_day:
            return math.ceil(hours / calendar.hours_per_day)
        return self.team_id.response_days or 10

    def _promised_decision_deadline(self):
        """The moment the complainant is promised our decision: the SLA deadline of the
        decision; without SLA, the team's response target from receipt. A promise is
        never a moment already past: a complaint recorded late, or a deadline already
        missed, is promised the response target from now."""
        self.ensure_one()
        now = fields.Datetime.now()
        calendar = self.team_id.resource_calendar_id or self.company_id.resource_calendar_id
        days = self._get_expected_response_days()

        def plan(start):
            planned = calendar.plan_days(days, start, compute_leaves=True) if calendar else False
            return planned or start + timedelta(days=days)

        deadline = self.resolution_deadline or plan(self.received_date or now)
        return deadline if deadline >= now else plan(now)

    def _get_promised_decision_date(self):
        """The date promised in the acknowledgement (_promised_decision_deadline), in the
        complainant's time zone and calendar."""
        self.ensure_one()
        tz = self.partner_id.tz or self.user_id.tz or self.company_id.partner_id.tz or "UTC"
        lang = self.partner_id.lang or self.env.lang
        return Reader(self.env, lang=lang, company=self.company_id).date(self._promised_decision_deadline(), tz=tz)

    def _send_acknowledgement_mail(self):
        """Post the acknowledgement to each complainant; return the complaints whose
        complainant an e-mail was queued to.

        The template is rendered once for all of them, each in its complainant's language.
        The company is the author, and Odoo's rule of not notifying the current user is
        lifted: the complainant may be the user who is filing the complaint (portal)."""
        reachable = self.filtered(lambda c: c.partner_id and email_normalize(c.partner_id.email or ""))
        if not reachable:
            return self.browse()
        template = self.env.ref("iso10002_complaints.mail_template_complaint_acknowledgement")
        # rendered in the complainants' languages, posted without the composer's round trip
        rendered = template.sudo()._generate_template(
            reachable.ids, ["subject", "body_html", "email_from", "attachment_ids", "report_template_ids"]
        )
        # a system message: nobody becomes a follower by it
        poster = reachable.sudo().with_context(mail_notify_author=True, mail_create_nosubscribe=True)
        sent = self.browse()
        for complaint in poster:
            values, partner = rendered[complaint.id], complaint.partner_id
            messages = complaint.message_post(
                body=values["body_html"],
                subject=values["subject"],
                email_from=values.get("email_from") or False,
                author_id=complaint.company_id.partner_id.id,
                partner_ids=partner.ids,
                attachments=values.get("attachments") or [],
                attachment_ids=values.get("attachment_ids") or [],
                message_type="auto_comment",
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
            )
            if any(
                notification.res_partner_id == partner and notification.notification_type == "email"
                for notification in messages.notification_ids
            ):
                sent |= complaint
        return sent.with_env(self.env)

    def _tell_new_decision_date(self):
        """Tell complainants who were promised a date that our answer now comes later: by
        e-mail, or by their owner the way they chose."""
        for complaint in self.filtered(lambda c: not (c._contact_means() == "email" and c.partner_id.email)):
            complaint._ask_owner(
                complaint._communication_task(
                    self.env._("the new date of our decision, %s", complaint._get_promised_decision_date()),
                    printed=False,
                ),
                summary=self.env._("Tell the new date"),
                activity=PROGRESS_ACTIVITY,
            )
        for complaint in self.filtered(lambda c: c._contact_means() == "email" and c.partner_id.email):
            lang = complaint.partner_id.lang or self.env.lang
            body = complaint.with_context(lang=lang).env._(
                "We now expect to give you our answer to your complaint %(reference)s by %(date)s.",
                reference=complaint.name,
                date=complaint._get_promised_decision_date(),
            )
            complaint.sudo().with_context(mail_notify_author=True, mail_create_nosubscribe=True).message_post(
                body=body,
                author_id=complaint.company_id.partner_id.id,
                partner_ids=complaint.partner_id.ids,
                message_type="auto_comment",
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
            )

    def _notify_by_email_get_base_mail_values(self, message, additional_values=None):
        """Automatic messages say so (RFC 3834), so that auto-responders do not answer them."""
        values = super()._notify_by_email_get_base_mail_values(message, additional_values=additional_values)
        if message.message_type in ("auto_comment", "notification"):
            headers = ast.literal_eval(values.get("headers") or "{}")
            headers.update({"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"})
            values["headers"] = repr(headers)
        return values

    def _satisfaction_by_email(self):
        """Whether the complainant's satisfaction is asked by e-mail: they did not choose
        to be contacted by phone or letter, and an e-mail reaches them."""
        self.ensure_one()
        email = email_normalize(self.sudo().partner_id.email or "")
        return bool(email) and self.contact_preference not in ("phone", "letter")

    def _ask_satisfaction(self):
        """Ask the complainant how satisfied they are with the handling (ISO 10002 7.9,
        8.3), the way they can be reached: the e-mailed rating link, or else a task for
        the owner to ask by phone, letter or in person and record the answer (the Record
        Satisfaction button). What the caller's context would default is not taken."""
        self.ensure_one()
        complaint = without_defaults(self)
        if complaint._satisfaction_by_email():
            complaint._send_satisfaction_request()
            return
        if complaint.contact_preference == "phone":
            note = self.env._(
                "The complainant asked to be contacted by phone: call them to ask how satisfied they are with the "
                "handling of complaint %s, then record their answer with the Record Satisfaction button.",
                complaint.name,
            )
        elif complaint.contact_preference == "letter":
            note = self.env._(
                "The complainant asked to be contacted by letter: write to ask how satisfied they are with the "
                "handling of complaint %s, then record their answer with the Record Satisfaction button.",
                complaint.name,
            )
        else:
            note = self.env._(
                "No e-mail reaches the complainant: ask them by phone, letter or in person how satisfied they are "
                "with the handling of complaint %s, then record their answer with the Record Satisfaction button.",
                complaint.name,
            )
        complaint.sudo()._ask_owner(
            note, summary=self.env._("Ask the complainant's satisfaction"), activity=SATISFACTION_ACTIVITY
        )

    def _satisfaction_answered(self):
        """Whether the complainant answered (or declined to answer) how satisfied they are,
        asked after the decision last communicated to them, by any means."""
        self.ensure_one()
        since = self.communication_date
        return bool(since) and any(
            rating.consumed and rating.satisfaction_asked_date and rating.satisfaction_asked_date >= since
            for rating in self.sudo().rating_ids
        )

    def action_record_satisfaction(self):
        """The wizard recording the answer the complainant gave by phone, letter or in person."""
        self.ensure_one()
        self.check_access("write")
        self.env["iso10002.satisfaction.wizard"]._check_complaint(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record Satisfaction"),
            "res_model": "iso10002.satisfaction.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_complaint_id": self.id,
                "default_means": self.contact_preference if self.contact_preference in ("phone", "letter") else False,
            },
        }

    def _send_satisfaction_request(self):
        """E-mail the complainant the satisfaction request, in their language. Its links
        carry the rating's token: they go in the e-mail only, never in the chatter (which
        officers read, and could rate in the complainant's name); a note says it was sent."""
        self.ensure_one()
        complaint = without_defaults(self.sudo())
        partner = complaint.partner_id
        if not partner.email:
            return
        template = complaint.env.ref("iso10002_complaints.mail_template_complaint_satisfaction")
        values = template._generate_template(complaint.ids, ["subject", "body_html"])[complaint.id]
        complaint._mail_complainant_privately(
            values.get("subject"),
            values.get("body_html"),
            self.env._("The complainant was asked by e-mail how satisfied they are with the handling."),
        )
        # the request the e-mail's links answer (an earlier one of the complainant's, still
        # unanswered, is made again): a request made by e-mail, now
        complaint.rating_ids.filtered(lambda r: r.partner_id == partner and not r.consumed).write(
            {"satisfaction_means": "email", "satisfaction_asked_date": fields.Datetime.now()}
        )
