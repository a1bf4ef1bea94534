"""The official achievement form: .xlsx layout and totals, command, download and page."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from appraisals.models import ScoringPolicy
from appraisals.reports import OfficerForm, form_data
from kpi_portal.exporters import write_workbook
from tests.factories_reports import (
    freeze,
    make_appraisal,
    make_kpi,
    make_kra,
    make_round,
    record,
    worked_example_plan,
)

HEADERS = (
    "รหัส", "ตัวชี้วัด", "ระดับ 1", "ระดับ 2", "ระดับ 3", "ระดับ 4", "ระดับ 5",
    "คะแนน (ก)", "น้ำหนัก (ข)", "คะแนนถ่วงน้ำหนัก (ก x ข)",
)  # fmt: skip


def read_form(plan, **options):
    output = io.BytesIO()
    write_workbook(OfficerForm(plan, **options), output)
    return load_workbook(io.BytesIO(output.getvalue())).worksheets[0]


def rows_of(sheet):
    return list(sheet.iter_rows(values_only=True))


def totals_of(rows):
    """The total and the total / 5 lines, under the KPI rows (above the signatures)."""
    index = next(i for i, row in enumerate(rows) if row[1] == "รวม")
    return rows[index], rows[index + 1]


@pytest.fixture
def plan(agency):
    the_round = make_round()
    plan = worked_example_plan(agency.officer1, the_round)
    make_appraisal(plan)
    return plan


def test_form_has_the_title_block_on_top(plan):
    rows = rows_of(read_form(plan))
    assert rows[0][0] == "แบบสรุปการประเมินผลสัมฤทธิ์ของงาน"
    assert rows[1][:2] == ("รอบการประเมิน", "2569/1 (1 ต.ค. 2568 - 31 มี.ค. 2569)")
    assert rows[2][:6] == (
        "ผู้รับการประเมิน", "นายสมชาย ตั้งใจ", "ตำแหน่ง", "นักวิเคราะห์นโยบายและแผน",
        "ระดับ", "ปฏิบัติการ",
    )  # fmt: skip
    assert rows[3][:2] == ("สังกัด", "กลุ่มงานติดตาม")
    assert rows[4][:4] == ("ผู้ประเมิน", "นางหัวหน้า กลุ่ม", "ตำแหน่ง", "หัวหน้ากลุ่มงาน")


def test_form_table_has_the_official_columns_and_one_row_per_kpi(plan):
    rows = rows_of(read_form(plan))
    header = rows.index(HEADERS)
    kpis = rows[header + 1 : header + 4]
    assert kpis[0] == ("K1", "ร้อยละของโครงการที่แล้วเสร็จ", 65, 70, 75, 80, 85, 3, 40, 120)
    assert kpis[1] == ("K2", "จำนวนข้อผิดพลาดในรายงาน", None, 35, 30, 25, 20, 3, 35, 105)
    assert kpis[2] == (
        "K3", "ระดับความสำเร็จของการจัดทำแผน", "แต่งตั้งคณะทำงาน", "จัดทำแผน", "ดำเนินการตามแผน",
        "ติดตามผล", "สรุปและรายงานผล", 5, 25, 125,
    )  # fmt: skip


def test_form_totals_follow_the_domain_worked_example(plan):
    rows = rows_of(read_form(plan))
    total, by_five = totals_of(rows)
    assert total[1] == "รวม"
    assert total[8:] == (100, 350)
    assert by_five[1] == "คะแนนรวม / 5"
    assert by_five[9] == 70
    data = form_data(plan)
    assert data.weighted_total == Decimal("350.0000")
    assert data.total_by_five == Decimal("70.00")


def test_form_scores_are_numbers_with_number_formats(plan):
    sheet = read_form(plan)
    row = next(r for r in sheet.iter_rows() if r[1].value == "ร้อยละของโครงการที่แล้วเสร็จ")
    assert [cell.data_type for cell in row[7:]] == ["n", "n", "n"]
    assert row[7].number_format == "#,##0.0000"
    assert row[9].number_format == "#,##0.00"
    # Targets and weights as entered: 75 shows 75, not 75.00.
    assert row[4].value == 75 and row[4].number_format == "General"
    assert row[8].number_format == "General"


def test_form_of_a_closed_round_shows_the_placement_kept_at_close(agency, plan):
    freeze(plan.appraisal, agency.grp_head)
    agency.officer1.position = "ผู้เชี่ยวชาญ"
    agency.officer1.save()
    agency.grp.name = "กลุ่มงานใหม่"
    agency.grp.save()
    plan.refresh_from_db()
    rows = rows_of(read_form(plan))
    assert rows[2][3] == "นักวิเคราะห์นโยบายและแผน"
    assert rows[3][1] == "กลุ่มงานติดตาม"


def test_unpublished_scores_are_left_blank_for_the_assessee(agency, plan, client_for):
    ScoringPolicy.objects.filter(round=plan.round).update(scores_published=False)
    response = client_for(agency.officer1).get(reverse("appraisals:export_form", args=[plan.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = rows_of(sheet)
    assert rows[rows.index(HEADERS) + 1][7:] == (None, 40, None)
    assert totals_of(rows)[1][9] is None
    # The assessor still sees them.
    response = client_for(agency.grp_head).get(reverse("appraisals:export_form", args=[plan.pk]))
    rows = rows_of(load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0])
    assert totals_of(rows)[1][9] == 70


# The command ---------------------------------------------------------------


def test_export_form_command_writes_the_form(plan, tmp_path):
    target = tmp_path / "form.xlsx"
    call_command("export_form", "2569/1", "P-O1", str(target))
    rows = rows_of(load_workbook(target).worksheets[0])
    assert HEADERS in rows
    assert totals_of(rows)[1][9] == 70


def test_export_form_command_refuses_an_officer_without_a_plan(plan, tmp_path):
    with pytest.raises(CommandError, match="ไม่พบแผนตัวชี้วัดของ P-O2 ในรอบ 2569/1"):
        call_command("export_form", "2569/1", "P-O2", str(tmp_path / "x.xlsx"))


# Who may download it ----------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer1", 200),  # their own
        ("grp_head", 200),  # the assessor
        ("div_head", 200),  # a head above
        ("dept_head", 200),
        ("hr", 200),
        ("admin", 200),
        ("officer2", 404),  # a colleague
        ("sibling_head", 404),  # a head of another group
        ("hr_other", 404),  # HR of another department
        ("outsider", 404),
    ],
)
def test_who_may_download_an_officers_form(agency, plan, client_for, who, status):
    client = client_for(getattr(agency, who))
    assert client.get(reverse("appraisals:export_form", args=[plan.pk])).status_code == status
    assert client.get(reverse("appraisals:form", args=[plan.pk])).status_code == status


def test_download_is_named_after_the_round_and_the_officer(agency, plan, client_for):
    response = client_for(agency.officer1).get(reverse("appraisals:export_form", args=[plan.pk]))
    assert 'filename="form-2569-1-P-O1.xlsx"' in response["Content-Disposition"]


def test_printable_form_page_shows_the_table_totals_and_a_print_button(agency, plan, client_for):
    response = client_for(agency.grp_head).get(reverse("appraisals:form", args=[plan.pk]))
    page = response.content.decode()
    assert "นายสมชาย ตั้งใจ" in page
    assert "นางหัวหน้า กลุ่ม" in page
    assert 'id="form-total">350.00<' in page
    assert 'id="form-total-by-five">70.00<' in page
    assert "data-print" in page
    assert "js/form_print.js" in page
    assert "<script>" not in page  # no inline script


@pytest.mark.parametrize("extra", [0, 12])
def test_form_page_query_count_does_not_grow_with_the_kpis(
    agency, plan, client_for, django_assert_num_queries, extra
):
    kra = make_kra(plan, name="งานเพิ่มเติม")
    for number in range(extra):
        record(make_kpi(kra, f"EXTRA-{number}", weight=1), 70)
    client = client_for(agency.grp_head)
    # session, user, roles, plan, appraisal, supervisor (ancestors, heads), the next-level
    # supervisor (ancestors, heads), policy, KPIs, the development plan (part 3, one joined
    # query), and the session saved again (savepoint, update, release)
    with django_assert_num_queries(15):
        response = client.get(reverse("appraisals:form", args=[plan.pk]))
    assert len(response.context["data"].rows) == 3 + extra
