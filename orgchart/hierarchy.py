"""Who is whose supervisor (DOMAIN.md: "The tree and who is whose supervisor").

Every function costs a fixed number of queries, whatever the depth or size of
the tree: ancestors come in one query, their heads in another.
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from orgchart.models import Kind, Node


def heads_by_unit(unit_ids) -> dict[int, Node]:
    """Map unit id -> its head (an individual), for the given units."""
    heads = Node.objects.filter(parent_id__in=list(unit_ids), is_head=True).select_related("user")
    return {head.parent_id: head for head in heads}


def _count(queryset: QuerySet[Node]) -> Coalesce:
    """COUNT(*) of a correlated queryset, as an expression (0 when empty)."""
    counted = queryset.order_by().values("tree_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_head_counts(units: QuerySet[Node]) -> QuerySet[Node]:
    """Annotate units with `head_count` (active people in the subtree),
    `direct_count` (active people directly in the unit) and `has_sub_units`.

    Correlated subqueries over the tree range, so a level of the tree costs
    one query whatever the number of people below it.
    """
    people = Node.objects.filter(kind=Kind.INDIVIDUAL, is_active=True)
    return units.annotate(
        head_count=_count(
            people.filter(
                tree_id=OuterRef("tree_id"), lft__gt=OuterRef("lft"), lft__lt=OuterRef("rght")
            )
        ),
        direct_count=_count(people.filter(parent_id=OuterRef("pk"))),
        has_sub_units=Exists(
            Node.objects.filter(parent_id=OuterRef("pk")).exclude(kind=Kind.INDIVIDUAL)
        ),
    )


def head_of(unit: Node) -> Node | None:
    """The individual who heads `unit`, or None."""
    return Node.objects.filter(parent=unit, is_head=True).select_related("user").first()


def supervisor_of(node: Node) -> Node | None:
    """The person who approves `node`'s plan.

    An individual's supervisor is the head of its unit; a head's is the head
    of the unit above; a unit's plan is held by its head and approved by the
    head's supervisor. Units without a head are skipped: the nearest ancestor
    that has a head supplies the supervisor.
    """
    chain = supervisor_chain(node)
    return chain[0] if chain else None


def supervisor_chain(node: Node) -> list[Node]:
    """The supervisors of `node`, nearest first, up to the department head."""
    if node.kind == Kind.INDIVIDUAL:
        units = list(node.get_ancestors(ascending=True))
        if node.is_head:
            units = units[1:]  # a head answers to the unit above its own
    else:
        units = list(node.get_ancestors(ascending=True))
    heads = heads_by_unit(unit.pk for unit in units)
    chain = []
    for unit in units:
        head = heads.get(unit.pk)
        if head is not None and head.pk != node.pk:
            chain.append(head)
    return chain


def headed_unit_of(person: Node) -> Node | None:
    """The unit `person` heads, if any (the parent of a head)."""
    if person.kind == Kind.INDIVIDUAL and person.is_head:
        return person.parent
    return None


def _units_answering_to(unit: Node) -> tuple[set[int], set[int]]:
    """Split the units below `unit` by who answers for them.

    Returns (covered, headed): `covered` holds `unit` and the headless units
    whose nearest headed ancestor is `unit` (their people report to its head);
    `headed` holds the units with their own head whose nearest headed strict
    ancestor is `unit` (their heads report to its head).
    """
    units = list(
        unit.get_descendants(include_self=True)
        .exclude(kind=Kind.INDIVIDUAL)
        .values_list("pk", "parent_id")
    )
    has_head = set(
        Node.objects.filter(
            tree_id=unit.tree_id, lft__gt=unit.lft, lft__lt=unit.rght, is_head=True
        ).values_list("parent_id", flat=True)
    )
    covered, headed = {unit.pk}, set()
    # Units come in tree order (parents before children), so one pass works.
    for pk, parent_id in units:
        if pk == unit.pk:
            continue
        if parent_id in covered:
            (headed if pk in has_head else covered).add(pk)
    return covered, headed


def reports_of(head: Node) -> QuerySet[Node]:
    """The individuals whose supervisor is `head` (three queries, any tree size)."""
    unit = headed_unit_of(head)
    if unit is None:
        return Node.objects.none()
    covered, headed = _units_answering_to(unit)
    return (
        Node.objects.filter(kind=Kind.INDIVIDUAL, is_active=True)
        .filter(Q(parent_id__in=covered, is_head=False) | Q(parent_id__in=headed, is_head=True))
        .exclude(pk=head.pk)
        .order_by("tree_id", "lft")
    )


def units_reporting_to(head: Node) -> QuerySet[Node]:
    """Units whose own (unit-level) plan `head` approves."""
    unit = headed_unit_of(head)
    if unit is None:
        return Node.objects.none()
    covered, headed = _units_answering_to(unit)
    return Node.objects.filter(pk__in=(covered | headed) - {unit.pk}).order_by("tree_id", "lft")
