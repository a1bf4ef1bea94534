"""Recording results: the service's rules, and what bad input leaves behind (nothing)."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from appraisals.evidence import EVIDENCE_MAX_BYTES
from appraisals.models import Appraisal, Evidence, Result
from appraisals.services import evidence_add, result_save
from indicators.models import HistoryEntry, Plan, Round
from tests.factories_appraisals import (
    JPG,
    PDF,
    PNG,
    kpi,
    make_plan,
    office_bytes,
    set_status,
    upload,
)

pytestmark = pytest.mark.usefixtures("private_media")


@pytest.fixture
def plan(agency, tracking):
    return make_plan(agency.officer1, tracking)


def messages_of(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def test_actual_is_saved_with_level_score_and_achievement(agency, plan):
    result = result_save(
        kpi=kpi(plan, "K1"), actual="77", note="รายงานไตรมาส", by=agency.officer1.user
    )

    assert (result.actual, result.level, result.score) == (Decimal("77"), 3, Decimal("3.0000"))
    assert result.note == "รายงานไตรมาส"
    # K1 alone: 3 x 40 / (100 x 5) = 24.00
    assert Appraisal.objects.get(plan=plan).achievement == Decimal("24.00")
    entry = HistoryEntry.objects.get(plan=plan, action="result_save")
    assert entry.changes["actual"] == [None, "77"]


def test_thai_digits_and_thousands_separators_are_read(agency, plan):
    result = result_save(kpi=kpi(plan, "K1"), actual="๘,๘๐๐", by=agency.officer1.user)
    assert result.actual == Decimal("8800")
    assert result.level == 5


def test_milestones_done_give_the_level(agency, plan):
    result = result_save(kpi=kpi(plan, "K3"), milestones_done="4", by=agency.officer1.user)
    assert (result.milestones_done, result.level, result.score) == (4, 4, Decimal("4.0000"))


@pytest.mark.parametrize("value", ["abc", "12a", "NaN", "1e999999"])
def test_non_numeric_actual_is_refused_and_nothing_is_saved(agency, plan, value):
    with pytest.raises(ValidationError) as excinfo:
        result_save(kpi=kpi(plan, "K1"), actual=value, by=agency.officer1.user)
    assert "ผลการดำเนินงานต้องเป็นตัวเลข" in messages_of(excinfo) or "มากเกินไป" in messages_of(excinfo)
    assert not Result.objects.exists()
    assert not HistoryEntry.objects.exists()


@pytest.mark.parametrize("value", ["6", "-1", "2.5", "สาม"])
def test_milestones_outside_zero_to_five_are_refused(agency, plan, value):
    with pytest.raises(ValidationError) as excinfo:
        result_save(kpi=kpi(plan, "K3"), milestones_done=value, by=agency.officer1.user)
    assert "จำนวนขั้นตอนที่สำเร็จต้องเป็นจำนวนเต็มตั้งแต่ 0 ถึง 5" in messages_of(excinfo)
    assert not Result.objects.exists()


def test_a_numeric_kpi_refuses_milestones_and_a_milestone_kpi_refuses_a_number(agency, plan):
    with pytest.raises(ValidationError, match="ให้ระบุผลการดำเนินงาน"):
        result_save(kpi=kpi(plan, "K1"), milestones_done="3", by=agency.officer1.user)
    with pytest.raises(ValidationError, match="ให้ระบุจำนวนขั้นตอนที่สำเร็จ"):
        result_save(kpi=kpi(plan, "K3"), actual="3", by=agency.officer1.user)
    assert not Result.objects.exists()


def test_a_closed_round_refuses_results(agency, plan):
    set_status(plan.round, Round.Status.CLOSED)
    with pytest.raises(ValidationError) as excinfo:
        result_save(kpi=kpi(plan, "K1"), actual="77", by=agency.officer1.user)
    assert "ปิดแล้ว" in messages_of(excinfo)
    assert not Result.objects.exists()


def test_a_planning_round_refuses_results(agency, plan):
    set_status(plan.round, Round.Status.PLANNING)
    with pytest.raises(ValidationError) as excinfo:
        result_save(kpi=kpi(plan, "K1"), actual="77", by=agency.officer1.user)
    assert "เฉพาะช่วงติดตามผลและช่วงประเมินผล" in messages_of(excinfo)
    assert not Result.objects.exists()


@pytest.mark.parametrize("status", [Plan.Status.DRAFT, Plan.Status.SUBMITTED, Plan.Status.RETURNED])
def test_a_plan_not_approved_refuses_results(agency, tracking, status):
    plan = make_plan(agency.officer2, tracking, status=status)
    with pytest.raises(ValidationError) as excinfo:
        result_save(kpi=kpi(plan, "K1"), actual="77", by=agency.officer2.user)
    assert "ยังไม่ได้รับอนุมัติ" in messages_of(excinfo)
    assert not Result.objects.exists()


def test_a_kpi_outside_its_plans_round_is_refused(agency, plan):
    other = Round.objects.create(
        fiscal_year=2569, number=2, start="2026-04-01", end="2026-09-30", status="tracking"
    )
    stray = kpi(plan, "K1")
    stray.round = other
    stray.save(update_fields=["round"])
    with pytest.raises(ValidationError, match="ไม่อยู่ในรอบการประเมินของแผน"):
        result_save(kpi=stray, actual="77", by=agency.officer1.user)
    assert not Result.objects.exists()


def test_evidence_is_stored_privately_under_a_random_name(agency, plan, private_media):
    result = result_save(
        kpi=kpi(plan, "K1"),
        actual="77",
        files=[upload("รายงาน.pdf", PDF), upload("photo.JPG", JPG), upload("chart.png", PNG)],
        by=agency.officer1.user,
    )
    stored = list(result.evidence.order_by("pk"))
    assert [e.original_name for e in stored] == ["รายงาน.pdf", "photo.JPG", "chart.png"]
    assert [e.content_type for e in stored] == ["application/pdf", "image/jpeg", "image/png"]
    path = stored[0].file.path
    assert path.startswith(str(private_media / "evidence"))
    assert "รายงาน" not in path
    assert Path(path).read_bytes() == PDF


def test_office_files_are_accepted(agency, plan):
    files = [
        upload("plan.docx", office_bytes("word/document.xml")),
        upload("data.xlsx", office_bytes("xl/workbook.xml")),
    ]
    stored = evidence_add(kpi=kpi(plan, "K1"), files=files, by=agency.officer1.user)
    assert len(stored) == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "ชนิดที่ไม่รับ"),
        ("page.html", b"<html>", "ชนิดที่ไม่รับ"),
        ("noextension", PDF, "ชนิดที่ไม่รับ"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "ไม่ใช่ไฟล์ PDF จริง"),
        ("fake.png", JPG, "ไม่ใช่ไฟล์ PNG จริง"),
        ("fake.docx", office_bytes("xl/workbook.xml"), "ไม่ใช่ไฟล์ DOCX จริง"),
        ("fake.xlsx", b"PK\x03\x04broken", "ไม่ใช่ไฟล์ XLSX จริง"),
        ("empty.pdf", b"", "ไม่ใช่ไฟล์ PDF จริง"),
    ],
)
def test_refused_evidence_saves_neither_the_result_nor_any_file(
    agency, plan, private_media, name, content, message
):
    with pytest.raises(ValidationError) as excinfo:
        result_save(
            kpi=kpi(plan, "K1"),
            actual="77",
            files=[upload("good.pdf", PDF), upload(name, content)],
            by=agency.officer1.user,
        )
    assert message in messages_of(excinfo)
    assert not Result.objects.exists()
    assert not Evidence.objects.exists()
    assert not (private_media / "evidence").exists() or not any(
        p.is_file() for p in (private_media / "evidence").rglob("*")
    )


def test_evidence_over_ten_megabytes_is_refused(agency, plan):
    too_big = upload("big.pdf", PDF + b"0" * (EVIDENCE_MAX_BYTES + 1 - len(PDF)))
    with pytest.raises(ValidationError, match="ขนาดเกิน 10 MB"):
        result_save(kpi=kpi(plan, "K1"), actual="77", files=[too_big], by=agency.officer1.user)
    assert not Result.objects.exists()


def test_a_save_based_on_an_older_version_is_refused(agency, plan):
    first = result_save(
        kpi=kpi(plan, "K1"), actual="77", by=agency.officer1.user, expected_version=0
    )
    with pytest.raises(ValidationError, match="ผลของตัวชี้วัดนี้ถูกบันทึกหลังจากที่คุณเปิดหน้านี้"):
        result_save(kpi=kpi(plan, "K1"), actual="80", by=agency.officer1.user, expected_version=0)
    assert Result.objects.get(pk=first.pk).actual == Decimal("77")


def test_results_are_locked_once_the_assessor_has_scored(agency, plan):
    result_save(kpi=kpi(plan, "K1"), actual="77", by=agency.officer1.user)
    Appraisal.objects.filter(plan=plan).update(status=Appraisal.Status.ASSESSED)
    with pytest.raises(ValidationError, match="ผู้ประเมินให้คะแนนแผนนี้แล้ว"):
        result_save(kpi=kpi(plan, "K1"), actual="80", by=agency.officer1.user)
    assert Result.objects.get().actual == Decimal("77")


def test_blank_actual_clears_the_level_and_score(agency, plan):
    result_save(kpi=kpi(plan, "K1"), actual="77", by=agency.officer1.user)
    result = result_save(kpi=kpi(plan, "K1"), actual="", by=agency.officer1.user)
    assert (result.actual, result.level, result.score) == (None, None, None)
    assert Appraisal.objects.get(plan=plan).achievement == Decimal("0.00")
