"""A ministry on one deployment: every day's page costs the same queries whatever its size.

One department of 40 people first, then two more departments of 120 people
and the first department grown by 80: the number of queries of each page, for
HR of the first department, its group head and an administrator of the whole
ministry, must not change (issue 13; the times are in bench/ministry.py).
"""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.generate import build_in_db, make_agency
from bench.plans import bulk_plans
from indicators.models import Plan, Round
from indicators.rounds import round_save
from orgchart.models import Kind, Node

HTMX = {"HTTP_HX_REQUEST": "true"}


def _department(prefix: str, people: int, seed: int):
    agency = make_agency(
        people=people, divisions=2, groups_per_division=2, seed=seed, prefix=prefix
    )
    build_in_db(agency)
    return agency


@pytest.fixture
def ministry(db):
    """The first department and the round; `grow()` adds the rest of the ministry."""
    the_round, _created = round_save(code="2570/1")
    first = _department("MA", 40, 1)
    bulk_plans(first, the_round, results=True)
    round_save(code="2570/1", status=Round.Status.TRACKING)
    the_round.refresh_from_db()

    def grow():
        for index, prefix in enumerate(("MB", "MC"), start=2):
            bulk_plans(_department(prefix, 120, index), the_round, results=True)
        # The first department grows too: 80 more people in its largest group.
        bigger = make_agency(people=120, divisions=2, groups_per_division=2, seed=1, prefix="MA")
        build_in_db(bigger)
        new_owners = Node.objects.filter(
            tree_id=Node.objects.get(code="MA-D").tree_id, kind=Kind.INDIVIDUAL, plans=None
        )
        assert new_owners.exists()
        Plan.objects.bulk_create(
            Plan(owner=owner, round=the_round, status=Plan.Status.APPROVED) for owner in new_owners
        )

    return the_round, first, grow


def _pages(first):
    """(who, label, url, headers) for HR of the first department, its head, an admin."""
    hr = Node.objects.get(code=first.hr["code"])
    department = Node.objects.get(code=first.department["code"])
    group = Node.objects.filter(tree_id=department.tree_id, kind=Kind.GROUP).order_by("lft")[0]
    head = Node.objects.get(parent=group, is_head=True)
    plan = Plan.objects.filter(owner__parent=group, owner__is_head=False).order_by("pk")[0]
    admin = get_user_model().objects.create_superuser("ministry-admin")
    everyday = [
        ("dashboard", "/appraisal/dashboard/", {}),
        ("tree", "/org/", {}),
        ("monitoring", "/monitoring/", {}),
        ("home", "/", {}),
    ]
    return [
        *[("hr", hr.user, label, url, extra) for label, url, extra in everyday],
        ("hr", hr.user, "tree children", f"/org/tree/{department.pk}/children/", HTMX),
        ("hr", hr.user, "unit", f"/org/unit/{group.pk}/", {}),
        ("hr", hr.user, "plan", f"/kpi/plan/{plan.pk}/", {}),
        ("hr", hr.user, "results", f"/appraisal/plan/{plan.pk}/", {}),
        ("hr", hr.user, "monitoring below", f"/monitoring/units/{department.pk}/", HTMX),
        ("hr", hr.user, "reports", "/appraisal/reports/", {}),
        ("head", head.user, "team plans", "/kpi/team/", {}),
        ("head", head.user, "team results", "/appraisal/team/", {}),
        ("head", head.user, "plan", f"/kpi/plan/{plan.pk}/", {}),
        *[("admin", admin, label, url, extra) for label, url, extra in everyday],
    ]


def _count(client, url, extra) -> int:
    client.get(url, **extra)  # warm caches (sessions, the round list) as a second visit would
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def test_every_page_costs_the_same_queries_at_two_sizes(
    ministry, client, django_assert_num_queries
):
    _round, first, grow = ministry
    pages = _pages(first)
    small = {}
    for who, user, label, url, extra in pages:
        client.force_login(user)
        small[(who, label)] = _count(client, url, extra)
    grow()
    assert Node.objects.filter(kind=Kind.INDIVIDUAL).count() == 360
    assert Node.objects.filter(parent__isnull=True).count() == 3
    for who, user, label, url, extra in pages:
        client.force_login(user)
        client.get(url, **extra)
        with django_assert_num_queries(small[(who, label)]):
            response = client.get(url, **extra)
        assert response.status_code == 200, (who, label)


def test_hr_of_one_department_sees_only_its_own_people(ministry, client):
    _round, first, grow = ministry
    grow()
    hr = Node.objects.get(code=first.hr["code"])
    client.force_login(hr.user)
    tree = client.get("/org/").content.decode()
    assert "MA-D" in tree or first.department["name"] in tree
    assert "กรมทดสอบสมรรถนะ MB" not in tree
    other = Node.objects.get(code="MB-D")
    assert client.get(f"/org/tree/{other.pk}/children/", **HTMX).status_code == 404
    assert client.get(f"/org/unit/{other.pk}/").status_code == 404
    plan = Plan.objects.filter(owner__tree_id=other.tree_id).first()
    assert client.get(f"/kpi/plan/{plan.pk}/").status_code == 404
    assert client.get(f"/appraisal/plan/{plan.pk}/").status_code == 404


def test_the_administrators_monitoring_page_opens_departments_on_demand(ministry, client):
    _round, first, grow = ministry
    grow()
    admin = get_user_model().objects.create_superuser("ministry-admin")
    client.force_login(admin)
    page = client.get("/monitoring/").content.decode()
    departments = Node.objects.filter(parent__isnull=True).order_by("tree_id")
    for department in departments:
        assert department.name in page
        assert f"/monitoring/units/{department.pk}/" in page  # its toggle loads the level below
    division = Node.objects.filter(kind=Kind.DIVISION, tree_id=departments[0].tree_id)[0]
    assert f'data-unit="{division.code}"' not in page
    # HR of one department still sees its first level open.
    client.force_login(Node.objects.get(code=first.hr["code"]).user)
    assert f'data-unit="{division.code}"' in client.get("/monitoring/").content.decode()
