"""Similar and repeated complaints (ISO 10002 8.2): found by commercial entity and by text, linked,
counted, and refused where a reader may not look."""

import random
from datetime import date, datetime, timedelta
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models import iso10002_complaint_analysis as analysis
from .common import ComplaintsCase, CorrectiveActionRpcCase


def _received(case, when, **values):
    """A complaint received at ``when`` (through the import, which keeps the dates)."""
    vals = {
        "subject": "Parcel never arrived",
        "partner_id": case.complainant.id,
        "channel_id": case.channel_phone.id,
        "team_id": case.team_a.id,
        "received_date": when,
    }
    vals.update(values)
    return case.env["iso10002.complaint"]._import_complaints([vals])


@tagged("post_install", "-at_install")
class TestSimilarComplaints(ComplaintsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls.env["res.partner"].create({"name": "Acme Ltd", "is_company": True})
        cls.acme_buyer = cls.env["res.partner"].create({"name": "Buyer", "parent_id": cls.acme.id})
        cls.acme_clerk = cls.env["res.partner"].create({"name": "Clerk", "parent_id": cls.acme.id})
        cls.stranger = cls.env["res.partner"].create({"name": "Stranger"})

    def test_similar_by_commercial_entity_and_by_text(self):
        when = datetime(2026, 3, 2, 9, 0)
        by_colleague = _received(
            self, when - timedelta(days=20), partner_id=self.acme_clerk.id, subject="Invoice wrong"
        )
        by_text = _received(
            self, when - timedelta(days=3), partner_id=self.stranger.id, subject="The parcel never arrived at my door"
        )
        unrelated = _received(self, when - timedelta(days=2), partner_id=self.stranger.id, subject="Rude call centre")
        too_old = _received(self, when - timedelta(days=400), partner_id=self.acme_clerk.id, subject="Old one")
        foreign = _received(
            self, when, partner_id=self.acme_clerk.id, team_id=self.team_other_company.id, company_id=self.company_b.id
        )
        new = _received(self, when, partner_id=self.acme_buyer.id, subject="My parcel never arrived")
        new.invalidate_recordset()  # as a new request reads it
        similar = new.with_user(self.officer_a).similar_complaint_ids
        self.assertIn(by_colleague, similar, "a colleague's complaint is the same commercial entity's")
        self.assertIn(by_text, similar, "pg_trgm finds the same words")
        self.assertNotIn(unrelated, similar)
        self.assertNotIn(too_old, similar, "outside the company's window")
        self.assertNotIn(foreign, similar, "another company's complaint")
        self.assertEqual(new.complainant_key, by_colleague.complainant_key)
        self.assertNotEqual(new.complainant_key, by_text.complainant_key)
        action = new.with_user(self.officer_a).action_view_similar()
        self.assertEqual(action["domain"], [("id", "in", similar.ids)])
        self.assertEqual(action["views"][0][1], "list", "side by side")
        self.assertEqual(action["display_name"], f"Similar to {new.name}", "the breadcrumb names them")

    def test_texts_are_compared_among_the_complaints_closest_in_time(self):
        """In a register busier than TEXT_NEIGHBOURS complaints, a text alike is looked
        for among the complaints received just before and just after; the same commercial
        entity is still found across the whole window."""
        when = datetime(2019, 3, 2, 9, 0)  # no demo complaint around
        far_text = _received(self, when - timedelta(days=30), partner_id=self.stranger.id)
        far_colleague = _received(
            self, when - timedelta(days=31), partner_id=self.acme_clerk.id, subject="Invoice wrong"
        )
        crowd = [
            _received(self, when - timedelta(days=day), partner_id=self.stranger.id, subject=f"Rude call centre {day}")
            for day in range(1, 4)
        ]
        near_after = _received(self, when + timedelta(days=1), partner_id=self.stranger.id)
        new = _received(self, when, partner_id=self.acme_buyer.id)
        with patch.object(analysis, "TEXT_NEIGHBOURS", 6):
            new.invalidate_recordset()
            similar = new.similar_complaint_ids
        self.assertIn(near_after, similar, "received just after, same words")
        self.assertIn(far_colleague, similar, "the same commercial entity, beyond the neighbours")
        self.assertNotIn(far_text, similar, "the same words, but more than 3 complaints before")
        self.assertFalse(set(crowd) & set(similar), "other words")
        with patch.object(analysis, "TEXT_NEIGHBOURS", 8):
            new.invalidate_recordset()
            self.assertIn(far_text, new.similar_complaint_ids, "within 4 complaints before")

    def test_a_busy_complainant_is_looked_at_closest_in_time(self):
        """However many complaints one commercial entity sent in the window, the lookup
        considers those received closest in time (SAME_CANDIDATES): a bounded cost."""
        when = datetime(2019, 3, 2, 9, 0)  # no demo complaint around
        earlier = [
            _received(self, when - timedelta(days=day), partner_id=self.acme_clerk.id, subject=f"Invoice {day}")
            for day in range(1, 7)
        ]
        new = _received(self, when, partner_id=self.acme_buyer.id, subject="Parcel never arrived")
        with patch.object(analysis, "SAME_CANDIDATES", 4):
            new.invalidate_recordset()
            similar = new.similar_complaint_ids
        self.assertEqual(similar, earlier[0] | earlier[1], "the two received just before (none after)")
        with patch.object(analysis, "SAME_CANDIDATES", 20):
            new.invalidate_recordset()
            self.assertEqual(set(new.similar_complaint_ids), set(earlier))

    def test_no_category_is_not_the_same_category(self):
        when = datetime(2019, 3, 2, 9, 0)
        without = _received(self, when - timedelta(days=10), partner_id=self.acme_clerk.id, subject="Invoice wrong")
        other = _received(
            self,
            when - timedelta(days=1),
            partner_id=self.acme_clerk.id,
            subject="Invoice wrong",
            category_id=self.category.id,
        )
        new = _received(self, when, partner_id=self.acme_buyer.id, subject="Parcel never arrived")
        self.assertEqual(
            new._similar_complaints().ids,
            [other.id, without.id],
            "the same entity both; the latest first, no bonus for none",
        )

    def test_the_officer_sees_only_what_they_may_read(self):
        when = datetime(2026, 3, 2, 9, 0)
        hidden = _received(self, when - timedelta(days=1), team_id=self.team_b.id, subject="Parcel never arrived!")
        confidential = _received(
            self,
            when - timedelta(days=1),
            subject="Parcel never arrived?",
            is_confidential=True,
            user_id=self.officer_b.id,
        )
        new = _received(self, when)
        new.invalidate_recordset()
        self.assertIn(hidden, new.similar_complaint_ids, "the manager sees it")
        new.invalidate_recordset()
        similar = new.with_user(self.officer_a).similar_complaint_ids
        self.assertNotIn(hidden, similar)
        self.assertNotIn(confidential, similar)
        for user in (self.portal_user, self.employee):
            with self.assertRaises(AccessError):
                new.with_user(user).read(["similar_complaint_ids"])
        with self.assertRaises(AccessError):
            new.with_user(self.officer_a).write({"related_complaint_ids": [Command.link(hidden.id)]})

    def test_linking_a_repeat_classifies_it_and_the_review_shows_clusters(self):
        when = datetime(2026, 3, 2, 9, 0)
        earlier = _received(self, when - timedelta(days=5), category_id=self.category.id)
        new = _received(self, when, category_id=self.category.id)
        self.assertEqual(new.classification, "one_off")
        earlier.with_user(self.officer_a).with_context(link_complaint_id=new.id).action_link_related()
        self.assertEqual(new.related_complaint_ids, earlier)
        self.assertEqual(earlier.repeated_by_ids, new)
        self.assertEqual(new.classification, "recurring")
        new.with_user(self.officer_a).classification = "systemic"
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2026, 2, 1), "date_to": date(2026, 3, 31), "team_ids": [Command.set(self.team_a.ids)]}
        )
        values = wizard._review_values()
        self.assertEqual(values["recurring_clusters"][0]["value"], 1)
        self.assertEqual(values["repeats"]["complainants"], 1, "the same complainant twice")

    def test_repeats_are_counted_by_commercial_entity(self):
        when = datetime(2026, 3, 2, 9, 0)
        _received(self, when, partner_id=self.acme_buyer.id)
        _received(self, when, partner_id=self.acme_clerk.id)
        _received(self, when, partner_id=self.stranger.id)
        wizard = self.env["iso10002.management.review.wizard"].create(
            {"date_from": date(2026, 3, 1), "date_to": date(2026, 3, 31), "team_ids": [Command.set(self.team_a.ids)]}
        )
        repeats = wizard._review_values()["repeats"]
        self.assertEqual((repeats["complainants"], repeats["complaints"]), (1, 2))
        self.assertEqual(repeats["top"][0]["label"], "Acme Ltd")

    def test_the_lookup_uses_the_indexes(self):
        new = _received(self, datetime(2026, 3, 2, 9, 0), category_id=self.category.id, product_ids=[])
        first = new.similar_complaint_ids  # warm-up
        new.invalidate_recordset(["similar_complaint_ids"])
        with self.assertQueryCount(__system__=6):
            self.assertEqual(new.similar_complaint_ids, first)


@tagged("post_install", "-at_install")
class TestSimilarComplaintsOverRpc(CorrectiveActionRpcCase):
    """The refusals as the web client and integrators reach them: JSON-RPC."""

    @mute_logger("odoo.http")
    def test_similar_complaints_over_rpc_as_officers_of_two_teams(self):
        """What the form reads over JSON-RPC: an officer sees the similar complaints of
        their team, never another team's, nor counted; another team's officer cannot read
        the complaint at all; text nobody types is refused to an officer as to anyone."""
        other = new_test_user(self.env, login="ms_other", groups="iso10002_complaints.group_complaint_officer")
        Team = self.env["iso10002.complaint.team"]
        mine = Team.create({"name": "Mine", "member_ids": [Command.set(self.officer.ids)]})
        theirs = Team.create({"name": "Theirs", "member_ids": [Command.set(other.ids)]})
        channel = self.env.ref("iso10002_complaints.channel_phone")
        acme = self.env["res.partner"].create({"name": "Acme RPC", "is_company": True})
        buyers = self.env["res.partner"].create([{"name": f"Buyer {i}", "parent_id": acme.id} for i in range(3)])
        Complaint = self.env["iso10002.complaint"]
        when = datetime(2019, 6, 3, 9, 0)
        ours, hidden, new = (
            Complaint._import_complaints(
                [
                    {
                        "subject": subject,
                        "partner_id": buyer.id,
                        "channel_id": channel.id,
                        "team_id": team.id,
                        "received_date": when - timedelta(days=days),
                    }
                ]
            )
            for subject, buyer, team, days in (
                ("Invoice wrong", buyers[0], mine, 2),
                ("Invoice wrong", buyers[1], theirs, 1),
                ("Parcel never arrived", buyers[2], mine, 0),
            )
        )
        self.authenticate("ms_officer", "ms_officer")
        answer = self._call("read", [new.ids, ["similar_complaint_ids", "similar_count"]], model="iso10002.complaint")
        [row] = answer["result"]
        self.assertEqual((row["similar_complaint_ids"], row["similar_count"]), ([ours.id], 1), "not the hidden one")
        self.assertEqual(Complaint.browse(new.id).similar_complaint_ids, ours | hidden, "the admin sees both")
        answer = self._call("write", [self.action.ids, {"name": "Fix\u202e it"}])
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError")
        self.authenticate("ms_other", "ms_other")
        answer = self._call("read", [new.ids, ["similar_complaint_ids"]], model="iso10002.complaint")
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")


@tagged("post_install", "-at_install")
class TestRelatedComplaintsRefusals(ComplaintsCase):
    """Related-complaint buttons, groupings and settings refuse what they must."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Action = cls.env["iso10002.corrective.action"]
        cls.Audit = cls.env["iso10002.audit"]

    def test_portal_users_do_not_group_by_internal_relations(self):
        for field in ("related_complaint_ids", "repeated_by_ids", "classification", "legal_hold"):
            with self.assertRaises(AccessError):
                self.env["iso10002.complaint"].with_user(self.portal_user).read_group([], ["__count"], [field])

    def test_buttons_and_settings_refuse_bad_input_clearly(self):
        complaint = self._complaint()
        Complaint = self.env["iso10002.complaint"].with_user(self.officer_a)
        with self.assertRaisesRegex(UserError, "one record at a time"):
            Complaint.action_view_similar()
        rng = random.Random(13)
        for _i in range(10):
            bad = rng.choice(["abc", -0.5, [1], {"a": 1}, None, True, 10**12])
            with self.assertRaises(UserError):
                complaint.with_user(self.officer_a).with_context(link_complaint_id=bad).action_link_related()
        for values in (
            {"complaint_officer_remedy_limit": -1},
            {"complaint_retention_months": 2**31},
            {"complaint_similar_days": -5},
            {"complaint_action_escalation_days": 10**6},
        ):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                self.company.write(values)
        for target in (-5, 1e308):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                self.env["iso10002.objective"].create({"metric": "open_end", "target": target})
