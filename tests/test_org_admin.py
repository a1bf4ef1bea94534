"""The org tree in the Django admin: it loads, keeps the tree rules and writes under the lock."""

from contextlib import contextmanager

import pytest
from django.urls import reverse

from orgchart import admin as org_admin
from orgchart.models import Node


@pytest.fixture
def lock_calls(monkeypatch) -> list[str]:
    """Record every use of the tree lock by the admin (the real lock still runs)."""
    calls: list[str] = []
    real_lock = org_admin.tree_lock

    @contextmanager
    def spy():
        calls.append("locked")
        with real_lock():
            yield

    monkeypatch.setattr(org_admin, "tree_lock", spy)
    return calls


def tree_snapshot() -> list[tuple]:
    return list(Node.objects.order_by("pk").values_list("pk", "parent_id", "lft", "rght", "level"))


def form_data(node: Node, **changes) -> dict:
    data = {
        "code": node.code,
        "name": node.name,
        "kind": node.kind,
        "parent": node.parent_id or "",
        "position": node.position,
        "position_level": node.position_level,
        "staff_type": node.staff_type,
        "email": node.email,
        "user": node.user_id or "",
        "is_active": "on",
        "_save": "Save",
    }
    if node.is_head:
        data["is_head"] = "on"
    if node.is_hr:
        data["is_hr"] = "on"
    data.update(changes)
    return data


def test_the_admin_tree_loads_for_a_superuser(agency, client_for):
    client = client_for(agency.admin)
    response = client.get(reverse("admin:orgchart_node_changelist"))
    assert response.status_code == 200
    assert "กลุ่มงานติดตาม" in response.content.decode()
    change = client.get(reverse("admin:orgchart_node_change", args=[agency.grp.pk]))
    assert change.status_code == 200


def test_the_admin_is_closed_to_officers(agency, client_for):
    response = client_for(agency.hr).get(reverse("admin:orgchart_node_changelist"))
    assert response.status_code == 302


def test_an_admin_edit_that_breaks_a_rule_shows_the_rule_and_saves_nothing(
    agency, client_for, lock_calls
):
    before = tree_snapshot()
    url = reverse("admin:orgchart_node_change", args=[agency.grp2.pk])
    response = client_for(agency.admin).post(url, form_data(agency.grp2, parent=agency.officer1.pk))
    assert response.status_code == 200
    assert "ต้นสังกัดต้องเป็นหน่วยงาน ไม่ใช่บุคคล (P-O1)" in response.content.decode()
    assert tree_snapshot() == before
    assert lock_calls == ["locked"]


def test_an_admin_move_is_saved_under_the_lock_and_keeps_the_tree_consistent(
    agency, client_for, lock_calls
):
    url = reverse("admin:orgchart_node_change", args=[agency.officer3.pk])
    response = client_for(agency.admin).post(url, form_data(agency.officer3, parent=agency.grp.pk))
    assert response.status_code == 302
    assert Node.objects.get(pk=agency.officer3.pk).parent_id == agency.grp.pk
    assert lock_calls == ["locked"]
    moved = tree_snapshot()
    Node.objects.rebuild()
    assert tree_snapshot() == moved


def drag(client, node: Node, onto: Node, position: str = "last-child"):
    return client.post(
        reverse("admin:orgchart_node_changelist"),
        {"cmd": "move_node", "cut_item": node.pk, "pasted_on": onto.pk, "position": position},
    )


def test_dragging_a_person_onto_a_person_is_refused(agency, client_for, lock_calls):
    before = tree_snapshot()
    response = drag(client_for(agency.admin), agency.officer2, agency.officer1)
    assert response.content == b"FAIL, invalid move."
    assert tree_snapshot() == before
    assert lock_calls == ["locked"]


def test_dragging_a_group_beside_a_department_is_refused(agency, client_for):
    before = tree_snapshot()
    response = drag(client_for(agency.admin), agency.grp2, agency.other, position="right")
    assert response.content == b"FAIL, invalid move."
    assert tree_snapshot() == before


def test_dragging_a_person_into_another_group_moves_them(agency, client_for, lock_calls):
    response = drag(client_for(agency.admin), agency.officer2, agency.grp2)
    assert response.content == b"OK, moved."
    assert Node.objects.get(pk=agency.officer2.pk).parent_id == agency.grp2.pk
    assert lock_calls == ["locked"]
    moved = tree_snapshot()
    Node.objects.rebuild()
    assert tree_snapshot() == moved
