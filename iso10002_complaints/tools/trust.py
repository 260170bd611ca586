"""Switches a client cannot forge.

Clients reach the ORM with a context made of JSON values (XML-RPC, JSON-RPC, HTTP): any
key they like, but never a Python object. A context key whose value must be this very
object can therefore only be set by server code. It marks the writes the process makes
itself (the SLA engine, closing, reopening, the data loader), which may set the fields a
person never sets by hand and may change a closed complaint.

Core context keys that would hide a change (no tracking, no creation message) or skip a
guard (the uninstall flag of ``@api.ondelete``) are dropped from every other call.
"""

from odoo.exceptions import AccessError, UserError

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

ENGINE_KEY = "iso10002_engine"
ENGINE = object()
# a change made to keep a linked record in step (a helpdesk ticket and its complaint),
# which must not be mirrored back
SYNC_KEY = "iso10002_sync"
SYNC = object()
# how a new complaint is acknowledged: at once (the default), by the acknowledgement job
# right after (mail intake: receipt never waits for, nor fails with, the outgoing mail),
# or not at all (an import of complaints with their history)
ACKNOWLEDGE_KEY = "iso10002_acknowledge"
NO_ACKNOWLEDGEMENT = object()
DEFERRED_ACKNOWLEDGEMENT = object()

# core switches that would let a write leave no trace, or skip an ondelete guard
UNSAFE_CONTEXT_KEYS = frozenset(
    {
        "tracking_disable",
        "mail_notrack",
        "mail_create_nolog",
        "mail_auto_subscribe_no_notify",
        MODULE_UNINSTALL_FLAG,
    }
)


# the only values an iso10002_* key may have; a client cannot send any of them
SENTINELS = (ENGINE, SYNC, NO_ACKNOWLEDGEMENT, DEFERRED_ACKNOWLEDGEMENT)


def is_engine(env):
    """Whether this environment is the process's own, not a client's."""
    return env.context.get(ENGINE_KEY) is ENGINE


def as_engine(records):
    """``records`` in the process's own environment, without what a client put in the
    context (an action called over RPC may carry tracking_disable, for instance)."""
    # the process says what it writes: no default comes from a caller
    return without_defaults(client_safe(records)).with_context(**{ENGINE_KEY: ENGINE})


def without_defaults(records):
    """``records`` without the ``default_*`` keys of the caller's context: for what the
    process creates on the caller's behalf (a rating request, the e-mail carrying its
    links), whose every value it gives itself."""
    defaults = [key for key in records.env.context if key.startswith("default_")]
    if not defaults:
        return records
    return records.with_context({k: v for k, v in records.env.context.items() if k not in defaults})  # pylint: disable=context-overridden


def as_sync(records):
    return records.with_context(**{SYNC_KEY: SYNC})


def is_sync(env):
    return env.context.get(SYNC_KEY) is SYNC


def client_safe(records, protected=()):
    """``records`` without the context keys a client could use to hide or skip something:
    the unsafe core keys, any ``iso10002_*`` key, and defaults for ``protected`` fields."""
    if is_engine(records.env):
        return records
    context = records.env.context
    drop = [
        key
        for key, value in context.items()
        if key in UNSAFE_CONTEXT_KEYS
        or (key.startswith("iso10002_") and not any(value is sentinel for sentinel in SENTINELS))
        or (key.startswith("default_") and key[len("default_") :] in protected)
    ]
    if not drop:
        return records
    # the whole context is replaced: with_context(**kw) can add keys, not remove them
    return records.with_context({key: value for key, value in context.items() if key not in drop})  # pylint: disable=context-overridden


def one(records):
    """``records``, one record: a button called over RPC on none or several is refused
    with a clear message, not ``Expected singleton``."""
    if len(records) != 1:
        raise UserError(records.env._("This button works on one record at a time."))
    return records


def check_domain_access(model, domain, names=None, forbidden=()):
    """Refuse a search through a field the user may not read.

    The ORM checks field groups for stored columns only: a one2many or many2many with
    ``groups`` (or a relation in ``forbidden``) can still be searched through, and that
    tells who complained or what an internal note says. ``names``: the fields to check
    (default: all of ``model``'s)."""
    if model.env.su:
        return
    for leaf in domain or ():
        if not (isinstance(leaf, list | tuple) and leaf and isinstance(leaf[0], str)):
            continue
        name = leaf[0].split(".", 1)[0]
        if names is not None and name not in names:
            continue
        field = model._fields.get(name)
        if name in forbidden or (field and field.groups and not field.is_accessible(model.env)):
            raise AccessError(
                model.env._("You cannot search %(model)s by %(field)s.", model=model._description, field=leaf[0])
            )
