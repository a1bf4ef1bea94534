"""KRA and KPI services: codes, levels, cascaded KPIs, order, and what they refuse."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators import services
from indicators.models import KPI, KRA, Plan
from tests.factories_plans import make_kpi, make_plan, make_round


def data(kra, **fields):
    values = {
        "kra": kra,
        "name": "ร้อยละความสำเร็จ",
        "unit": "ร้อยละ",
        "scale": "higher",
        "level_1": Decimal(60),
        "level_2": Decimal(70),
        "level_3": Decimal(80),
        "level_4": Decimal(90),
        "level_5": Decimal(100),
        "weight": Decimal(50),
    }
    values.update(fields)
    return values


def test_blank_codes_are_generated_unique_in_the_round(agency, the_round):
    plan = make_plan(agency.officer1, the_round)
    kra = plan.kras.get()
    other = make_plan(agency.officer2, the_round, kras=1)
    make_kpi(other, other.kras.get(), code="P-O1-2")  # someone already took the next number
    user = agency.officer1.user
    first = services.kpi_save(plan=plan, data=data(kra), expected_version=None, by=user)
    second = services.kpi_save(plan=plan, data=data(kra), expected_version=None, by=user)
    assert (first.code, second.code) == ("P-O1-1", "P-O1-3")


def test_a_code_used_in_the_round_is_refused_beside_the_code(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    taken = plan.kpis.get().code
    with pytest.raises(ValidationError) as caught:
        services.kpi_save(
            plan=plan,
            data=data(plan.kras.get(), code=taken),
            expected_version=None,
            by=agency.officer1.user,
        )
    assert caught.value.message_dict["code"] == [f"รหัสตัวชี้วัด {taken} มีอยู่แล้วในรอบนี้"]
    assert plan.kpis.count() == 1


def test_the_same_code_in_another_round_is_fine(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    code = plan.kpis.get().code
    later = make_round(2569, 2)
    other = make_plan(agency.officer1, later)
    services.kpi_save(
        plan=other,
        data=data(other.kras.get(), code=code),
        expected_version=None,
        by=agency.officer1.user,
    )


def test_a_kra_of_another_plan_is_refused(agency, the_round):
    plan = make_plan(agency.officer1, the_round)
    other = make_plan(agency.officer2, the_round)
    with pytest.raises(ValidationError) as caught:
        services.kpi_save(
            plan=plan, data=data(other.kras.get()), expected_version=None, by=agency.officer1.user
        )
    assert "kra" in caught.value.message_dict
    assert not KPI.objects.exists()


def test_switching_to_milestones_drops_the_numbers(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1)
    kpi = plan.kpis.get()
    steps = {f"milestone_{n}": f"ขั้น {n}" for n in range(1, 6)}
    services.kpi_save(
        plan=plan,
        kpi=kpi,
        data={"scale": "milestone", **steps},
        expected_version=None,
        by=agency.officer1.user,
    )
    kpi.refresh_from_db()
    assert kpi.levels == ("ขั้น 1", "ขั้น 2", "ขั้น 3", "ขั้น 4", "ขั้น 5")
    assert kpi.level_3 is None


def test_a_direct_cascaded_kpi_may_change_only_its_weight(agency, the_round):
    parent = make_plan(agency.grp_head, the_round, kpis=1).kpis.get()
    plan = make_plan(agency.officer1, the_round)
    child = make_kpi(plan, plan.kras.get(), parent=parent, cascade="direct", weight=10)
    user = agency.officer1.user
    with pytest.raises(ValidationError, match=r"ถ่ายทอดโดยตรงจาก .* จึงแก้ไขได้เฉพาะน้ำหนัก"):
        services.kpi_save(
            plan=plan,
            kpi=child,
            data={"level_5": Decimal(999), "weight": 20},
            expected_version=None,
            by=user,
        )
    child.refresh_from_db()
    assert child.weight == 10 and child.level_5 == 50
    services.kpi_save(
        plan=plan, kpi=child, data={"weight": Decimal(30)}, expected_version=None, by=user
    )
    child.refresh_from_db()
    assert child.weight == 30
    # Sending the unchanged values along with the weight is fine (a full form).
    same = {"name": child.name, "level_5": "50", "kra": child.kra_id, "weight": Decimal(40)}
    services.kpi_save(plan=plan, kpi=child, data=same, expected_version=None, by=user)


def test_a_split_share_keeps_the_supervisors_targets_and_takes_a_weight(agency, the_round):
    parent = make_plan(agency.grp_head, the_round, kpis=1).kpis.get()
    plan = make_plan(agency.officer1, the_round)
    share = make_kpi(plan, plan.kras.get(), parent=parent, cascade="split", weight=10, unit="เรื่อง")
    user = agency.officer1.user
    with pytest.raises(ValidationError, match=r"แบ่งค่าเป้าหมายจาก .* ค่าเป้าหมายกำหนดโดยผู้บังคับบัญชา"):
        services.kpi_save(
            plan=plan, kpi=share, data={"level_3": Decimal(1)}, expected_version=None, by=user
        )
    share.refresh_from_db()
    assert share.level_3 == 30
    services.kpi_save(
        plan=plan, kpi=share, data={"weight": Decimal(25)}, expected_version=None, by=user
    )
    share.refresh_from_db()
    assert share.weight == 25


def test_a_cascaded_kpi_cannot_be_deleted_by_either_side(agency, the_round):
    parent = make_plan(agency.grp_head, the_round, kpis=1).kpis.get()
    plan = make_plan(agency.officer1, the_round)
    child = make_kpi(plan, plan.kras.get(), parent=parent, cascade="partial")
    with pytest.raises(ValidationError, match="ได้รับการถ่ายทอดจากผู้บังคับบัญชา"):
        services.kpi_delete(kpi=child, expected_version=None, by=agency.officer1.user)
    with pytest.raises(ValidationError, match="ถ่ายทอดให้ผู้อื่นแล้ว"):
        services.kpi_delete(kpi=parent, expected_version=None, by=agency.grp_head.user)
    with pytest.raises(ValidationError, match="ถ่ายทอดให้ผู้อื่นแล้ว"):
        services.kra_delete(kra=parent.kra, expected_version=None, by=agency.grp_head.user)
    assert KPI.objects.count() == 2


def test_saving_a_kpi_lets_its_direct_children_follow(agency, the_round, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "indicators.cascade.direct_children_follow",
        lambda *, kpi, by: calls.append((kpi.pk, by)) or 0,
    )
    plan = make_plan(agency.grp_head, the_round, kpis=1)
    kpi = plan.kpis.get()
    services.kpi_save(
        plan=plan,
        kpi=kpi,
        data={"level_5": Decimal(60)},
        expected_version=None,
        by=agency.grp_head.user,
    )
    assert calls == [(kpi.pk, agency.grp_head.user)]


def test_move_up_down_and_to_a_position(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=4)
    a, b, c, d = plan.kpis.order_by("order")
    user = agency.officer1.user

    def order():
        return list(KPI.objects.filter(kra=a.kra).order_by("order").values_list("code", flat=True))

    services.kpi_move(kpi=c, direction="up", expected_version=None, by=user)
    assert order() == [a.code, c.code, b.code, d.code]
    services.kpi_move(kpi=a, position=4, expected_version=None, by=user)
    assert order() == [c.code, b.code, d.code, a.code]
    with pytest.raises(ValidationError):
        services.kpi_move(kpi=a, direction="down", expected_version=None, by=user)
    assert order() == [c.code, b.code, d.code, a.code]


def test_kra_needs_a_job_and_a_name(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kras=0)
    with pytest.raises(ValidationError) as caught:
        services.kra_save(
            plan=plan, job=" ", name="", expected_version=None, by=agency.officer1.user
        )
    assert set(caught.value.message_dict) == {"job", "name"}
    assert not KRA.objects.exists()


def test_weight_must_be_between_0_and_100(agency, the_round):
    plan = make_plan(agency.officer1, the_round)
    with pytest.raises(ValidationError) as caught:
        services.kpi_save(
            plan=plan,
            data=data(plan.kras.get(), weight=Decimal(150)),
            expected_version=None,
            by=agency.officer1.user,
        )
    assert caught.value.message_dict["weight"] == ["น้ำหนักต้องอยู่ระหว่าง 0 ถึง 100"]


def test_an_overseer_must_be_in_the_unit(agency, the_round):
    plan = make_plan(agency.grp, the_round)
    user = agency.grp_head.user
    kpi = services.kpi_save(
        plan=plan,
        data=data(plan.kras.get(), overseer=agency.officer1),
        expected_version=None,
        by=user,
    )
    assert kpi.overseer == agency.officer1
    with pytest.raises(ValidationError) as caught:
        services.kpi_save(
            plan=plan,
            data=data(plan.kras.get(), overseer=agency.officer3),
            expected_version=None,
            by=user,
        )
    assert "overseer" in caught.value.message_dict


def test_a_submitted_plan_refuses_content_changes(agency, the_round):
    plan = make_plan(agency.officer1, the_round, kpis=1, status=Plan.Status.SUBMITTED)
    with pytest.raises(ValidationError, match="แผนนี้ส่งแล้ว รออนุมัติ จึงแก้ไขไม่ได้"):
        services.kra_save(
            plan=plan, job="j", name="n", expected_version=None, by=agency.officer1.user
        )
    assert plan.kras.count() == 1
