"""What appraisals ask of a person on the home page (registered in AppraisalsConfig.ready()).

Officer: results to record, an assessment to acknowledge. Head: assessments
to do, opinions to give as the next-level supervisor. A fixed number of
queries whatever the size of the team (tested at two sizes).
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from appraisals.models import Appraisal
from appraisals.team_roles import team_owner_q
from indicators.models import KPI, Plan, Round
from indicators.plans import closed_for
from kpi_portal.todos import Todo

OPEN_ROUNDS = (Round.Status.TRACKING, Round.Status.ASSESSMENT)
Status = Appraisal.Status
ASSESSED = (Status.ASSESSED, Status.ACKNOWLEDGED, Status.REVIEWED)
NO_RESULT = Q(result__isnull=True) | Q(
    result__actual__isnull=True, result__milestones_done__isnull=True
)
NOT_ASSESSED = Q(appraisal__isnull=True) | Q(
    appraisal__status__in=[Status.OPEN, Status.SELF_ASSESSED]
)


def _held_q(roles, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}owner": roles.node})
    if roles.headed_unit is not None:
        q |= Q(**{f"{prefix}owner": roles.headed_unit})
    return q


def officer_todos(roles) -> list[Todo]:
    items = []
    missing = (
        KPI.objects.filter(
            _held_q(roles, "plan__"),
            plan__status=Plan.Status.APPROVED,
            plan__round__status__in=OPEN_ROUNDS,
        )
        .exclude(closed_for(roles.node.tree_id, "plan__round"))
        .filter(NO_RESULT)
        .exclude(plan__appraisal__status__in=ASSESSED)
        .values("plan_id", "plan__round__fiscal_year", "plan__round__number", "plan__round__end",
                "plan__owner__name", "plan__owner_id")
        .annotate(n=Count("pk"))
        .order_by("plan__round__fiscal_year", "plan__round__number")
    )  # fmt: skip
    for row in missing:
        code = f"{row['plan__round__fiscal_year']}/{row['plan__round__number']}"
        text = _("ผลการดำเนินงานรอบ %(code)s ยังไม่ได้บันทึก %(count)s ตัวชี้วัด") % {
            "code": code,
            "count": row["n"],
        }
        if row["plan__owner_id"] != roles.node.pk:
            text += f" ({row['plan__owner__name']})"
        url = reverse("appraisals:results", args=[row["plan_id"]])
        items.append(Todo("officer", text, url, _("บันทึกผล"), deadline=row["plan__round__end"],
                          count=row["n"], order=30))  # fmt: skip
    to_sign = (
        Appraisal.objects.filter(
            _held_q(roles, "plan__"), status=Status.ASSESSED, plan__round__status__in=OPEN_ROUNDS
        )
        .exclude(closed_for(roles.node.tree_id, "plan__round"))
        .select_related("plan__round")
    )
    for appraisal in to_sign:
        text = _("ผลการประเมินรอบ %(code)s รอคุณรับทราบ") % {"code": appraisal.plan.round.code}
        url = reverse("appraisals:assess", args=[appraisal.plan_id])
        items.append(
            Todo(
                "officer", text, url, _("ดูและรับทราบผล"), deadline=appraisal.plan.round.end, order=40
            )
        )
    return items


def head_todos(roles) -> list[Todo]:
    assess, review = team_owner_q(roles)
    items = []
    team_url = reverse("appraisals:team")
    to_assess = (
        Plan.objects.filter(
            assess, status=Plan.Status.APPROVED, round__status=Round.Status.ASSESSMENT
        )
        .filter(NOT_ASSESSED)
        .exclude(closed_for(roles.node.tree_id))
        .count()
    )
    if to_assess:
        text = _("ผู้ใต้บังคับบัญชา %(count)s คนรอให้คุณประเมิน") % {"count": to_assess}
        items.append(Todo("head", text, team_url, _("ประเมินผล"), count=to_assess, order=20))
    to_review = (
        Plan.objects.filter(
            review,
            appraisal__status=Status.ACKNOWLEDGED,
            round__status__in=OPEN_ROUNDS,
        )
        .exclude(closed_for(roles.node.tree_id))
        .count()
    )
    if to_review:
        text = _("ผลการประเมิน %(count)s รายการรอความเห็นของคุณ (ผู้บังคับบัญชาเหนือขึ้นไป)") % {
            "count": to_review
        }
        items.append(Todo("head", text, team_url, _("ให้ความเห็น"), count=to_review, order=30))
    return items


def appraisal_todos(user, roles) -> list[Todo]:
    items = officer_todos(roles)
    if roles.headed_unit is not None:
        items += head_todos(roles)
    return items
