"""Two departments on one deployment, both under way in round 2569/1 (tracking).

Department A is conftest's DEPT (hr, grp_head, officer1...). Department B is
conftest's OTHER (hr_other, outsider), given here a division X-DIV, a group
X-GRP headed by X-GH and an officer X-O2. officer1 (A) and X-O2 (B) hold
approved plans of the worked example with results, an appraisal each, and
each department has its raise list of the round.
"""

from types import SimpleNamespace

from appraisals.models import Appraisal, Result
from appraisals.services import result_save
from indicators.models import HistoryEntry, Plan, Round
from monitoring.models import CheckIn
from orgchart.models import Kind, Node
from salaries.models import RaiseList, RaisePolicyChange
from salaries.services import raise_list_for
from tests.conftest import make_node
from tests.factories_appraisals import kpi, make_plan, set_status


def department_b(agency) -> SimpleNamespace:
    other = agency.other
    division = make_node("X-DIV", Kind.DIVISION, other, name="กองของกรมอื่น")
    group = make_node("X-GRP", Kind.GROUP, division, name="กลุ่มงานของกรมอื่น")
    head = make_node("X-GH", Kind.INDIVIDUAL, group, name="นายหัวหน้า กรมอื่น",
                     username="x_head", is_head=True)  # fmt: skip
    officer = make_node("X-O2", Kind.INDIVIDUAL, group, name="นางสาวเจ้าหน้าที่ กรมอื่น",
                        username="x_officer", position_level="ปฏิบัติการ")  # fmt: skip
    return SimpleNamespace(dept=Node.objects.get(pk=other.pk), division=division, group=group,
                           head=head, officer=officer, hr=agency.hr_other)  # fmt: skip


def two_departments(agency, the_round: Round) -> SimpleNamespace:
    """Both departments with a plan, results, an appraisal and a raise list (see above)."""
    set_status(the_round, Round.Status.TRACKING)
    b = department_b(agency)
    a = SimpleNamespace(dept=Node.objects.get(pk=agency.dept.pk), division=agency.div,
                        group=agency.grp, head=agency.grp_head, officer=agency.officer1,
                        hr=agency.hr)  # fmt: skip
    for side in (a, b):
        side.plan = make_plan(side.officer, the_round)
        side.kpi = kpi(side.plan, "K1")
        result_save(kpi=side.kpi, actual="77", by=side.officer.user)
        result_save(kpi=kpi(side.plan, "K2"), actual="27", by=side.officer.user)
        side.appraisal = Appraisal.objects.get(plan=side.plan)
        side.raise_list = raise_list_for(round=the_round, department=side.dept)
    return SimpleNamespace(round=the_round, a=a, b=b, admin=agency.admin)


def rows_of(dept: Node) -> dict:
    """Everything of one department a close or reopen could write, as plain values."""
    tree = dept.tree_id
    return {
        "plans": list(Plan.objects.filter(owner__tree_id=tree).order_by("pk").values()),
        "appraisals": list(
            Appraisal.objects.filter(plan__owner__tree_id=tree).order_by("pk").values()
        ),
        "results": list(
            Result.objects.filter(kpi__plan__owner__tree_id=tree).order_by("pk").values()
        ),
        "history": list(
            HistoryEntry.objects.filter(plan__owner__tree_id=tree).order_by("pk").values()
        ),
        "checkins": list(
            CheckIn.objects.filter(kpi__plan__owner__tree_id=tree).order_by("pk").values()
        ),
        "raise_lists": list(RaiseList.objects.filter(department=dept).order_by("pk").values()),
        "raise_changes": list(
            RaisePolicyChange.objects.filter(raise_list__department=dept).order_by("pk").values()
        ),
    }
