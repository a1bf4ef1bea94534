"""Unit plans' achievement (issue 10, item 4): the round report's unit sheet, the unit
page and the dashboard show the achievement (0-100) of each unit's own plan, in both
scoring modes (DOMAIN.md's worked example: 70.00 discrete, 77.40 interpolated)."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from appraisals.policy import policy_save
from appraisals.reports_round import RoundReport
from appraisals.services import result_save
from kpi_portal.exporters import write_workbook
from tests.factories_appraisals import kpi, make_plan

pytestmark = pytest.mark.django_db
COLUMN = "ผลสัมฤทธิ์ของแผนหน่วยงาน (0-100)"


@pytest.fixture
def unit_plan(agency, tracking):
    """GRP's own plan (held by grp_head) with the worked example's results: 77, 27, 5 steps."""
    plan = make_plan(agency.grp, tracking)
    by = agency.grp_head.user
    result_save(kpi=kpi(plan, "K1"), actual="77", by=by)
    result_save(kpi=kpi(plan, "K2"), actual="27", by=by)
    result_save(kpi=kpi(plan, "K3"), milestones_done="5", by=by)
    return plan


def unit_sheet(the_round, user):
    output = io.BytesIO()
    write_workbook(RoundReport(the_round, user), output)
    sheet = load_workbook(io.BytesIO(output.getvalue()))["สรุปรายหน่วยงาน"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[1].index(COLUMN)  # rows[0] is the title line
    return {row[0]: row[column] for row in rows[2:]}


def test_the_report_dashboard_and_unit_page_show_the_unit_plans_achievement(
    agency, tracking, unit_plan, client_for
):
    assert unit_sheet(tracking, agency.hr.user) == {
        "DEPT": None, "DIV": None, "GRP": 70, "GRP2": None,
    }  # fmt: skip
    hr = client_for(agency.hr)
    dashboard = hr.get(reverse("appraisals:dashboard"), {"round": tracking.pk, "unit": "DIV"})
    row = next(r for r in dashboard.context["rows"] if r["code"] == "GRP")
    assert row["unit_plan"] == Decimal("70.00")
    assert 'class="text-end unit-plan">70.00<' in dashboard.content.decode()
    own = hr.get(reverse("appraisals:dashboard"), {"round": tracking.pk, "unit": "GRP"})
    assert "<strong>70.00</strong>" in own.content.decode()
    page = client_for(agency.grp_head).get(reverse("orgchart:unit", args=[agency.grp.pk]))
    text = page.content.decode()
    assert 'id="unit-plan-panel"' in text
    assert 'class="text-end unit-plan-achievement">70.00<' in text


def test_interpolated_scoring_changes_the_unit_plans_achievement(
    agency, tracking, unit_plan, client_for
):
    policy_save(round=tracking, method="interpolated", by=agency.hr.user)
    assert unit_sheet(tracking, agency.hr.user)["GRP"] == 77.4
    page = client_for(agency.hr).get(reverse("orgchart:unit", args=[agency.grp.pk]))
    assert 'unit-plan-achievement">77.40<' in page.content.decode()


def test_the_unit_page_shows_no_panel_without_a_unit_plan(agency, tracking, client_for):
    page = client_for(agency.hr).get(reverse("orgchart:unit", args=[agency.grp.pk]))
    assert 'id="unit-plan-panel"' not in page.content.decode()


def test_a_head_sees_only_the_subtrees_unit_plans_in_the_report(agency, tracking, unit_plan):
    assert unit_sheet(tracking, agency.sibling_head.user) == {"GRP2": None}
