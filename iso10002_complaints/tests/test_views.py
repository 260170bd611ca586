import json

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.safe_eval import safe_eval

from ..models.iso10002_complaint import ACTION_STEPS, CLOSED_WRITABLE, CLOSED_WRITABLE_PREFIXES, TRANSITIONS
from .common import ComplaintsCase

# header buttons and the step they move to (action_reopen: back from a final step)
BUTTONS = {f"action_{name.removeprefix('can_')}": step for name, step in ACTION_STEPS.items()}
BUTTONS["action_reopen"] = None


@tagged("post_install", "-at_install")
class TestFormPerStep(ComplaintsCase):
    """What the officer's form shows at each step: the header offers only the moves the
    state machine allows, and a closed complaint reads as locked, as the server holds it."""

    def _visible_buttons(self, complaint):
        view = complaint.with_user(self.officer_a).get_views([(False, "form")])["views"]["form"]
        arch = etree.fromstring(view["arch"])
        values = {name: complaint[name] for name in complaint._fields if name.startswith(("can_", "is_"))}
        values.update(step=complaint.step, active=complaint.active, closure_reason=complaint.closure_reason)
        visible = set()
        for button in arch.xpath("//header/button[@name]"):
            invisible = button.get("invisible")
            if not invisible or not safe_eval(invisible, values):
                visible.add(button.get("name"))
        return visible

    def test_header_buttons_follow_the_state_machine(self):
        complaint = self._complaint(partner_id=self.person_about.id)
        seen = set()
        for step in ("received", "acknowledged", "assessment", "investigation", "response", "communicated", "closed"):
            self._walk_to(complaint, step)
            visible = self._visible_buttons(complaint)
            allowed = {name for name, target in BUTTONS.items() if target in TRANSITIONS[step]}
            if step == "closed":
                allowed.add("action_reopen")
            self.assertEqual(visible & set(BUTTONS), allowed, f"buttons at {step}")
            seen |= visible
        self.assertEqual(set(BUTTONS) - seen, set(), "every button shows at some step")

    def test_a_closed_complaint_reads_as_locked(self):
        complaint = self._complaint(partner_id=self.person_about.id)
        form = Form(complaint.with_user(self.officer_a))
        self.assertFalse(form._get_modifier("subject", "readonly"), "an open complaint is edited")
        self._walk_to(complaint, "closed")
        form = Form(complaint.with_user(self.officer_a))
        editable = [
            name
            for name in form._view["fields"]
            if name not in CLOSED_WRITABLE
            and not name.startswith(("message_", "activity_", "rating_", "website_message"))
            and not form._get_modifier(name, "readonly")
            and not form._get_modifier(name, "invisible")
        ]
        self.assertEqual(editable, [], "what the closed lock refuses is read-only on screen")
        with self.assertRaises(AssertionError):
            form.subject = "Rewritten after closing"

    def test_hidden_buttons_are_refused_when_called(self):
        """A button the state machine hides is refused when called anyway (over RPC),
        and leaves the complaint where it was."""
        complaint = self._complaint(partner_id=self.person_about.id)
        complaint.write({"withdrawal_reason": "Changed their mind", "out_of_scope_reason": "employment"})
        for step in ("received", "acknowledged", "assessment", "investigation", "response", "communicated"):
            self._walk_to(complaint, step)
            stage = complaint.stage_id
            for button, target in BUTTONS.items():
                if target is None or target in TRANSITIONS[step]:
                    continue
                with self.subTest(step=step, button=button), self.assertRaises(UserError):
                    getattr(complaint.with_user(self.officer_a), button)()
                self.assertEqual(complaint.stage_id, stage, f"{button} at {step} moved nothing")

    def test_a_closed_complaint_reads_as_locked_in_the_list(self):
        view = self.env["iso10002.complaint"].with_user(self.officer_a).get_views([(False, "list")])
        arch = etree.fromstring(view["views"]["list"]["arch"])
        self.assertEqual(arch.get("multi_edit"), "1", "the list edits several rows at once")
        field_defs = self.env["iso10002.complaint"]._fields
        for node in arch.xpath("/list/field"):
            name = node.get("name")
            if (
                name in CLOSED_WRITABLE
                or name.startswith(CLOSED_WRITABLE_PREFIXES)
                or node.get("column_invisible") == "1"
            ):
                continue
            readonly = node.get("readonly") or ""
            if readonly in ("1", "True") or (not readonly and field_defs[name].readonly):
                continue
            with self.subTest(field=name):
                self.assertIn("step == 'closed'", readonly)

    def test_a_new_complaint_saves_without_choosing_a_channel(self):
        form = Form(self.env["iso10002.complaint"].with_user(self.officer_a))
        form.subject = "Rude driver"
        form.partner_id = self.person_about
        complaint = form.save()
        self.assertEqual(complaint.channel_id.code, "phone")
        self.assertEqual(complaint.step, "received")

    def test_each_refusal_names_the_tab_that_holds_its_field(self):
        """Every "cannot move yet" names a field and a tab: the tab named in the sentence
        is the page of the form that holds the field, the one the form opens."""
        view = self.env["iso10002.complaint"].with_user(self.officer_a).get_views([(False, "form")])
        arch = etree.fromstring(view["views"]["form"]["arch"])
        complaint = self._complaint(partner_id=self.person_about.id)
        complaint.external_referral = True
        seen = set()
        for step, target in [
            ("received", "acknowledged"),
            ("acknowledged", "assessment"),
            ("assessment", "investigation"),
            ("investigation", "response"),
            ("response", "communicated"),
            ("communicated", "closed"),
            ("communicated", "withdrawn"),
            ("communicated", "out_of_scope"),
        ]:
            self._walk_to(complaint, step)
            missing = complaint._missing_for_step(target)
            self.assertTrue(missing, f"something is missing to enter {target} from a bare {step}")
            field, sentence = missing
            # the complaint's own field (not one of a list inside the form, as the decisions')
            [page] = arch.xpath(f"//page[.//field[@name='{field}'][not(ancestor::field)]]")
            self.assertIn(f"{page.get('string')} tab", sentence, f"{field} is on the tab the sentence names")
            error = complaint._refusal(sentence, field)
            self.assertEqual(error.context, {"iso10002_field": field, "iso10002_page": page.get("name")})
            seen.add(field)
        self.assertGreaterEqual(len(seen), 8)

    def test_the_statusbar_does_not_offer_moves(self):
        view = self.env["iso10002.complaint"].with_user(self.officer_a).get_views([(False, "form")])
        arch = etree.fromstring(view["views"]["form"]["arch"])
        [statusbar] = arch.xpath("//header/field[@name='stage_id']")
        self.assertNotIn("clickable", statusbar.get("options") or "", "stages move through the header buttons")


@tagged("post_install", "-at_install")
class TestOverview(ComplaintsCase):
    """The officers' dashboard: each team's backlog, counted with the reader's rights."""

    def test_the_overview_counts_each_teams_backlog(self):
        self._complaint(partner_id=self.person_about.id, user_id=self.manager.id)
        self._complaint(partner_id=self.person_about.id, user_id=self.officer_a.id)
        self._complaint(partner_id=self.person_about.id, team_id=self.team_b.id)
        team_a = self.team_a.with_user(self.officer_a)
        self.assertEqual(
            (team_a.open_complaint_count, team_a.to_acknowledge_count, team_a.my_open_count, team_a.overdue_count),
            (2, 2, 1, 0),
        )
        # each count opens exactly what it counts (the filters of a list would be OR-ed)
        Complaint = self.env["iso10002.complaint"].with_user(self.officer_a)
        for context, count in (
            ({"backlog_mine": True}, team_a.my_open_count),
            ({"backlog_figure": "to_acknowledge_end"}, team_a.to_acknowledge_count),
            ({"backlog_figure": "overdue_end"}, team_a.overdue_count),
            ({}, team_a.open_complaint_count),
        ):
            action = team_a.with_context(**context).action_open_backlog()
            self.assertEqual(Complaint.search_count(action["domain"]), count, context)
        # another team's officer sees none of team A's complaints there
        self.assertEqual(self.team_a.with_user(self.officer_b).open_complaint_count, 0)

    def test_the_overview_opens_first(self):
        menu = self.env.ref("iso10002_complaints.menu_root")
        first = menu.child_id.sorted("sequence")[:1]
        self.assertEqual(first.action, self.env.ref("iso10002_complaints.iso10002_complaint_team_action_overview"))


@tagged("post_install", "-at_install")
class TestOverviewButtons(ComplaintsCase):
    def test_the_overview_buttons_open_only_the_figures_they_count(self):
        self._complaint(partner_id=self.person_about.id, user_id=self.officer_a.id)
        self._complaint(partner_id=self.person_about.id, user_id=self.officer_b.id)
        team = self.team_a.with_user(self.officer_a)
        opened = set(team.action_open_backlog()["domain"][0][2])
        for sent in ("received", 42, {"open_end": 1}, ["open_end"], None, "__import__('os')", "actions_open_end"):
            with self.subTest(sent=sent):
                action = team.with_context(backlog_figure=sent, backlog_mine=sent).action_open_backlog()
                self.assertEqual(set(action["domain"][0][2]), opened, "anything else opens the open complaints")
                self.assertEqual(action["context"], {"default_team_id": self.team_a.id, "active_test": False})
        mine = team.with_context(backlog_mine=True).action_open_backlog()
        self.assertEqual(len(mine["domain"][0][2]), 1)


@tagged("post_install", "-at_install")
class TestFormButtonsOverHttp(HttpCase):
    """The form's buttons as the web client calls them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.officer = new_test_user(
            cls.env, login="http_form_officer", groups="iso10002_complaints.group_complaint_officer"
        )
        cls.manager = new_test_user(
            cls.env, login="http_form_manager", groups="iso10002_complaints.group_complaint_manager"
        )
        cls.team = cls.env["iso10002.complaint.team"].create(
            {"name": "HTTP form team", "member_ids": [Command.set((cls.officer | cls.manager).ids)]}
        )
        # without an e-mail address: the complaints stay Received until acknowledged
        cls.caller = cls.env["res.partner"].create({"name": "Caller without e-mail"})
        cls.complaint = cls._received("Refused over HTTP")

    @classmethod
    def _received(cls, subject):
        return cls.env["iso10002.complaint"].create(
            {"subject": subject, "partner_id": cls.caller.id, "team_id": cls.team.id}
        )

    def _raw_button(self, method, record):
        """The JSON-RPC answer as the web client gets it, errors included."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": record._name, "method": method, "args": [record.ids], "kwargs": {}},
        }
        response = self.url_open(
            "/web/dataset/call_button", data=json.dumps(payload), headers={"Content-Type": "application/json"}
        )
        return response.json()

    @mute_logger("odoo.http")
    def test_a_refused_step_tells_the_form_which_tab_to_open(self):
        self.authenticate("http_form_officer", "http_form_officer")
        answer = self._raw_button("action_acknowledge", self.complaint)
        error = answer["error"]["data"]
        self.assertEqual(error["name"], "odoo.exceptions.UserError", "a warning, not a server error")
        self.assertIn("Say how complaint", error["message"])
        self.assertEqual(
            error["context"], {"iso10002_field": "acknowledgement_channel", "iso10002_page": "acknowledgement"}
        )

    @mute_logger("odoo.http")
    def test_delete_is_offered_only_while_it_works(self):
        Complaint = self.env["iso10002.complaint"]
        arch = Complaint.with_user(self.manager).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('delete="0"', arch.split(">", 1)[0], "no Delete in the form's menu, which would refuse")
        # an officer has no Delete and cannot call it
        self.authenticate("http_form_officer", "http_form_officer")
        self.assertEqual(
            self._raw_button("action_delete", self.complaint)["error"]["data"]["name"], "odoo.exceptions.AccessError"
        )
        self.assertTrue(self.complaint.exists())
        # a manager deletes a complaint that is still Received, and is taken back to the list
        self.authenticate("http_form_manager", "http_form_manager")
        spam = self._received("Spam")
        self.assertTrue(spam.with_user(self.manager).can_delete)
        action = self._raw_button("action_delete", spam)["result"]
        self.assertEqual((action["res_model"], action["target"]), ("iso10002.complaint", "main"))
        self.assertFalse(spam.exists())
        # once acknowledged, the button is gone, and calling it is refused
        self.complaint.write({"acknowledgement_channel": "phone"})
        self.complaint.action_acknowledge()
        self.assertFalse(self.complaint.with_user(self.manager).can_delete)
        error = self._raw_button("action_delete", self.complaint)["error"]["data"]
        self.assertEqual(error["name"], "odoo.exceptions.UserError")
        self.assertIn("never deleted", error["message"])
        self.assertTrue(self.complaint.exists())
