"""The individual development plan: suggestions, the assessor's items, the acknowledgement,
history, the form's part 3 (page and xlsx) and HR's training-needs workbook."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from appraisals.development import (
    development_acknowledge,
    development_item_add,
    development_suggestions,
)
from appraisals.models import Appraisal, Competency, CompetencyRating, DevelopmentItem, Result
from indicators.models import HistoryEntry, Round
from tests.factories_appraisals import make_plan, set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(agency, the_round):
    set_status(the_round, Round.Status.ASSESSMENT)
    plan = make_plan(agency.officer1, the_round)
    low, good = plan.kpis.order_by("order")[:2]
    Result.objects.create(kpi=low, actual=Decimal(66), level=1, score=Decimal(1))
    Result.objects.create(kpi=good, actual=Decimal(20), level=5, score=Decimal(5))
    appraisal = Appraisal.objects.create(plan=plan, status=Appraisal.Status.ASSESSED, band="ดี")
    team, service = Competency.objects.order_by("order")[:2]
    CompetencyRating.objects.create(appraisal=appraisal, competency=team, expected=3, observed=1)
    CompetencyRating.objects.create(appraisal=appraisal, competency=service, expected=2, observed=3)
    plan.low_kpi, plan.low_competency = low, team
    return plan


def _add(plan, by, **fields):
    values = {
        "subject": "",
        "topic": "การวิเคราะห์ข้อมูล",
        "method": "training",
        "period": "ต.ค.-ธ.ค. 2569",
        "outcome": "วิเคราะห์ข้อมูลได้เอง",
        "planned_hours": 12,
    }
    return development_item_add(plan=plan, by=by, **(values | fields))


def test_suggestions_are_competencies_below_expected_and_kpis_below_level_3(assessed):
    subjects = [s.subject for s in development_suggestions(assessed.appraisal)]
    assert subjects == [f"competency:{assessed.low_competency.pk}", f"kpi:{assessed.low_kpi.pk}"]


def test_assessor_adds_an_item_from_a_suggestion_and_it_is_in_the_history(assessed, agency):
    item = _add(assessed, agency.grp_head.user, subject=f"kpi:{assessed.low_kpi.pk}", topic="")
    assert item.kpi == assessed.low_kpi and item.topic.startswith(assessed.low_kpi.name)
    assert HistoryEntry.objects.filter(plan=assessed, action="development_add").exists()


def test_only_the_assessor_adds_items(assessed, agency):
    with pytest.raises(PermissionDenied):
        _add(assessed, agency.officer1.user)
    with pytest.raises(PermissionDenied):
        _add(assessed, agency.hr.user)
    assert not DevelopmentItem.objects.exists()


def test_missing_fields_are_refused_and_nothing_saved(assessed, agency):
    with pytest.raises(ValidationError) as error:
        _add(assessed, agency.grp_head.user, method="dancing", period="", outcome="")
    assert "กรุณาเลือกวิธีการพัฒนา" in error.value.messages
    assert not DevelopmentItem.objects.exists()


def test_no_plan_before_the_assessor_scores(agency, the_round):
    set_status(the_round, Round.Status.ASSESSMENT)
    plan = make_plan(agency.officer1, the_round)
    Appraisal.objects.create(plan=plan)
    with pytest.raises(ValidationError, match="ผู้ประเมินต้องให้คะแนนก่อน"):
        _add(plan, agency.grp_head.user)


def test_officer_acknowledges_and_a_new_item_asks_again(assessed, agency):
    _add(assessed, agency.grp_head.user)
    appraisal = development_acknowledge(plan=assessed, by=agency.officer1.user)
    assert appraisal.development_acknowledged_at is not None
    _add(assessed, agency.grp_head.user, topic="การนำเสนอ", method="coaching")
    assert Appraisal.objects.get(pk=appraisal.pk).development_acknowledged_at is None
    with pytest.raises(PermissionDenied):
        development_acknowledge(plan=assessed, by=agency.grp_head.user)


def test_closed_round_freezes_the_plan(assessed, agency):
    _add(assessed, agency.grp_head.user)
    Round.objects.filter(pk=assessed.round_id).update(status=Round.Status.CLOSED)
    assessed.round.refresh_from_db()
    with pytest.raises(ValidationError, match="รอบนี้ปิดแล้ว"):
        _add(assessed, agency.grp_head.user)


def test_pages_assessor_adds_officer_acknowledges(assessed, agency, client_for):
    url = reverse("appraisals:development", kwargs={"pk": assessed.pk})
    head = client_for(agency.grp_head)
    data = {
        "subject": f"competency:{assessed.low_competency.pk}",
        "topic": "",
        "method": "coaching",
        "period": "ม.ค. 2570",
        "outcome": "ทำงานเป็นทีมได้ดีขึ้น",
        "planned_hours": "6",
    }
    assert head.post(url, data).status_code == 302
    bad = head.post(url, data | {"period": "", "planned_hours": "x"})
    assert "จำนวนชั่วโมงต้องเป็นจำนวนเต็ม" in bad.content.decode()
    assert DevelopmentItem.objects.count() == 1
    officer = client_for(agency.officer1)
    assert officer.post(url, data).status_code == 403
    ack = reverse("appraisals:development_acknowledge", kwargs={"pk": assessed.pk})
    assert officer.post(ack).status_code == 302
    results = officer.get(
        reverse("appraisals:results", kwargs={"pk": assessed.pk})
    ).content.decode()
    assert "ทำงานเป็นทีมได้ดีขึ้น" in results and "รับทราบแผนพัฒนาแล้ว" in results
    form = officer.get(reverse("appraisals:form", kwargs={"pk": assessed.pk})).content.decode()
    assert "ส่วนที่ 3" in form and "ทำงานเป็นทีมได้ดีขึ้น" in form


def test_form_workbook_has_the_development_sheet(assessed, agency, client_for):
    _add(assessed, agency.grp_head.user)
    response = client_for(agency.officer1).get(
        reverse("appraisals:export_form", kwargs={"pk": assessed.pk})
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["แผนพัฒนารายบุคคล"]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert ("การวิเคราะห์ข้อมูล", "การฝึกอบรม", "ต.ค.-ธ.ค. 2569", "วิเคราะห์ข้อมูลได้เอง", 12, None) in values


def test_training_needs_workbook_for_hr_only(assessed, agency, client_for):
    _add(assessed, agency.grp_head.user, subject=f"competency:{assessed.low_competency.pk}")
    url = reverse("appraisals:training_needs") + f"?round={assessed.round_id}"
    assert client_for(agency.grp_head).get(url).status_code == 403
    response = client_for(agency.hr).get(url)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    items, counts = book.worksheets
    assert any(row[1] == "P-O1" for row in items.iter_rows(values_only=True))
    assert (assessed.low_competency.name, "กลุ่มงานติดตาม", "การฝึกอบรม", 1) in list(
        counts.iter_rows(values_only=True)
    )
    other = client_for(agency.hr_other).get(url)
    book = load_workbook(io.BytesIO(b"".join(other.streaming_content)))
    assert len(list(book.worksheets[0].iter_rows())) == 1  # the header only


def test_reports_page_offers_hr_the_training_needs(assessed, agency, client_for):
    page = client_for(agency.hr).get(reverse("appraisals:reports")).content.decode()
    assert 'id="training-needs"' in page
    page = client_for(agency.grp_head).get(reverse("appraisals:reports")).content.decode()
    assert 'id="training-needs"' not in page


def test_training_needs_command(assessed, agency, tmp_path):
    from django.core.management import call_command

    _add(assessed, agency.grp_head.user)
    target = tmp_path / "needs.xlsx"
    call_command("export_training_needs", "2569/1", str(target))
    rows = list(load_workbook(target).worksheets[0].iter_rows(values_only=True))
    assert rows[1][1] == "P-O1" and rows[1][6] == "การวิเคราะห์ข้อมูล"


def test_the_development_page_speaks_english(assessed, agency, client_for):
    client = client_for(agency.grp_head)
    client.cookies["django_language"] = "en"
    url = reverse("appraisals:development", kwargs={"pk": assessed.pk})
    page = client.get(url).content.decode()
    assert "Individual development plan" in page and "Coaching" in page
