"""Where people stand in the tree, for many people at once (bounded queries).

`orgchart.hierarchy` answers for one node in two queries; closing a round or
listing a team needs the answer for hundreds, so `TreeIndex` loads the trees
once and applies the same rules in memory (tests compare both on every node).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from orgchart.models import Kind, Node

PATH_SEPARATOR = " > "


@dataclass(frozen=True)
class Placement:
    """An appraisal's placement as the reports show it (frozen at close)."""

    owner_code: str
    owner_name: str
    unit_code: str
    unit_name: str
    unit_path: str
    position: str
    position_level: str
    staff_type: str
    assessor_name: str
    assessor_position: str


class TreeIndex:
    """The nodes of some trees, indexed by id, with each unit's head."""

    def __init__(self, nodes: Iterable[Node]):
        self.nodes = {node.pk: node for node in nodes}
        self.heads = {
            node.parent_id: node
            for node in self.nodes.values()
            if node.is_head and node.kind == Kind.INDIVIDUAL
        }

    @classmethod
    def for_trees(cls, tree_ids: Iterable[int]) -> "TreeIndex":
        return cls(Node.objects.filter(tree_id__in=set(tree_ids)).order_by("tree_id", "lft"))

    def ancestors(self, node: Node) -> list[Node]:
        """Units above `node`, nearest first."""
        chain, parent_id = [], node.parent_id
        while parent_id is not None and parent_id in self.nodes:
            parent = self.nodes[parent_id]
            chain.append(parent)
            parent_id = parent.parent_id
        return chain

    def supervisor_chain(self, node: Node) -> list[Node]:
        """As orgchart.hierarchy.supervisor_chain, without queries."""
        units = self.ancestors(node)
        if node.kind == Kind.INDIVIDUAL and node.is_head:
            units = units[1:]
        chain = []
        for unit in units:
            head = self.heads.get(unit.pk)
            if head is not None and head.pk != node.pk:
                chain.append(head)
        return chain

    def unit_of(self, node: Node) -> Node:
        """The unit a person belongs to; a unit is its own."""
        if node.kind == Kind.INDIVIDUAL and node.parent_id in self.nodes:
            return self.nodes[node.parent_id]
        return node

    def unit_path(self, unit: Node) -> str:
        names = [ancestor.name for ancestor in reversed(self.ancestors(unit))]
        return PATH_SEPARATOR.join([*names, unit.name])

    def placement(self, owner: Node, assessor: Node | None = None) -> Placement:
        """`owner`'s placement today; `assessor` defaults to the owner's supervisor."""
        if assessor is None:
            chain = self.supervisor_chain(owner)
            assessor = chain[0] if chain else None
        unit = self.unit_of(owner)
        individual = owner.kind == Kind.INDIVIDUAL
        return Placement(
            owner_code=owner.code,
            owner_name=owner.name,
            unit_code=unit.code,
            unit_name=unit.name,
            unit_path=self.unit_path(unit),
            position=owner.position if individual else "",
            position_level=owner.position_level if individual else "",
            staff_type=owner.staff_type if individual else "",
            assessor_name=assessor.name if assessor is not None else "",
            assessor_position=assessor.position if assessor is not None else "",
        )


def placements_for(owners: Iterable[Node]) -> dict[int, Placement]:
    """{owner id: placement today} for many owners (one query for their trees)."""
    owners = list(owners)
    index = TreeIndex.for_trees(owner.tree_id for owner in owners)
    return {owner.pk: index.placement(index.nodes.get(owner.pk, owner)) for owner in owners}


def frozen_placement(appraisal) -> Placement:
    """The placement kept on a closed round's appraisal."""
    return Placement(
        owner_code=appraisal.owner_code,
        owner_name=appraisal.owner_name,
        unit_code=appraisal.unit_code,
        unit_name=appraisal.unit_name,
        unit_path=appraisal.unit_path,
        position=appraisal.position,
        position_level=appraisal.position_level,
        staff_type=appraisal.staff_type,
        assessor_name=appraisal.assessor_name,
        assessor_position=appraisal.assessor_position,
    )
