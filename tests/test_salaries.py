"""The raise list: import, band defaults, the band range and pool checks, close, round close."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from appraisals.closing import round_close
from salaries.importer import salaries_import, salaries_read
from salaries.models import RaiseList, RaisePolicyChange, SalaryRecord
from salaries.services import (
    pool_of,
    raise_list_close,
    raise_list_refresh,
    raise_policy_save,
    raise_preview,
    raise_propose,
)
from tests.factories_salaries import salary_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agency):
    return salary_world(agency)


def test_import_sets_base_band_and_the_band_default(world):
    officer1, officer2, head = (world.records[c] for c in ("P-O1", "P-O2", "P-GH"))
    # ปฏิบัติการ 8340-26900: midpoint 17620, upper base 22260 (20000 is above the midpoint).
    assert (officer1.band, officer1.base, officer1.percent) == ("ดีเด่น", D(22260), D(5))
    assert officer1.amount == 1120  # 5% of 22260 = 1113 -> 1120
    # ชำนาญการ, 58000 above the midpoint: base 47560, ดี 3% = 1426.80 -> 1430; ceiling 58390.
    assert (officer2.base, officer2.amount, officer2.to_salary, officer2.special) == (
        D(47560),
        D(1430),
        D(390),
        D(1040),
    )
    assert head.base == 31000  # the base given in the file overrides the range


def test_pool_is_three_percent_of_the_payroll_by_default(world):
    pool, _others = pool_of(world.list)
    assert pool.total == D("3240.00")  # 3% of 108,000
    assert pool.used == 1120 + 1430 + 1240  # ดีมาก 4% of 31000 = 1240


def test_percent_outside_the_band_range_is_refused_and_nothing_saved(world):
    record = world.records["P-O1"]
    with pytest.raises(ValidationError, match="อยู่นอกช่วงที่ระดับ ดีเด่น เลื่อนได้"):
        raise_propose(record=record, percent=D(7), by=None)
    record.refresh_from_db()
    assert record.percent == 5
    assert not RaisePolicyChange.objects.filter(action="propose").exists()


def test_step_past_the_pool_is_refused_and_nothing_saved(world):
    # Used 3790 of 3240: lower two people first, then try one step too far.
    raise_propose(record=world.records["P-GH"], percent=D(3), by=None)  # 930
    raise_propose(record=world.records["P-O2"], percent=D(2), by=None)  # 960
    pool, _ = pool_of(world.list)
    assert pool.used == 1120 + 960 + 930 and pool.left == 230
    raise_propose(record=world.records["P-O1"], percent=D(6), by=None)  # 1340: used 3230
    with pytest.raises(ValidationError, match="เกินวงเงิน"):
        raise_propose(record=world.records["P-GH"], percent=D("3.5"), by=None)  # 1090
    pool, _ = pool_of(world.list)
    assert pool.used == 3230
    assert SalaryRecord.objects.get(person__code="P-GH").percent == 3


def test_preview_says_what_a_save_would_do_without_saving(world):
    record, pool, errors = raise_preview(record=world.records["P-O1"], percent=D(4))
    assert errors == [] and record.amount == 900 and pool.used == 900 + 1430 + 1240
    assert SalaryRecord.objects.get(person__code="P-O1").percent == 5


def test_nobody_below_the_minimum_band_gets_a_raise_by_default(agency):
    from tests.factories_salaries import assessment_round, give_bands

    the_round = assessment_round()
    give_bands(the_round, {agency.officer1: "ต้องปรับปรุง"})
    call_command(
        "import_salary_ranges",
        _csv("position_type,position_level,floor,ceiling\nวิชาการ,ปฏิบัติการ,8340,26900\n"),
    )
    salaries_import(
        table=salaries_read(b"code,salary\nP-O1,20000\n", filename="s.csv"),
        round=the_round,
        by=None,
    )
    record = SalaryRecord.objects.get(person__code="P-O1")
    assert record.percent == 0 and record.amount == 0
    with pytest.raises(ValidationError):
        raise_propose(record=record, percent=D(1), by=None)


def test_policy_change_is_kept_in_history_and_recomputes(world):
    raise_policy_save(
        raise_list=world.list,
        pool_percent=D(4),
        rules={"ดีเด่น": (D(4), D(5), D("4.5"))},
        by=None,
    )
    change = RaisePolicyChange.objects.filter(action="policy").get()
    assert ["pool_percent", "3", "4"] in change.changes
    assert ["ดีเด่น", "4/6/5", "4/5/4.5"] in change.changes
    # 5% is still within 4-5: kept.
    assert SalaryRecord.objects.get(person__code="P-O1").percent == 5


def test_policy_with_min_above_max_is_refused(world):
    with pytest.raises(ValidationError):
        raise_policy_save(
            raise_list=world.list, pool_percent=D(3), rules={"ดี": (D(4), D(2), D(3))}, by=None
        )
    assert not RaisePolicyChange.objects.filter(action="policy").exists()


def test_close_is_refused_over_the_pool_then_freezes(world):
    with pytest.raises(ValidationError, match="ปิดบัญชีไม่ได้"):
        raise_list_close(raise_list=world.list, by=None)
    raise_propose(record=world.records["P-GH"], percent=D(3), by=None)
    raise_propose(record=world.records["P-O2"], percent=D(2), by=None)
    raise_list_close(raise_list=world.list, by=None)
    with pytest.raises(ValidationError, match="ปิดแล้ว"):
        raise_propose(record=world.records["P-O1"], percent=D(4), by=None)
    with pytest.raises(ValidationError):
        raise_list_refresh(raise_list=world.list, by=None)


def test_closing_the_round_closes_its_raise_lists(world, agency):
    round_close(round=world.round, by=agency.admin)
    assert RaiseList.objects.get(pk=world.list.pk).is_closed
    assert RaisePolicyChange.objects.filter(action="round_close").exists()


def test_import_row_errors_save_nothing(world):
    table = salaries_read(b"code,salary\nP-O1,25000\nNOPE,1\nP-O2,-5\n", filename="s.csv")
    report = salaries_import(table=table, round=world.round, by=None)
    assert len(report.errors) == 2
    assert SalaryRecord.objects.get(person__code="P-O1").salary == 20000


def test_hr_of_another_department_cannot_import_these_people(world, agency):
    table = salaries_read(b"code,salary\nP-O1,25000\n", filename="s.csv")
    report = salaries_import(table=table, round=world.round, by=agency.hr_other.user)
    assert [e.message for e in report.errors] == ["บุคคลนี้อยู่นอกส่วนราชการของคุณ"]


def _csv(text: str) -> str:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as handle:
        handle.write(text)
    return handle.name


def test_commands_import_and_export(world, tmp_path, capsys):
    path = _csv("code,salary\nP-O1,21000\n")
    call_command("import_salaries", path, "--round", "2569/1", "--dry-run")
    assert SalaryRecord.objects.get(person__code="P-O1").salary == 20000
    call_command("import_salaries", path, "--round", "2569/1")
    assert SalaryRecord.objects.get(person__code="P-O1").salary == 21000
    target = tmp_path / "raises.xlsx"
    call_command("export_raises", "2569/1", str(target))
    from openpyxl import load_workbook

    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "หน่วยงาน"))
    people = {r[1]: r for r in rows[header + 1 :]}
    assert people["P-O2"][8] == 1430 and people["P-O2"][10] == 58390 and people["P-O2"][11] == 1040
    with pytest.raises(CommandError):
        call_command("import_salaries", _csv("code,salary\nP-O1,abc\n"), "--round", "2569/1")


def test_a_percent_with_three_decimals_is_refused(world):
    with pytest.raises(ValidationError, match="ทศนิยมได้ไม่เกิน 2 ตำแหน่ง"):
        raise_propose(record=world.records["P-O1"], percent=D("4.555"), by=None)
    assert SalaryRecord.objects.get(person__code="P-O1").percent == 5
