"""Two people (or two imports) acting at once: nobody's work is lost silently.

The tests marked `postgres` run real threads against PostgreSQL, each with
its own connection, released together by a barrier. To make the race certain
rather than lucky, the first writer pauses briefly *inside* its critical
section (`Meeting`, `Hold` in tests.factories_security): with the lock in
place the second writer simply waits for it; without the lock the two would
overlap every time, and these tests fail. The first tests run everywhere
(SQLite too): the same races, interleaved one step at a time.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from indicators import content, services
from indicators.import_plans import PlanPass
from indicators.importer import kpis_import, kpis_read
from indicators.models import KPI, HistoryEntry, Plan
from indicators.plans import StaleEdit
from orgchart import importer as org_importer
from orgchart.importer import org_import, org_read
from orgchart.models import Kind, Node
from orgchart.services import node_move
from tests.conftest import make_node
from tests.factories_plans import make_plan
from tests.factories_security import (
    Hold,
    Meeting,
    assert_tree_consistent,
    csv_bytes,
    run_at_once,
    wrap_after,
    wrap_before,
)

STALE = "แผนนี้ถูกแก้ไขหลังจากที่คุณเปิดหน้านี้ การบันทึกของคุณยังไม่ถูกบันทึก"
DECIDED_FIRST = "แผนนี้ถูกดำเนินการไปแล้วหลังจากที่คุณเปิดหน้านี้ (สถานะขณะนี้: อนุมัติแล้ว)"
NOT_SUBMITTED = "แผนนี้ไม่ได้อยู่ระหว่างรออนุมัติ (สถานะขณะนี้: อนุมัติแล้ว)"
LOCKED = "จึงแก้ไขไม่ได้ ต้องขอเปิดแผนใหม่ก่อน"
IMPORT_RACE = "ข้อมูลในระบบเปลี่ยนระหว่างการนำเข้า"
APPROVED = Plan.Status.APPROVED
NEW_NAME = "ตัวชี้วัดที่แก้ไขระหว่างการอนุมัติ"

only_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL (DATABASE_URL)"
)


def concurrent(test):
    """A threaded test: PostgreSQL only, committed data (threads see it), marked `postgres`."""
    return pytest.mark.postgres(only_postgres(pytest.mark.django_db(transaction=True)(test)))


def loaded(plan: Plan) -> Plan:
    """The plan as a page loads it: a separate copy."""
    return Plan.objects.select_related("round", "owner").get(pk=plan.pk)


def messages_of(error) -> str:
    return " ".join(getattr(error, "messages", [str(error)]))


def edits_after_approval(plan: Plan) -> list[str]:
    """Content changes recorded after the plan's approval (there must be none)."""
    entries = list(plan.history.order_by("at", "pk").values_list("action", flat=True))
    if "plan_approve" not in entries:
        return []
    after = entries[entries.index("plan_approve") + 1 :]
    return [action for action in after if action.startswith(("kpi", "kra"))]


# Everywhere: the same races, one step at a time --------------------------------


def test_a_save_from_a_page_loaded_before_another_save_is_refused(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=2)
    kpi = plan.kpis.first()
    tab1, tab2 = loaded(plan), loaded(plan)
    user = agency.officer1.user

    services.kpi_save(
        plan=tab1, kpi=kpi, data={"name": "บันทึกแรก"}, expected_version=tab1.version, by=user
    )
    with pytest.raises(StaleEdit) as refused:
        services.kpi_save(
            plan=tab2, kpi=kpi, data={"name": "บันทึกที่สอง"}, expected_version=tab2.version, by=user
        )

    assert STALE in messages_of(refused.value)
    assert KPI.objects.get(pk=kpi.pk).name == "บันทึกแรก"
    assert plan.history.filter(action="kpi_update").count() == 1


def test_the_second_of_two_approvals_is_told_someone_decided_first(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=2, status=Plan.Status.SUBMITTED)
    tab1, tab2 = loaded(plan), loaded(plan)
    supervisor = agency.grp_head.user

    services.plan_approve(plan=tab1, by=supervisor, expected_version=tab1.version)
    with pytest.raises(ValidationError) as refused:
        services.plan_approve(plan=tab2, by=supervisor, expected_version=tab2.version)

    assert DECIDED_FIRST in messages_of(refused.value)
    assert plan.history.filter(action="plan_approve").count() == 1


@pytest.mark.parametrize(
    ("with_version", "message"), [(True, STALE), (False, LOCKED)], ids=["form", "no-version"]
)
def test_an_edit_loaded_before_the_approval_cannot_change_the_approved_plan(
    agency, the_round, with_version, message
):
    plan = make_plan(agency.officer1, the_round, kpis=2)
    kpi = plan.kpis.first()
    editor_page = loaded(plan)  # the holder opened the edit form while it was a draft
    services.plan_submit(plan=loaded(plan), by=agency.officer1.user)
    services.plan_approve(plan=loaded(plan), by=agency.grp_head.user)

    with pytest.raises(ValidationError) as refused:
        services.kpi_save(
            plan=editor_page,
            kpi=kpi,
            data={"name": NEW_NAME},
            expected_version=editor_page.version if with_version else None,
            by=agency.officer1.user,
        )

    assert message in messages_of(refused.value)
    assert KPI.objects.get(pk=kpi.pk).name != NEW_NAME
    assert Plan.objects.get(pk=plan.pk).status == APPROVED
    assert edits_after_approval(plan) == []


# (a) Two approvals of one plan at once -----------------------------------------


@concurrent
@pytest.mark.parametrize(
    ("with_version", "message"),
    [(True, DECIDED_FIRST), (False, NOT_SUBMITTED)],
    ids=["plan-page", "no-version"],
)
def test_two_approvals_at_once_approve_once_and_tell_the_second(
    agency, the_round, monkeypatch, with_version, message
):
    plan = make_plan(agency.officer1, the_round, kpis=2, status=Plan.Status.SUBMITTED)
    seen = plan.version
    meeting = Meeting(2)
    # Inside the transaction, after the plan is claimed: the other approval must wait here.
    wrap_before(monkeypatch, services, "_review_errors", meeting)
    supervisor = agency.grp_head.user

    def approve():
        version = seen if with_version else None
        return services.plan_approve(plan=loaded(plan), by=supervisor, expected_version=version)

    outcomes = run_at_once({"tab-1": approve, "tab-2": approve})

    approved = [o for o in outcomes.values() if o.ok]
    refused = [o for o in outcomes.values() if not o.ok]
    assert len(approved) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0].error, ValidationError)
    assert message in messages_of(refused[0].error)
    plan.refresh_from_db()
    assert plan.status == APPROVED and plan.approved_by == supervisor
    assert plan.history.filter(action="plan_approve").count() == 1
    assert plan.version == seen + 1
    assert not meeting.met  # the second approval waited for the first to commit


@concurrent
def test_approving_from_the_plan_page_and_the_team_page_at_once(agency, the_round, monkeypatch):
    plan = make_plan(agency.officer1, the_round, kpis=2, status=Plan.Status.SUBMITTED)
    seen = plan.version
    wrap_before(monkeypatch, services, "_review_errors", Meeting(2))
    user = agency.grp_head.user

    def from_plan_page():
        client = Client()
        client.force_login(user)
        url = reverse("indicators:plan_approve", args=[plan.pk])
        return client.post(url, {"version": seen}, follow=True).content.decode()

    def from_team_page():
        client = Client()
        client.force_login(user)
        data = {"plans": [f"{plan.pk}:{seen}"], "round": the_round.pk}
        return client.post(reverse("indicators:team_approve"), data, follow=True).content.decode()

    outcomes = run_at_once({"plan": from_plan_page, "team": from_team_page})

    assert all(o.ok for o in outcomes.values()), outcomes
    pages = {name: o.value for name, o in outcomes.items()}
    said_approved = ("อนุมัติแผนแล้ว" in pages["plan"]) + ("อนุมัติแล้ว 1 แผน" in pages["team"])
    told_first = sum(DECIDED_FIRST in page for page in pages.values())
    assert (said_approved, told_first) == (1, 1), pages
    assert plan.history.filter(action="plan_approve").count() == 1


# (b) An edit during an approval --------------------------------------------------


def _submit_and_approve(agency, plan):
    services.plan_submit(plan=loaded(plan), by=agency.officer1.user)
    return services.plan_approve(plan=loaded(plan), by=agency.grp_head.user)


@concurrent
@pytest.mark.parametrize("with_version", [True, False], ids=["form", "no-version"])
def test_an_edit_that_holds_the_plan_lands_before_the_approval(
    agency, the_round, monkeypatch, with_version
):
    """The edit is inside its transaction when the holder submits and the supervisor approves."""
    plan = make_plan(agency.officer1, the_round, kpis=2)
    kpi = plan.kpis.first()
    editor_page = loaded(plan)
    hold = Hold("editor")
    wrap_after(monkeypatch, content, "require_editable", hold.pause)

    def edit():
        version = editor_page.version if with_version else None
        return services.kpi_save(
            plan=editor_page,
            kpi=kpi,
            data={"name": NEW_NAME},
            expected_version=version,
            by=agency.officer1.user,
        )

    def decide():
        hold.wait_until_inside()
        try:
            return _submit_and_approve(agency, plan)
        finally:
            hold.release()

    outcomes = run_at_once({"editor": edit, "decider": decide})

    assert outcomes["editor"].ok and outcomes["decider"].ok, outcomes
    plan.refresh_from_db()
    assert plan.status == APPROVED
    assert KPI.objects.get(pk=kpi.pk).name == NEW_NAME
    assert edits_after_approval(plan) == []


@concurrent
@pytest.mark.parametrize(
    ("with_version", "message"), [(True, STALE), (False, LOCKED)], ids=["form", "no-version"]
)
def test_an_edit_that_arrives_during_the_submission_is_refused_with_a_message(
    agency, the_round, monkeypatch, with_version, message
):
    plan = make_plan(agency.officer1, the_round, kpis=2)
    kpi = plan.kpis.first()
    editor_page = loaded(plan)
    hold = Hold("decider")
    wrap_after(monkeypatch, services, "require_editable", hold.pause)  # inside plan_submit

    def edit():
        hold.wait_until_inside()
        try:
            version = editor_page.version if with_version else None
            return services.kpi_save(
                plan=editor_page,
                kpi=kpi,
                data={"name": NEW_NAME},
                expected_version=version,
                by=agency.officer1.user,
            )
        finally:
            hold.release()

    outcomes = run_at_once({"editor": edit, "decider": lambda: _submit_and_approve(agency, plan)})

    assert outcomes["decider"].ok, outcomes
    assert message in messages_of(outcomes["editor"].error)
    plan.refresh_from_db()
    assert plan.status == APPROVED
    assert KPI.objects.get(pk=kpi.pk).name != NEW_NAME
    assert edits_after_approval(plan) == []
    assert plan.history.filter(action="kpi_update").count() == 0


KPI_HEADER = [
    "owner_code",
    "job",
    "kra",
    "kpi_code",
    "kpi",
    "unit",
    "scale",
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "level_5",
    "weight",
]


def kpi_row(owner, code, weight, name=None, kra="ผลสัมฤทธิ์หลักที่ 1"):
    name = name or f"ตัวชี้วัด {code}"
    return [owner, "งานประจำ", kra, code, name, "ร้อยละ", "มากดี", 10, 20, 30, 40, 50, weight]


def kpi_file(rows) -> bytes:
    return csv_bytes(KPI_HEADER, rows)


def import_kpis(data: bytes, the_round, by):
    return kpis_import(table=kpis_read(data, filename="kpis.csv"), round=the_round, by=by,
                       dry_run=False)  # fmt: skip


@concurrent
def test_a_kpi_import_and_an_approval_at_once_never_change_an_approved_plan(
    agency, the_round, monkeypatch
):
    """HR imports into a draft while its holder submits and the supervisor approves."""
    plan = make_plan(agency.officer1, the_round, kpis=2)
    first, second = plan.kpis.order_by("order")
    data = kpi_file(
        [
            kpi_row("P-O1", first.code, 50, name=NEW_NAME),
            kpi_row("P-O1", second.code, 50, name=second.name),
        ]
    )
    hold = Hold("import")
    wrap_before(monkeypatch, PlanPass, "_save", hold.pause)  # the plans are read and checked

    def decide():
        hold.wait_until_inside()
        try:
            return _submit_and_approve(agency, plan)
        except ValidationError as error:
            return error
        finally:
            hold.release()

    outcomes = run_at_once(
        {"import": lambda: import_kpis(data, the_round, agency.hr.user), "decider": decide}
    )

    assert outcomes["import"].ok and outcomes["decider"].ok, outcomes
    report = outcomes["import"].value
    plan.refresh_from_db()
    name = KPI.objects.get(pk=first.pk).name
    if plan.status == APPROVED:
        # Approved: the import either came first (and was approved with the plan) or was refused.
        assert edits_after_approval(plan) == []
        assert not HistoryEntry.objects.filter(
            plan=plan, action="kpi_import", at__gt=plan.approved_at
        ).exists()
        assert name == (NEW_NAME if report.ok else first.name)
    else:
        # The import came first and the submission was refused as stale: nothing lost either.
        assert report.ok and name == NEW_NAME


# (c) Two imports at once ----------------------------------------------------------

ORG_HEADER = ["code", "parent_code", "kind", "name", "is_head"]


def import_org(rows, by):
    data = csv_bytes(ORG_HEADER, rows)
    return org_import(table=org_read(data, filename="org.csv"), by=by)


def org_state() -> set[tuple]:
    return set(Node.objects.values_list("code", "parent__code", "kind", "name", "is_head"))


@concurrent
def test_two_org_imports_that_clash_end_as_one_of_the_serial_orders(agency, monkeypatch):
    file_a = [
        ["N-G", "DIV", "กลุ่มงาน", "กลุ่มงานใหม่ ก", ""],
        ["N-PA", "N-G", "บุคคล", "นายหัวหน้า ก", "ใช่"],
    ]
    file_b = [
        ["N-G", "DIV", "กลุ่มงาน", "กลุ่มงานใหม่ ข", ""],
        ["N-PB", "N-G", "บุคคล", "นายหัวหน้า ข", "ใช่"],
    ]
    before = org_state()
    meeting = Meeting(2)
    wrap_before(monkeypatch, org_importer, "_write", meeting)  # both files checked, writing now
    hr = agency.hr.user

    outcomes = run_at_once(
        {"a": lambda: import_org(file_a, hr), "b": lambda: import_org(file_b, hr)}
    )

    assert all(o.ok for o in outcomes.values()), outcomes  # a report each, never a crash
    saved = [name for name, o in outcomes.items() if o.value.saved]
    refused = [name for name, o in outcomes.items() if o.value.errors]
    assert len(saved) == 1 and len(refused) == 1, outcomes
    messages = [e.message for e in outcomes[refused[0]].value.errors]
    assert any("มีหัวหน้ามากกว่าหนึ่งคน" in m for m in messages), messages
    winner = {"a": file_a, "b": file_b}[saved[0]]
    expected = before | {
        (code, parent, Kind.GROUP if kind == "กลุ่มงาน" else Kind.INDIVIDUAL, name, head == "ใช่")
        for code, parent, kind, name, head in winner
    }
    assert org_state() == expected
    assert Node.objects.filter(code="N-G").count() == 1
    assert not meeting.met
    assert_tree_consistent()


@concurrent
def test_two_org_imports_into_one_tree_keep_it_consistent(agency, monkeypatch):
    file_a = [
        ["N-GA", "DIV", "กลุ่มงาน", "กลุ่มงานใหม่ ก", ""],
        ["N-A1", "N-GA", "บุคคล", "นายใหม่ ก", ""],
        ["P-O2", "N-GA", "บุคคล", "นางสาวสมหญิง ขยัน", ""],  # moves an officer
    ]
    file_b = [
        ["N-GB", "DEPT", "กลุ่มงาน", "กลุ่มงานใหม่ ข", ""],
        ["N-B1", "N-GB", "บุคคล", "นายใหม่ ข", ""],
        ["P-O3", "N-GB", "บุคคล", "นายสมศักดิ์ วิเคราะห์", ""],
    ]
    meeting = Meeting(2)
    wrap_before(monkeypatch, org_importer, "_write", meeting)
    hr = agency.hr.user

    outcomes = run_at_once(
        {"a": lambda: import_org(file_a, hr), "b": lambda: import_org(file_b, hr)}
    )

    assert all(o.ok and o.value.saved for o in outcomes.values()), outcomes
    parents = dict(Node.objects.values_list("code", "parent__code"))
    assert (parents["N-A1"], parents["P-O2"], parents["N-B1"], parents["P-O3"]) == (
        "N-GA",
        "N-GA",
        "N-GB",
        "N-GB",
    )
    assert not meeting.met
    assert_tree_consistent()


def kpi_state(the_round) -> dict:
    return {
        code: (plan, name, weight)
        for code, plan, name, weight in KPI.objects.filter(round=the_round).values_list(
            "code", "plan__owner__code", "name", "weight"
        )
    }


@concurrent
def test_two_kpi_imports_of_overlapping_files_end_as_one_of_the_serial_orders(
    agency, the_round, monkeypatch
):
    """Each file alone makes the plan add up to 100; both together would make 140."""
    plan = make_plan(agency.officer1, the_round, kpis=1)
    stored = plan.kpis.get().code
    file_a = kpi_file([kpi_row("P-O1", stored, 60), kpi_row("P-O1", "P-O1-A", 40)])
    file_b = kpi_file([kpi_row("P-O1", stored, 50), kpi_row("P-O1", "P-O1-B", 50)])
    meeting = Meeting(2)
    wrap_before(monkeypatch, PlanPass, "_save", meeting)
    hr = agency.hr.user

    outcomes = run_at_once(
        {
            "a": lambda: import_kpis(file_a, the_round, hr),
            "b": lambda: import_kpis(file_b, the_round, hr),
        }
    )

    assert all(o.ok for o in outcomes.values()), outcomes
    saved = [name for name, o in outcomes.items() if o.value.saved]
    assert len(saved) == 1, {name: o.value.errors for name, o in outcomes.items()}
    winner = saved[0]
    serial = {
        "a": {stored: Decimal(60), "P-O1-A": Decimal(40)},
        "b": {stored: Decimal(50), "P-O1-B": Decimal(50)},
    }[winner]
    weights = {code: weight for code, (_o, _n, weight) in kpi_state(the_round).items()}
    assert weights == serial
    assert sum(weights.values()) == 100
    assert not meeting.met


@concurrent
def test_the_same_new_kpi_file_imported_twice_at_once_is_saved_once(agency, the_round, monkeypatch):
    rows = [kpi_row("P-O1", "P-O1-N1", 60), kpi_row("P-O1", "P-O1-N2", 40)]
    rows += [kpi_row("P-O2", "P-O2-N1", 100)]
    data = kpi_file(rows)
    wrap_before(monkeypatch, PlanPass, "_save", Meeting(2))
    hr = agency.hr.user

    outcomes = run_at_once(
        {
            "a": lambda: import_kpis(data, the_round, hr),
            "b": lambda: import_kpis(data, the_round, hr),
        }
    )

    assert all(o.ok for o in outcomes.values()), outcomes
    reports = [o.value for o in outcomes.values()]
    assert sum(report.created for report in reports if report.saved) == 3
    for report in reports:
        # The second either found everything in place (serially) or was refused whole.
        assert report.saved or any(IMPORT_RACE in e.message for e in report.errors)
    assert sorted(kpi_state(the_round)) == ["P-O1-N1", "P-O1-N2", "P-O2-N1"]
    assert Plan.objects.filter(round=the_round).count() == 2
    assert sum(p.kras.count() for p in Plan.objects.filter(round=the_round)) == 2


# (d) Tree moves at once ----------------------------------------------------------


def _division_with_person(code):
    division = make_node(code, Kind.DIVISION, Node.objects.get(code="DEPT"), name=f"สำนัก {code}")
    make_node(f"{code}-P", Kind.INDIVIDUAL, division, name=f"บุคคล {code}")
    return division


def _fresh(code) -> Node:
    return Node.objects.get(code=code)


@concurrent
def test_moving_a_under_b_and_b_under_a_at_once_makes_no_loop(agency, monkeypatch):
    _division_with_person("DA")
    _division_with_person("DB")
    Node.objects.rebuild()
    meeting = Meeting(2)
    wrap_after(monkeypatch, Node, "full_clean", meeting)  # checked, about to save

    def move(code, under):
        node = _fresh(code)
        node.kind = Kind.GROUP  # a group may sit under a division
        return node_move(node=node, parent=_fresh(under), by=None)

    outcomes = run_at_once({"a": lambda: move("DA", "DB"), "b": lambda: move("DB", "DA")})

    moved = [o for o in outcomes.values() if o.ok]
    refused = [o for o in outcomes.values() if not o.ok]
    assert len(moved) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0].error, ValidationError)
    assert "ต้องอยู่ใต้หน่วยงานที่สูงกว่า" in messages_of(refused[0].error) or (
        "ไม่สามารถย้ายหน่วยงานไปอยู่ใต้ตัวเอง" in messages_of(refused[0].error)
    )
    parents = dict(Node.objects.values_list("code", "parent__code"))
    assert sorted([parents["DA"], parents["DB"]]) in (["DB", "DEPT"], ["DA", "DEPT"])
    assert not meeting.met
    assert_tree_consistent()


@concurrent
def test_many_moves_at_once_leave_a_consistent_tree(agency, monkeypatch):
    _division_with_person("DIV2")
    Node.objects.rebuild()
    moves = {
        "officer1": ("P-O1", "GRP2"),
        "officer2": ("P-O2", "DIV"),
        "officer3": ("P-O3", "GRP"),
        "group2": ("GRP2", "DEPT"),
        "group1": ("GRP", "DIV2"),
        "person": ("DIV2-P", "DIV"),
        "hr": ("P-HR", "DIV2"),
        "outsider": ("X-O1", "OTHER"),  # another tree, same lock
    }
    meeting = Meeting(len(moves), timeout=0.3)
    wrap_after(monkeypatch, Node, "full_clean", meeting)

    def job(code, under):
        return lambda: node_move(node=_fresh(code), parent=_fresh(under), by=None)

    outcomes = run_at_once({name: job(*move) for name, move in moves.items()})

    assert all(o.ok for o in outcomes.values()), outcomes
    parents = dict(Node.objects.values_list("code", "parent__code"))
    assert {code: parents[code] for code, _under in moves.values()} == dict(moves.values())
    assert not meeting.met
    assert_tree_consistent()
