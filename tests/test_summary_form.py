"""The official summary form (five parts): printable page and .xlsx (issue 14.3)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from appraisals.models import (
    Appraisal,
    ComponentWeight,
    DevelopmentItem,
    DevelopmentMethod,
    ScoringPolicy,
)
from appraisals.reports_summary import SummaryForm, summary_data
from appraisals.summary import development_rows
from kpi_portal.exporters import write_workbook
from orgchart.models import StaffType
from tests.factories_reports import (
    make_appraisal,
    make_kpi,
    make_kra,
    make_round,
    record,
    worked_example_plan,
)


@pytest.fixture
def plan(agency):
    plan = worked_example_plan(agency.officer1, make_round())
    make_appraisal(plan)  # achievement 70.00, competency 100, total 79.00 (ดี)
    return plan


def page_of(client, plan) -> str:
    response = client.get(reverse("appraisals:summary_form", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


def texts_of(plan, **options) -> list[str]:
    output = io.BytesIO()
    write_workbook(SummaryForm(plan, **options), output)
    sheet = load_workbook(io.BytesIO(output.getvalue())).worksheets[0]
    return [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]


def test_part_2_multiplies_each_component_by_its_weight(plan):
    data = summary_data(plan)
    assert [(c.score, c.weight, c.points) for c in data.components] == [
        (Decimal("70.00"), Decimal(70), Decimal("49.00")),
        (Decimal("100.00"), Decimal(30), Decimal("30.00")),
    ]
    assert (data.total, data.band, data.probation) == (Decimal("79.00"), "ดี", False)


def test_a_probationer_is_case_2_with_the_rounds_probation_weights(agency, plan):
    agency.officer1.staff_type = StaffType.PROBATIONER
    agency.officer1.save()
    ComponentWeight.objects.filter(
        policy__round=plan.round, staff_type=StaffType.PROBATIONER
    ).update(achievement=50, competency=50)
    data = summary_data(plan)
    assert data.probation
    assert [(c.weight, c.points) for c in data.components] == [
        (Decimal(50), Decimal("35.00")),
        (Decimal(50), Decimal("50.00")),
    ]


def test_the_page_shows_the_five_parts(agency, plan, client_for):
    page = page_of(client_for(agency.grp_head), plan)
    for part in range(1, 6):
        assert f'id="summary-part-{part}"' in page
    assert "นายสมชาย ตั้งใจ" in page and "2569/1 (1 ต.ค. 2568 – 31 มี.ค. 2569)" in page
    assert 'id="summary-total">79.00<' in page and 'id="summary-band">ดี<' in page
    assert "☑ กรณีที่ 1 ผู้ปฏิบัติราชการทั่วไป" in page
    assert "<tfoot" not in page  # totals print once, not at the foot of every page
    assert "<script>" not in page and "style=" not in page  # CSP: no inline code


def test_part_3_is_an_empty_ruled_table_until_development_plans_exist(agency, plan, client_for):
    assert development_rows(plan.appraisal) == []
    page = page_of(client_for(agency.grp_head), plan)
    part3 = page[page.index('id="summary-part-3"') : page.index('id="summary-part-4"')]
    assert part3.count('class="ruled-row"') == 3
    assert "จำนวนชั่วโมงที่วางแผน" in part3 and "จำนวนชั่วโมงที่พัฒนาจริง" in part3


def test_part_3_lists_the_development_plan_agreed_for_the_appraisal(agency, plan, client_for):
    DevelopmentItem.objects.create(
        appraisal=plan.appraisal,
        topic="การทำงานเป็นทีม",
        method=DevelopmentMethod.COACHING,
        period="เม.ย.-มิ.ย. 2569",
        outcome="ประสานงานกับกลุ่มอื่นได้เอง",
        planned_hours=12,
    )
    page = page_of(client_for(agency.grp_head), plan)
    part3 = page[page.index('id="summary-part-3"') : page.index('id="summary-part-4"')]
    assert "การทำงานเป็นทีม" in part3 and "การสอนงาน" in part3 and ">12<" in part3
    assert 'class="ruled-row"' not in part3  # the plan fills the table: no blank rows
    assert any("การทำงานเป็นทีม" in text for text in texts_of(plan))  # and the xlsx


def test_part_4_shows_a_refusal_with_the_date_and_the_witness(agency, plan, client_for):
    Appraisal.objects.filter(pk=plan.appraisal.pk).update(
        refused=True, shown_on=datetime.date(2026, 4, 3), witness="นางสาวพยาน ดี"
    )
    page = page_of(client_for(agency.grp_head), plan)
    assert "ไม่ลงนามรับทราบ ได้แจ้งผลเมื่อ 3 เม.ย. 2569 โดยมี นางสาวพยาน ดี เป็นพยาน" in page
    assert any("นางสาวพยาน ดี" in text for text in texts_of(plan))


def test_part_5_shows_the_next_level_supervisors_opinion(agency, plan, client_for):
    Appraisal.objects.filter(pk=plan.appraisal.pk).update(
        opinion=Appraisal.Opinion.DIFFERENT,
        opinion_comment="ควรได้คะแนนสูงกว่านี้",
        reviewed_at=timezone.now(),
    )
    page = page_of(client_for(agency.grp_head), plan)
    assert "มีความเห็นต่าง: ควรได้คะแนนสูงกว่านี้" in page
    texts = texts_of(plan)
    assert "มีความเห็นต่าง" in texts and "ควรได้คะแนนสูงกว่านี้" in texts


def test_the_page_has_three_signatures_with_date_lines(agency, plan, client_for):
    page = page_of(client_for(agency.grp_head), plan)
    for role in ("assessee", "assessor", "reviewer"):
        assert f'data-signer="{role}"' in page
    signatures = page[page.index('id="form-signatures"') :]
    assert signatures.count("วันที่ ..../..../....") == 3
    assert "ผู้บังคับบัญชาเหนือขึ้นไป" in signatures


def test_hidden_scores_stay_hidden_from_the_assessee(agency, plan, client_for):
    ScoringPolicy.objects.filter(round=plan.round).update(scores_published=False)
    page = page_of(client_for(agency.officer1), plan)
    assert 'id="summary-total">–<' in page and "79.00" not in page
    assert 'id="summary-total">79.00<' in page_of(client_for(agency.grp_head), plan)


def test_the_xlsx_has_the_five_parts_on_a4_portrait(plan):
    output = io.BytesIO()
    write_workbook(SummaryForm(plan), output)
    sheet = load_workbook(io.BytesIO(output.getvalue())).worksheets[0]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    for part in ("ส่วนที่ 1", "ส่วนที่ 2", "ส่วนที่ 3", "ส่วนที่ 4", "ส่วนที่ 5"):
        assert any(text.startswith(part) for text in texts), part
    rows = list(sheet.iter_rows(values_only=True))
    achievement = next(r for r in rows if r[0] == "ผลสัมฤทธิ์ของงาน")
    assert achievement[1:4] == (70, 70, 49)
    assert next(r for r in rows if r[0] == "รวม")[3] == 79
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # Part 3's empty ruled table: the header and three blank bordered rows.
    header = next(r for r in sheet.iter_rows() if r[1].value == "วิธีการพัฒนา")
    blank = list(sheet.iter_rows(min_row=header[0].row + 1, max_row=header[0].row + 3))
    assert all(c.value is None and c.border.left.style == "thin" for r in blank for c in r[:4])
    assert texts.count("วันที่ ..../..../....") >= 3


@pytest.mark.parametrize(("who", "status"), [("officer1", 200), ("officer2", 404), ("hr", 200)])
def test_who_may_download_the_summary_form(agency, plan, client_for, who, status):
    client = client_for(getattr(agency, who))
    response = client.get(reverse("appraisals:export_summary", args=[plan.pk]))
    assert response.status_code == status
    if status == 200:
        assert 'filename="summary-2569-1-P-O1.xlsx"' in response["Content-Disposition"]


@pytest.mark.parametrize("extra", [0, 10])
def test_summary_page_query_count_does_not_grow_with_the_kpis(
    agency, plan, client_for, django_assert_num_queries, extra
):
    kra = make_kra(plan, name="งานเพิ่มเติม")
    for number in range(extra):
        record(make_kpi(kra, f"EXTRA-{number}", weight=1), 70)
    client = client_for(agency.grp_head)
    client.get(reverse("appraisals:summary_form", args=[plan.pk]))  # warm the session
    with django_assert_num_queries(17):  # the same at both sizes (part 3: one query)
        client.get(reverse("appraisals:summary_form", args=[plan.pk]))
