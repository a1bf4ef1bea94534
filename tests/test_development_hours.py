"""Actual hours on development items (issue 11): recorded by the assessor or the assessee
while the round is open, in the history, and shown on the pages, workbooks and the form."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from appraisals.development import development_item_add, development_item_hours
from appraisals.models import Appraisal, DevelopmentItem
from appraisals.summary import development_rows
from indicators.models import HistoryEntry, Round
from tests.factories_appraisals import make_plan, set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(agency, the_round):
    set_status(the_round, Round.Status.ASSESSMENT)
    plan = make_plan(agency.officer1, the_round)
    Appraisal.objects.create(plan=plan, status=Appraisal.Status.ASSESSED, band="ดี")
    return development_item_add(
        plan=plan,
        subject="",
        topic="การวิเคราะห์ข้อมูล",
        method="training",
        period="ต.ค.-ธ.ค. 2569",
        outcome="วิเคราะห์ข้อมูลได้เอง",
        planned_hours=12,
        by=agency.grp_head.user,
    )


def hours_url(item):
    return reverse(
        "appraisals:development_hours",
        kwargs={"pk": item.appraisal.plan_id, "item_pk": item.pk},
    )


def test_the_assessor_records_hours_and_the_history_keeps_the_change(agency, item):
    assert development_item_hours(item=item, actual_hours=10, by=agency.grp_head.user)
    item.refresh_from_db()
    assert item.actual_hours == 10
    entry = HistoryEntry.objects.get(action="development_hours")
    assert entry.changes == {"actual_hours": [None, 10]}
    # The same value again changes nothing and writes no second entry.
    assert not development_item_hours(item=item, actual_hours=10, by=agency.grp_head.user)
    assert HistoryEntry.objects.filter(action="development_hours").count() == 1


def test_the_assessee_records_theirs_and_the_acknowledgement_stands(agency, item):
    plan = item.appraisal.plan
    from appraisals.development import development_acknowledge

    development_acknowledge(plan=plan, by=agency.officer1.user)
    development_item_hours(item=item, actual_hours=14, by=agency.officer1.user)
    item.refresh_from_db()
    assert item.actual_hours == 14
    assert Appraisal.objects.get(plan=plan).development_acknowledged_at is not None


def test_others_may_not_record_hours(agency, item):
    with pytest.raises(PermissionDenied):
        development_item_hours(item=item, actual_hours=5, by=agency.hr.user)
    assert DevelopmentItem.objects.get(pk=item.pk).actual_hours is None


def test_bad_hours_are_refused_and_nothing_saved(agency, item, client_for):
    with pytest.raises(ValidationError):
        development_item_hours(item=item, actual_hours=1001, by=agency.grp_head.user)
    client = client_for(agency.grp_head)
    response = client.post(hours_url(item), {"actual_hours": "สิบ"}, follow=True)
    assert "จำนวนชั่วโมงต้องเป็นจำนวนเต็ม" in response.content.decode()
    assert DevelopmentItem.objects.get(pk=item.pk).actual_hours is None
    assert not HistoryEntry.objects.filter(action="development_hours").exists()


def test_a_closed_round_keeps_the_hours_as_they_were(agency, item, client_for):
    Round.objects.filter(pk=item.appraisal.plan.round_id).update(status=Round.Status.CLOSED)
    response = client_for(agency.officer1).post(hours_url(item), {"actual_hours": "8"}, follow=True)
    assert "รอบนี้ปิดแล้ว" in response.content.decode()
    assert DevelopmentItem.objects.get(pk=item.pk).actual_hours is None
    page = (
        client_for(agency.officer1)
        .get(reverse("appraisals:development", kwargs={"pk": item.appraisal.plan_id}))
        .content.decode()
    )
    assert 'name="actual_hours"' not in page


def test_the_pages_record_and_show_the_hours(agency, item, client_for):
    plan = item.appraisal.plan
    officer = client_for(agency.officer1)
    url = reverse("appraisals:development", kwargs={"pk": plan.pk})
    assert f'id="actual-hours-{item.pk}"' in officer.get(url).content.decode()
    response = officer.post(hours_url(item), {"actual_hours": "9"}, follow=True)
    assert "บันทึกชั่วโมงที่พัฒนาจริงแล้ว" in response.content.decode()
    assert DevelopmentItem.objects.get(pk=item.pk).actual_hours == 9
    results = officer.get(reverse("appraisals:results", kwargs={"pk": plan.pk})).content.decode()
    assert "จำนวนชั่วโมงที่พัฒนาจริง" in results and "data-actual-hours>9<" in results
    form = officer.get(reverse("appraisals:form", kwargs={"pk": plan.pk})).content.decode()
    assert "data-actual-hours>9<" in form
    # A blank value clears them.
    officer.post(hours_url(item), {"actual_hours": ""})
    assert DevelopmentItem.objects.get(pk=item.pk).actual_hours is None


def test_the_summary_form_and_workbooks_carry_the_hours(agency, item, client_for):
    development_item_hours(item=item, actual_hours=11, by=agency.grp_head.user)
    plan = item.appraisal.plan
    (row,) = development_rows(item.appraisal)
    assert row.planned_hours == Decimal(12) and row.actual_hours == Decimal(11)
    page = (
        client_for(agency.grp_head)
        .get(reverse("appraisals:summary_form", args=[plan.pk]))
        .content.decode()
    )
    part3 = page[page.index('id="summary-part-3"') : page.index('id="summary-part-4"')]
    assert ">11<" in part3
    response = client_for(agency.officer1).get(
        reverse("appraisals:export_form", kwargs={"pk": plan.pk})
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = list(book["แผนพัฒนารายบุคคล"].iter_rows(values_only=True))
    assert ("การวิเคราะห์ข้อมูล", "การฝึกอบรม", "ต.ค.-ธ.ค. 2569", "วิเคราะห์ข้อมูลได้เอง", 12, 11) in values
    url = reverse("appraisals:training_needs") + f"?round={plan.round_id}"
    book = load_workbook(io.BytesIO(b"".join(client_for(agency.hr).get(url).streaming_content)))
    header, first = list(book.worksheets[0].iter_rows(values_only=True))[:2]
    assert header[-1] == "จำนวนชั่วโมงที่พัฒนาจริง" and first[-2:] == (12, 11)


def test_the_hours_column_speaks_english(agency, item, client_for):
    client = client_for(agency.grp_head)
    client.cookies["django_language"] = "en"
    url = reverse("appraisals:development", kwargs={"pk": item.appraisal.plan_id})
    page = client.get(url).content.decode()
    assert "Actual hours" in page and "Planned hours" in page
