from contextlib import ExitStack, contextmanager
from unittest.mock import patch

from odoo.addons.mail.tests.common import MailCommon

# the hooks a guarded model implements (see mail.gateway.guarded)
HOOKS = (
    "_mail_gateway_keep_automatic_mail",
    "_mail_gateway_keep_delivery_report",
    "_mail_gateway_keep_looping_mail",
)


class GatewayGuardCase(MailCommon):
    """An alias making contacts (``res.partner``, a thread model of ``mail`` alone), and
    raw messages through the gateway as the fetchmail job runs it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias = cls.env["mail.alias"].create(
            {
                "alias_name": "guarded",
                "alias_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "alias_domain_id": cls.mail_alias_domain.id,
                "alias_contact": "everyone",
            }
        )
        cls.alias_email = cls.alias.alias_full_name
        cls.bounce_email = cls.mail_alias_domain.bounce_email
        cls.Partner = cls.env["res.partner"].with_context(active_test=False)
        # Odoo's loop guard counts the contacts made lately from a sender; these tests
        # send more than its threshold, but those proving the loop guard
        cls.env["ir.config_parameter"].set_param("mail.gateway.loop.threshold", 1000)

    def _process(self, raw):
        """The gateway, as the fetchmail job and the mailgate script run it (a system user)."""
        return self.env["mail.thread"].message_process(None, raw)

    def _new_partners(self, before):
        return self.Partner.search([("id", "not in", before.ids)])

    @contextmanager
    def guarded(self, model="res.partner", **hooks):
        """``model`` opted in to the per-model behaviours (as if it inherited
        ``mail.gateway.guarded``), with ``hooks`` instead of the mixin's defaults."""
        model_class = self.env.registry[model]
        mixin = self.env.registry["mail.gateway.guarded"]
        with ExitStack() as stack:
            stack.enter_context(patch.object(model_class, "_mail_gateway_guarded", True))
            stack.enter_context(patch.object(model_class, "_mail_gateway_one_record_per_email", True))
            for name in HOOKS:
                stack.enter_context(patch.object(model_class, name, hooks.get(name, getattr(mixin, name)), create=True))
            yield


class Crash(BaseException):
    """The worker killed: nothing after it runs, and its transaction is rolled back."""


@contextmanager
def commits(cr, crash=None):
    """``cr.commit()`` as a job that commits as it goes (the fetch job) calls it, inside a
    test's transaction: each commit ends a savepoint and runs the post-commit hooks, as
    PostgreSQL's COMMIT and Odoo's cursor do. When ``crash(commits made)`` is true at a
    commit, the worker dies there instead (:class:`Crash`): what it did since its last commit is rolled
    back and no post-commit hook runs. Yields the number of commits made (a list of one)."""
    made = [0]

    def commit():
        cr.flush()
        if crash and crash(made[0]):
            cr.postcommit.clear()
            cr.clear()
            cr.execute("ROLLBACK TO SAVEPOINT commits_test")
            raise Crash()
        cr.execute("RELEASE SAVEPOINT commits_test")
        cr.execute("SAVEPOINT commits_test")
        made[0] += 1
        cr.postcommit.run()

    cr.flush()
    cr.execute("SAVEPOINT commits_test")
    try:
        with patch.object(cr, "commit", commit):
            yield made
    finally:
        cr.execute("RELEASE SAVEPOINT commits_test")


def imap_mailbox(case, user, name):
    """A Dovecot of its own for the test ``case`` (the mailbox outlives the test's
    transaction), stopped after it, and Odoo's incoming mail server reading ``user``'s
    mailbox there: (the Dovecot, the fetchmail.server)."""
    from .mail_servers import Dovecot

    imap = Dovecot({user: f"{user}-secret"}).start()
    case.addCleanup(imap.stop)
    return imap, case.env["fetchmail.server"].create(imap.incoming_server(user, name))
