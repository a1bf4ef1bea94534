"""`manage.py create_round YYYY/N`: create a round or update it while it is open."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from appraisals.models import ComponentWeight, RatingBand, ScoringPolicy
from indicators.models import Round
from orgchart.models import StaffType


def create_round(*args) -> str:
    out = StringIO()
    call_command("create_round", *args, stdout=out)
    return out.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as caught:
        create_round(*args)
    return str(caught.value)


def the_round(code="2569/1") -> Round:
    year, number = code.split("/")
    return Round.objects.get(fiscal_year=int(year), number=int(number))


def weights_of(round_: Round) -> set[tuple]:
    return set(
        ComponentWeight.objects.filter(policy__round=round_).values_list(
            "staff_type", "achievement", "competency", "other"
        )
    )


def test_round_1_defaults_to_october_to_march(db):
    output = create_round("2569/1")
    created = the_round("2569/1")
    assert (created.start, created.end) == (datetime.date(2025, 10, 1), datetime.date(2026, 3, 31))
    assert created.status == Round.Status.PLANNING
    assert "สร้างรอบ 2569/1: 2025-10-01 ถึง 2026-03-31 สถานะ วางแผน" in output


def test_round_2_defaults_to_april_to_september(db):
    create_round("2569/2")
    created = the_round("2569/2")
    assert (created.start, created.end) == (datetime.date(2026, 4, 1), datetime.date(2026, 9, 30))


def test_a_new_round_gets_the_default_scoring_policy(db):
    create_round("2569/1")
    policy = ScoringPolicy.objects.get(round=the_round())
    assert (policy.method, policy.floor) == (ScoringPolicy.Method.DISCRETE, 0)
    assert weights_of(the_round()) == {
        (staff_type, Decimal(70), Decimal(30), Decimal(0)) for staff_type in StaffType.values
    }
    assert RatingBand.objects.filter(policy=policy).count() == 5


def test_dates_scoring_weights_and_status_can_be_updated(db):
    create_round("2569/1")
    output = create_round(
        "2569/1",
        "--start=2025-10-15",
        "--end=2026-03-20",
        "--scoring=interpolated",
        "--floor=1",
        "--weights=80/20",
        "--status=tracking",
    )
    updated = the_round()
    assert (updated.start, updated.end) == (datetime.date(2025, 10, 15), datetime.date(2026, 3, 20))
    assert updated.status == Round.Status.TRACKING
    policy = ScoringPolicy.objects.get(round=updated)
    assert (policy.method, policy.floor) == (ScoringPolicy.Method.INTERPOLATED, 1)
    assert {row[1:] for row in weights_of(updated)} == {(Decimal(80), Decimal(20), Decimal(0))}
    assert "ปรับปรุงรอบ 2569/1" in output
    assert "สถานะ ติดตามผล" in output


def test_three_weights_set_the_other_component(db):
    create_round("2569/1", "--weights", "60/30/10")
    assert {row[1:] for row in weights_of(the_round())} == {(Decimal(60), Decimal(30), Decimal(10))}


def test_running_the_same_command_twice_changes_nothing(db):
    args = ("2569/1", "--scoring", "interpolated", "--weights", "70/30")
    create_round(*args)
    before = (
        list(Round.objects.values()),
        list(ScoringPolicy.objects.values()),
        list(ComponentWeight.objects.order_by("pk").values()),
        list(RatingBand.objects.order_by("pk").values()),
    )
    output = create_round(*args)
    after = (
        list(Round.objects.values()),
        list(ScoringPolicy.objects.values()),
        list(ComponentWeight.objects.order_by("pk").values()),
        list(RatingBand.objects.order_by("pk").values()),
    )
    assert after == before
    assert "ปรับปรุงรอบ 2569/1" in output


@pytest.mark.parametrize("code", ["2569/3", "2569", "69/1", "abc", "2569-1", ""])
def test_a_bad_round_code_is_refused_with_the_expected_form(db, code):
    assert "รหัสรอบต้องอยู่ในรูป ปปปป/ร เช่น 2569/1" in refused(code)
    assert not Round.objects.exists()


@pytest.mark.parametrize("code", ["2026/1", "0001/1", "9999/2"])
def test_a_year_that_is_not_buddhist_era_is_refused(db, code):
    assert "ปีงบประมาณต้องเป็นปีพุทธศักราช" in refused(code)
    assert not Round.objects.exists()


def test_thai_digits_in_the_code_are_read(db):
    create_round("๒๕๖๙/๒")
    assert the_round("2569/2").start == datetime.date(2026, 4, 1)


@pytest.mark.parametrize(
    "weights", ["70/20", "abc", "70/30/0/0", "100", "-10/110", "NaN/30", "inf/0", "70.555/29.445"]
)
def test_bad_weights_are_refused_and_nothing_is_created(db, weights):
    assert "น้ำหนักต้องอยู่ในรูป 70/30 หรือ 70/30/0 และรวมกันได้ 100" in refused(
        "2569/1", f"--weights={weights}"
    )
    assert not Round.objects.exists()


def test_bad_weights_leave_an_existing_round_unchanged(db):
    create_round("2569/1", "--weights", "70/30")
    refused("2569/1", "--weights", "70/20", "--status", "tracking")
    assert the_round().status == Round.Status.PLANNING
    assert {row[1:] for row in weights_of(the_round())} == {(Decimal(70), Decimal(30), Decimal(0))}


def test_a_bad_date_is_refused_with_the_expected_form(db):
    assert "YYYY-MM-DD" in refused("2569/1", "--start", "2025-13-01")
    assert not Round.objects.exists()


def test_a_start_after_the_end_is_refused(db):
    message = refused("2569/1", "--start", "2026-04-01", "--end", "2026-03-01")
    assert "วันเริ่มต้นต้องไม่อยู่หลังวันสิ้นสุด" in message
    assert not Round.objects.exists()


def test_a_status_cannot_jump_from_planning_to_assessment(db):
    create_round("2569/1")
    assert "เปลี่ยนสถานะรอบจาก วางแผน เป็น ประเมินผล ไม่ได้" in refused(
        "2569/1", "--status", "assessment"
    )
    assert the_round().status == Round.Status.PLANNING


def test_a_round_cannot_be_closed_here(db):
    assert "invalid choice" in refused("2569/1", "--status", "closed")


def test_a_closed_round_is_refused_and_left_as_it_was(db):
    create_round("2569/1")
    Round.objects.filter(pk=the_round().pk).update(status=Round.Status.CLOSED)
    message = refused("2569/1", "--end", "2026-03-15", "--weights", "80/20")
    assert "รอบ 2569/1 ปิดแล้ว แก้ไขไม่ได้" in message
    closed = the_round()
    assert closed.end == datetime.date(2026, 3, 31)
    assert {row[1:] for row in weights_of(closed)} == {(Decimal(70), Decimal(30), Decimal(0))}
