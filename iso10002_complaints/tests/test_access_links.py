"""The links that open a complaint without signing in belong to its complainant: a
visitor who files the form gets the reference, never the link (anyone can type another
person's address); a link stops opening the complaint when the complainant is corrected
or the complaint is anonymised, and then gets a plain page."""

from odoo.http import Request
from odoo.modules.migration import load_script
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ComplaintsCase

FORM = {
    "name": "Someone Typing",
    "subject": "Filed in another person's name",
    "description": "The shop was closed during opening hours.",
    "consent": "on",
}


@tagged("post_install", "-at_install")
class TestTheFormGivesNoKey(HttpCase, ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("iso10002_complaints.form_limit_address_per_hour", 0)
        params.set_param("iso10002_complaints.form_limit_email_per_hour", 0)

    def _file(self, login=None, **values):
        self.authenticate(login, login)
        data = dict(FORM, csrf_token=Request.csrf_token(self), **values)
        return self.url_open("/complaints/new", data=data, allow_redirects=False)

    def test_a_visitor_sees_the_reference_and_the_link_goes_to_the_address(self):
        response = self._file(email="victim@example.com", subject="Typed a victim's address")
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/complaints/filed"), response.headers["Location"])
        complaint = self.env["iso10002.complaint"].search([("subject", "=", "Typed a victim's address")])
        self.assertEqual(len(complaint), 1)
        token = complaint.sudo().access_token
        self.assertTrue(token, "the acknowledgement carries the complainant's link")
        page = self.url_open(response.headers["Location"])
        self.assertEqual(page.status_code, 200)
        self.assertIn(complaint.name, page.text, "the reference at once")
        self.assertIn("victim@example.com", page.text, "and where the link went")
        self.assertNotIn(token, page.text, "never the link")
        self.assertNotIn(f"/my/complaints/{complaint.id}", page.text)
        # the link went to the address given, in the acknowledgement, and nowhere else
        mails = self.env["mail.mail"].sudo().search([("model", "=", complaint._name), ("res_id", "=", complaint.id)])
        with_link = mails.filtered(lambda mail: token in (mail.body_html or ""))
        self.assertTrue(with_link, "the acknowledgement holds the link")
        self.assertEqual(with_link.recipient_ids.mapped("email"), ["victim@example.com"])
        # the visitor's session opens neither the complaint nor its answers
        page = self.url_open(f"/my/complaints/{complaint.id}")
        self.assertNotIn(complaint.subject, page.text)

    def test_the_filed_page_is_the_filer_s_only(self):
        self._file(email="first@example.com", subject="Someone's filing")
        complaint = self.env["iso10002.complaint"].search([("subject", "=", "Someone's filing")])
        self.authenticate(None, None)  # another visitor, another session
        page = self.url_open("/complaints/filed", allow_redirects=False)
        self.assertEqual(page.status_code, 303, "nothing filed in this session")
        self.assertTrue(page.headers["Location"].endswith("/complaints/new"))
        self.assertNotIn(complaint.name, page.text)

    def test_a_signed_in_complainant_keeps_immediate_access(self):
        portal = new_test_user(
            self.env, login="form_portal", groups="base.group_portal", email="form.portal@example.com"
        )
        response = self._file(login="form_portal", subject="Filed signed in")
        self.assertEqual(response.status_code, 303)
        complaint = self.env["iso10002.complaint"].search([("subject", "=", "Filed signed in")])
        self.assertEqual(complaint.partner_id, portal.partner_id)
        self.assertIn(f"/my/complaints/{complaint.id}", response.headers["Location"])
        page = self.url_open(response.headers["Location"])
        self.assertIn("o_iso10002_filed", page.text)
        self.assertIn("o_iso10002_progress", page.text, "their complaint's page, at once")


@tagged("post_install", "-at_install")
class TestLinksFollowTheComplainant(HttpCase, ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.partner"].create({"name": "The Real Complainant", "email": "real@example.com"})

    def _open(self, complaint, token):
        self.authenticate(None, None)
        return self.url_open(f"/my/complaints/{complaint.id}?access_token={token}", allow_redirects=False)

    def _assert_refused(self, response, complaint):
        self.assertEqual(response.status_code, 403)
        self.assertIn("o_iso10002_link_invalid", response.text, "a plain page that says so")
        self.assertIn("/complaints/find", response.text, "and how to get a link of one's own")
        self.assertNotIn(complaint.sudo().subject or "Parcel never arrived", response.text)

    @mute_logger("odoo.http")
    def test_correcting_the_complainant_rotates_the_links(self):
        complaint = self._complaint(subject="Whose complaint")
        self._walk_to(complaint, "communicated")
        old_token = complaint.sudo()._portal_ensure_token()
        old_rating = complaint.sudo()._rating_get_access_token()
        self.assertEqual(self._open(complaint, old_token).status_code, 200)
        Mail = self.env["mail.mail"].sudo()
        queued = Mail.search(
            [("model", "=", complaint._name), ("res_id", "=", complaint.id), ("state", "=", "outgoing")]
        ).filtered(lambda mail: mail.recipient_ids == self.complainant)
        self.assertTrue(queued, "mails for the first complainant wait in the queue")
        before = Mail.search([])
        # an officer of the team corrects who complained
        complaint.with_user(self.officer_a).write({"partner_id": self.other.id})
        self.assertEqual(set(queued.mapped("state")), {"cancel"}, "what was queued for them is not sent")
        told = (Mail.search([]) - before).filtered(lambda mail: mail.recipient_ids == self.other)
        self.assertTrue(told, "the new complainant is acknowledged")
        self.assertIn(complaint.name, told[0].body_html)
        self.assertIn(complaint.sudo().access_token, "".join(told.mapped("body_html")), "with their own link")
        new_token = complaint.sudo().access_token
        self.assertTrue(new_token)
        self.assertNotEqual(new_token, old_token)
        self._assert_refused(self._open(complaint, old_token), complaint)
        self.assertEqual(self._open(complaint, new_token).status_code, 200, "the new complainant's link opens it")
        rate = self.url_open(f"/rate/{old_rating}/5")
        self.assertEqual(rate.status_code, 404, "the earlier complainant's rating link opens nothing")
        self.assertFalse(complaint.sudo().rating_ids.filtered("consumed"))
        answer = self.url_open(
            f"/my/complaints/{complaint.id}/answer",
            data={"answer": "accepted", "access_token": old_token, "csrf_token": Request.csrf_token(self)},
        )
        self.assertEqual(answer.status_code, 403)
        self.assertFalse(complaint.complainant_response, "nobody answered with the old link")
        followers = complaint.sudo().message_partner_ids
        self.assertNotIn(self.complainant, followers, "the earlier complainant is no longer told")
        self.assertIn(self.other, followers)

    def test_anonymisation_leaves_no_link(self):
        complaint = self._walk_to(self._complaint(subject="To forget"), "closed")
        token = complaint.sudo()._portal_ensure_token()
        ratings = complaint.sudo().rating_ids
        rating_token = ratings[:1].access_token or complaint.sudo()._rating_get_access_token()
        complaint.with_user(self.manager).action_anonymise()
        self.assertFalse(complaint.sudo().access_token)
        self._assert_refused(self._open(complaint, token), complaint)
        self.assertEqual(self.url_open(f"/rate/{rating_token}/5").status_code, 404)

    def test_a_wrong_link_gets_the_same_plain_page(self):
        complaint = self._complaint()
        self._assert_refused(self._open(complaint, "not-a-token"), complaint)
        # edited rating links: a clean refusal, not a server error
        for rate in (0, 2, 4, 6, 99):
            self.assertEqual(self.url_open(f"/rate/not-a-token/{rate}").status_code, 404, rate)
        submitted = self.url_open(
            "/rate/not-a-token/submit_feedback", data={"rate": "7", "csrf_token": Request.csrf_token(self)}
        )
        self.assertEqual(submitted.status_code, 400)
        response = self._open(complaint.browse(10**8), "not-a-token")
        self.assertEqual(response.status_code, 403, "a complaint that does not exist: the same page")

    def test_the_upgrade_rotates_the_links_of_corrected_complaints(self):
        corrected = self._complaint(subject="Corrected before the upgrade")
        kept = self._complaint(subject="Never corrected")
        self.flush_tracking()
        # as 18.0.1.3.0 did: the complainant changed, the token stayed
        corrected.write({"partner_id": self.other.id})
        self.flush_tracking()
        stale = "stale-token-of-the-first-complainant"
        self.env.cr.execute("UPDATE iso10002_complaint SET access_token = %s WHERE id = %s", (stale, corrected.id))
        kept_token = kept.sudo()._portal_ensure_token()
        self.env["mail.followers"].sudo().create(
            {"res_model": corrected._name, "res_id": corrected.id, "partner_id": self.complainant.id}
        )
        # the rules as 18.0.1.3.0 had them (noupdate: the upgrade rewrites them)
        old_rules = {
            "rating_rating_rule_complaint_roles": "[(1, '=', 1)]",
            "mail_followers_rule_complaint_roles": "[(1, '=', 1)]",
            "iso10002_corrective_action_rule_officer": "['|', ('user_id', '=', user.id), "
            "('complaint_ids.team_id.member_ids', 'in', user.id)]",
        }
        for xmlid, domain in old_rules.items():
            self.env.ref(f"iso10002_complaints.{xmlid}").domain_force = domain
        sequence = self.company._complaint_sequence()
        sequence.write({"implementation": "no_gap"})
        next_number = sequence.number_next_actual
        self.env.invalidate_all()
        script = load_script("iso10002_complaints/migrations/18.0.1.4.0/post-migrate.py", "iso10002_post_migrate")
        script.migrate(self.env.cr, "18.0.1.3.0")
        self.env.invalidate_all()
        self.assertNotEqual(corrected.sudo().access_token, stale)
        self.assertEqual(kept.sudo().access_token, kept_token, "a complaint never corrected keeps its link")
        self.assertNotIn(self.complainant, corrected.sudo().message_partner_ids)
        self._assert_refused(self._open(corrected, stale), corrected)
        self.assertEqual(sequence.implementation, "standard")
        self.assertEqual(sequence.number_next_actual, next_number, "the numbering goes on where it was")
        for xmlid in ("rating_rating_rule_complaint_roles", "mail_followers_rule_complaint_roles"):
            self.assertIn("iso10002_visible", self.env.ref(f"iso10002_complaints.{xmlid}").domain_force)
        rule = self.env.ref("iso10002_complaints.iso10002_corrective_action_rule_officer")
        self.assertIn("iso10002_visible", rule.domain_force)


@tagged("post_install", "-at_install")
class TestPrivateMailsLeave(ComplaintsCase):
    def test_the_link_e_mail_is_sent_and_the_record_stays_sealed(self):
        """The e-mail that carries a complainant's link is sent by the mail queue: its
        deletion after sending took the complaint's message along, which the seal
        refused, so the queue failed after the mail had left and sent it again."""
        complaint = self._complaint(subject="Link by e-mail")
        before = self.env["mail.mail"].sudo().search([])
        complaint._send_link()
        mail = self.env["mail.mail"].sudo().search([]) - before
        self.assertEqual(len(mail), 1)
        mail.send(raise_exception=True)
        self.assertEqual(mail.state, "sent")
        self.assertTrue(mail.mail_message_id.exists(), "the message it carried stays in the record")


@tagged("post_install", "-at_install")
class TestTasksFollowReadAccess(ComplaintsCase):
    def test_a_task_moves_with_read_access(self):
        """Moved to another team, the complaint's task goes to whoever may read it now:
        its former assignee no longer reads the complaint's name and the task."""
        complaint = self._complaint(subject="Moving team")
        activity = complaint.activity_schedule("mail.mail_activity_data_todo", user_id=self.officer_a.id)
        complaint.with_user(self.manager).write({"team_id": self.team_b.id})
        self.assertFalse(complaint.with_user(self.officer_a).has_access("read"))
        self.assertNotEqual(activity.user_id, self.officer_a)
        self.assertTrue(complaint._readable_by(activity.user_id))
        self.assertFalse(
            self.env["mail.activity"].with_user(self.officer_a).search([("id", "=", activity.id)]),
            "the former assignee finds it no more",
        )
