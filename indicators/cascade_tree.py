"""A KPI's cascade tree: where it came from and everything cascaded from it.

Loaded one generation at a time (one query per level of the tree, never one
per KPI), so the page costs the same whether a KPI has 3 or 300 children.

Privacy: the tree is shown to whoever may see the KPI's plan. A KPI whose
owner is outside the viewer's view (typically the supervisor's KPI above an
officer's own) is shown anonymised: its method and plan status, but no
owner, name or targets, and the tree is not followed below it. A split's
coverage still counts every split child, hidden or not: the sums reveal no
one's own target.
"""

from dataclasses import dataclass, field

from indicators.cascade import MAX_DEPTH
from indicators.models import KPI
from indicators.splits import Coverage, level_texts, show, split_coverage
from orgchart.access import roles_of


@dataclass
class TreeNode:
    kpi: KPI
    visible: bool
    depth: int = 0
    children: list["TreeNode"] = field(default_factory=list)
    coverage: list[dict] | None = None

    @property
    def method_label(self) -> str:
        return self.kpi.get_cascade_display() if self.kpi.cascade else ""

    @property
    def status_label(self) -> str:
        return self.kpi.plan.get_status_display()

    @property
    def level_texts(self) -> list[str]:
        return level_texts(self.kpi.levels)

    @property
    def weight_text(self) -> str:
        return show(self.kpi.weight)

    @property
    def split_ok(self) -> bool:
        return self.coverage is None or all(row["ok"] for row in self.coverage)

    def walk(self):
        """This node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


def coverage_row(row: Coverage) -> dict:
    """One level of a split's coverage, with its figures as text (for templates)."""
    return {
        "level": row.level,
        "ok": row.ok,
        "sum_text": show(row.sum),
        "target_text": show(row.parent_target),
        "gap_text": show(row.gap),
    }


def _query():
    return KPI.objects.select_related("plan__owner", "plan__round", "kra")


def ancestors_of(kpi: KPI, user) -> list[TreeNode]:
    """The KPIs `kpi` was cascaded from, the furthest first (one query per step up)."""
    roles = roles_of(user)
    chain: list[TreeNode] = []
    parent_id, seen = kpi.parent_id, {kpi.pk}
    while parent_id is not None and parent_id not in seen and len(chain) < MAX_DEPTH:
        parent = _query().filter(pk=parent_id).first()
        if parent is None:
            break
        seen.add(parent.pk)
        chain.append(TreeNode(parent, roles.sees(parent.plan.owner)))
        parent_id = parent.parent_id
    chain.reverse()
    return chain


def cascade_tree(kpi: KPI, user) -> TreeNode:
    """`kpi` and its descendants, for `user` (who may see `kpi`'s plan)."""
    roles = roles_of(user)
    root = TreeNode(kpi, True)
    frontier = {kpi.pk: root}
    seen = {kpi.pk}
    for depth in range(1, MAX_DEPTH + 1):
        if not frontier:
            break
        rows = _query().filter(parent_id__in=list(frontier)).exclude(pk__in=seen)
        rows = rows.order_by("plan__owner__tree_id", "plan__owner__lft", "code")
        next_frontier = {}
        for child in rows:
            seen.add(child.pk)
            node = TreeNode(child, roles.sees(child.plan.owner), depth)
            frontier[child.parent_id].children.append(node)
            if node.visible:
                next_frontier[child.pk] = node
        for parent in frontier.values():
            splits = [c.kpi.levels for c in parent.children if c.kpi.cascade == KPI.Cascade.SPLIT]
            if splits:
                rows = split_coverage(parent.kpi.scale, parent.kpi.levels, splits)
                parent.coverage = [coverage_row(row) for row in rows]
        frontier = next_frontier
    return root
