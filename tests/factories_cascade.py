"""Builders for cascading, import and carry-forward tests (plans, KRAs, KPIs, big teams)."""

from decimal import Decimal

from indicators.models import KPI, KRA, Plan
from orgchart.models import Kind, Node
from tests.conftest import make_node


def make_plan(owner: Node, round_, status: str = Plan.Status.DRAFT) -> Plan:
    plan, _created = Plan.objects.get_or_create(owner=owner, round=round_)
    if plan.status != status:
        plan.status = status
        plan.save(update_fields=["status"])
    return plan


def make_kpi(
    plan: Plan,
    code: str,
    *,
    name: str = "จำนวนเรื่องที่ดำเนินการแล้วเสร็จ",
    scale: str = KPI.Scale.HIGHER,
    levels=(10, 20, 30, 40, 50),
    weight=100,
    unit: str = "เรื่อง",
    job: str = "งานบริการ",
    kra: str = "บริการรวดเร็ว",
    **fields,
) -> KPI:
    """A KPI in `plan` under the KRA (job, kra), created if missing."""
    the_kra = KRA.objects.filter(plan=plan, job=job, name=kra).first()
    if the_kra is None:
        the_kra = KRA.objects.create(plan=plan, job=job, name=kra)
    if scale == KPI.Scale.MILESTONE:
        fields.update({f"milestone_{n}": text for n, text in enumerate(levels, start=1)})
    else:
        fields.update(
            {
                f"level_{n}": None if value is None else Decimal(str(value))
                for n, value in enumerate(levels, start=1)
            }
        )
    return KPI.objects.create(
        round=plan.round,
        plan=plan,
        kra=the_kra,
        code=code,
        name=name,
        unit=unit,
        scale=scale,
        weight=Decimal(str(weight)),
        **fields,
    )


def add_officers(unit: Node, count: int, prefix: str = "T") -> list[Node]:
    """`count` more officers (without logins) in `unit`."""
    return [
        make_node(f"{prefix}{number:04d}", Kind.INDIVIDUAL, unit, name=f"เจ้าหน้าที่ {number}")
        for number in range(count)
    ]
