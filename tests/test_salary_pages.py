"""Raise-list pages: salaries only for HR of the department and admins (404 for all others),
every view logged, refused steps save nothing, bounded queries."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from salaries.models import SalaryRecord, SalaryViewLog
from tests.factories_salaries import salary_world

pytestmark = pytest.mark.django_db

OUTSIDERS = (
    "officer1",
    "officer2",
    "grp_head",
    "div_head",
    "dept_head",
    "sibling_head",
    "hr_other",
)


@pytest.fixture
def world(agency):
    return salary_world(agency)


def _urls(world):
    record = world.records["P-O1"]
    return {
        "list": reverse("salaries:list", kwargs={"pk": world.list.pk}),
        "export": reverse("salaries:export", kwargs={"pk": world.list.pk}),
        "preview": reverse("salaries:preview", kwargs={"pk": record.pk}) + "?percent=4",
        "policy": reverse("salaries:policy", kwargs={"pk": world.list.pk}),
        "open": reverse(
            "salaries:open",
            kwargs={"round_pk": world.round.pk, "department_pk": world.list.department_id},
        ),
    }


@pytest.mark.parametrize("who", OUTSIDERS)
def test_salaries_answer_404_to_everyone_but_hr_and_admins(world, agency, client_for, who):
    client = client_for(getattr(agency, who))
    for name, url in _urls(world).items():
        assert client.get(url).status_code == 404, name
    record = world.records["P-O1"]
    response = client.post(reverse("salaries:propose", kwargs={"pk": record.pk}), {"percent": "4"})
    assert response.status_code == 404
    # HR of another department have a salaries page of their own (their department only).
    index = client.get(reverse("salaries:index"))
    assert index.status_code == (200 if who == "hr_other" else 404)
    assert "กรมทดสอบ" not in index.content.decode()
    assert SalaryRecord.objects.get(pk=record.pk).percent == 5
    assert not SalaryViewLog.objects.exists()


@pytest.mark.parametrize("who", ["hr", "admin"])
def test_hr_of_the_department_and_admins_see_salaries_and_each_view_is_logged(
    world, agency, client_for, who
):
    user = agency.admin if who == "admin" else agency.hr.user
    client = client_for(user)
    urls = _urls(world)
    page = client.get(urls["list"])
    assert page.status_code == 200
    assert "58,000.00" in page.content.decode()
    log = SalaryViewLog.objects.get()
    assert (log.user, log.kind, log.count) == (user, "page", 3)
    assert set(log.people) == {"P-O1", "P-O2", "P-GH"}
    assert client.get(urls["export"]).status_code == 200
    assert SalaryViewLog.objects.filter(kind="export", count=3, scope="all").exists()
    fragment = client.get(urls["preview"], HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'id="pool-box"' in fragment.content.decode()
    assert SalaryViewLog.objects.filter(kind="fragment", people=["P-O1"]).exists()


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(_urls(world)["list"])
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_percent_outside_the_band_is_refused_with_a_thai_message(world, agency, client_for):
    client = client_for(agency.hr)
    record = world.records["P-O1"]
    url = reverse("salaries:propose", kwargs={"pk": record.pk})
    response = client.post(url, {"percent": "9"}, follow=True)
    assert "อยู่นอกช่วงที่ระดับ ดีเด่น เลื่อนได้ (4 - 6)" in response.content.decode()
    assert SalaryRecord.objects.get(pk=record.pk).percent == 5
    response = client.post(url, {"percent": "abc"}, follow=True)
    assert "ร้อยละต้องเป็นตัวเลข" in response.content.decode()


def test_a_step_past_the_pool_is_refused_and_the_preview_warns(world, agency, client_for):
    client = client_for(agency.hr)
    for code, percent in (("P-GH", "3"), ("P-O2", "2"), ("P-O1", "6")):
        url = reverse("salaries:propose", kwargs={"pk": world.records[code].pk})
        client.post(url, {"percent": percent})
    assert SalaryRecord.objects.get(person__code="P-O1").percent == 6
    head = world.records["P-GH"]
    preview = client.get(reverse("salaries:preview", kwargs={"pk": head.pk}) + "?percent=3.5")
    assert "เกินวงเงิน" in preview.content.decode()
    response = client.post(
        reverse("salaries:propose", kwargs={"pk": head.pk}), {"percent": "3.5"}, follow=True
    )
    assert "เกินวงเงิน" in response.content.decode()
    assert SalaryRecord.objects.get(pk=head.pk).percent == 3


def test_policy_page_saves_the_pool_and_refuses_bad_ranges(world, agency, client_for):
    client = client_for(agency.hr)
    url = reverse("salaries:policy", kwargs={"pk": world.list.pk})
    rules = {r.band: r for r in world.list.rules.all()}
    data = {"pool_percent": "4"}
    for rule in rules.values():
        data |= {f"min_{rule.pk}": rule.min_percent, f"max_{rule.pk}": rule.max_percent,
                 f"default_{rule.pk}": rule.default_percent}  # fmt: skip
    assert client.post(url, data).status_code == 302
    world.list.refresh_from_db()
    assert world.list.pool_percent == 4
    page = client.get(reverse("salaries:list", kwargs={"pk": world.list.pk})).content.decode()
    assert "แก้ไขเกณฑ์การเลื่อน: วงเงินร้อยละ: 3 → 4" in page
    assert "นางสาวบุคคล ใจดี" in page  # who, by name
    bad = data | {"pool_percent": "5", f"min_{rules['ดี'].pk}": "9"}
    response = client.post(url, bad)
    assert response.status_code == 200 and "ไม่ได้บันทึกข้อมูลใด ๆ" in response.content.decode()
    world.list.refresh_from_db()
    assert world.list.pool_percent == 4


def test_close_page_freezes_the_list(world, agency, client_for):
    client = client_for(agency.hr)
    url = reverse("salaries:close", kwargs={"pk": world.list.pk})
    response = client.post(url, follow=True)
    assert "ปิดบัญชีไม่ได้" in response.content.decode()  # over the pool with the defaults
    SalaryRecord.objects.filter(person__code="P-GH").update(amount=D(0))
    client.post(url)
    world.list.refresh_from_db()
    assert world.list.is_closed


def _more_people(agency, count: int, the_round) -> None:
    from orgchart.models import Kind
    from salaries.models import SalaryRecord
    from salaries.services import raise_list_for
    from tests.conftest import make_node

    raise_list = raise_list_for(round=the_round, department=agency.dept)
    for number in range(count):
        person = make_node(f"P-X{number}", Kind.INDIVIDUAL, agency.grp, position="นักวิชาการ")
        SalaryRecord.objects.create(
            raise_list=raise_list, person=person, salary=D(20000), base=D(20000)
        )


def test_list_page_queries_do_not_grow_with_the_list(
    world, agency, client_for, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(agency.hr)
    url = _urls(world)["list"]
    client.get(url)  # warm the session and roles
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _more_people(agency, 30, world.round)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_list_and_its_refusals_speak_english(world, agency, client_for):
    client = client_for(agency.hr)
    client.cookies["django_language"] = "en"
    page = client.get(_urls(world)["list"]).content.decode()
    assert "Salary-raise list" in page and "Pool (baht)" in page
    record = world.records["P-O1"]
    url = reverse("salaries:propose", kwargs={"pk": record.pk})
    response = client.post(url, {"percent": "9"}, follow=True).content.decode()
    assert "9 percent is outside the range band ดีเด่น allows (4 - 6)" in response
