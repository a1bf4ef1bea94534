"""Nested-set numbers (tree_id, lft, rght, level) worked out in memory for an import.

Writing 20,000 nodes one by one through django-mptt costs minutes; instead the
importer computes every touched tree's numbers here and saves them with the
rows, in bulk. Trees the import does not touch are not rewritten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from orgchart.import_rules import OrgPlan


def nested_sets(plan: OrgPlan) -> dict[str, tuple[int, int, int, int]]:
    """(tree_id, lft, rght, level) of every node of the trees this import touches.

    Children keep their stored order; new nodes follow, in file order.
    That is the order `Node.objects.rebuild()` would give afterwards, so the
    numbers written equal a full rebuild's, without rewriting other trees.
    """
    moved = [row for row in plan.updated if "parent_code" in row.changed]
    roots = {plan.root_of(row.code) for row in (*plan.created, *moved)}
    old_trees = {row.stored.tree_id for row in moved}
    roots |= {plan.root_of(plan.root_by_tree[tree]) for tree in old_trees}
    old_trees |= {plan.stored[root].tree_id for root in roots if root in plan.stored}
    members = [n.code for n in plan.stored.values() if n.tree_id in old_trees]
    members += [row.code for row in plan.created]
    children: dict[str, list[str]] = defaultdict(list)
    for code in members:
        parent = plan.parent_of(code)
        if parent is not None and plan.root_of(code) in roots:
            children[parent].append(code)

    def order(code: str) -> tuple:
        node = plan.stored.get(code)
        if node is not None:
            return (0, node.tree_id, node.lft)
        return (1, plan.rows[code].number)

    next_tree = max((n.tree_id for n in plan.stored.values()), default=0) + 1
    result: dict[str, tuple[int, int, int, int]] = {}
    for root in sorted(roots, key=order):
        stored = plan.stored.get(root)
        if stored is not None and stored.parent_id is None:
            tree_id = stored.tree_id
        else:
            tree_id, next_tree = next_tree, next_tree + 1
        result.update(_number_tree(root, tree_id, children, order))
    return result


def _number_tree(root, tree_id, children, order) -> Iterable[tuple[str, tuple]]:
    """Depth-first lft/rght numbering, without recursion."""
    numbers: dict[str, list[int]] = {}
    counter = 1
    stack: list[tuple[str, int, bool]] = [(root, 0, False)]
    while stack:
        code, level, done = stack.pop()
        if done:
            numbers[code][1] = counter
            counter += 1
            continue
        numbers[code] = [counter, 0, level]
        counter += 1
        stack.append((code, level, True))
        for child in sorted(children.get(code, ()), key=order, reverse=True):
            stack.append((child, level + 1, False))
    for code, (lft, rght, level) in numbers.items():
        yield code, (tree_id, lft, rght, level)
