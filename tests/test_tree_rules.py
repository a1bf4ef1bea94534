"""The tree rules of DOMAIN.md, enforced by orgchart.services (node_save, node_move)."""

import pytest
from django.core.exceptions import ValidationError

from orgchart.models import Kind, Node
from orgchart.services import node_move, node_save


def tree_snapshot() -> list[tuple]:
    return list(
        Node.objects.order_by("pk").values_list(
            "pk", "parent_id", "tree_id", "lft", "rght", "level"
        )
    )


def refused(service, **kwargs) -> list[str]:
    """Call a tree service that must refuse; return the messages the user would see."""
    with pytest.raises(ValidationError) as caught:
        service(**kwargs)
    return caught.value.messages


def test_a_unit_cannot_hang_under_a_person(agency):
    before = tree_snapshot()
    group = Node(code="G-NEW", kind=Kind.GROUP, name="กลุ่มใหม่", parent=agency.officer1)
    assert refused(node_save, node=group) == ["ต้นสังกัดต้องเป็นหน่วยงาน ไม่ใช่บุคคล (P-O1)"]
    assert not Node.objects.filter(code="G-NEW").exists()
    assert tree_snapshot() == before


def test_a_person_cannot_hang_under_a_person(agency):
    person = Node(code="P-NEW", kind=Kind.INDIVIDUAL, name="นายใหม่", parent=agency.officer1)
    assert refused(node_save, node=person) == ["ต้นสังกัดต้องเป็นหน่วยงาน ไม่ใช่บุคคล (P-O1)"]
    assert not Node.objects.filter(code="P-NEW").exists()


def test_moving_a_person_under_another_person_is_refused(agency):
    before = tree_snapshot()
    messages = refused(node_move, node=agency.officer2, parent=agency.officer1)
    assert messages == ["ต้นสังกัดต้องเป็นหน่วยงาน ไม่ใช่บุคคล (P-O1)"]
    assert Node.objects.get(pk=agency.officer2.pk).parent_id == agency.grp.pk
    assert tree_snapshot() == before


def test_a_unit_with_people_cannot_become_a_person(agency):
    group = Node.objects.get(pk=agency.grp.pk)
    group.kind = Kind.INDIVIDUAL
    assert "บุคคลต้องไม่มีหน่วยงานหรือบุคคลในสังกัด" in refused(node_save, node=group)
    assert Node.objects.get(pk=agency.grp.pk).kind == Kind.GROUP


def test_a_unit_has_at_most_one_head(agency):
    second = Node(
        code="P-H2", kind=Kind.INDIVIDUAL, name="นายหัวหน้าซ้อน", parent=agency.grp, is_head=True
    )
    assert refused(node_save, node=second) == ["กลุ่มงานติดตาม มีหัวหน้าแล้ว (นางหัวหน้า กลุ่ม)"]
    assert not Node.objects.filter(code="P-H2").exists()


def test_promoting_a_second_head_in_place_is_refused(agency):
    officer = Node.objects.get(pk=agency.officer1.pk)
    officer.is_head = True
    assert refused(node_save, node=officer) == ["กลุ่มงานติดตาม มีหัวหน้าแล้ว (นางหัวหน้า กลุ่ม)"]
    assert not Node.objects.get(pk=agency.officer1.pk).is_head


def test_moving_a_head_into_a_unit_that_has_one_is_refused(agency):
    head = Node.objects.get(pk=agency.sibling_head.pk)
    messages = refused(node_move, node=head, parent=agency.grp)
    assert messages == ["กลุ่มงานติดตาม มีหัวหน้าแล้ว (นางหัวหน้า กลุ่ม)"]
    assert Node.objects.get(pk=agency.sibling_head.pk).parent_id == agency.grp2.pk


def test_a_division_cannot_move_under_its_own_group(agency):
    before = tree_snapshot()
    division = Node.objects.get(pk=agency.div.pk)
    messages = refused(node_move, node=division, parent=agency.grp)
    assert "ไม่สามารถย้ายหน่วยงานไปอยู่ใต้ตัวเองหรือหน่วยงานย่อยของตัวเองได้" in messages
    assert tree_snapshot() == before


def test_a_unit_cannot_be_its_own_parent(agency):
    group = Node.objects.get(pk=agency.grp.pk)
    messages = refused(node_move, node=group, parent=group)
    assert "ไม่สามารถย้ายหน่วยงานไปอยู่ใต้ตัวเองหรือหน่วยงานย่อยของตัวเองได้" in messages


def test_only_a_department_may_be_a_root(agency):
    division = Node(code="DIV-ROOT", kind=Kind.DIVISION, name="สำนักลอย")
    assert refused(node_save, node=division) == ["มีเพียงกรม/ส่วนราชการเท่านั้นที่ไม่มีต้นสังกัด"]
    assert not Node.objects.filter(code="DIV-ROOT").exists()


def test_moving_a_group_out_to_the_top_is_refused(agency):
    before = tree_snapshot()
    messages = refused(node_move, node=Node.objects.get(pk=agency.grp.pk), parent=None)
    assert messages == ["มีเพียงกรม/ส่วนราชการเท่านั้นที่ไม่มีต้นสังกัด"]
    assert tree_snapshot() == before


def test_a_division_cannot_hang_under_a_group(agency):
    division = Node(code="DIV-LOW", kind=Kind.DIVISION, name="สำนักล่าง", parent=agency.grp)
    assert refused(node_save, node=division) == ["สำนัก/กอง ต้องอยู่ใต้หน่วยงานที่สูงกว่า ไม่ใช่กลุ่มงาน/ฝ่าย"]
    assert not Node.objects.filter(code="DIV-LOW").exists()


def test_a_department_cannot_hang_under_another(agency):
    other = Node.objects.get(pk=agency.other.pk)
    messages = refused(node_move, node=other, parent=agency.dept)
    assert messages == ["กรม/ส่วนราชการ ต้องอยู่ใต้หน่วยงานที่สูงกว่า ไม่ใช่กรม/ส่วนราชการ"]


def test_a_division_with_groups_cannot_become_a_group(agency):
    division = Node.objects.get(pk=agency.div.pk)
    division.kind = Kind.GROUP
    messages = refused(node_save, node=division)
    assert "กลุ่มงานติดตาม เป็นกลุ่มงาน/ฝ่าย จึงอยู่ใต้กลุ่มงาน/ฝ่ายไม่ได้" in messages
    assert Node.objects.get(pk=agency.div.pk).kind == Kind.DIVISION


def test_a_unit_cannot_head_or_be_hr(agency):
    group = Node(
        code="G-X", kind=Kind.GROUP, name="กลุ่ม", parent=agency.div, is_head=True, is_hr=True
    )
    messages = refused(node_save, node=group)
    assert "หัวหน้าต้องเป็นบุคคล" in messages
    assert "เจ้าหน้าที่บุคคลต้องเป็นบุคคล" in messages


def test_a_parent_that_no_longer_exists_is_a_clear_refusal(agency):
    person = Node(code="P-LOST", kind=Kind.INDIVIDUAL, name="นายหลง", parent_id=999_999)
    assert refused(node_save, node=person) == ["ไม่พบหน่วยงานต้นสังกัด"]


def test_a_legal_move_keeps_the_tree_consistent(agency):
    node_move(node=Node.objects.get(pk=agency.grp2.pk), parent=agency.dept)
    node_move(node=Node.objects.get(pk=agency.officer1.pk), parent=agency.grp2)
    moved = tree_snapshot()
    Node.objects.rebuild()
    assert tree_snapshot() == moved
    grp2 = Node.objects.get(pk=agency.grp2.pk)
    assert grp2.parent_id == agency.dept.pk
    assert grp2.level == 1
    people = set(grp2.get_descendants().values_list("code", flat=True))
    assert people == {"P-SH", "P-O3", "P-O1"}


def test_a_move_from_a_stale_copy_follows_where_the_node_is_now(agency):
    stale = Node.objects.get(pk=agency.officer3.pk)  # loaded while it is in GRP2
    node_move(node=Node.objects.get(pk=agency.officer3.pk), parent=agency.grp)
    stale.parent = agency.grp2  # back where the stale copy thinks it already is
    node_save(node=stale)
    moved = tree_snapshot()
    Node.objects.rebuild()
    assert tree_snapshot() == moved
    assert Node.objects.get(pk=agency.officer3.pk).parent_id == agency.grp2.pk


def test_moving_a_person_to_another_department_keeps_both_trees_consistent(agency):
    node_move(node=Node.objects.get(pk=agency.officer2.pk), parent=agency.other)
    moved = tree_snapshot()
    Node.objects.rebuild()
    assert tree_snapshot() == moved
    assert Node.objects.get(pk=agency.officer2.pk).tree_id == agency.other.tree_id
