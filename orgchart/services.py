"""Every write to the tree goes through here, under one lock.

django-mptt keeps lft/rght/tree_id consistent only if two writers never
interleave, so each write takes a transaction-scoped lock: an advisory lock on
PostgreSQL, and SQLite's own write lock (the connection begins IMMEDIATE
transactions, see settings).
"""

import logging
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from orgchart.models import Node

log = logging.getLogger("kpi_portal.orgchart")

TREE_LOCK_KEY = 7_358_001  # arbitrary, unique to the org tree


@contextmanager
def tree_lock():
    """A transaction holding the tree lock until it commits or rolls back."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])
        yield


def node_save(*, node: Node, by=None) -> Node:
    """Create or update one node (including a move to another parent).

    Checks the tree rules (Node.clean) against fresh data inside the lock, so
    two moves at once cannot create a loop or a second head. Raises
    ValidationError (Thai messages) and saves nothing when a rule is broken.
    """
    with tree_lock():
        if node.parent_id:
            parent = Node.objects.filter(pk=node.parent_id).first()
            if parent is None:
                raise ValidationError({"parent": _("ไม่พบหน่วยงานต้นสังกัด")})
            node.parent = parent
        if node.pk:
            fresh = Node.objects.filter(pk=node.pk).first()
            if fresh is None:
                raise ValidationError(_("ไม่พบหน่วยงานหรือบุคคลนี้แล้ว อาจถูกลบไปก่อนหน้า"))
            node.tree_id, node.lft, node.rght, node.level = (
                fresh.tree_id,
                fresh.lft,
                fresh.rght,
                fresh.level,
            )
            # django-mptt decides whether to move by comparing the parent with
            # the one it saw when `node` was loaded; another writer may have
            # moved it since, so compare with where it is now.
            node._mptt_cached_fields[node._mptt_meta.parent_attr] = fresh.parent_id
        node.full_clean()
        node.save()
        log.info("node %s saved by %s", node.code, getattr(by, "username", by))
    return node


def node_move(*, node: Node, parent: Node | None, by=None) -> Node:
    """Move `node` under `parent` (None: make it a root)."""
    node.parent = parent
    node.parent_id = parent.pk if parent else None
    return node_save(node=node, by=by)
