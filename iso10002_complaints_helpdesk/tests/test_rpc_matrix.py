"""Every role against the real XML-RPC endpoint (``/xmlrpc/2/object``).

Each role of the complaints process (clause 5.4), a portal complainant and a colleague of
the same customer, an employee and a helpdesk user without complaint rights, and an
officer of another company, call search, search_count, fields_get + read of every field,
read_group, export_data, name_search, searches through related fields, write, create and
unlink on the complaint models and the complaint marks of helpdesk tickets, as a client
would. A refusal must come back as the fault of an AccessError (code 4) or a UserError
(code 2), never as a server error (code 1, a traceback); an allowed call must succeed.

The expectations are the secure behaviour of the design (DESIGN.md, roles section):
a failing sub-test is a hole, not a test to adapt.
"""

import logging
import xmlrpc.client

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import RPC_FAULT_CODE_ACCESS_ERROR, RPC_FAULT_CODE_WARNING
from odoo.addons.iso10002_complaints.tests.common import PORTAL_FIELDS

_logger = logging.getLogger(__name__)

# what a helpdesk user or a portal user may know of a ticket's complaint
COMPLAINT_MARKS = ("is_complaint", "complaint_reference", "complaint_step")

ACCESS = (RPC_FAULT_CODE_ACCESS_ERROR,)  # AccessError
REFUSED = (RPC_FAULT_CODE_ACCESS_ERROR, RPC_FAULT_CODE_WARNING)  # AccessError or UserError
# context keys a client may send; none of them may switch a guard off
HOSTILE = {
    "tracking_disable": True,
    "mail_notrack": True,
    "_force_unlink": True,
    "iso10002_engine": True,
    "iso10002_reopen": True,
}
# technical fields of the mixins that a portal user reads on any document of theirs
# (the same exclusions as TestPortalReads in iso10002_complaints)
TECHNICAL_PREFIXES = ("message_", "website_message", "rating_", "activity_")
TECHNICAL = {
    "access_url",
    "access_warning",
    "has_message",
    "my_activity_date_deadline",
    "create_date",
    "create_uid",
    "write_date",
    "write_uid",
    "duration_tracking",
}

ROLES = ("officer_a", "officer_b", "manager", "auditor", "portal", "colleague", "employee", "helpdesk", "officer_c")
# the colleague is a second portal user: the complaint model is where the two differ
ROLES_NOT_COLLEAGUE = tuple(role for role in ROLES if role != "colleague")
SHARE = {"portal", "colleague"}

COMPLAINTS_OF_COMPANY_A = {
    "a",
    "b",
    "unassigned",
    "conf",
    "closed",
    "portal",
    "colleague",
    "colleague_secret",
    "received",
}
COMPLAINTS_SEEN = {
    # their team's, their own, the unassigned; not a confidential one they neither own nor investigate
    "officer_a": {"a", "unassigned", "closed", "portal", "colleague", "received"},
    "officer_b": {"b", "unassigned"},
    "manager": COMPLAINTS_OF_COMPANY_A,
    "auditor": COMPLAINTS_OF_COMPANY_A,
    # their own and their company's, a colleague's confidential one only to that colleague
    "portal": {"portal", "colleague"},
    "colleague": {"portal", "colleague", "colleague_secret"},
    "employee": None,
    "helpdesk": None,
    "officer_c": {"other"},
}
# complaints with findings, and the corrective actions / teams / policies that reach them
WITH_FINDINGS = frozenset({"a", "conf", "portal"})


def _seen_through(links, role, matching=WITH_FINDINGS):
    """Keys of ``links`` ({key: complaint keys}) that reach a complaint ``role`` sees among ``matching``."""
    complaints = (COMPLAINTS_SEEN[role] or set()) & matching
    return {key for key, targets in links.items() if targets & complaints}


@tagged("post_install", "-at_install")
class TestRpcMatrix(HttpCase):
    rpc_calls = 0

    def setUp(self):
        super().setUp()
        # each refusal is logged by the RPC layer as a warning: expected here
        self.enterContext(mute_logger("odoo.http"))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notify_force_send=False))
        cls.company = env.ref("base.main_company")
        cls.company_b = env["res.company"].create({"name": "RPC Other Company"})
        # a complaint without a team finds nobody to own it: it stays every officer's to read
        cls.company.sudo().write({"complaint_escalation_user_id": False, "complaint_representative_id": False})
        officer = "iso10002_complaints.group_complaint_officer"
        helpdesk = "helpdesk_mgmt.group_helpdesk_user"

        def user(role, login, groups, **values):
            # export_data is refused without this group: given to everyone, the fields and
            # records a role may not read are proved refused by export as well
            groups = f"{groups},base.group_allow_export"
            values.setdefault("email", f"{login}@example.com")
            return new_test_user(env, login=login, groups=groups, password=login, name=f"RPC {role}", **values)

        cls.users = {
            # officer A also works the helpdesk: the ticket marks are refused to them as well
            "officer_a": user("Officer A", "rpc_officer_a", f"{officer},{helpdesk}"),
            "officer_b": user("Officer B", "rpc_officer_b", officer),
            "manager": user("Manager", "rpc_manager", "iso10002_complaints.group_complaint_manager"),
            "auditor": user("Auditor", "rpc_auditor", "iso10002_complaints.group_complaint_auditor"),
            "portal": user("Portal Jane", "rpc_portal_jane", "base.group_portal"),
            "colleague": user("Portal Colleague", "rpc_portal_colleague", "base.group_portal"),
            "employee": user("Employee", "rpc_employee", "base.group_user"),
            "helpdesk": user("Helpdesk Agent", "rpc_helpdesk", helpdesk),
            "officer_c": user(
                "Officer C",
                "rpc_officer_c",
                officer,
                company_id=cls.company_b.id,
                company_ids=[(6, 0, cls.company_b.ids)],
            ),
        }
        users = cls.users
        customer = env["res.partner"].create({"name": "RPC Customer Ltd", "is_company": True})
        (users["portal"] | users["colleague"]).partner_id.write({"parent_id": customer.id})
        cls.complainant = env["res.partner"].create(
            {
                "name": "RPC Complainant",
                "email": "rpc.complainant@example.com",
                "complaint_needs_assistance": True,
                "complaint_assistance_note": "wheelchair access",
            }
        )
        # without e-mail address a complaint is not acknowledged and stays received
        cls.walk_in = env["res.partner"].create({"name": "RPC Walk-in"})
        person_about = env["res.partner"].create({"name": "RPC Person Complained About"})
        cls.phone = env.ref("iso10002_complaints.channel_phone")
        category = env["iso10002.complaint.category"].create({"name": "RPC Delivery"})
        root_cause = env["iso10002.root.cause"].create({"name": "RPC Carrier"})

        Team = env["iso10002.complaint.team"]
        teams = {
            "team_a": Team.create(
                {"name": "RPC Team A", "user_id": users["officer_a"].id, "member_ids": [(6, 0, users["officer_a"].ids)]}
            ),
            "team_b": Team.create({"name": "RPC Team B", "member_ids": [(6, 0, users["officer_b"].ids)]}),
            "team_c": Team.create(
                {
                    "name": "RPC Team C",
                    "company_id": cls.company_b.id,
                    "member_ids": [(6, 0, users["officer_c"].ids)],
                }
            ),
        }
        cls.teams = teams

        def complaint(subject, **values):
            vals = {
                "subject": subject,
                "partner_id": cls.complainant.id,
                "channel_id": cls.phone.id,
                "team_id": teams["team_a"].id,
            }
            vals.update(values)
            return env["iso10002.complaint"].create(vals)

        portal_partner = users["portal"].partner_id
        colleague_partner = users["colleague"].partner_id
        complaints = {
            "a": complaint(
                "RPC team A",
                findings="<p>secretfinding A</p>",
                person_complained_about_id=person_about.id,
                severity="high",
            ),
            "b": complaint("RPC team B", team_id=teams["team_b"].id),
            "unassigned": complaint("RPC nobody's yet", team_id=False),
            "conf": complaint(
                "RPC confidential",
                is_confidential=True,
                user_id=users["manager"].id,
                findings="<p>secretfinding conf</p>",
                person_complained_about_id=person_about.id,
            ),
            "closed": complaint("RPC closed", remedy="refund", compensation_amount=50),
            "portal": complaint("RPC portal", partner_id=portal_partner.id, findings="<p>secretfinding portal</p>"),
            "colleague": complaint("RPC colleague", partner_id=colleague_partner.id),
            "colleague_secret": complaint(
                "RPC colleague secret",
                partner_id=colleague_partner.id,
                is_confidential=True,
                user_id=users["manager"].id,
            ),
            "received": complaint("RPC received", partner_id=cls.walk_in.id),
            "other": env["iso10002.complaint"]
            .with_company(cls.company_b)
            .create(
                {
                    "subject": "RPC other company",
                    "partner_id": cls.complainant.id,
                    "channel_id": cls.phone.id,
                    "team_id": teams["team_c"].id,
                    "company_id": cls.company_b.id,
                }
            ),
        }
        closed = complaints["closed"]
        if closed.step == "received":
            closed.acknowledgement_channel = "phone"
            closed.action_acknowledge()
        closed.write({"severity": "high", "category_id": category.id})
        closed.action_assess()
        closed.investigator_id = users["officer_a"]
        closed.action_investigate()
        closed.root_cause_id = root_cause
        closed.action_respond()
        closed.write({"response_text": "<p>Refunded.</p>", "communication_channel": "phone"})
        closed.action_communicate()
        closed.complainant_response = "accepted"
        closed.action_close()
        assert closed.step == "closed" and closed.compensation_amount == 50
        assert complaints["a"].step == "acknowledged" and complaints["received"].step == "received"
        for key in ("a", "portal"):
            complaints[key].message_post(body="internalnote of the handlers", subtype_xmlid="mail.mt_note")
        # a handler revises the findings (the old text is logged in an internal note) and the severity
        complaints["portal"].write({"findings": "<p>secretfinding portal, revised</p>", "severity": "critical"})
        env.flush_all()
        env.cr.precommit.run()

        Event = env["iso10002.sla.event"]
        events = {
            f"ev_{key}": Event.create({"complaint_id": complaints[key].id, "kind": "state", "note": f"slanote {key}"})
            for key in ("a", "b", "conf", "other")
        }
        doomed = complaint("RPC deleted in its first step", partner_id=cls.walk_in.id)
        events["ev_orphan"] = Event.create({"complaint_id": doomed.id, "kind": "state", "note": "slanote orphan"})
        doomed.unlink()
        assert not events["ev_orphan"].complaint_id and events["ev_orphan"].complaint_name

        # each complaint's latest row of step history (what the figures are computed from)
        history = {f"sh_{key}": complaints[key].sudo().step_history_id for key in ("a", "b", "conf", "other")}
        assert all(history.values())
        # the decisions communicated: the closed complaint's own, and one recorded by the
        # process (as superuser) for each of the others
        Decision = env["iso10002.complaint.decision"].sudo()
        decisions = {"dv_closed": complaints["closed"].sudo().decision_id}
        for key in ("a", "b", "conf", "other"):
            decisions[f"dv_{key}"] = Decision.create(
                {
                    "complaint_id": complaints[key].id,
                    "company_id": complaints[key].company_id.id,
                    "version": 1,
                    "reason": "first",
                    "remedy": "refund",
                    "compensation_amount": 40,
                    "currency_id": complaints[key].currency_id.id,
                    "response_text": f"<p>decisiontext {key}</p>",
                    "communication_date": "2026-01-02 10:00:00",
                }
            )
        assert all(decisions.values())

        Review = env["iso10002.management.review"]
        reviews = {
            "rv_a": Review.create({"name": "RPC review A", "company_ids": [(6, 0, cls.company.ids)]}),
            "rv_other": Review.create(
                {"name": "RPC review other", "company_id": cls.company_b.id, "company_ids": [(6, 0, cls.company_b.ids)]}
            ),
        }
        Action = env["iso10002.corrective.action"]
        actions = {
            "ca_a": Action.create(
                {
                    "name": "RPC action A",
                    "complaint_ids": [(6, 0, complaints["a"].ids)],
                    "review_id": reviews["rv_a"].id,
                }
            ),
            "ca_conf": Action.create({"name": "RPC action conf", "complaint_ids": [(6, 0, complaints["conf"].ids)]}),
            "ca_other": Action.create(
                {
                    "name": "RPC action other",
                    "company_id": cls.company_b.id,
                    "complaint_ids": [(6, 0, complaints["other"].ids)],
                }
            ),
        }
        Policy = env["iso10002.sla.policy"]
        policies = {
            "pol_a": Policy.create({"name": "RPC policy A", "sequence": 99, "team_ids": [(6, 0, teams["team_a"].ids)]}),
            "pol_other": Policy.create({"name": "RPC policy other", "sequence": 99, "company_id": cls.company_b.id}),
        }

        hd_team = env["helpdesk.ticket.team"].create(
            {
                "name": "RPC Support",
                "user_ids": [(6, 0, (users["helpdesk"] | users["officer_a"]).ids)],
                "complaint_team_id": teams["team_a"].id,
            }
        )
        cls.hd_team = hd_team

        def ticket(name, partner, linked=None):
            record = env["helpdesk.ticket"].create(
                {"name": name, "description": f"<p>{name}</p>", "partner_id": partner.id, "team_id": hd_team.id}
            )
            if linked:
                record._link_complaint(linked)
            return record

        tickets = {
            "t_a": ticket("RPC ticket A", cls.complainant, complaints["a"]),
            "t_conf": ticket("RPC ticket conf", cls.complainant, complaints["conf"]),
            "t_portal": ticket("RPC ticket portal", portal_partner, complaints["portal"]),
            "t_plain": ticket("RPC ticket plain", cls.complainant),
        }

        cls.records = {
            "iso10002.complaint": {key: rec.id for key, rec in complaints.items()},
            "iso10002.sla.event": {key: rec.id for key, rec in events.items()},
            "iso10002.complaint.step.history": {key: rec.id for key, rec in history.items()},
            "iso10002.complaint.decision": {key: rec.id for key, rec in decisions.items()},
            "iso10002.corrective.action": {key: rec.id for key, rec in actions.items()},
            "iso10002.management.review": {key: rec.id for key, rec in reviews.items()},
            "iso10002.complaint.team": {key: rec.id for key, rec in teams.items()},
            "iso10002.sla.policy": {key: rec.id for key, rec in policies.items()},
            "helpdesk.ticket": {key: rec.id for key, rec in tickets.items()},
        }
        everyone_internal = {"officer_a", "officer_b", "manager", "auditor"}
        cls.seen = {
            "iso10002.complaint": COMPLAINTS_SEEN,
            # officers: the history of the complaints they may read; managers and auditors: all
            "iso10002.sla.event": {
                "officer_a": {"ev_a"},
                "officer_b": {"ev_b"},
                "manager": {"ev_a", "ev_b", "ev_conf", "ev_orphan"},
                "auditor": {"ev_a", "ev_b", "ev_conf", "ev_orphan"},
                "officer_c": {"ev_other"},
            },
            # the step history: read with its complaint, as the SLA history
            "iso10002.complaint.step.history": {
                "officer_a": {"sh_a"},
                "officer_b": {"sh_b"},
                "manager": {"sh_a", "sh_b", "sh_conf"},
                "auditor": {"sh_a", "sh_b", "sh_conf"},
                "officer_c": {"sh_other"},
            },
            # the decisions: read with their complaint, as the step history
            "iso10002.complaint.decision": {
                "officer_a": {"dv_a", "dv_closed"},
                "officer_b": {"dv_b"},
                "manager": {"dv_a", "dv_b", "dv_conf", "dv_closed"},
                "auditor": {"dv_a", "dv_b", "dv_conf", "dv_closed"},
                "officer_c": {"dv_other"},
            },
            # officers: the actions of the complaints they may read (officer_b's team has
            # none; officer_a does not read the team's confidential complaint, nor its action)
            "iso10002.corrective.action": {
                **{role: {"ca_a", "ca_conf"} for role in everyone_internal},
                "officer_a": {"ca_a"},
                "officer_b": set(),
                "officer_c": {"ca_other"},
            },
            "iso10002.management.review": {"manager": {"rv_a"}, "auditor": {"rv_a"}},
            "iso10002.complaint.team": {
                **{role: {"team_a", "team_b"} for role in everyone_internal},
                "officer_c": {"team_c"},
            },
            "iso10002.sla.policy": {**{role: {"pol_a"} for role in everyone_internal}, "officer_c": {"pol_other"}},
        }
        cls.env.flush_all()

    @classmethod
    def tearDownClass(cls):
        _logger.info("%s: %d XML-RPC calls", cls.__name__, cls.rpc_calls)
        super().tearDownClass()

    # ---------------------------------------------------------------- helpers
    def call(self, role, model, method, *args, **kwargs):
        """``model.method(*args, **kwargs)`` over XML-RPC as ``role``."""
        type(self).rpc_calls += 1
        user = self.users[role]
        return self.xmlrpc_object.execute_kw(self.env.cr.dbname, user.id, user.login, model, method, list(args), kwargs)

    def refused(self, role, model, method, *args, codes=ACCESS, **kwargs):
        """The call is refused with the fault of one of ``codes``; returns the message."""
        try:
            result = self.call(role, model, method, *args, **kwargs)
        except xmlrpc.client.Fault as fault:
            self.assertIn(
                fault.faultCode,
                codes,
                f"{role}: {model}.{method} refused with the wrong kind of fault:\n{fault.faultString[-2000:]}",
            )
            return fault.faultString
        self.fail(f"{role}: {model}.{method}{args!r:.200} was allowed and returned {result!r:.300}")

    def not_found(self, role, model, domain, forbidden, **kwargs):
        """The search is refused, or finds none of the ``forbidden`` ids."""
        try:
            found = self.call(role, model, "search", domain, **kwargs)
        except xmlrpc.client.Fault as fault:
            self.assertIn(fault.faultCode, REFUSED, f"{role}: {model}.search({domain}):\n{fault.faultString[-2000:]}")
            return
        leaked = set(found) & set(forbidden)
        self.assertFalse(leaked, f"{role}: {model}.search({domain}) finds {sorted(leaked)}")

    def ids(self, model, keys):
        return {self.records[model][key] for key in keys}

    def keys(self, model, ids):
        by_id = {record_id: key for key, record_id in self.records[model].items()}
        return {by_id.get(record_id, record_id) for record_id in ids}

    def seen_ids(self, role, model):
        seen = self.seen[model].get(role)
        return None if seen is None else self.ids(model, seen)

    def check_linked(self, role, model, rows, fields_info):
        """x2many values read by ``role`` never name a fixture record that ``role`` may not read."""
        for name, info in fields_info.items():
            relation = info.get("relation")
            if info.get("type") not in ("one2many", "many2many") or relation not in self.seen:
                continue
            fixtures = set(self.records[relation].values())
            allowed = self.seen_ids(role, relation) or set()
            for row in rows:
                leaked = (set(row[name]) & fixtures) - allowed
                self.assertFalse(
                    leaked,
                    f"{role} reads {model}.{name} of record {row['id']}: "
                    f"it names {sorted(self.keys(relation, leaked))}, which {role} may not read",
                )

    # ----------------------------------------------------------------- matrix
    def run_matrix(self, model, roles, domains, writers, write_vals, creators, create_vals, deleters, targets):
        """Each role against every operation on ``model``.

        ``domains``: (domain, expected) where expected maps a role to the keys found
        (default: the keys the role sees), or to None when the search must be refused.
        ``targets``: the record each role writes and deletes (default: the first it sees).
        """
        records = self.records[model]
        all_ids = sorted(records.values())
        scope = [("id", "in", all_ids)]
        seen_map = self.seen[model]
        for role in roles:
            seen_keys = seen_map.get(role)
            target = targets.get(role) or (sorted(seen_keys)[0] if seen_keys else sorted(records)[0])
            target_id = records[target]
            if seen_keys is None:
                self.no_access(role, model, target_id, write_vals, create_vals(role))
                continue
            seen = self.ids(model, seen_keys)
            hidden = sorted(set(records) - seen_keys)
            with self.subTest(model=model, role=role, op="search"):
                self.assertEqual(
                    self.keys(model, self.call(role, model, "search", scope)), seen_keys, "search finds exactly"
                )
                self.assertEqual(self.call(role, model, "search_count", scope), len(seen))
            with self.subTest(model=model, role=role, op="name_search"):
                found = {row[0] for row in self.call(role, model, "name_search", "", scope, limit=1000)}
                self.assertEqual(self.keys(model, found), seen_keys)
            with self.subTest(model=model, role=role, op="read_group"):
                groups = self.call(role, model, "read_group", scope, ["company_id"], ["company_id"])
                self.assertEqual(sum(group["company_id_count"] for group in groups), len(seen))
            with self.subTest(model=model, role=role, op="fields_get+read"):
                info = self.call(role, model, "fields_get", attributes=["type", "relation"])
                if role in SHARE:
                    # the mixins' technical fields are tried one by one in the portal test
                    info = {name: value for name, value in info.items() if name in PORTAL_FIELDS}
                rows = self.call(role, model, "read", sorted(seen), sorted(info))
                self.assertEqual({row["id"] for row in rows}, seen)
                self.check_linked(role, model, rows, info)
            for key in hidden:
                with self.subTest(model=model, role=role, op="read hidden", record=key):
                    self.refused(role, model, "read", [records[key]], ["display_name"])
            with self.subTest(model=model, role=role, op="export_data"):
                data = self.call(role, model, "export_data", sorted(seen), ["display_name", "company_id/name"])
                self.assertEqual(len(data["datas"]), len(seen))
                if hidden:
                    self.refused(role, model, "export_data", [records[hidden[0]]], ["display_name"])
            for domain, expected in domains:
                with self.subTest(model=model, role=role, op="search related", domain=domain):
                    if role in expected:
                        want = expected[role]
                    else:
                        want = expected.get("*", seen_keys)
                        want = None if want is None else want & seen_keys
                    if want is None:
                        self.refused(role, model, "search", scope + domain)
                    else:
                        found = self.keys(model, self.call(role, model, "search", scope + domain))
                        self.assertEqual(found, want & seen_keys)
            self.writes_creates_unlinks(role, model, target_id, writers, write_vals, creators, create_vals, deleters)

    def writes_creates_unlinks(self, role, model, target_id, writers, write_vals, creators, create_vals, deleters):
        with self.subTest(model=model, role=role, op="write"):
            if role in writers:
                self.assertIs(self.call(role, model, "write", [target_id], write_vals), True)
            else:
                self.refused(role, model, "write", [target_id], write_vals, codes=REFUSED)
        created = None
        with self.subTest(model=model, role=role, op="create"):
            if role in creators:
                created = self.call(role, model, "create", create_vals(role))
                self.assertIsInstance(created, int)
            else:
                self.refused(role, model, "create", create_vals(role))
        with self.subTest(model=model, role=role, op="unlink"):
            if role in deleters:
                self.assertTrue(created, "nothing created to delete")
                self.assertIs(self.call(role, model, "unlink", [created]), True)
                self.assertFalse(self.env[model].browse(created).exists())
            else:
                self.refused(role, model, "unlink", [created or target_id], codes=REFUSED)

    def no_access(self, role, model, record_id, write_vals, create_vals):
        """A role without access to ``model``: every operation is an AccessError."""
        with self.subTest(model=model, role=role, op="no access"):
            scope = [("id", "=", record_id)]
            self.refused(role, model, "search", scope)
            self.refused(role, model, "search_count", scope)
            self.refused(role, model, "read", [record_id], ["display_name"])
            self.refused(role, model, "read_group", scope, ["company_id"], ["company_id"])
            self.refused(role, model, "export_data", [record_id], ["display_name"])
            self.refused(role, model, "name_search", "", scope)
            self.refused(role, model, "write", [record_id], write_vals, codes=REFUSED)
            self.refused(role, model, "create", create_vals)
            self.refused(role, model, "unlink", [record_id], codes=REFUSED)

    # ------------------------------------------------------------------ tests
    def test_complaint(self):
        model = "iso10002.complaint"
        team = {"officer_b": "team_b", "officer_c": "team_c"}
        not_internal = dict.fromkeys(SHARE)  # searches a complainant must not make
        self.run_matrix(
            model,
            ROLES,
            domains=[
                (
                    [("partner_id.complaint_assistance_note", "ilike", "wheelchair")],
                    {"*": {"a", "b", "unassigned", "conf", "closed", "other"}, **not_internal},
                ),
                ([("sla_event_ids.note", "ilike", "slanote")], {"*": {"a", "b", "conf", "other"}, **not_internal}),
                ([("findings", "ilike", "secretfinding")], {"*": WITH_FINDINGS, **not_internal}),
                ([("person_complained_about_id.name", "ilike", "RPC Person")], {"*": {"a", "conf"}, **not_internal}),
                ([("user_id.login", "=", "rpc_manager")], {"*": {"conf", "colleague_secret"}, **not_internal}),
                ([("severity", "=", "high")], {"*": {"a", "closed"}, **not_internal}),
                (
                    [("corrective_action_ids.name", "ilike", "RPC action")],
                    {"*": {"a", "conf", "other"}, **not_internal},
                ),
                (
                    [("team_id.member_ids.login", "=", "rpc_officer_a")],
                    {"*": COMPLAINTS_OF_COMPANY_A - {"b", "unassigned"}, **not_internal},
                ),
                # internal notes are found by the handlers only
                (
                    [("message_ids.body", "ilike", "internalnote")],
                    {"*": {"a", "portal"}, **dict.fromkeys(SHARE)},  # refused to portal users
                ),
                # the ticket is for helpdesk users (officer A); the others do not read the field
                (
                    [("ticket_id.name", "ilike", "RPC ticket")],
                    {"*": None, "officer_a": COMPLAINTS_SEEN["officer_a"] & {"a", "portal"}},
                ),
            ],
            writers={"officer_a", "officer_b", "manager", "officer_c"},
            write_vals={"remedy_sought": "Changed over RPC"},
            creators={"officer_a", "officer_b", "manager", "officer_c"},
            create_vals=lambda role: {
                "subject": f"Created over RPC by {role}",
                "partner_id": self.walk_in.id,
                "channel_id": self.phone.id,
                "team_id": self.teams[team.get(role, "team_a")].id,
            },
            deleters={"manager"},
            targets={"manager": "b", "employee": "a", "helpdesk": "a"},
        )

    def test_complaint_refusals_of_the_roles(self):
        model = "iso10002.complaint"
        complaints = self.records[model]
        # an officer writes nothing they may not read: another team's, a confidential one
        for role, key in (("officer_a", "conf"), ("officer_a", "b"), ("officer_b", "a"), ("officer_c", "a")):
            with self.subTest(role=role, complaint=key):
                self.refused(role, model, "write", [complaints[key]], {"remedy_sought": "x"})
        self.refused("manager", model, "write", [complaints["other"]], {"remedy_sought": "x"})
        # nor creates one for somebody else's team
        vals = {"subject": "Not mine", "partner_id": self.walk_in.id, "channel_id": self.phone.id}
        vals.update(team_id=self.teams["team_a"].id, user_id=self.users["officer_a"].id)
        self.refused("officer_b", model, "create", vals)
        # nobody deletes a complaint that left the Received step, not even a manager
        self.refused("manager", model, "unlink", [complaints["a"]], codes=(RPC_FAULT_CODE_WARNING,))
        # a complaint recorded by the process: its dates and reference are not set by hand
        for field, value in (("acknowledged_date", "2020-01-01 00:00:00"), ("name", "CMP/1999/00001")):
            with self.subTest(field=field):
                self.refused("officer_a", model, "write", [complaints["a"]], {field: value}, codes=REFUSED)

    def test_hostile_context(self):
        model = "iso10002.complaint"
        complaints = self.records[model]
        for role in ("officer_a", "manager"):
            with self.subTest(role=role):
                self.refused(
                    role,
                    model,
                    "write",
                    [complaints["closed"]],
                    {"compensation_amount": 0},
                    context=HOSTILE,
                    codes=(RPC_FAULT_CODE_WARNING,),
                )
        self.refused("manager", model, "unlink", [complaints["a"]], context=HOSTILE, codes=(RPC_FAULT_CODE_WARNING,))
        [row] = self.call("manager", model, "read", [complaints["closed"]], ["compensation_amount"])
        self.assertEqual(row["compensation_amount"], 50)
        self.assertEqual(
            self.call("manager", model, "search_count", [("id", "=", complaints["a"])], context=HOSTILE), 1
        )
        event = self.records["iso10002.sla.event"]["ev_a"]
        self.refused("manager", "iso10002.sla.event", "unlink", [event], context=HOSTILE, codes=REFUSED)
        # a company the user does not belong to cannot be asked for in the context
        company_a = self.ids(model, COMPLAINTS_OF_COMPANY_A)
        companies = {"allowed_company_ids": [self.company.id, self.company_b.id]}
        self.not_found("officer_c", model, [("id", "in", sorted(complaints.values()))], company_a, context=companies)
        other = {self.records[model]["other"]}
        self.not_found("manager", model, [("id", "in", sorted(complaints.values()))], other, context=companies)

    def test_portal_reads_only_the_portal_safe_fields(self):
        model = "iso10002.complaint"
        mine = self.records[model]["portal"]
        info = self.call("portal", model, "fields_get", attributes=["type"])
        readable = {name for name in info if not name.startswith(TECHNICAL_PREFIXES)} - TECHNICAL
        self.assertEqual(readable - PORTAL_FIELDS, set(), "internal fields a portal user can read")
        [row] = self.call("portal", model, "read", [mine], sorted(readable))
        self.assertEqual(row["subject"], "RPC portal")
        for name in sorted(set(self.env[model]._fields) - set(info)):
            with self.subTest(field=name):
                self.refused("portal", model, "read", [mine], [name])
        # the mixins' fields: read, or refused as such, never a server error
        for name in sorted(set(info) - readable):
            with self.subTest(technical_field=name):
                try:
                    self.call("portal", model, "read", [mine], [name])
                except xmlrpc.client.Fault as fault:
                    self.assertIn(fault.faultCode, REFUSED, fault.faultString[-2000:])
        scope = [("id", "=", mine)]
        for groupby in ("severity", "user_id", "sla_state"):
            with self.subTest(read_group=groupby):
                self.refused("portal", model, "read_group", scope, [groupby], [groupby])
        # nor aggregated or used to order the groups of a portal-safe field
        for aggregates, orderby in (
            (["ack_hours:avg"], False),
            (["severity:count_distinct"], False),
            ([], "ack_hours:avg desc"),
        ):
            with self.subTest(read_group=aggregates, orderby=orderby):
                self.refused("portal", model, "read_group", scope, aggregates, ["stage_id"], orderby=orderby)
        for path in ("findings", "user_id/login", "partner_id/complaint_assistance_note", "sla_event_ids/note"):
            with self.subTest(export=path):
                self.refused("portal", model, "export_data", [mine], ["subject", path])
        with self.subTest(order="findings"):
            self.refused("portal", model, "search", scope, order="findings desc")
        # nor searched through the chatter: internal notes (the revised findings' old text) and
        # tracking values of internal fields (the severity) are no oracle for a complainant
        for domain in (
            [("message_ids.body", "ilike", "secretfinding")],
            [("message_ids.tracking_value_ids.new_value_char", "ilike", "Critical")],
        ):
            with self.subTest(chatter=domain):
                self.not_found("portal", model, [*scope, *domain], {mine})
        # the chatter a complainant reads has no internal note
        message_ids = self.call("portal", model, "read", [mine], ["message_ids"])[0]["message_ids"]
        bodies = [row["body"] for row in self.call("portal", "mail.message", "read", message_ids, ["body"])]
        self.assertTrue(bodies)
        self.assertFalse([body for body in bodies if "internalnote" in body])

    def test_sla_event(self):
        model = "iso10002.sla.event"
        self.run_matrix(
            model,
            ROLES_NOT_COLLEAGUE,
            domains=[
                ([("complaint_id.findings", "ilike", "secretfinding")], {"*": {"ev_a", "ev_conf"}}),
                (
                    [("complaint_id.partner_id.complaint_assistance_note", "ilike", "wheelchair")],
                    {"*": {"ev_a", "ev_b", "ev_conf", "ev_other"}},
                ),
                ([("complaint_id.is_confidential", "=", True)], {"*": {"ev_conf"}}),
            ],
            writers=set(),
            write_vals={"note": "rewritten over RPC"},
            creators=set(),
            create_vals=lambda role: {
                "complaint_id": self.records["iso10002.complaint"]["other" if role == "officer_c" else "a"],
                "kind": "state",
                "note": "forged over RPC",
            },
            deleters=set(),
            targets={},
        )
        # the history is written by the SLA engine only: a call without complaint is refused as such
        for role in ("officer_a", "manager", "employee"):
            with self.subTest(role=role, op="create without complaint"):
                self.refused(role, model, "create", {"kind": "state", "note": "forged"}, codes=REFUSED)

    def test_step_history(self):
        """The step history is read with its complaint, by the complaint roles only, and
        written by the process only: nobody creates, rewrites or deletes a row over RPC."""
        model = "iso10002.complaint.step.history"
        self.run_matrix(
            model,
            ROLES_NOT_COLLEAGUE,
            domains=[
                ([("complaint_id.findings", "ilike", "secretfinding")], {"*": {"sh_a", "sh_conf"}}),
                (
                    [("complaint_id.partner_id.complaint_assistance_note", "ilike", "wheelchair")],
                    {"*": {"sh_a", "sh_b", "sh_conf", "sh_other"}},
                ),
                ([("complaint_id.is_confidential", "=", True)], {"*": {"sh_conf"}}),
            ],
            writers=set(),
            write_vals={"step": "closed"},
            creators=set(),
            create_vals=lambda role: {
                "complaint_id": self.records["iso10002.complaint"]["other" if role == "officer_c" else "a"],
                "company_id": (self.company_b if role == "officer_c" else self.company).id,
                "date": "2026-01-01 00:00:00",
                "step": "closed",
            },
            deleters=set(),
            targets={},
        )
        # whatever a client puts in the context
        row = self.records[model]["sh_a"]
        self.refused("manager", model, "unlink", [row], context=HOSTILE, codes=REFUSED)
        self.refused("manager", model, "write", [row], {"step": "closed"}, context=HOSTILE, codes=REFUSED)

    def test_decision(self):
        """The decisions communicated are read with their complaint, by the complaint roles
        only, and recorded by the process only: nobody creates, rewrites or deletes one
        over RPC, whatever the context (a changed decision is a new version)."""
        model = "iso10002.complaint.decision"
        self.run_matrix(
            model,
            ROLES_NOT_COLLEAGUE,
            domains=[
                ([("complaint_id.findings", "ilike", "secretfinding")], {"*": {"dv_a", "dv_conf"}}),
                (
                    [("complaint_id.partner_id.complaint_assistance_note", "ilike", "wheelchair")],
                    {"*": {"dv_a", "dv_b", "dv_conf", "dv_other", "dv_closed"}},
                ),
                ([("complaint_id.is_confidential", "=", True)], {"*": {"dv_conf"}}),
                ([("response_text", "ilike", "decisiontext")], {"*": {"dv_a", "dv_b", "dv_conf", "dv_other"}}),
            ],
            writers=set(),
            write_vals={"compensation_amount": 4000},
            creators=set(),
            create_vals=lambda role: {
                "complaint_id": self.records["iso10002.complaint"]["other" if role == "officer_c" else "a"],
                "company_id": (self.company_b if role == "officer_c" else self.company).id,
                "version": 2,
                "reason": "review",
                "communication_date": "2026-01-03 10:00:00",
            },
            deleters=set(),
            targets={},
        )
        row = self.records[model]["dv_a"]
        self.refused("manager", model, "unlink", [row], context=HOSTILE, codes=REFUSED)
        self.refused("manager", model, "write", [row], {"response_text": False}, context=HOSTILE, codes=REFUSED)
        # nor pointed elsewhere from the complaint
        complaint = self.records["iso10002.complaint"]["a"]
        self.refused("manager", "iso10002.complaint", "write", [complaint], {"decision_id": row}, codes=REFUSED)

    def test_corrective_action(self):
        model = "iso10002.corrective.action"
        links = {"ca_a": {"a"}, "ca_conf": {"conf"}, "ca_other": {"other"}}
        internal = ("officer_a", "officer_b", "manager", "auditor", "officer_c")
        self.run_matrix(
            model,
            ROLES_NOT_COLLEAGUE,
            domains=[
                (
                    [("complaint_ids.findings", "ilike", "secretfinding")],
                    {role: _seen_through(links, role) for role in internal},
                ),
                (
                    [("complaint_ids.is_confidential", "=", True)],
                    {role: _seen_through(links, role, {"conf", "colleague_secret"}) for role in internal},
                ),
                # reviews are the managers' and auditors'
                (
                    [("review_id.name", "ilike", "RPC review")],
                    {"*": {"ca_a"}, "officer_a": None, "officer_b": None, "officer_c": None},
                ),
            ],
            writers={"officer_a", "manager", "officer_c"},
            write_vals={"effectiveness_note": "Checked over RPC"},
            creators={"officer_a", "officer_b", "manager", "officer_c"},
            create_vals=lambda role: {"name": f"Action over RPC by {role}"},
            # a corrective action is cancelled, never deleted (its figures stand in every period)
            deleters=set(),
            targets={"officer_c": "ca_other"},
        )

    def test_corrective_action_does_not_reach_hidden_complaints(self):
        """Linking a complaint to an action changes that complaint (its corrective actions):
        an officer cannot do it to a complaint they may not read."""
        model = "iso10002.corrective.action"
        complaints = self.records["iso10002.complaint"]
        action = self.records[model]["ca_a"]
        with self.subTest(op="write link"):
            self.refused("officer_b", model, "write", [action], {"complaint_ids": [(4, complaints["conf"])]})
        with self.subTest(op="create link"):
            self.refused("officer_a", model, "create", {"name": "Link", "complaint_ids": [(6, 0, [complaints["b"]])]})
        linked = self.env["iso10002.corrective.action"].browse(action).complaint_ids
        self.assertEqual(set(linked.ids), {complaints["a"]})

    def test_management_review(self):
        self.run_matrix(
            "iso10002.management.review",
            ROLES_NOT_COLLEAGUE,
            domains=[([("corrective_action_ids.complaint_ids.findings", "ilike", "secretfinding")], {"*": {"rv_a"}})],
            writers={"manager"},
            write_vals={"external_participants": "An external auditor"},
            creators={"manager"},
            create_vals=lambda role: {"name": f"Review over RPC by {role}"},
            deleters={"manager"},
            targets={},
        )

    def test_complaint_team(self):
        links = {"team_a": COMPLAINTS_OF_COMPANY_A - {"b", "unassigned"}, "team_b": {"b"}, "team_c": {"other"}}
        internal = ("officer_a", "officer_b", "manager", "auditor", "officer_c")
        self.run_matrix(
            "iso10002.complaint.team",
            ROLES_NOT_COLLEAGUE,
            domains=[
                (
                    [("complaint_ids.findings", "ilike", "secretfinding")],
                    {role: _seen_through(links, role) for role in internal},
                ),
                (
                    [("complaint_ids.is_confidential", "=", True)],
                    {role: _seen_through(links, role, {"conf", "colleague_secret"}) for role in internal},
                ),
                ([("member_ids.login", "=", "rpc_officer_b")], {"*": {"team_b"}}),
            ],
            writers={"manager"},
            write_vals={"response_days": 7},
            creators={"manager"},
            create_vals=lambda role: {"name": f"Team over RPC by {role}"},
            deleters={"manager"},
            targets={},
        )

    def test_sla_policy(self):
        links = {"pol_a": COMPLAINTS_OF_COMPANY_A - {"b", "unassigned"}, "pol_other": set()}
        internal = ("officer_a", "officer_b", "manager", "auditor", "officer_c")
        self.run_matrix(
            "iso10002.sla.policy",
            ROLES_NOT_COLLEAGUE,
            domains=[
                (
                    [("team_ids.complaint_ids.findings", "ilike", "secretfinding")],
                    {role: _seen_through(links, role) for role in internal},
                ),
            ],
            writers={"manager"},
            write_vals={"at_risk_percent": 60},
            creators={"manager"},
            create_vals=lambda role: {"name": f"Policy over RPC by {role}", "sequence": 98},
            deleters={"manager"},
            targets={},
        )

    def test_helpdesk_ticket_complaint_marks(self):
        model = "helpdesk.ticket"
        tickets = self.records[model]
        complaints = self.records["iso10002.complaint"]
        linked = self.ids(model, {"t_a", "t_conf", "t_portal"})
        scope = [("id", "in", sorted(tickets.values()))]
        marks = {"is_complaint": False, "complaint_reference": "CMP/FORGED", "complaint_id": complaints["b"]}
        new_ticket = {"name": "New", "description": "<p>New</p>", "team_id": self.hd_team.id}
        # what every helpdesk user knows of the complaint: that there is one, and its reference
        for role in ("helpdesk", "portal"):
            with self.subTest(role=role, op="reads the marks, not the complaint"):
                seen = set(self.call(role, model, "search", scope))
                self.assertEqual(seen, set(tickets.values()) if role == "helpdesk" else self.ids(model, {"t_portal"}))
                info = self.call(role, model, "fields_get", attributes=["type"])
                self.assertNotIn("complaint_id", info)
                self.assertTrue({"is_complaint", "complaint_reference"} <= set(info))
                # helpdesk_mgmt keeps the portal away from some of its own fields (attachments)
                names = sorted(info) if role == "helpdesk" else ["name", *COMPLAINT_MARKS]
                rows = self.call(role, model, "read", sorted(seen), names)
                self.assertEqual({row["id"] for row in rows if row["is_complaint"]}, linked & seen)
                self.refused(role, model, "read", sorted(seen), ["complaint_id"])
            with self.subTest(role=role, op="searches through the complaint"):
                self.assertEqual(
                    set(self.call(role, model, "search", [*scope, ("is_complaint", "=", True)])), linked & seen
                )
                for domain in (
                    [("complaint_id", "!=", False)],
                    [("complaint_id", "=", complaints["conf"])],
                    [("complaint_id.findings", "ilike", "secretfinding")],
                    [("complaint_id.subject", "ilike", "RPC")],
                ):
                    self.refused(role, model, "search", scope + domain)
                self.refused(role, model, "read_group", scope, ["complaint_id"], ["complaint_id"])
                self.refused(role, model, "read_group", scope, ["complaint_id:count_distinct"], ["is_complaint"])
                self.refused(role, model, "export_data", sorted(seen), ["name", "complaint_id/findings"])
            with self.subTest(role=role, op="exports and name_search"):
                data = self.call(role, model, "export_data", sorted(seen), ["name", "complaint_reference"])
                self.assertEqual(len(data["datas"]), len(seen))
                groups = self.call(role, model, "read_group", scope, ["is_complaint"], ["is_complaint"])
                self.assertEqual(sum(group["is_complaint_count"] for group in groups), len(seen))
                self.assertEqual({row[0] for row in self.call(role, model, "name_search", "RPC ticket", scope)}, seen)
        # nobody sets the marks by hand: they come from registering or linking a ticket
        for role in ("helpdesk", "officer_a", "portal"):
            target = tickets["t_portal" if role == "portal" else "t_a"]
            for field, value in marks.items():
                with self.subTest(role=role, op="write mark", field=field):
                    self.refused(role, model, "write", [target], {field: value})
                with self.subTest(role=role, op="create with mark", field=field):
                    self.refused(role, model, "create", {**new_ticket, field: value or True})
        for role in ("helpdesk", "officer_a"):
            with self.subTest(role=role, op="create, unlink"):
                created = self.call(role, model, "create", new_ticket)
                self.assertFalse(self.call(role, model, "read", [created], ["is_complaint"])[0]["is_complaint"])
                self.refused(role, model, "unlink", [created])
        # an officer reads the link, within the complaints they may read
        with self.subTest(role="officer_a", op="reads the link"):
            rows = self.call("officer_a", model, "read", [tickets["t_a"]], ["complaint_id"])
            self.assertEqual(rows[0]["complaint_id"][0], complaints["a"])
            found = self.call(
                "officer_a", model, "search", [*scope, ("complaint_id.findings", "ilike", "secretfinding")]
            )
            self.assertEqual(set(found), self.ids(model, {"t_a", "t_portal"}))
        # an employee without helpdesk or complaint rights
        with self.subTest(role="employee"):
            self.refused("employee", model, "search", [*scope, ("complaint_id", "!=", False)])
            self.refused("employee", model, "read", [tickets["t_a"]], ["name"])
            self.assertEqual(self.call("officer_c", model, "search", scope), [])

    def test_partner_complaint_fields(self):
        """The needs-assistance note, and who complained, are for complaint roles only."""
        complaints = self.records["iso10002.complaint"]
        users = self.users
        complainants = {self.complainant.id, self.walk_in.id, users["portal"].partner_id.id}
        complainants.add(users["colleague"].partner_id.id)
        for role in ("employee", "helpdesk", "portal"):
            for domain in (
                [("complaint_assistance_note", "ilike", "wheelchair")],
                [("complaint_needs_assistance", "=", True)],
            ):
                with self.subTest(role=role, domain=domain):
                    self.refused(role, "res.partner", "search", domain)
            with self.subTest(role=role, op="read"):
                own = users[role].partner_id.id
                for name in ("complaint_assistance_note", "complaint_needs_assistance", "complaint_count"):
                    self.refused(role, "res.partner", "read", [own], [name])
        for role in ("employee", "helpdesk"):
            with self.subTest(role=role, domain="complaint_ids.subject"):
                self.refused(role, "res.partner", "search", [("complaint_ids.subject", "ilike", "RPC")])
            # who filed a complaint, a confidential one included, is not for those outside the process
            for domain in (
                [("complaint_ids", "!=", False)],
                [("complaint_ids", "in", [complaints["conf"], complaints["received"]])],
            ):
                with self.subTest(role=role, domain=domain):
                    self.not_found(role, "res.partner", domain, complainants)
        # nor a colleague's confidential complaint to a portal user
        with self.subTest(role="portal", domain="complaint_ids in colleague's confidential"):
            domain = [("complaint_ids", "in", [complaints["colleague_secret"]])]
            self.not_found("portal", "res.partner", domain, {users["colleague"].partner_id.id})
        for role in ("officer_b", "auditor"):
            with self.subTest(role=role):
                rows = self.call(role, "res.partner", "read", [self.complainant.id], ["complaint_assistance_note"])
                self.assertEqual(rows[0]["complaint_assistance_note"], "wheelchair access")
                fields = ["complaint_ids", "complaint_count"]
                rows = self.call(role, "res.partner", "read", [self.complainant.id], fields)
                info = {"complaint_ids": {"type": "one2many", "relation": "iso10002.complaint"}}
                self.check_linked(role, "res.partner", rows, info)
                # counted as the role sees them
                mine = {"a", "b", "unassigned", "conf", "closed"} & COMPLAINTS_SEEN[role]
                self.assertEqual(rows[0]["complaint_count"], len(mine))
