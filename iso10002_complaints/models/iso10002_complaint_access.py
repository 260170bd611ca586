"""Who may see and change what of a complaint: the values a client may never write
(the trail, the process's own fields, another company), the searches and groupings
through fields a user may not read, and the closed complaint's read-only form."""

from datetime import timedelta

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError

from ..tools.text import refuse_non_text
from ..tools.trust import check_domain_access
from .iso10002_complaint import CLOSED_WRITABLE, CLOSED_WRITABLE_PREFIXES

# the order of a portal user's searches: the model's own starts with the internal priority
PORTAL_ORDER = "received_date desc, id desc"
# the trail: written by the process and the mail gateway only
CLIENT_UNWRITABLE = frozenset(
    {
        "message_ids",
        "website_message_ids",
        "message_follower_ids",
        "rating_ids",
        "sla_event_ids",
        "activity_ids",
        "acknowledgement_pending",
    }
)
# relations of the mail mixins that a portal user may not search complaints through
PORTAL_UNSEARCHABLE = frozenset(
    {
        "message_ids",
        "website_message_ids",
        "message_follower_ids",
        "message_partner_ids",
        "activity_ids",
        "rating_ids",
        "message_attachment_count",
    }
)


class Iso10002Complaint(models.Model):
    _inherit = "iso10002.complaint"

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """Dates to the minute; and a closed complaint reads as it is locked
        (_check_closed_lock): in the form and the list, every field the lock refuses is
        read-only once the complaint is closed."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type in ("form", "list", "kanban"):
            # dates to the minute: the seconds of a receipt or a deadline say nothing (in
            # the lists inside the form too, such as the SLA history)
            for node in arch.xpath("//field[not(@options)]"):
                parent = node.xpath("ancestor::field[1]")
                model = self.env[self._fields[parent[0].get("name")].comodel_name] if parent else self
                field = model._fields.get(node.get("name"))
                if field and field.type == "datetime" and node.get("widget") in (None, "datetime"):
                    node.set("options", "{'show_seconds': false}")
        # the form's fields, and the list's (it edits several rows at once)
        editable = {"form": "//sheet//field[not(ancestor::field)]", "list": "/list/field"}.get(view_type)
        if editable:
            for node in arch.xpath(editable):
                name = node.get("name")
                if name in CLOSED_WRITABLE or name.startswith(CLOSED_WRITABLE_PREFIXES):
                    continue
                readonly = (node.get("readonly") or "").strip()
                field = self._fields.get(name)
                if readonly in ("1", "True", "true") or (not readonly and (not field or field.readonly)):
                    continue  # read-only anyway (the node's readonly, else the field's)
                node.set("readonly", f"({readonly}) or step == 'closed'" if readonly else "step == 'closed'")
        return arch, view

    @api.model
    @tools.ormcache()
    def _process_fields(self):
        """Fields that only the process records (references, dates, who decided, SLA
        bookkeeping): every stored field declared read-only. Nobody sets them by hand,
        through a form, an import or RPC (ISO 10002 4.9). A fact of the registry, read on
        every create and write: computed once."""
        return frozenset(name for name, field in self._fields.items() if field.store and field.readonly)

    @api.model
    def _client_guarded_fields(self):
        """Fields whose ``default_*`` context keys a client's call loses: the process
        fields, and those extensions guard in ``_check_client_values``."""
        return self._process_fields()

    def _check_client_values(self, vals, creating=False):
        """What a client (a form, an import, RPC) may not set: the process fields, the
        trail (messages, ratings, SLA history), no stage at all, and once recorded the
        date the complaint was received."""
        protected = set(vals) & (self._process_fields() | CLIENT_UNWRITABLE)
        if not creating and "received_date" in vals:
            protected.add("received_date")
        if protected:
            labels = ", ".join(self._fields[name]._description_string(self.env) for name in sorted(protected))
            raise AccessError(
                self.env._("These fields are recorded by the complaints process and cannot be set by hand: %s", labels)
            )
        if "stage_id" in vals and not vals["stage_id"]:
            raise UserError(self.env._("A complaint is always at a stage of the process."))
        refuse_non_text(self, vals, creating)
        received = vals.get("received_date")
        if received and fields.Datetime.to_datetime(received) > fields.Datetime.now() + timedelta(minutes=5):
            raise UserError(self.env._("A complaint cannot be received in the future."))

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """Complaints are searched by what the user may read: never through a field of
        theirs they may not read, and for portal users never through the chatter (its SQL
        join sees internal notes), the followers or the activities; their default order
        leaves out the internal priority."""
        internal = self.env.su or self.env.user._is_internal()
        check_domain_access(self, domain, forbidden=() if internal else PORTAL_UNSEARCHABLE)
        if not internal and order == self._order:
            order = PORTAL_ORDER
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        """Groups are searched too: never by a field the user may not read (the ORM checks
        the groups of stored columns, not of many2many relations)."""
        self._check_groupby_access(groupby)
        return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    def _check_groupby_access(self, groupby):
        """Refuse grouping by a field the user may not search (``_read_group``, and the
        review's grouping sets)."""
        internal = self.env.su or self.env.user._is_internal()
        check_domain_access(
            self,
            [(spec.split(":")[0].split(".")[0], "=", False) for spec in groupby],
            forbidden=() if internal else PORTAL_UNSEARCHABLE,
        )

    def _check_company_kept(self, vals):
        """A complaint stays in the company whose sequence numbered it: moved, its
        reference would leave a gap there and could be drawn again by the other company's
        sequence (one reference per company)."""
        if "company_id" in vals and self.filtered(lambda c: c.company_id.id != (vals["company_id"] or False)):
            raise UserError(
                self.env._(
                    "A complaint stays in the company that numbered it. Record it in the other company instead "
                    "(and close this one as out of scope)."
                )
            )

    def _check_archiving(self, vals):
        if "active" in vals and not vals["active"]:
            still_open = self.filtered("is_open")
            if still_open:
                raise UserError(
                    self.env._(
                        "Only complaints that are closed, withdrawn or out of scope can be archived; "
                        "these are still being handled: %s",
                        ", ".join(still_open.mapped("name")),
                    )
                )
