"""Whom a person assesses and whom they give an opinion on (bounded queries).

team_roles (the assessment list, appraisals.views.assessment.team): one query,
the head's subtree (the whole department for HR), walked in memory with
TreeIndex. team_owner_q (the home page's to-dos): the same rules over the
units only, as Q objects, for heads of big subtrees.
"""

from django.db.models import Q

from appraisals.placement import TreeIndex
from orgchart.access import Roles
from orgchart.models import Kind, Node


def team_roles(roles: Roles) -> tuple[set[int], set[int]]:
    """(assess_ids, review_ids): owners `roles`' person assesses, and reviews as next level.

    A head assesses the people and units whose nearest supervisor they are,
    and reviews those one supervisor further down; HR assesses the people
    with no supervisor in the tree (recorded outside it).
    """
    me, unit = roles.node, roles.headed_unit
    assess_ids, review_ids = set(), set()
    if me is None or (unit is None and not roles.is_hr):
        return assess_ids, review_ids
    nodes = Node.objects.filter(tree_id=me.tree_id)
    if not roles.is_hr:
        # Chains are walked up to the head's own unit: nothing above it matters here.
        nodes = nodes.filter(lft__gte=unit.lft, lft__lte=unit.rght)
    index = TreeIndex(nodes)
    for node in index.nodes.values():
        led = unit is not None and unit.lft <= node.lft <= unit.rght
        hr_may = roles.is_hr and node.kind == Kind.INDIVIDUAL
        if node.pk == me.pk or not (led or hr_may):
            continue
        chain = index.supervisor_chain(node)
        if led and chain and chain[0].pk == me.pk:
            assess_ids.add(node.pk)
        elif led and len(chain) > 1 and chain[1].pk == me.pk:
            review_ids.add(node.pk)
        elif hr_may and not chain:
            assess_ids.add(node.pk)
    return assess_ids, review_ids


def team_owner_q(roles: Roles) -> tuple[Q, Q]:
    """(assess, review): Q objects over Plan.owner for a head's team, as team_roles answers.

    The same rules walked over the units only (a department has some hundred
    units for twenty thousand people): two queries, then SQL does the rest.
    For the home page of a department head, where loading every person of
    the department into memory would take a second and more.
    """
    me, unit = roles.node, roles.headed_unit
    nothing = Q(pk__in=[])
    if me is None or unit is None:
        return nothing, nothing
    units = list(
        Node.objects.filter(tree_id=unit.tree_id, lft__gte=unit.lft, lft__lte=unit.rght)
        .exclude(kind=Kind.INDIVIDUAL)
        .order_by("lft")
        .values_list("pk", "parent_id")
    )
    headed = set(
        Node.objects.filter(
            tree_id=unit.tree_id, lft__gt=unit.lft, lft__lt=unit.rght, is_head=True,
            kind=Kind.INDIVIDUAL,
        ).values_list("parent_id", flat=True)
    )  # fmt: skip
    headed.add(unit.pk)
    # above[x]: the nearest strict ancestor with a head; boss[x]: the same, or x itself.
    above: dict[int, int | None] = {}
    boss: dict[int, int | None] = {}
    for pk, parent_id in units:  # parents come before their children (tree order)
        above[pk] = None if pk == unit.pk else boss.get(parent_id)
        boss[pk] = pk if pk in headed else above[pk]

    def owners(supervised_by) -> Q:
        """Plans whose owner's nearest supervisor heads a unit that `supervised_by` accepts."""
        people = [pk for pk in boss if supervised_by(boss[pk])]
        heads = [pk for pk in above if pk != unit.pk and supervised_by(above[pk])]
        return (
            Q(owner__kind=Kind.INDIVIDUAL, owner__is_head=False, owner__parent_id__in=people)
            | Q(owner__kind=Kind.INDIVIDUAL, owner__is_head=True, owner__parent_id__in=heads)
            | Q(owner_id__in=heads)
        ) & ~Q(owner_id=me.pk)

    def reviews(boss_unit) -> bool:
        return boss_unit is not None and boss_unit != unit.pk and above.get(boss_unit) == unit.pk

    return owners(lambda b: b == unit.pk), owners(reviews)
