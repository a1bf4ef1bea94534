"""`manage.py seed_demo`: a believable agency, its logins and round 2569/1, idempotently."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from appraisals.models import Appraisal, ScoringPolicy
from indicators.models import KPI, HistoryEntry, Plan, Round
from orgchart.access import roles_of
from orgchart.demo import DEMO_PASSWORD
from orgchart.hierarchy import supervisor_of
from orgchart.models import Kind, Node


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def seed(*, history: bool = False) -> str:
    """The command's output. Most tests skip the past round (about a second each)."""
    out = StringIO()
    call_command("seed_demo", *([] if history else ["--no-history"]), stdout=out)
    return out.getvalue()


def logins_table(output: str) -> str:
    return output[output.index("demo1234") :]


def counts() -> dict[str, int]:
    return {
        "nodes": Node.objects.count(),
        "users": get_user_model().objects.count(),
        "rounds": Round.objects.count(),
        "policies": ScoringPolicy.objects.count(),
    }


def test_seed_builds_a_department_with_divisions_groups_and_about_40_officers(db, debug):
    seed()
    dept = Node.objects.get(code="DEMO")
    assert dept.kind == Kind.DEPARTMENT and dept.parent is None
    tree = Node.objects.filter(tree_id=dept.tree_id)
    assert tree.filter(kind=Kind.DIVISION).count() >= 3
    assert tree.filter(kind=Kind.GROUP).count() >= 6
    people = tree.filter(kind=Kind.INDIVIDUAL)
    assert 35 <= people.filter(is_head=False).count() <= 45
    assert people.filter(is_hr=True).count() == 1
    for unit in tree.exclude(kind=Kind.INDIVIDUAL):
        assert people.filter(parent=unit, is_head=True).count() == 1, unit
    assert people.filter(position_level="ชำนาญการพิเศษ").exists()
    assert people.filter(position="นักวิชาการคอมพิวเตอร์").exists()
    assert people.filter(user=None).count() == 0
    fields = ("pk", "parent_id", "tree_id", "lft", "rght", "level")
    written = list(Node.objects.order_by("pk").values_list(*fields))
    Node.objects.rebuild()
    assert list(Node.objects.order_by("pk").values_list(*fields)) == written


def test_seed_twice_changes_nothing_and_prints_the_same_logins(db, debug):
    first = seed()
    after_first = counts()
    nodes = list(Node.objects.order_by("pk").values())
    second = seed()
    assert counts() == after_first
    assert list(Node.objects.order_by("pk").values()) == nodes
    assert logins_table(first) == logins_table(second)
    assert "สร้างใหม่ 0 ปรับปรุง 0" in second


def test_seed_prints_a_table_of_logins(db, debug):
    output = seed()
    assert "รหัสผ่านทุกบัญชี: demo1234" in output
    for username in ("admin", "hr", "director", "div1", "grp1", "officer1", "officer39"):
        assert f"\n{username} " in output, username
    assert "นายวิชัย ธนากร" in output
    assert "กรมส่งเสริมการพัฒนา" in output


def signs_in(client, username: str, password: str = DEMO_PASSWORD) -> bool:
    """Sign in through the login page, as a person would."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    client.logout()
    return response.status_code == 302 and response["Location"] == reverse("home")


def test_demo_logins_work_with_the_documented_password(db, debug, client):
    seed()
    for username in ("admin", "director", "hr", "div1", "grp1", "officer1"):
        assert signs_in(client, username), username
    assert get_user_model().objects.get(username="admin").is_superuser


def test_demo_roles_see_what_their_role_allows(db, debug, client):
    seed()
    user = get_user_model().objects.get
    assert roles_of(user(username="director")).headed_unit.code == "DEMO"
    assert roles_of(user(username="hr")).is_hr
    assert roles_of(user(username="officer1")).names == {"officer"}
    client.force_login(user(username="div2"))
    text = client.get(reverse("orgchart:tree")).content.decode()
    assert "กองยุทธศาสตร์และแผนงาน" in text


def test_seed_opens_round_2569_1_with_its_scoring_policy(db, debug):
    output = seed()
    the_round = Round.objects.get(fiscal_year=2569, number=1)
    assert the_round.status == Round.Status.PLANNING
    assert (the_round.start.isoformat(), the_round.end.isoformat()) == ("2025-10-01", "2026-03-31")
    assert ScoringPolicy.objects.filter(round=the_round).exists()
    assert "รอบการประเมิน 2569/1" in output


def test_seed_leaves_an_existing_round_alone(db, debug):
    start, end = Round.default_dates(2569, 1)
    Round.objects.create(fiscal_year=2569, number=1, start=start, end=end, status="tracking")
    seed()
    assert Round.objects.get(fiscal_year=2569, number=1).status == Round.Status.TRACKING


def test_seed_repairs_demo_data_changed_since(db, debug, client):
    seed()
    officer = Node.objects.get(user__username="officer1")
    officer.position = "ตำแหน่งอื่น"
    officer.save()
    user = officer.user
    user.set_password("changed-1234")
    user.save()
    output = seed()
    assert "ปรับปรุง 1" in output
    assert Node.objects.get(pk=officer.pk).position == "นักจัดการงานทั่วไป"
    assert signs_in(client, "officer1")


def test_seed_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", stdout=StringIO())
    assert not Node.objects.exists()
    call_command("seed_demo", "--force", stdout=StringIO())
    assert Node.objects.filter(code="DEMO").exists()


def test_seed_builds_a_closed_past_round_and_a_current_round_under_way(db, debug):
    output = seed(history=True)

    past = Round.objects.get(fiscal_year=2568, number=2)
    assert past.status == Round.Status.CLOSED
    appraisals = Appraisal.objects.filter(plan__round=past)
    people = Node.objects.filter(
        kind=Kind.INDIVIDUAL, tree_id=Node.objects.get(code="DEMO").tree_id
    )
    assert appraisals.count() == people.count() == 57
    assert not appraisals.filter(frozen_at=None).exists()
    assert not appraisals.filter(band="").exists()
    assert len(set(appraisals.values_list("band", flat=True))) >= 3  # a believable spread
    current = Plan.objects.filter(round__fiscal_year=2569, round__number=1)
    assert current.count() == 57 and KPI.objects.filter(plan__in=current).count() == 57 * 3
    sent = current.filter(status=Plan.Status.SUBMITTED).select_related("owner")
    assert sent.count() == 3
    assert {supervisor_of(plan.owner).user.username for plan in sent} == {"grp1"}
    assert "ส่งขออนุมัติแล้ว 3 แผน" in output


def test_seed_with_its_history_twice_changes_nothing(db, debug):
    seed(history=True)
    before = (Plan.objects.count(), KPI.objects.count(), HistoryEntry.objects.count())
    second = seed(history=True)
    assert (Plan.objects.count(), KPI.objects.count(), HistoryEntry.objects.count()) == before
    assert "2568/2" not in second
