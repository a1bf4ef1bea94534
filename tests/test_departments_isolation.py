"""Several departments on one deployment: HR of one never sees or changes another's.

Department A (DEPT, HR `hr`) and department B (OTHER, HR `hr_other`), each
with a plan under way (tests.factories_departments). Every page, export,
import and API endpoint about B's objects answers HR of A with 404 (and the
other way round), lists show only the caller's department, and imports that
name the other department's codes are refused with nothing written. What
closing and reopening a round does per department is in
tests/test_department_close.py.
"""

import datetime

import pytest
from django.urls import reverse

from appraisals.importer import results_import, results_read
from appraisals.models import Result
from indicators.importer import kpis_import, kpis_read
from indicators.models import KPI, Plan
from monitoring.importer import checkins_import, checkins_read
from monitoring.models import CheckIn
from orgchart.importer import org_import, org_read
from orgchart.models import Node
from salaries.importer import salaries_import, salaries_read
from salaries.models import SalaryRecord
from tests.api_helpers import api_for
from tests.factories_departments import rows_of, two_departments
from tests.factories_plans import make_round

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def world(agency, the_round):
    return two_departments(agency, the_round)


def pages_of(side, the_round) -> list[tuple[str, dict, dict]]:
    """(URL name, its kwargs, its query) of the pages about one department's objects."""
    plan, kpi = side.plan, side.kpi
    return [
        ("indicators:plan", {"pk": plan.pk}, {}),
        ("indicators:plan_history", {"pk": plan.pk}, {}),
        ("indicators:cascade_tree", {"pk": kpi.pk}, {}),
        ("orgchart:unit", {"pk": side.group.pk}, {}),
        ("orgchart:tree_children", {"pk": side.division.pk}, {}),
        ("orgchart:person", {"pk": side.officer.pk}, {}),
        ("appraisals:results", {"pk": plan.pk}, {}),
        ("appraisals:assess", {"pk": plan.pk}, {}),
        ("appraisals:form", {"pk": plan.pk}, {}),
        ("appraisals:export_form", {"pk": plan.pk}, {}),
        ("appraisals:summary_form", {"pk": plan.pk}, {}),
        ("appraisals:development", {"pk": plan.pk}, {}),
        ("appraisals:report_download", {}, {"round": the_round.pk, "unit": side.group.code}),
        ("appraisals:dashboard", {}, {"round": the_round.pk, "unit": side.group.code}),
        ("monitoring:kpi", {"pk": kpi.pk}, {}),
        ("monitoring:watch_children", {"pk": side.division.pk}, {"round": the_round.pk}),
        ("salaries:list", {"pk": side.raise_list.pk}, {}),
        ("salaries:export", {"pk": side.raise_list.pk}, {}),
        ("salaries:open", {"round_pk": the_round.pk, "department_pk": side.dept.pk}, {}),
    ]


@pytest.mark.parametrize("direction", ["a_on_b", "b_on_a"])
def test_hr_of_one_department_gets_404_on_every_page_of_another(world, client_for, direction):
    me, them = (world.a, world.b) if direction == "a_on_b" else (world.b, world.a)
    client = client_for(me.hr)
    for name, kwargs, query in pages_of(them, world.round):
        response = client.get(reverse(name, kwargs=kwargs), query)
        assert response.status_code == 404, (name, response.status_code)
    # ... while the same pages of their own department answer.
    for name, kwargs, query in pages_of(me, world.round):
        response = client.get(reverse(name, kwargs=kwargs), query)
        assert response.status_code in (200, 302), (name, response.status_code)


def test_hr_of_one_department_changes_nothing_of_another_through_a_post(world, client_for):
    before = rows_of(world.b.dept)
    client = client_for(world.a.hr)
    b = world.b
    posts = [
        ("indicators:plan_reopen", {"pk": b.plan.pk}, {"version": b.plan.version, "reason": "x"}),
        ("appraisals:assess", {"pk": b.plan.pk}, {}),
        ("monitoring:checkin_record", {"pk": b.kpi.pk}, {"date": "2025-10-01", "value": "5"}),
        ("salaries:close", {"pk": b.raise_list.pk}, {}),
        ("salaries:refresh", {"pk": b.raise_list.pk}, {}),
    ]
    for name, kwargs, data in posts:
        assert client.post(reverse(name, kwargs=kwargs), data).status_code == 404, name
    assert rows_of(world.b.dept) == before


def test_lists_and_reports_of_hr_show_their_own_department_only(world, client_for):
    client = client_for(world.a.hr)
    pages = [
        reverse("orgchart:tree"),
        reverse("appraisals:team"),
        reverse("appraisals:reports"),
        reverse("appraisals:dashboard") + f"?round={world.round.pk}",
        reverse("monitoring:watch") + f"?round={world.round.pk}",
        reverse("salaries:index"),
    ]
    for url in pages:
        text = client.get(url).content.decode()
        assert "X-GRP" not in text and "กลุ่มงานของกรมอื่น" not in text, url
        assert world.b.officer.name not in text, url


def test_an_api_token_of_hr_sees_and_changes_nothing_of_another_department(world):
    api = api_for(world.a.hr)
    b = world.b
    for url in [
        f"/api/v1/nodes/{b.group.pk}/",
        f"/api/v1/plans/{b.plan.pk}/",
        f"/api/v1/results/{b.kpi.pk}/",
        f"/api/v1/appraisals/{b.appraisal.pk}/",
        f"/api/v1/kpis/{b.kpi.pk}/result/",
        f"/api/v1/kpis/{b.kpi.pk}/checkins/",
    ]:
        assert api.get(url).status_code == 404, url
    assert api.get("/api/v1/plans/", {"unit": b.group.code}).status_code == 404
    listed = api.get("/api/v1/plans/", {"round": world.round.code}).json()["results"]
    assert [plan["id"] for plan in listed] == [world.a.plan.pk]
    before = rows_of(b.dept)
    assert api.put(f"/api/v1/kpis/{b.kpi.pk}/result/", {"actual": "90"}).status_code == 404
    body = {"date": "2025-10-01", "value": "5"}
    assert api.post(f"/api/v1/kpis/{b.kpi.pk}/checkins/", body).status_code == 404
    assert rows_of(b.dept) == before


def csv(header: list[str], rows: list[list]) -> bytes:
    lines = [",".join(header), *(",".join(str(v) for v in row) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


def test_imports_of_hr_refuse_rows_naming_another_departments_codes(world, agency):
    by = world.a.hr.user
    b = world.b
    before = rows_of(b.dept), Node.objects.filter(tree_id=b.dept.tree_id).count()

    results = csv(["kpi_code", "actual"], [[world.a.kpi.code, 80], [b.kpi.code, 90]])
    report = results_import(
        table=results_read(results, filename="r.csv"), round=world.round, by=by, dry_run=False
    )
    assert not report.ok and [e.row for e in report.errors] == [3]

    checkins = csv(["kpi_code", "date", "value"], [[b.kpi.code, "2025-10-01", 5]])
    report = checkins_import(
        table=checkins_read(checkins, filename="c.csv"), round=world.round, by=by, dry_run=False
    )
    assert not report.ok

    org = csv(["code", "parent_code", "kind", "name"], [["X-O9", "X-GRP", "บุคคล", "นายแทรก"]])
    report = org_import(table=org_read(org, filename="o.csv"), by=by)
    assert not report.ok

    salaries = csv(["code", "salary"], [["P-O1", 20000], ["X-O2", 21000]])
    report = salaries_import(
        table=salaries_read(salaries, filename="s.csv"), round=world.round, by=by
    )
    assert report.errors

    planning = make_round(2569, 2)
    header = ["owner_code", "job", "kra", "kpi_code", "kpi", "unit", "scale"]
    header += ["level_1", "level_2", "level_3", "level_4", "level_5", "weight"]
    row = ["X-O2", "งานประจำ", "ผลสัมฤทธิ์", "X-NEW", "ตัวชี้วัดแทรก", "ร้อยละ", "มากดี"]
    report = kpis_import(
        table=kpis_read(csv(header, [[*row, 10, 20, 30, 40, 50, 100]]), filename="k.csv"),
        round=planning,
        by=by,
        dry_run=False,
    )
    assert not report.ok
    assert not KPI.objects.filter(code="X-NEW").exists()
    assert not Plan.objects.filter(round=planning).exists()
    assert (rows_of(b.dept), Node.objects.filter(tree_id=b.dept.tree_id).count()) == before
    assert not SalaryRecord.objects.filter(person=b.officer).exists()
    assert not Result.objects.filter(kpi=b.kpi, actual=90).exists()
    assert not CheckIn.objects.filter(kpi=b.kpi, date=datetime.date(2025, 10, 1)).exists()
