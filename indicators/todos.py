"""What plans ask of a person on the home page (registered in IndicatorsConfig.ready()).

Officer: a plan returned with a comment, a plan not yet sent, a round without
a plan. Head: plans waiting for their approval, and team plans their cascaded
KPIs changed that are not sent yet. A fixed number of queries (tested).
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from indicators.models import KPI, Plan, Round
from indicators.plans import closed_for
from kpi_portal.templatetags.thai import format_be_date
from kpi_portal.todos import Todo
from orgchart.hierarchy import reports_of, units_reporting_to

OPEN = (Plan.Status.DRAFT, Plan.Status.RETURNED)


def _held_q(roles) -> Q:
    """The plans `roles`' person fills in: their own, and their unit's when a head."""
    q = Q(owner=roles.node)
    if roles.headed_unit is not None:
        q |= Q(owner=roles.headed_unit)
    return q


def _deadline_text(the_round: Round) -> str:
    return _("รอบ %(code)s สิ้นสุด %(date)s") % {
        "code": the_round.code,
        "date": format_be_date(the_round.end),
    }


def officer_todos(roles) -> list[Todo]:
    tree_id = roles.node.tree_id
    planning = [
        r
        for r in Round.objects.filter(status=Round.Status.PLANNING)
        if not r.is_closed_for(tree_id)
    ]
    if not planning:
        return []
    plans = list(
        Plan.objects.filter(_held_q(roles), round__in=planning).select_related("owner", "round")
    )
    items = []
    for plan in plans:
        whose = "" if plan.owner_id == roles.node.pk else f" ({plan.owner.name})"
        url = reverse("indicators:plan", args=[plan.pk])
        if plan.status == Plan.Status.RETURNED:
            text = _("แผนรอบ %(code)s ถูกส่งกลับให้แก้ไข") % {"code": plan.round.code}
            items.append(
                Todo(
                    "officer",
                    text + whose,
                    url,
                    _("แก้ไขแผน"),
                    detail=plan.return_comment,
                    deadline=plan.round.end,
                    order=10,
                )
            )
        elif plan.status == Plan.Status.DRAFT:
            text = _("แผนรอบ %(code)s ยังไม่ได้ส่งให้ผู้บังคับบัญชา") % {"code": plan.round.code}
            items.append(
                Todo("officer", text + whose, url, _("เปิดแผน"), deadline=plan.round.end, order=20)
            )
    # The officer's own plan starts on the newest open round (indicators:my_plan).
    newest = max(planning, key=lambda r: (r.fiscal_year, r.number))
    latest_open = [
        r
        for r in Round.objects.exclude(status=Round.Status.CLOSED).order_by(
            "-fiscal_year", "-number"
        )
        if not r.is_closed_for(tree_id)
    ][:1]
    started = {plan.round_id for plan in plans if plan.owner_id == roles.node.pk}
    if newest.pk not in started and newest.pk in {r.pk for r in latest_open}:
        text = _("ยังไม่ได้เริ่มแผนรอบ %(code)s") % {"code": newest.code}
        url = reverse("indicators:my_plan")
        items.append(Todo("officer", text, url, _("เริ่มแผน"), deadline=newest.end, order=15))
    return items


def head_todos(roles) -> list[Todo]:
    me = roles.node
    team = list(reports_of(me).values_list("pk", flat=True))
    team += list(units_reporting_to(me).values_list("pk", flat=True))
    if not team:
        return []
    team_url = reverse("indicators:team")
    items = []
    waiting = (
        Plan.objects.filter(
            owner_id__in=team, status=Plan.Status.SUBMITTED, round__status=Round.Status.PLANNING
        )
        .exclude(closed_for(me.tree_id))
        .count()
    )
    if waiting:
        text = _("แผน %(count)s แผนรอการอนุมัติจากคุณ") % {"count": waiting}
        items.append(Todo("head", text, team_url, _("พิจารณาแผน"), count=waiting, order=10))
    changed = (
        KPI.objects.filter(
            plan__owner_id__in=team,
            plan__status__in=OPEN,
            plan__round__status=Round.Status.PLANNING,
            parent__plan__in=Plan.objects.filter(_held_q(roles)),
        )
        .exclude(closed_for(me.tree_id, "plan__round"))
        .values("plan_id")
        .distinct()
        .count()
    )
    if changed:
        text = _(
            "ตัวชี้วัดที่คุณถ่ายทอดเพิ่มเข้าแผนของทีม %(count)s แผน ซึ่งยังไม่ได้ส่งกลับมา (ตรวจน้ำหนักรวมกับผู้รับ)"
        ) % {"count": changed}
        items.append(Todo("head", text, team_url, _("ดูแผนของทีม"), count=changed, order=40))
    return items


def plan_todos(user, roles) -> list[Todo]:
    items = officer_todos(roles)
    if roles.headed_unit is not None:
        items += head_todos(roles)
    return items
