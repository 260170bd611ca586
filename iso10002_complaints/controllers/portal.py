from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.addons.portal.controllers.thread import ThreadController
from odoo.addons.rating.controllers.main import Rating
from odoo.addons.report_reader_locale.tools import READER_KEY, Reader

from .complaint_form import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, ComplaintForm

# the session key of the complaint a visitor just filed: its page shows the reference only
FILED_KEY = "iso10002_filed_complaint"


class ComplaintPortal(CustomerPortal):
    """Complainants follow and answer their complaints, and file new ones."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "complaint_count" in counters:
            Complaint = request.env["iso10002.complaint"]
            values["complaint_count"] = Complaint.search_count([]) if Complaint.has_access("read") else 0
        return values

    @http.route(["/my/complaints", "/my/complaints/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_complaints(self, page=1, **kw):
        Complaint = request.env["iso10002.complaint"]
        count = Complaint.search_count([])
        pager = portal_pager(url="/my/complaints", total=count, page=page, step=self._items_per_page)
        complaints = Complaint.search(
            [], order="received_date desc, id desc", limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_complaints_history"] = complaints.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(complaints=complaints, pager=pager, page_name="complaint", default_url="/my/complaints")
        return self._render_for_reader("iso10002_complaints.portal_my_complaints", values)

    @http.route(["/my/complaints/<int:complaint_id>"], type="http", auth="public", website=True)
    def portal_my_complaint(self, complaint_id, access_token=None, **kw):
        if access_token is not None and not isinstance(access_token, str):
            raise BadRequest()  # a file or a list where the link's token goes
        try:
            complaint_sudo = self._document_check_access("iso10002.complaint", complaint_id, access_token)
        except (AccessError, MissingError):
            if not access_token:  # signed in (or to sign in) as someone else: their portal
                return request.redirect("/my")
            # a link that no longer opens the complaint (it was corrected or anonymised, or
            # the link is wrong): said plainly, with the way to get a link of one's own
            values = self._prepare_portal_layout_values()
            values["page_name"] = "complaint"
            return self._render_for_reader("iso10002_complaints.portal_complaint_link_invalid", values, status=403)
        values = self._complaint_page_values(complaint_sudo, access_token, filed=bool(kw.get("filed")))
        return self._render_for_reader("iso10002_complaints.portal_my_complaint", values)

    @http.route(
        ["/my/complaints/<int:complaint_id>/answer"], type="http", auth="public", methods=["POST"], website=True
    )
    def portal_complaint_answer(self, complaint_id, access_token=None, answer=None, **post):
        """The complainant accepts or rejects the decision: signed in as the complainant,
        or through the link of the decision e-mail (its token). Refused: anyone else (a
        colleague who may read the complaint, another complainant's token), a decision
        already answered, a complaint without a decision waiting."""
        if access_token is not None and not isinstance(access_token, str):
            raise BadRequest()  # a file or a list where the link's token goes
        try:
            complaint_sudo = self._document_check_access("iso10002.complaint", complaint_id, access_token)
        except (AccessError, MissingError) as error:
            raise Forbidden() from error
        by_token = bool(access_token) and consteq(complaint_sudo.access_token or "", access_token)
        if not by_token and request.env.user.partner_id != complaint_sudo.partner_id:
            raise Forbidden()
        try:
            reason = ComplaintForm(request.env).answer_reason(post, answer)
            complaint_sudo._portal_answer(answer, reason)
        except (UserError, ValidationError) as error:
            values = self._complaint_page_values(complaint_sudo, access_token, answer_error=error.args[0])
            return self._render_for_reader("iso10002_complaints.portal_my_complaint", values, status=400)
        query = f"?access_token={access_token}" if by_token else ""
        return request.redirect(f"/my/complaints/{complaint_sudo.id}{query}#decision")

    @http.route(["/complaints"], type="http", auth="public", website=True, sitemap=True)
    def complaints_policy_page(self, **kw):
        """The complaints page: the published policy, how to complain, the time limits and
        the recourse (iso10002.policy._page_values)."""
        values = request.env["iso10002.policy"]._page_values(request.env.company)
        return self._render_for_reader("iso10002_complaints.complaints_policy_page", values)

    @http.route(["/complaints/new"], type="http", auth="public", methods=["GET", "POST"], website=True)
    def portal_new_complaint(self, **post):
        """File a complaint: signed-in complainants as themselves, visitors with name and e-mail.

        A refused post gets the form again with the reason, as a 400 (bad request)."""
        values = {"page_name": "new_complaint", "post": post, "error": False}
        status = 200
        if request.httprequest.method == "POST":
            try:
                self._check_form_submission()
                files = [
                    (upload.filename, upload.read(MAX_FILE_BYTES + 1), upload.mimetype)
                    for upload in request.httprequest.files.getlist("attachments")
                ]
                form = ComplaintForm(request.env).complaint(post, request.env.user, files)
                complaint = request.env["iso10002.complaint"]._portal_submit(
                    form,
                    request.env.user,
                    remote_addr=request.httprequest.remote_addr,
                    lang=request.lang.code,
                )
            except (UserError, ValidationError) as error:
                values["error"] = error.args[0]
                # what was typed is shown again, without what made it unreadable
                values["post"] = {key: self._form_echo(value) for key, value in post.items()}
                status = 400
            else:
                if request.env.user._is_public():
                    # anyone can type anyone's address: the link goes to that address (in
                    # the acknowledgement), never to this page; the reference is shown
                    request.session[FILED_KEY] = complaint.id
                    return request.redirect("/complaints/filed")
                return request.redirect(complaint.get_portal_url(query_string="&filed=1"))
        values.update(self._prepare_portal_layout_values())
        values["is_public"] = request.env.user._is_public()
        values["title"] = request.env._("File a complaint")
        digits = Reader(request.env).digits
        values["files_help"] = request.env._(
            "PDF, pictures, text or office documents: at most %(files)s documents of %(mb)s MB each, "
            "%(total)s MB in all.",
            files=digits(MAX_FILES),
            mb=digits(MAX_FILE_BYTES >> 20),
            total=digits(MAX_TOTAL_BYTES >> 20),
        )
        return self._render_for_reader("iso10002_complaints.portal_new_complaint", values, status=status)

    @http.route(["/complaints/filed"], type="http", auth="public", methods=["GET"], website=True)
    def portal_filed_complaint(self, **kw):
        """What a visitor sees once their complaint is filed: its reference, and where the
        link to follow it went (the address they gave), never the link itself."""
        complaint_sudo = request.env["iso10002.complaint"].sudo().browse(request.session.get(FILED_KEY) or [])
        if not complaint_sudo.exists():
            return request.redirect("/complaints/new")
        values = self._prepare_portal_layout_values()
        # the address the acknowledgement and its link went to: only for who chose e-mail
        emailed = complaint_sudo.contact_preference in (False, "email")
        values.update(
            page_name="new_complaint", complaint=complaint_sudo, email=emailed and complaint_sudo.partner_id.email
        )
        return self._render_for_reader("iso10002_complaints.portal_filed_complaint", values)

    @http.route(["/complaints/find"], type="http", auth="public", methods=["GET", "POST"], website=True)
    def portal_find_complaint(self, **post):
        """Find one's complaint with its reference and e-mail address: the link is e-mailed,
        never shown, and the answer does not tell whether they matched."""
        values = {"page_name": "find_complaint", "post": post, "error": False, "sent": False}
        status = 200
        if request.httprequest.method == "POST":
            try:
                reference, email = ComplaintForm(request.env).lookup(post)
                request.env["iso10002.complaint"]._portal_find(
                    reference, email, remote_addr=request.httprequest.remote_addr
                )
            except (UserError, ValidationError) as error:
                values["error"] = error.args[0]
                values["post"] = {key: self._form_echo(value) for key, value in post.items()}
                status = 400
            else:
                values["sent"] = True
        values.update(self._prepare_portal_layout_values())
        return self._render_for_reader("iso10002_complaints.portal_find_complaint", values, status=status)

    @staticmethod
    def _render_for_reader(template, values, status=200):
        """A page of the complainant: dates, numbers and amounts as they read them
        (``report_reader_locale``: Solar Hijri dates and Persian digits for Persian readers)."""
        request.update_context(**{READER_KEY: True})
        return request.render(template, values, status=status)

    def _complaint_page_values(self, complaint_sudo, access_token, **extra):
        """The complaint's page: its progress, and what the complainant may answer."""
        partner = request.env.user.partner_id
        by_token = bool(access_token) and consteq(complaint_sudo.access_token or "", access_token)
        may_answer = by_token or partner == complaint_sudo.partner_id
        rating_token = False
        if may_answer and complaint_sudo.complainant_response and not complaint_sudo.rating_ids.filtered("consumed"):
            rating_token = complaint_sudo._rating_get_access_token()
        values = {
            "complaint": complaint_sudo,
            "page_name": "complaint",
            "progress": complaint_sudo._portal_progress(),
            "may_answer": may_answer,
            "answer_token": access_token if by_token else False,
            "rating_token": rating_token,
            "filed": False,
            "answer_error": False,
            **extra,
        }
        return self._get_page_view_values(complaint_sudo, access_token, values, "my_complaints_history", False)

    def _check_form_submission(self):
        """Checks of the request itself before the form is read (the captcha addon adds one)."""
        return True

    @staticmethod
    def _form_echo(value):
        if not isinstance(value, str):
            return ""
        return "".join(char for char in value[:20000] if char.isprintable() or char in "\r\n\t")


class ComplaintThreadController(ThreadController):
    def _prepare_post_data(self, post_data, thread, **kwargs):
        """The complainant side posts comments on a complaint: not a system notification,
        not an internal note, not an automatic message, not a rating."""
        post_data = super()._prepare_post_data(post_data, thread, **kwargs)
        if thread._name == "iso10002.complaint":
            # the chatter posts as superuser: whom a person writes to is checked here
            thread._refuse_blind(post_data.get("partner_ids"))
        if thread._name == "iso10002.complaint" and not request.env.user._is_internal():
            post_data.update(message_type="comment", subtype_xmlid="mail.mt_comment")
            for key in ("subtype_id", "rating_value"):
                post_data.pop(key, None)
        return post_data


class ComplaintRating(Rating):
    """The rating links of the complainants' e-mails: a rate other than 1, 3 or 5 (an
    old, edited or forged link) is a bad request, not a server error."""

    @http.route()
    def action_open_rating(self, token, rate, **kwargs):
        if rate not in (1, 3, 5) or "\x00" in token:
            raise NotFound()
        return super().action_open_rating(token, rate, **kwargs)

    @http.route()
    def action_submit_rating(self, token, rate=0, **kwargs):
        if "\x00" in token:  # PostgreSQL cannot even compare it
            raise NotFound()
        if request.httprequest.method == "POST":
            try:
                valid = int(rate) in (1, 3, 5)
            except (TypeError, ValueError):
                valid = False
            if not valid:
                raise BadRequest()
        return super().action_submit_rating(token, rate=rate, **kwargs)
