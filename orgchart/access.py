"""Who may see what: the one place that answers it.

Everyone sees their own node; a head sees the subtree of the unit it heads;
HR staff see their whole department (tree); administrators see everything.
Every list, page, export and report starts from `visible_nodes(user)`, and
helpers return an object or raise Http404 (outside the user's view) or
PermissionDenied (visible but not theirs to change).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from orgchart.models import Kind, Node

_CACHE_ATTR = "_kpi_roles"


@dataclass(frozen=True)
class Roles:
    node: Node | None
    headed_unit: Node | None
    is_hr: bool
    is_admin: bool

    @property
    def names(self) -> frozenset[str]:
        names = set()
        if self.node is not None:
            names.add("officer")
        if self.headed_unit is not None:
            names.add("head")
        if self.is_hr:
            names.add("hr")
        if self.is_admin:
            names.add("admin")
        return frozenset(names)

    def sees(self, node: Node) -> bool:
        """True when `node` is within this person's view (no query)."""
        if self.is_admin:
            return True
        if self.node is None:
            return False
        if node.pk == self.node.pk:
            return True
        if self.is_hr and node.tree_id == self.node.tree_id:
            return True
        unit = self.headed_unit
        return (
            unit is not None and node.tree_id == unit.tree_id and unit.lft <= node.lft <= unit.rght
        )


def roles_of(user) -> Roles:
    """The roles of `user`, computed once per request (one query)."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    node = None
    if user.is_authenticated:
        node = (
            Node.objects.filter(user=user, is_active=True, kind=Kind.INDIVIDUAL)
            .select_related("parent")
            .first()
        )
    roles = Roles(
        node=node,
        headed_unit=node.parent if node is not None and node.is_head else None,
        is_hr=bool(node is not None and node.is_hr),
        is_admin=bool(user.is_authenticated and user.is_superuser),
    )
    setattr(user, _CACHE_ATTR, roles)
    return roles


def forget_roles(user) -> None:
    """Drop the cached roles (after a tree change in the same request or test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def visible_q(user, prefix: str = "") -> Q:
    """A Q over Node fields (behind `prefix`, e.g. "owner__") for `user`'s view."""
    roles = roles_of(user)
    if roles.is_admin:
        return Q()
    if roles.node is None:
        return Q(pk__in=[])
    node, unit = roles.node, roles.headed_unit
    terms = []
    if roles.is_hr:
        terms.append(Q(**{f"{prefix}tree_id": node.tree_id}))
    if unit is not None and not (roles.is_hr and unit.tree_id == node.tree_id):
        terms.append(
            Q(
                **{
                    f"{prefix}tree_id": unit.tree_id,
                    f"{prefix}lft__gte": unit.lft,
                    f"{prefix}lft__lte": unit.rght,
                }
            )
        )
    # The user's own node, unless a range above holds it already (a head sits in
    # the unit it heads): "own node OR range" behind a prefix spans two tables
    # (plan.owner_id OR node.lft), which PostgreSQL answers by reading every plan.
    inside = roles.is_hr or (
        unit is not None and unit.tree_id == node.tree_id and unit.lft <= node.lft <= unit.rght
    )
    if not inside:
        terms.append(Q(**{f"{prefix}pk": node.pk}))
    q = terms[0]
    for term in terms[1:]:
        q |= term
    return q


def visible_nodes(user) -> QuerySet[Node]:
    """All nodes `user` may see, as a queryset filtered by tree range."""
    return Node.objects.filter(visible_q(user))


def get_node_for(user, *, pk=None, code=None) -> Node:
    """The node, or Http404 when it does not exist or is outside `user`'s view."""
    lookup = {"pk": pk} if pk is not None else {"code": code}
    node = visible_nodes(user).filter(**lookup).select_related("parent", "user").first()
    if node is None:
        raise Http404
    return node


def require_hr(user, node: Node | None = None) -> Roles:
    """PermissionDenied unless `user` is HR (of `node`'s department) or an admin."""
    roles = roles_of(user)
    if roles.is_admin:
        return roles
    if not roles.is_hr:
        raise PermissionDenied
    if node is not None and node.tree_id != roles.node.tree_id:
        raise PermissionDenied
    return roles


def hr_departments(user) -> QuerySet[Node]:
    """The departments (roots of trees) `user` runs: an administrator every one, HR
    their own, anyone else none. In tree order."""
    roles = roles_of(user)
    roots = Node.objects.filter(parent__isnull=True, kind=Kind.DEPARTMENT).order_by("tree_id")
    if roles.is_admin:
        return roots
    if roles.is_hr:
        return roots.filter(tree_id=roles.node.tree_id)
    return roots.none()


def is_hr_or_admin(user) -> bool:
    roles = roles_of(user)
    return roles.is_hr or roles.is_admin
