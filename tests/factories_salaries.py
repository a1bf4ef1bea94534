"""A department's salaries in round 2569/1: ranges, appraisal bands, and the raise list."""

from decimal import Decimal as D
from types import SimpleNamespace

from appraisals.models import Appraisal
from indicators.models import Plan, Round
from salaries.importer import ranges_import, ranges_read, salaries_import, salaries_read
from salaries.models import RaiseList

RANGES_CSV = (
    "position_type,position_level,floor,ceiling\n"
    "วิชาการ,ปฏิบัติการ,8340,26900\n"
    "วิชาการ,ชำนาญการ,15050,58390\n"
    "วิชาการ,ชำนาญการพิเศษ,22140,69040\n"
)
# officer1 (ปฏิบัติการ, ดีเด่น), officer2 (ชำนาญการ, ดี, near the ceiling), grp_head (ดีมาก).
SALARIES_CSV = "code,salary,base\nP-O1,20000,\nP-O2,58000,\nP-GH,30000,31000\n"


def assessment_round() -> Round:
    start, end = Round.default_dates(2569, 1)
    return Round.objects.create(
        fiscal_year=2569, number=1, start=start, end=end, status=Round.Status.ASSESSMENT
    )


def give_bands(the_round: Round, bands: dict) -> None:
    for node, band in bands.items():
        plan = Plan.objects.create(owner=node, round=the_round, status=Plan.Status.APPROVED)
        Appraisal.objects.create(plan=plan, status=Appraisal.Status.ASSESSED, band=band)


def salary_world(agency, the_round: Round | None = None) -> SimpleNamespace:
    the_round = the_round or assessment_round()
    give_bands(the_round, {agency.officer1: "ดีเด่น", agency.officer2: "ดี", agency.grp_head: "ดีมาก"})
    report = ranges_import(table=ranges_read(RANGES_CSV.encode(), filename="r.csv"), by=None)
    assert not report.errors, report.errors
    table = salaries_read(SALARIES_CSV.encode(), filename="s.csv")
    report = salaries_import(table=table, round=the_round, by=None)
    assert not report.errors, report.errors
    raise_list = RaiseList.objects.get(round=the_round, department=agency.dept)
    records = {
        r.person.code: r for r in raise_list.records.select_related("person", "salary_range")
    }
    return SimpleNamespace(round=the_round, list=raise_list, records=records, payroll=D(108000))
