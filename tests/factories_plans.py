"""Plans for tests: make_plan(owner, round, kpis=[...]) builds one straight in the database."""

from decimal import Decimal

from indicators.models import KPI, KRA, Plan, Round

DEFAULT_LEVELS = (10, 20, 30, 40, 50)


def make_kra(plan: Plan, name: str = "ผลสัมฤทธิ์หลักที่ 1", job: str = "งานประจำ") -> KRA:
    order = plan.kras.count()
    return KRA.objects.create(plan=plan, job=job, name=name, order=order)


def make_kpi(plan: Plan, kra: KRA, **fields) -> KPI:
    """A valid `higher` KPI unless `fields` say otherwise (levels=(...) sets all five)."""
    levels = fields.pop("levels", DEFAULT_LEVELS)
    scale = fields.setdefault("scale", KPI.Scale.HIGHER)
    number = KPI.objects.filter(round=plan.round).count() + 1
    fields.setdefault("code", f"{plan.owner.code}-K{number}")
    fields.setdefault("name", f"ตัวชี้วัดที่ {number}")
    fields.setdefault("unit", "ร้อยละ")
    fields.setdefault("weight", Decimal(100))
    fields.setdefault("order", plan.kpis.count())
    for level, value in enumerate(levels, start=1):
        if scale == KPI.Scale.MILESTONE:
            fields.setdefault(f"milestone_{level}", value)
        else:
            fields.setdefault(f"level_{level}", None if value is None else Decimal(value))
    return KPI.objects.create(plan=plan, round=plan.round, kra=kra, **fields)


def weights_for(count: int) -> list[Decimal]:
    """`count` weights that add up to exactly 100."""
    base = (Decimal(100) / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    weights = [base] * count
    weights[-1] += Decimal(100) - sum(weights)
    return weights


def make_plan(
    owner, round: Round, *, kpis=None, status: str = Plan.Status.DRAFT, kras: int = 1, **plan_fields
) -> Plan:
    """A plan of `owner` with `kras` KRAs and KPIs spread over them.

    `kpis`: a number (that many valid KPIs whose weights add up to 100), or a
    list of weights, or a list of dicts of KPI fields; None for no KPI.
    """
    plan = Plan.objects.create(owner=owner, round=round, status=status, **plan_fields)
    kra_list = [make_kra(plan, name=f"ผลสัมฤทธิ์หลักที่ {n + 1}") for n in range(kras)]
    if isinstance(kpis, int):
        kpis = weights_for(kpis)
    for index, spec in enumerate(kpis or []):
        fields = dict(spec) if isinstance(spec, dict) else {"weight": Decimal(spec)}
        make_kpi(plan, fields.pop("kra", kra_list[index % len(kra_list)]), **fields)
    return plan


def make_round(fiscal_year: int = 2569, number: int = 2, **fields) -> Round:
    start, end = Round.default_dates(fiscal_year, number)
    return Round.objects.create(
        fiscal_year=fiscal_year, number=number, start=start, end=end, **fields
    )
