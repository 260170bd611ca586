"""What the guard does for the models that opt in (``mail.gateway.guarded``), proved on
contacts opted in for the test: only them, and only through their hooks."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import GatewayGuardCase
from .hostile_mail import HostileMail
from .test_gateway_protections import MUTED, PLAIN

# automatic mail, as the complaints addon recognised it: the extra headers (or sender),
# and the reason given to the model's hook (Odoo itself takes mail from the mailer daemon
# or of type multipart/report for a delivery report: see the delivery report hook)
AUTOMATIC = [
    ("Auto-Submitted: auto-replied\n", None, "automatic reply (Auto-Submitted: auto-replied)"),
    ("Auto-Submitted: auto-generated\n", None, "automatic reply (Auto-Submitted: auto-generated)"),
    ("X-Autoreply: yes\n", None, "automatic reply"),
    ("X-Autorespond: on vacation\n", None, "automatic reply"),
    ("Precedence: bulk\n", None, "bulk or automatic mail (Precedence)"),
    ("Precedence: junk\n", None, "bulk or automatic mail (Precedence)"),
    ("Precedence: auto_reply\n", None, "bulk or automatic mail (Precedence)"),
    ("Return-Path: <>\n", None, "delivery report or automatic reply (empty return path)"),
    ("", "postmaster@buyer.example", "delivery report"),
    ("", "Us <your.company@example.com>", "sent from one of this database's own addresses"),
    ("", "catchall.test+x@test.mycompany.com", "sent from one of this database's own addresses"),
    ("", "guarded@test.mycompany.com", "sent from one of this database's own addresses"),
]
WRAPPED_REPORT = """From: Gateway <relay@buyer.example>
To: {to}
Subject: Returned mail
Message-Id: <wrapped-report@mx.buyer.example>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="w1"

--w1
Content-Type: text/plain

Forwarded by the relay.
--w1
Content-Type: multipart/report; report-type=delivery-status; boundary="r1"

--r1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.buyer.example

Final-Recipient: rfc822; someone@buyer.example
Action: failed
--r1--
--w1--
"""


@tagged("post_install", "-at_install")
class TestGuardedModels(GatewayGuardCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inbox = cls.env["res.partner"].create({"name": "Gateway inbox"})
        cls.alias_b = cls.alias.copy({"alias_name": "guarded-b"})

    def _mail(self, number, extra="", sender=None, to=None):
        raw = PLAIN.format(
            to=to or self.alias_email,
            subject=f"guarded {number}",
            extra=f"Message-Id: <guarded-{number}@buyer.example>\n{extra}",
            body=f"Message {number}.",
        )
        if sender:
            raw = raw.replace("Bob Buyer <bob@buyer.example>", sender)
        return raw.encode()

    def _keeper(self, calls):
        """A hook keeping the message on the inbox, and noting (message id, reason)."""

        def keep(model, message_dict, defaults, reason=None):
            calls.append((message_dict["message_id"], reason))
            self.inbox.message_post(
                body=message_dict.get("body") or "",
                message_type="email",
                subtype_xmlid="mail.mt_note",
                message_id=message_dict["message_id"],
            )
            return self.inbox

        return keep

    def test_the_models_that_opted_in(self):
        Thread = self.env["mail.thread"]
        guarded = Thread._mail_gateway_guarded_models()
        self.assertNotIn("res.partner", guarded)
        self.assertNotIn("mail.gateway.guarded", guarded, "the mixin itself is no model of records")
        self.assertFalse(Thread._mail_gateway_is_guarded("res.partner"))
        with self.guarded():
            self.assertEqual(Thread._mail_gateway_guarded_models(), sorted([*guarded, "res.partner"]))
            self.assertTrue(Thread._mail_gateway_is_guarded("res.partner"))

    def test_one_email_to_two_aliases_is_one_record(self):
        to = f"{self.alias_email}, {self.alias_b.alias_full_name}"
        before = self.Partner.search([])
        self._process(self._mail(1, to=to))
        self.assertEqual(len(self._new_partners(before)), 2, "Odoo makes one record per alias")
        before = self.Partner.search([])
        with self.guarded():
            self._process(self._mail(2, to=to))
        self.assertEqual(len(self._new_partners(before)), 1, "opted in: one record per e-mail")

    @mute_logger(*MUTED)
    def test_automatic_mail_is_kept_by_the_model_instead_of_a_record(self):
        calls = []
        with self.guarded(_mail_gateway_keep_automatic_mail=self._keeper(calls)):
            for number, (extra, sender, reason) in enumerate(AUTOMATIC):
                with self.subTest(extra=extra, sender=sender):
                    before = self.Partner.search([])
                    self._process(self._mail(number, extra, sender))
                    self.assertFalse(self._new_partners(before), "no record of automatic mail")
                    self.assertEqual(calls[-1], (f"<guarded-{number}@buyer.example>", reason))
            # a report a mail server wrapped in a multipart/mixed message
            before = self.Partner.search([])
            self._process(WRAPPED_REPORT.format(to=self.alias_email).encode())
            self.assertFalse(self._new_partners(before))
            self.assertEqual(calls[-1], ("<wrapped-report@mx.buyer.example>", "delivery report"))
            kept = self.inbox.message_ids.filtered(lambda m: m.message_type == "email")
            self.assertEqual(len(kept), len(AUTOMATIC) + 1, "each kept, once")
            # a person's mail, and a message that says it is not automatic, make records
            before = self.Partner.search([])
            self._process(self._mail(100))
            self._process(self._mail(101, "Auto-Submitted: no\n"))
            self.assertEqual(len(self._new_partners(before)), 2)
        self.assertEqual(len(calls), len(AUTOMATIC) + 1)

    @mute_logger(*MUTED)
    def test_automatic_mail_makes_a_record_when_the_model_does_not_keep_it(self):
        """By default (the mixin's hook), and on a model that did not opt in, Odoo's
        behaviour: a record is made."""
        for guarded in (True, False):
            before = self.Partner.search([])
            if guarded:
                with self.guarded():
                    self._process(self._mail(200, "Auto-Submitted: auto-replied\n"))
            else:
                self._process(self._mail(201, "Auto-Submitted: auto-replied\n"))
            self.assertEqual(len(self._new_partners(before)), 1, guarded)

    @mute_logger(*MUTED)
    def test_a_delivery_report_is_offered_to_the_guarded_models(self):
        calls = []

        def keep_report(model, message_dict, outcome):
            calls.append((message_dict["bounced_email"], outcome))
            return self.inbox

        generator = HostileMail(8098, self.alias_email)
        partner = self.env["res.partner"].create({"name": "Lost", "email": "lost@buyer.example"})
        self._process(generator.report("dsn_base64", partner.email, self.bounce_email))
        self.assertFalse(calls, "not opted in: Odoo drops the report")
        with self.guarded(_mail_gateway_keep_delivery_report=keep_report):
            self._process(generator.report("dsn_base64", partner.email, self.bounce_email, action="failed"))
            self._process(generator.report("dsn_garbage", partner.email, self.alias_email, action="delayed"))
            self._process(generator.report("no_semicolon", partner.email, self.alias_email, action="delayed"))
        self.assertEqual(
            calls,
            [("lost@buyer.example", "failed"), ("lost@buyer.example", "failed"), ("lost@buyer.example", "delayed")],
            "the garbled status says nothing readable: failed, as when a report does not say",
        )
        self.assertEqual(partner.message_bounce, 4, "Odoo still marks who bounced")

    @mute_logger(*MUTED)
    def test_a_looping_sender_is_kept_by_the_model_instead_of_dropped(self):
        self.env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", 3)
        sender = "Looping <loop@buyer.example>"
        before = self.Partner.search([])
        for number in range(300, 305):
            self._process(self._mail(number, sender=sender))
        self.assertEqual(len(self._new_partners(before)), 3, "Odoo drops what comes past its threshold")
        calls = []
        with self.guarded(_mail_gateway_keep_looping_mail=self._keeper(calls)):
            for number in range(305, 308):
                self._process(self._mail(number, sender=sender))
        self.assertEqual(len(self._new_partners(before)), 3)
        expected = [f"<guarded-{number}@buyer.example>" for number in (305, 306, 307)]
        self.assertEqual([message_id for message_id, _reason in calls], expected, "each kept, none dropped")
        kept = self.inbox.message_ids.filtered(lambda m: m.message_type == "email")
        self.assertEqual(sorted(kept.mapped("message_id")), sorted(message_id for message_id, _reason in calls))
