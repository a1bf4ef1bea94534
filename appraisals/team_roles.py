"""Whom a person assesses and whom they give an opinion on (bounded queries).

Shared by the assessment list (appraisals.views.assessment.team) and the home
page's to-dos. One query: the head's subtree (the whole department for HR),
walked in memory with TreeIndex.
"""

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
