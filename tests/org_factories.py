"""Departments of any size for the query-count tests, written in bulk."""

from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db.models import F, Max

from orgchart.models import Kind, Node


def add_people(unit: Node, count: int) -> None:
    """Append `count` officers to `unit` in one bulk write (nested-set fields made room for)."""
    unit.refresh_from_db()
    width = 2 * count
    Node.objects.filter(tree_id=unit.tree_id, rght__gte=unit.rght).update(rght=F("rght") + width)
    Node.objects.filter(tree_id=unit.tree_id, lft__gt=unit.rght).update(lft=F("lft") + width)
    start = unit.rght
    with Node.objects.disable_mptt_updates():
        Node.objects.bulk_create(
            Node(
                code=f"{unit.code}-X{i}",
                kind=Kind.INDIVIDUAL,
                name=f"นายเพิ่ม คนที่ {i}",
                parent_id=unit.pk,
                tree_id=unit.tree_id,
                level=unit.level + 1,
                lft=start + 2 * i,
                rght=start + 2 * i + 1,
            )
            for i in range(count)
        )


def build_department(size: int) -> SimpleNamespace:
    """A department of `size` people in one bulk write per level.

    django-mptt's rebuild() issues one UPDATE per node (about six seconds for
    5,000 people), so the nested-set fields are computed here instead; the
    rules tests compare this kind of result with rebuild().
    """
    divisions, groups = (2, 2) if size < 500 else (5, 4)
    tree_id = (Node.objects.aggregate(top=Max("tree_id"))["top"] or 0) + 1
    prefix = f"S{size}"
    levels: list[list[Node]] = [[], [], [], []]
    children: dict[int, list] = {}

    def unit(code, kind, name, parent):
        node = Node(code=code, kind=kind, name=name, tree_id=tree_id)
        add(node, parent)
        add(
            Node(
                code=f"{code}-H",
                kind=Kind.INDIVIDUAL,
                name=f"หัวหน้า {name}",
                is_head=True,
                position="หัวหน้า",
                tree_id=tree_id,
            ),
            node,
        )
        return node

    def add(node, parent):
        node.level = 0 if parent is None else parent.level + 1
        node.parent_ref = parent
        levels[node.level].append(node)
        children.setdefault(id(parent), []).append(node)

    dept = unit(prefix, Kind.DEPARTMENT, f"กรมขนาด {size}", None)
    hr = Node(
        code=f"{prefix}-HR",
        kind=Kind.INDIVIDUAL,
        name="นางสาวบุคคล ขนาดใหญ่",
        is_hr=True,
        tree_id=tree_id,
    )
    add(hr, dept)
    group_nodes = []
    for d in range(divisions):
        div = unit(f"{prefix}-D{d}", Kind.DIVISION, f"สำนักที่ {d}", dept)
        group_nodes += [
            unit(f"{prefix}-D{d}-G{g}", Kind.GROUP, f"กลุ่มงานที่ {d}.{g}", div) for g in range(groups)
        ]
    placed = sum(1 for level in levels for n in level if n.kind == Kind.INDIVIDUAL)
    for i in range(size - placed):
        add(
            Node(
                code=f"{prefix}-P{i}",
                kind=Kind.INDIVIDUAL,
                name=f"นายเจ้าหน้าที่ ลำดับ{i}",
                position="นักวิเคราะห์นโยบายและแผน",
                position_level="ปฏิบัติการ",
                tree_id=tree_id,
            ),
            group_nodes[i % len(group_nodes)],
        )

    def number(node, left):
        node.lft = left
        for child in children.get(id(node), []):
            left = number(child, left + 1)
        node.rght = left + 1
        return node.rght

    number(dept, 1)
    with Node.objects.disable_mptt_updates():
        for level in levels:
            for node in level:
                node.parent_id = node.parent_ref.pk if node.parent_ref else None
            Node.objects.bulk_create(level)
    users = get_user_model().objects
    hr.user = users.create_user(username=f"hr{size}")
    head = Node.objects.get(code=f"{prefix}-H")
    head.user = users.create_user(username=f"head{size}")
    Node.objects.filter(pk=hr.pk).update(user=hr.user)
    Node.objects.filter(pk=head.pk).update(user=head.user)
    officer = Node.objects.filter(tree_id=tree_id, code__startswith=f"{prefix}-P").last()
    return SimpleNamespace(
        dept=dept, hr=hr, head=head, group=group_nodes[-1], officer=officer, size=size
    )
