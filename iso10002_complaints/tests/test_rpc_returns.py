"""Every public method of the addons' models answers an RPC client: XML-RPC cannot
marshal None, so a button that returned nothing failed for integrators although its work
was done."""

import ast
import functools
import inspect
import xmlrpc.client
from pathlib import Path

from odoo.models import regex_private
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

OWN_MODULES = ("odoo.addons.iso10002_", "odoo.addons.report_wkhtmltopdf_unpatched_qt")
BUTTON_PREFIXES = ("action_", "button_")


def own_public_methods(env):
    """{model: {name: function}}: the public methods the addons define or override."""
    found = {}
    for name in env.registry:
        cls = type(env[name])
        for klass in cls.__mro__:
            if not klass.__module__.startswith(OWN_MODULES):
                continue
            for attr, value in vars(klass).items():
                # what RPC may call: Odoo refuses the private names (``_*``, ``init``)
                if regex_private.match(attr) or not inspect.isfunction(value):
                    continue
                found.setdefault(name, {}).setdefault(attr, value)
    return found


@functools.cache
def _module_tree(path):
    return ast.parse(Path(path).read_text())


def _function_node(function):
    """The definition of ``function`` in its module's source (``inspect.getsource``
    stops early at a lambda in a decorator, as in ``@api.returns(..., lambda v: v.id)``)."""
    function = inspect.unwrap(function)  # the decorator package's wrappers (model_create_multi)
    line = function.__code__.co_firstlineno
    for node in ast.walk(_module_tree(inspect.getsourcefile(function))):
        if isinstance(node, ast.FunctionDef) and node.name == function.__name__:
            if line in (node.lineno, *(decorator.lineno for decorator in node.decorator_list)):
                return node
    raise LookupError(f"no source for {function.__qualname__}")


def returns_nothing(function):
    """Why ``function`` may return None: a bare ``return``, or a body that can end
    without a return; '' when every path returns a value or raises."""
    node = _function_node(function)
    for inner in ast.walk(node):
        if isinstance(inner, ast.Return) and inner.value is None:
            return "a bare return"
        if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Constant) and inner.value.value is None:
            return "return None"

    def ends(statements):
        last = statements[-1] if statements else None
        if isinstance(last, ast.Return | ast.Raise):
            return True
        if isinstance(last, ast.If):
            return ends(last.body) and ends(last.orelse)
        if isinstance(last, ast.Try):
            return (ends(last.body) or ends(last.orelse)) and all(ends(h.body) for h in last.handlers)
        if isinstance(last, ast.With):
            return ends(last.body)
        return False

    return "" if ends(node.body) else "a path without return"


@tagged("post_install", "-at_install")
class TestEveryPublicMethodAnswersRpc(HttpCase):
    def test_no_public_method_returns_none(self):
        """The class: read from the source of every public method of every model the
        addons define or extend, including those no button calls yet."""
        offenders = []
        for model, methods in own_public_methods(self.env).items():
            for name, function in methods.items():
                reason = returns_nothing(function)
                if reason:
                    offenders.append(f"{model}.{name}: {reason} ({function.__module__})")
        self.assertFalse(offenders, "\n".join(offenders))

    def _records(self, model):
        """Records to press the buttons of ``model`` on: the demo's, several states."""
        Model = self.env[model]
        if Model._transient:
            try:
                with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                    return Model.create({})
            except Exception:  # a wizard that needs its context: opened by its button only
                return Model
        return Model.with_context(active_test=False).search([], limit=6, order="id desc")

    def _fixtures(self):
        """Actions in each state whose buttons must work: open, started with a verifier."""
        Action = self.env["iso10002.corrective.action"]
        user = self.env.ref("base.user_admin")
        verifier = self.env.ref("base.user_demo")
        values = {"name": "RPC fixture", "user_id": user.id, "verifier_id": verifier.id}
        opened = Action.create(dict(values, name="RPC open"))
        started = Action.create(dict(values, name="RPC started"))
        started.action_start()
        # a review not yet held (the demo's are held, and a held review is not held again)
        review = self.env["iso10002.management.review"].create({"name": "RPC review to hold"})
        return {Action._name: opened | started, review._name: review}

    def test_every_button_answers_over_xml_rpc(self):
        """Each public action_* and button_* method, called over XML-RPC as an
        administrator on records in several states: it answers with a value, or refuses
        with a business error; it never fails to marshal its answer."""
        self.authenticate("admin", "admin")
        fixtures = self._fixtures()
        uid = self.env.ref("base.user_admin").id
        db = self.env.cr.dbname
        outcomes = {}
        for model, methods in sorted(own_public_methods(self.env).items()):
            buttons = {
                name: function
                for name, function in methods.items()
                if name.startswith(BUTTON_PREFIXES)
                and all(
                    parameter.default is not inspect.Parameter.empty or parameter.kind.name.startswith("VAR")
                    for parameter in list(inspect.signature(function).parameters.values())[1:]
                )
            }
            if not buttons:
                continue
            records = self._records(model)
            if model in fixtures:
                records = fixtures[model] | records
            for name in sorted(buttons):
                outcome = "no record"
                for record in records:
                    try:
                        self.xmlrpc_object.execute_kw(db, uid, "admin", model, name, [record.ids])
                    except xmlrpc.client.Fault as fault:
                        text = fault.faultString
                        if "marshal" in text:
                            outcome = f"cannot marshal its answer: {text.splitlines()[-1]}"
                            break
                        outcome = f"refused: {text.strip().splitlines()[-1][:120]}"
                        continue
                    outcome = "ok"
                    break
                outcomes[f"{model}.{name}"] = outcome
        unreadable = {key: value for key, value in outcomes.items() if "marshal" in value}
        self.assertFalse(unreadable, "\n".join(f"{k}: {v}" for k, v in unreadable.items()))
        for key in (
            "iso10002.corrective.action.action_start",
            "iso10002.corrective.action.action_done",
            "iso10002.corrective.action.action_cancel",
            "iso10002.management.review.action_hold",
        ):
            self.assertEqual(outcomes.get(key), "ok", key)
        answered = [key for key, value in outcomes.items() if value == "ok"]
        self.assertGreaterEqual(len(answered), len(outcomes) // 2, "\n".join(f"{k}: {v}" for k, v in outcomes.items()))
