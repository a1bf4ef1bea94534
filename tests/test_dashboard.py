"""The round dashboard: completion and rating bands per unit, for heads and HR."""

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from appraisals.models import Appraisal
from appraisals.reports import RoundReport
from kpi_portal.exporters import write_workbook
from orgchart.models import Kind, Node
from tests.conftest import make_node
from tests.factories_reports import (
    make_appraisal,
    make_kpi,
    make_kra,
    make_plan,
    make_round,
    record,
    standard_results,
)

URL = reverse("appraisals:dashboard")


@pytest.fixture
def the_round(agency):
    the_round = make_round()
    standard_results(agency, the_round)
    return the_round


def table_rows(response):
    """{row label: [cells]} of the dashboard table, as the user reads it."""
    rows = {}
    for row in response.context["rows"]:
        tally = row["tally"]
        rows[row["label"]] = [
            tally.officers, tally.approved, tally.results_in, tally.assessed,
            tally.mean, *row["bands"],
        ]  # fmt: skip
    return rows


def test_hr_sees_the_divisions_of_the_department_and_the_people_placed_in_it(
    agency, the_round, client_for
):
    response = client_for(agency.hr).get(URL, {"round": the_round.pk})
    assert response.status_code == 200
    rows = table_rows(response)
    assert list(rows) == ["สำนักแผนงาน", "บุคลากรที่สังกัดหน่วยงานนี้โดยตรง"]
    # DIV: 6 people, 3 approved, 2 with all results, 2 assessed (79 and 100).
    assert rows["สำนักแผนงาน"][:4] == [6, 3, 2, 2]
    assert str(rows["สำนักแผนงาน"][4]) == "89.50"
    assert rows["สำนักแผนงาน"][5:] == [1, 0, 1, 0, 0]
    assert rows["บุคลากรที่สังกัดหน่วยงานนี้โดยตรง"][:4] == [2, 0, 0, 0]
    total = response.context["total"]["tally"]
    assert (total.officers, total.approved, total.assessed) == (8, 3, 2)


def test_drilling_down_shows_the_groups_of_a_division(agency, the_round, client_for):
    response = client_for(agency.hr).get(URL, {"round": the_round.pk, "unit": "DIV"})
    rows = table_rows(response)
    assert rows["กลุ่มงานติดตาม"][:4] == [3, 2, 1, 1]
    assert rows["กลุ่มงานติดตาม"][5:] == [0, 0, 1, 0, 0]
    assert rows["กลุ่มงานวิเคราะห์"][:4] == [2, 1, 1, 1]
    assert rows["กลุ่มงานวิเคราะห์"][5:] == [1, 0, 0, 0, 0]
    page = response.content.decode()
    assert f"?round={the_round.pk}&amp;unit=GRP" in page  # a link to drill further
    assert "กรมทดสอบ" in page  # breadcrumb back up


def test_dashboard_figures_equal_the_round_report(agency, the_round, client_for):
    response = client_for(agency.hr).get(URL, {"round": the_round.pk, "unit": "DIV"})
    rows = table_rows(response)
    output = io.BytesIO()
    write_workbook(RoundReport(the_round, agency.hr.user), output)
    sheet = load_workbook(io.BytesIO(output.getvalue()))["สรุปรายหน่วยงาน"]
    report = {row[1]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    for name in ("กลุ่มงานติดตาม", "กลุ่มงานวิเคราะห์"):
        assert list(report[name][3:7]) == rows[name][:4]
        assert list(report[name][8:-1]) == rows[name][5:]
    # The last column: the unit's own plan's achievement, as the dashboard shows it.
    shown = {row["label"]: row.get("unit_plan") for row in response.context["rows"]}
    assert report["กลุ่มงานติดตาม"][-1] == shown["กลุ่มงานติดตาม"]


def test_chart_data_is_a_json_block_read_by_the_static_script(agency, the_round, client_for):
    response = client_for(agency.hr).get(URL, {"round": the_round.pk, "unit": "DIV"})
    page = response.content.decode()
    assert '<script id="band-chart-data" type="application/json">' in page
    start = page.index('type="application/json">') + len('type="application/json">')
    data = json.loads(page[start : page.index("</script>", start)])
    assert data["labels"] == ["กลุ่มงานติดตาม", "กลุ่มงานวิเคราะห์", "บุคลากรที่สังกัดหน่วยงานนี้โดยตรง"]
    assert [series["label"] for series in data["series"]] == [
        "ดีเด่น", "ดีมาก", "ดี", "พอใช้", "ต้องปรับปรุง",
    ]  # fmt: skip
    assert data["series"][0]["data"] == [0, 1, 0]
    assert "js/dashboard.js" in page
    assert "vendor/chart.umd.min.js" in page
    assert "<script>" not in page  # no inline script


def test_a_head_starts_at_its_unit_and_cannot_open_another(agency, the_round, client_for):
    client = client_for(agency.grp_head)
    response = client.get(URL, {"round": the_round.pk})
    assert response.context["unit"].code == "GRP"
    assert list(table_rows(response)) == ["บุคลากรที่สังกัดหน่วยงานนี้โดยตรง"]
    assert table_rows(response)["บุคลากรที่สังกัดหน่วยงานนี้โดยตรง"][:4] == [3, 2, 1, 1]
    assert client.get(URL, {"round": the_round.pk, "unit": "GRP2"}).status_code == 404
    assert client.get(URL, {"round": the_round.pk, "unit": "DEPT"}).status_code == 404


def test_hr_of_another_department_cannot_open_ours(agency, the_round, client_for):
    client = client_for(agency.hr_other)
    assert client.get(URL, {"unit": "DIV"}).status_code == 404
    response = client.get(URL, {"round": the_round.pk})
    assert response.context["unit"].code == "OTHER"
    assert "สำนักแผนงาน" not in response.content.decode()


def test_an_administrator_starts_with_every_department(agency, the_round, client_for):
    response = client_for(agency.admin).get(URL, {"round": the_round.pk})
    assert list(table_rows(response)) == ["กรมทดสอบ", "กรมอื่น"]
    assert table_rows(response)["กรมอื่น"][:4] == [2, 1, 1, 1]


@pytest.mark.parametrize("who", ["officer1", "officer3", "outsider"])
def test_officers_are_refused(agency, the_round, client_for, who):
    assert client_for(getattr(agency, who)).get(URL).status_code == 403


def test_bad_round_falls_back_to_the_current_round(agency, the_round, client_for):
    response = client_for(agency.hr).get(URL, {"round": "abc"})
    assert response.status_code == 200
    assert response.context["round"] == the_round


def test_no_round_yet_shows_a_message(agency, client_for):
    response = client_for(agency.hr).get(URL)
    assert response.status_code == 200
    assert "ยังไม่มีรอบการประเมิน" in response.content.decode()


def grow(agency, the_round, groups: int, people: int) -> None:
    """Add `groups` groups of `people` assessed officers under the division."""
    for g in range(groups):
        group = make_node(f"G{g}", Kind.GROUP, agency.div, name=f"กลุ่ม {g}")
        for p in range(people):
            person = make_node(f"G{g}-{p}", Kind.INDIVIDUAL, group, name=f"คน {g}-{p}")
            plan = make_plan(person, the_round)
            record(make_kpi(make_kra(plan), f"G{g}-{p}-1", weight=100), 70 + p)
            make_appraisal(plan, status=Appraisal.Status.ASSESSED)
    Node.objects.rebuild()


@pytest.mark.parametrize(("groups", "people"), [(1, 1), (6, 5)])
def test_dashboard_query_count_does_not_grow_with_the_tree(
    agency, the_round, client_for, django_assert_num_queries, groups, people
):
    grow(agency, the_round, groups, people)
    client = client_for(agency.hr)
    # session, user, roles, rounds, the unit, units, tallies, bands, the unit's ancestors,
    # the units' own plans' achievements,
    # and the session saved again (SESSION_SAVE_EVERY_REQUEST: savepoint, update, release)
    with django_assert_num_queries(13):
        response = client.get(URL, {"round": the_round.pk, "unit": "DIV"})
    assert len(response.context["rows"]) == 2 + groups + 1  # and the division head's own row


def test_dashboard_links_to_the_report_of_the_unit_shown(agency, the_round, client_for):
    client = client_for(agency.grp_head)
    page = client.get(URL, {"round": the_round.pk}).content.decode()
    link = f"{reverse('appraisals:report_download')}?round={the_round.pk}&amp;unit=GRP"
    assert link in page
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200
