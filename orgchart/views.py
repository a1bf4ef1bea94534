"""The organization pages: the tree (opened level by level), a unit, a person.

Every page fetches through `orgchart.access` (404 outside the user's view) and
costs a fixed number of queries, whatever the size of the department: head
counts come from one annotated query per level, heads from one more.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from orgchart.access import Roles, get_node_for, roles_of, visible_q
from orgchart.hierarchy import heads_by_unit, supervisor_chain, with_head_counts
from orgchart.models import Kind, Node

PEOPLE_PER_PAGE = 100
# People listed in the tree under one unit; the unit page pages through the rest.
TREE_PEOPLE_LIMIT = 100


def _get_unit_for(user, pk: int) -> Node:
    unit = get_node_for(user, pk=pk)
    if not unit.is_unit:
        raise Http404
    return unit


def _get_person_for(user, pk: int) -> Node:
    person = get_node_for(user, pk=pk)
    if person.is_unit:
        raise Http404
    return person


def _visible_roots(roles: Roles) -> QuerySet[Node]:
    """The top units of what `roles` may see: admin every department, HR its
    department, a head the unit it heads; nobody else sees a unit."""
    if roles.is_admin:
        return Node.objects.filter(parent__isnull=True)
    if roles.is_hr:
        return Node.objects.filter(tree_id=roles.node.tree_id, parent__isnull=True)
    if roles.headed_unit is not None:
        return Node.objects.filter(pk=roles.headed_unit.pk)
    return Node.objects.none()


def _units_with_heads(units: QuerySet[Node]) -> list[Node]:
    """Units in tree order, with head counts (one query) and `.head` (one query)."""
    units = list(with_head_counts(units.exclude(kind=Kind.INDIVIDUAL)).order_by("tree_id", "lft"))
    heads = heads_by_unit(unit.pk for unit in units) if units else {}
    for unit in units:
        unit.head = heads.get(unit.pk)
    return units


def _path(roles: Roles, ancestors: list[Node]) -> list[tuple[Node, bool]]:
    """The breadcrumb: each ancestor with whether the viewer may open it."""
    return [(node, roles.sees(node)) for node in ancestors]


def _chain(roles: Roles, chain: list[Node], ancestors: list[Node]) -> list[tuple]:
    """Supervisors, nearest first: (person, may the viewer open it, the unit it heads).

    Each supervisor heads one of `ancestors`, so no query is needed for the unit.
    """
    units = {node.pk: node for node in ancestors}
    return [(person, roles.sees(person), units.get(person.parent_id)) for person in chain]


def _people(unit: Node) -> QuerySet[Node]:
    """The active people directly in `unit`, the head first."""
    return unit.children.filter(kind=Kind.INDIVIDUAL, is_active=True).order_by(
        "-is_head", "code", "pk"
    )


@require_safe
@login_required
def tree(request):
    """The units the user may see, opened level by level (tree_children)."""
    roles = roles_of(request.user)
    roots = _units_with_heads(_visible_roots(roles))
    return render(
        request,
        "orgchart/tree.html",
        {"viewer": roles, "roots": roots, "open_first": len(roots) == 1},
    )


@require_safe
@login_required
def tree_children(request, pk: int):
    """htmx: the sub-units of a unit, or with ?people=1 the people directly in it."""
    roles = roles_of(request.user)
    unit = _get_unit_for(request.user, pk)
    if request.GET.get("people") == "1":
        people = list(_people(unit)[: TREE_PEOPLE_LIMIT + 1])
        return render(
            request,
            "orgchart/_tree_people.html",
            {
                "unit": unit,
                "people": people[:TREE_PEOPLE_LIMIT],
                "more": len(people) > TREE_PEOPLE_LIMIT,
            },
        )
    units = _units_with_heads(unit.children.filter(visible_q(request.user)))
    return render(
        request, "orgchart/_tree_units.html", {"viewer": roles, "units": units, "open": False}
    )


@require_safe
@login_required
def unit_detail(request, pk: int):
    """A unit: head, people (paginated), sub-units, path and supervisors."""
    roles = roles_of(request.user)
    unit = _get_unit_for(request.user, pk)
    sub_units = list(with_head_counts(unit.children.exclude(kind=Kind.INDIVIDUAL)).order_by("lft"))
    heads = heads_by_unit([unit.pk, *(sub.pk for sub in sub_units)])
    for sub in sub_units:
        sub.head = heads.get(sub.pk)
    page = Paginator(_people(unit), PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    head_count = page.paginator.count + sum(sub.head_count for sub in sub_units)
    ancestors = list(unit.get_ancestors())
    return render(
        request,
        "orgchart/unit.html",
        {
            "viewer": roles,
            "unit": unit,
            "head": heads.get(unit.pk),
            "sub_units": sub_units,
            "page": page,
            "head_count": head_count,
            "path": _path(roles, ancestors),
            "chain": _chain(roles, supervisor_chain(unit), ancestors),
        },
    )


@require_safe
@login_required
def person_detail(request, pk: int):
    """A person: position, unit path, supervisors, roles."""
    roles = roles_of(request.user)
    person = _get_person_for(request.user, pk)
    ancestors = list(person.get_ancestors())
    return render(
        request,
        "orgchart/person.html",
        {
            "viewer": roles,
            "person": person,
            "department": ancestors[0] if ancestors else None,
            "path": _path(roles, ancestors),
            "chain": _chain(roles, supervisor_chain(person), ancestors),
        },
    )
