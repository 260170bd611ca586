"""The text policy: what people may type into the texts of the process (no controls, no direction
overrides), as clients reach it."""

import random

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CorrectiveActionRpcCase


@tagged("post_install", "-at_install")
class TestTextPolicyOverRpc(CorrectiveActionRpcCase):
    """The refusals as the web client and integrators reach them: JSON-RPC."""

    @mute_logger("odoo.http")
    def test_text_nobody_types_is_refused_with_a_clear_error(self):
        """NUL (which PostgreSQL refuses with a server error), other controls and direction
        overrides, typed into a complaint's or an action's texts over RPC: a clear refusal,
        nothing stored; Persian with its joiners, tabs and new lines pass."""
        rng = random.Random(2025)
        bad = [chr(code) for code in [*range(0, 9), 11, 12, *range(14, 32), 127, *range(128, 160)]]
        bad += ["\u202e", "\u202d", "\u2066", "\u2069"]
        team = self.env["iso10002.complaint.team"].create({"name": "RPC team"})
        channel = self.env.ref("iso10002_complaints.channel_phone")
        complaint = self.env["iso10002.complaint"].create(
            {"subject": "Fine", "channel_id": channel.id, "team_id": team.id}
        )
        self.authenticate("admin", "admin")
        texts = {
            "iso10002.complaint": ["subject", "description", "remedy_sought", "on_behalf_of"],
            "iso10002.corrective.action": ["name", "description"],
        }
        records = {"iso10002.complaint": complaint, "iso10002.corrective.action": self.action}
        for _i in range(30):
            model = rng.choice(sorted(texts))
            field = rng.choice(texts[model])
            text = "بازپرداخت\u200cها " * rng.randint(0, 3)
            position = rng.randint(0, len(text))
            value = text[:position] + rng.choice(bad) + text[position:]
            if field == "description":
                value = f"<p>{value}</p>"
            if rng.random() < 0.5:
                answer = self._call("write", [records[model].ids, {field: value}], model=model)
            else:
                values = {"subject": "New", "channel_id": channel.id, "team_id": team.id}
                if model == "iso10002.corrective.action":
                    values = {"name": "New"}
                answer = self._call("create", [{**values, field: value}], model=model)
            self.assertIn("error", answer, (model, field, value))
            self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError", (model, field, value))
        # through the defaults of the context, and as HTML references the sanitizer decodes
        for context, extra in (
            ({"default_subject": "a\x00b"}, {}),
            ({"default_subject": "FAKE\u202eFDP.exe"}, {}),
            ({}, {"description": "<p>x&#8238;gnp.exe</p>"}),
            ({}, {"description": "<p>x&#x202E;gnp.exe</p>"}),
            ({}, {"description": "<p>bell&#7;</p>"}),
        ):
            values = {"channel_id": channel.id, "team_id": team.id, "subject": "Subject", **extra}
            if "default_subject" in context:
                values.pop("subject")
            answer = self._call("create", [values], {"context": context}, model="iso10002.complaint")
            self.assertEqual(answer.get("error", {}).get("data", {}).get("name"), "odoo.exceptions.UserError", values)
        answer = self._call("create", [{}], {"context": {"default_name": "n\u202e\x00"}})
        self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.UserError", "a corrective action's too")
        # what people type passes: new emoji, a flag of tag characters, a private-use logo,
        # the word joiner, the Arabic letter mark, Persian with its joiner, tabs and lines
        for typed in (
            "🫨 🩷",
            "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
            "\uf8ff",
            "a\u2060b",
            "\u061cسلام",
        ):
            answer = self._call("write", [complaint.ids, {"subject": typed}], model="iso10002.complaint")
            self.assertNotIn("error", answer, ascii(typed))
        fine = "گزارش\u200cها\tو\nسفارش‌ها"
        self.assertNotIn(
            "error", self._call("write", [complaint.ids, {"remedy_sought": fine}], model="iso10002.complaint")
        )
        complaint.invalidate_recordset()
        self.assertEqual(complaint.remedy_sought, fine)
        self.assertEqual(complaint.subject, "\u061cسلام")
