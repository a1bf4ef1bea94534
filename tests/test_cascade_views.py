"""The cascade page and the cascade-tree page: who sees what, what is saved, what it costs."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import cascade
from indicators.models import KPI, Plan
from tests.factories_cascade import add_officers, make_kpi, make_plan


@pytest.fixture
def head_kpi(agency, the_round):
    return make_kpi(make_plan(agency.grp_head, the_round), "K1")


def _url(kpi, name="indicators:cascade"):
    return reverse(name, args=[kpi.pk])


def _no_inline_script(html: str) -> bool:
    inline = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    handlers = re.findall(r"<[^>]+\son[a-z]+=", html)
    return not inline and not handlers


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("grp_head", 200),
        ("div_head", 403),
        ("dept_head", 403),
        ("hr", 403),
        ("officer1", 404),
        ("outsider", 404),
        ("hr_other", 404),
    ],
)
def test_cascade_page_is_for_the_holder_only(agency, head_kpi, client_for, who, status):
    assert client_for(getattr(agency, who)).get(_url(head_kpi)).status_code == status


def test_cascade_page_lists_the_holders_reports_with_their_plan_status(
    agency, head_kpi, client_for, the_round
):
    make_plan(agency.officer2, the_round, Plan.Status.APPROVED)
    page = client_for(agency.grp_head).get(_url(head_kpi)).content.decode()
    assert agency.officer1.name in page and agency.officer2.name in page
    assert agency.officer3.name not in page
    assert "อนุมัติแล้ว" in page
    assert _no_inline_script(page)


def test_holder_cascades_directly_from_the_page(agency, head_kpi, client_for):
    response = client_for(agency.grp_head).post(
        _url(head_kpi),
        {"method": "direct", "children": [agency.officer1.pk, agency.officer2.pk], "weight": "20"},
    )
    assert response.status_code == 302
    assert response["Location"] == _url(head_kpi, "indicators:cascade_tree")
    assert sorted(KPI.objects.filter(parent=head_kpi).values_list("weight", flat=True)) == [20, 20]


def test_choosing_a_child_outside_your_view_answers_404(agency, head_kpi, client_for):
    response = client_for(agency.grp_head).post(
        _url(head_kpi), {"method": "direct", "children": [agency.outsider.pk]}
    )
    assert response.status_code == 404
    assert not KPI.objects.filter(parent=head_kpi).exists()


def test_choosing_a_visible_node_that_does_not_report_to_you_answers_403(
    agency, the_round, client_for
):
    kpi = make_kpi(make_plan(agency.div_head, the_round), "D1")
    response = client_for(agency.div_head).post(
        _url(kpi), {"method": "direct", "children": [agency.officer1.pk]}
    )
    assert response.status_code == 403
    assert not KPI.objects.filter(parent=kpi).exists()


def test_split_shortfall_is_shown_in_thai_and_nothing_is_saved(agency, head_kpi, client_for):
    data = {"method": "split", "children": [agency.officer1.pk, agency.officer2.pk]}
    for officer, levels in (
        (agency.officer1, (5, 10, 15, 20, 25)),
        (agency.officer2, (5, 10, 14, 20, 25)),
    ):
        for level, value in enumerate(levels, start=1):
            data[f"alloc-{officer.pk}-{level}"] = str(value)
    response = client_for(agency.grp_head).post(_url(head_kpi), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "ระดับ 3: ผลรวมของผู้รับ 29 ยังไม่ถึงค่าเป้าหมายของต้นทาง 30 (ขาดอีก 1)" in page
    assert 'value="14"' in page  # what the user typed is kept
    assert "table-danger" in page
    assert not KPI.objects.filter(parent=head_kpi).exists()


def test_split_from_the_page_accepts_thai_digits(agency, head_kpi, client_for):
    data = {"method": "split", "children": [agency.officer1.pk]}
    for level, value in enumerate(("๑๐", "๒๐", "๓๐", "๔๐", "๕๐"), start=1):
        data[f"alloc-{agency.officer1.pk}-{level}"] = value
    assert client_for(agency.grp_head).post(_url(head_kpi), data).status_code == 302
    assert KPI.objects.get(parent=head_kpi).levels == (10, 20, 30, 40, 50)


def test_split_page_refuses_a_percentage_kpi(agency, the_round, client_for):
    kpi = make_kpi(make_plan(agency.grp_head, the_round), "P1", unit="ร้อยละ")
    page = client_for(agency.grp_head).get(_url(kpi) + "?method=split").content.decode()
    assert "ร้อยละแบ่งค่าเป้าหมายไม่ได้" in page
    assert "data-split-table" not in page


def test_split_table_carries_its_config_in_data_attributes(agency, head_kpi, client_for):
    page = client_for(agency.grp_head).get(_url(head_kpi) + "?method=split").content.decode()
    assert 'data-scale="higher"' in page and 'data-parent-target="30"' in page
    assert "js/cascade.js" in page and _no_inline_script(page)


def test_partial_form_errors_are_shown_and_nothing_is_saved(agency, head_kpi, client_for):
    response = client_for(agency.grp_head).post(
        _url(head_kpi),
        {
            "method": "partial",
            "child": agency.officer1.pk,
            "name": "ส่วนหนึ่ง",
            "unit": "เรื่อง",
            "scale": "higher",
            "level_1": "1",
            "level_2": "x",
            "level_3": "3",
            "level_4": "4",
            "level_5": "5",
        },
    )
    assert response.status_code == 200
    assert "ระดับ 2 ต้องเป็นตัวเลข" in response.content.decode()
    assert not KPI.objects.filter(parent=head_kpi).exists()


def test_partial_from_the_page_creates_the_part(agency, head_kpi, client_for):
    response = client_for(agency.grp_head).post(
        _url(head_kpi),
        {
            "method": "partial",
            "child": agency.officer1.pk,
            "name": "ส่วนหนึ่ง",
            "unit": "เรื่อง",
            "scale": "higher",
            "level_1": "",
            "level_2": "2",
            "level_3": "3",
            "level_4": "4",
            "level_5": "5",
            "weight": "10",
        },
    )
    assert response.status_code == 302
    part = KPI.objects.get(parent=head_kpi)
    assert (part.name, part.cascade, part.weight) == ("ส่วนหนึ่ง", "partial", 10)


def test_cascade_is_refused_on_the_page_when_the_round_is_closed(
    agency, head_kpi, client_for, the_round
):
    the_round.status = "closed"
    the_round.save()
    response = client_for(agency.grp_head).post(
        _url(head_kpi), {"method": "direct", "children": [agency.officer1.pk]}
    )
    assert "ปิดแล้ว" in response.content.decode()
    assert not KPI.objects.filter(parent=head_kpi).exists()


def test_cascade_page_needs_post_for_changes(agency, head_kpi, client_for):
    assert client_for(agency.grp_head).put(_url(head_kpi)).status_code == 405


# --- tree -----------------------------------------------------------------


def _split(agency, kpi, officers):
    share = len(officers)
    allocations = {o: [v * 10 / share + 1 for v in (1, 2, 3, 4, 5)] for o in officers}
    cascade.kpi_cascade_split(kpi=kpi, allocations=allocations, by=agency.grp_head.user)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("grp_head", 200),
        ("div_head", 200),
        ("hr", 200),
        ("admin", 200),
        ("officer1", 404),
        ("sibling_head", 404),
        ("outsider", 404),
        ("hr_other", 404),
    ],
)
def test_tree_is_visible_to_whoever_may_see_the_kpis_plan(
    agency, head_kpi, client_for, who, status
):
    response = client_for(getattr(agency, who)).get(_url(head_kpi, "indicators:cascade_tree"))
    assert response.status_code == status


def test_tree_shows_children_their_owners_methods_statuses_and_split_coverage(
    agency, head_kpi, client_for
):
    cascade.kpi_cascade_split(
        kpi=head_kpi,
        allocations={agency.officer1: (5, 10, 15, 20, 25), agency.officer2: (5, 10, 15, 20, 25)},
        by=agency.grp_head.user,
    )
    page = client_for(agency.div_head).get(_url(head_kpi, "indicators:cascade_tree"))
    html = page.content.decode()
    assert agency.officer1.name in html and agency.officer2.name in html
    assert "แบ่งค่าเป้าหมาย" in html and "ร่าง" in html
    assert "ความครอบคลุมของการแบ่งค่าเป้าหมาย" in html
    assert "ยังไม่ครอบคลุม" not in html


def test_officer_sees_the_supervisors_kpi_above_their_own_only_anonymised(
    agency, head_kpi, client_for
):
    cascade.kpi_cascade_direct(kpi=head_kpi, children=[agency.officer1], by=agency.grp_head.user)
    child = KPI.objects.get(parent=head_kpi)
    html = client_for(agency.officer1).get(_url(child, "indicators:cascade_tree")).content.decode()
    assert "อยู่นอกสิทธิ์การเข้าถึงของคุณ" in html
    assert agency.grp_head.name not in html
    assert _url(head_kpi, "indicators:cascade_tree") not in html


def test_tree_shows_grandchildren(agency, the_round, client_for):
    top = make_kpi(make_plan(agency.div_head, the_round), "D1")
    cascade.kpi_cascade_direct(kpi=top, children=[agency.grp_head], by=agency.div_head.user)
    middle = KPI.objects.get(parent=top)
    cascade.kpi_cascade_direct(kpi=middle, children=[agency.officer1], by=agency.grp_head.user)
    html = client_for(agency.div_head).get(_url(top, "indicators:cascade_tree")).content.decode()
    # Every generation's code is its owner's code and a number, however deep.
    assert "P-GH-1" in html and "P-O1-1" in html and agency.officer1.name in html


def _tree_queries(agency, the_round, client_for, count: int, code: str) -> int:
    officers = add_officers(agency.grp, count, prefix=code)
    kpi = make_kpi(make_plan(agency.grp_head, the_round), code)
    _split(agency, kpi, officers)
    client = client_for(agency.div_head)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(kpi, "indicators:cascade_tree"))
    assert response.status_code == 200
    assert response.content.decode().count("data-tree-node") == count + 1
    return len(queries)


def test_tree_page_costs_the_same_queries_for_3_and_30_children(agency, the_round, client_for):
    small = _tree_queries(agency, the_round, client_for, 3, "S")
    large = _tree_queries(agency, the_round, client_for, 30, "L")
    assert small == large


def test_cascade_page_costs_the_same_queries_for_3_and_30_reports(agency, the_round, client_for):
    counts = []
    for size, unit in ((3, agency.grp), (30, agency.grp2)):
        add_officers(unit, size, prefix=f"Q{size}-")
        head = agency.grp_head if unit == agency.grp else agency.sibling_head
        kpi = make_kpi(make_plan(head, the_round), f"Q{size}")
        client = client_for(head)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(kpi) + "?method=split").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_split_value_that_is_not_a_number_is_shown_again_with_a_message(
    agency, head_kpi, client_for
):
    data = {"method": "split", "children": [agency.officer1.pk]}
    for level, value in enumerate(("10", "20", "สามสิบ", "40", "50"), start=1):
        data[f"alloc-{agency.officer1.pk}-{level}"] = value
    page = client_for(agency.grp_head).post(_url(head_kpi), data).content.decode()
    assert "ระดับ 3 ต้องเป็นตัวเลข" in page and 'value="สามสิบ"' in page
    assert not KPI.objects.filter(parent=head_kpi).exists()
