"""Views: the assessment page and its sign-offs, and the team an assessor scores."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appraisals.access import (
    can_assess,
    can_review,
    get_appraisal_plan,
    is_assessee,
    next_level_of,
    sees_scores,
)
from appraisals.competencies import competency_rows
from appraisals.forms import AssessmentForm, RefusalForm, ReviewForm, SelfAssessForm
from appraisals.models import Appraisal
from appraisals.policy import rules_for
from appraisals.scores import plan_kpis, score_rows
from appraisals.services import (
    appraisal_acknowledge,
    appraisal_assess,
    appraisal_refusal_record,
    appraisal_review,
    appraisal_self_assess,
)
from appraisals.team_roles import team_roles
from indicators.access import get_plan_for
from indicators.models import Plan, Round
from orgchart.access import roles_of
from orgchart.hierarchy import supervisor_of
from orgchart.models import Kind

Status = Appraisal.Status
OPEN_ROUNDS = (Round.Status.TRACKING, Round.Status.ASSESSMENT)


def _assess_context(request, plan: Plan, **forms) -> dict:
    user = request.user
    rules = rules_for(plan.round)
    closed = plan.round_closed
    scores = score_rows(plan_kpis(plan), rules, stored=closed)
    appraisal = Appraisal.objects.filter(plan=plan).prefetch_related(
        "ratings"
    ).first() or Appraisal(plan=plan)
    individual = plan.owner.kind == Kind.INDIVIDUAL
    competencies = competency_rows(appraisal, plan.owner) if individual else []
    open_ = plan.round.accepts_results and not closed and plan.status == Plan.Status.APPROVED
    status = appraisal.status
    assessee, assessor = is_assessee(user, plan), can_assess(user, plan)
    reviewer = can_review(user, plan)
    show = sees_scores(user, plan, rules)
    achievement = scores.achievement
    if closed and appraisal.achievement is not None:
        achievement = appraisal.achievement
    if forms.get("assess_form") is None and assessor:
        initial = {"other": appraisal.other or "", "comment": appraisal.assessor_comment}
        for row in scores.rows:
            initial[f"level_{row.kpi.pk}"] = row.level if row.level is not None else ""
            if row.result is not None:
                initial[f"reason_{row.kpi.pk}"] = row.result.assessed_reason
        for row in competencies:
            initial[f"rating_{row.competency.pk}"] = (
                row.observed if row.observed is not None else ""
            )
        forms["assess_form"] = AssessmentForm(
            initial=initial,
            kpi_ids=[row.kpi.pk for row in scores.rows],
            competency_ids=[row.competency.pk for row in competencies],
        )
    return {
        "plan": plan,
        "rules": rules,
        "scores": scores,
        "achievement": achievement,
        "appraisal": appraisal,
        "competencies": competencies,
        "individual": individual,
        "assessor_node": supervisor_of(plan.owner),
        "reviewer_node": next_level_of(plan),
        "show_scores": show,
        "is_assessee": assessee,
        "can_self_assess": open_ and assessee and status in (Status.OPEN, Status.SELF_ASSESSED),
        "can_assess": open_
        and assessor
        and status in (Status.OPEN, Status.SELF_ASSESSED, Status.ASSESSED),
        "can_acknowledge": open_ and assessee and status == Status.ASSESSED and rules.published,
        "can_record_refusal": open_ and assessor and status == Status.ASSESSED and rules.published,
        "can_review": open_ and reviewer and status in (Status.ACKNOWLEDGED, Status.REVIEWED),
        "self_form": forms.get("self_form")
        or SelfAssessForm(initial={"comment": appraisal.self_comment}),
        "assess_form": forms.get("assess_form"),
        "refusal_form": forms.get("refusal_form") or RefusalForm(),
        "review_form": forms.get("review_form")
        or ReviewForm(initial={"opinion": appraisal.opinion, "comment": appraisal.opinion_comment}),
        "errors": forms.get("errors", []),
    }


def _page(request, plan: Plan, **forms):
    return render(request, "appraisals/assess.html", _assess_context(request, plan, **forms))


def _done(request, plan: Plan, message: str):
    messages.success(request, message)
    return redirect("appraisals:assess", pk=plan.pk)


@login_required
def assess(request, pk):
    """GET: the appraisal, to whoever sees the plan. POST: the assessor scores it."""
    if request.method != "POST":
        return _page(request, get_plan_for(request.user, pk))
    plan = get_appraisal_plan(request.user, pk, as_="assessor")
    appraisal = Appraisal.objects.filter(plan=plan).prefetch_related("ratings").first()
    individual = plan.owner.kind == Kind.INDIVIDUAL
    competencies = competency_rows(appraisal, plan.owner) if individual else []
    form = AssessmentForm(
        request.POST,
        kpi_ids=list(plan.kpis.values_list("pk", flat=True)),
        competency_ids=[row.competency.pk for row in competencies],
    )
    errors = []
    if form.is_valid():
        try:
            appraisal_assess(
                plan=plan,
                levels=form.levels(),
                reasons=form.reasons(),
                ratings=form.ratings(),
                other=form.cleaned_data["other"],
                comment=form.cleaned_data["comment"],
                by=request.user,
            )
            return _done(request, plan, _("บันทึกผลการประเมินแล้ว"))
        except ValidationError as error:
            errors = error.messages
    return _page(request, plan, assess_form=form, errors=errors)


@login_required
@require_POST
def self_assess(request, pk):
    plan = get_appraisal_plan(request.user, pk, as_="assessee")
    form = SelfAssessForm(request.POST)
    if form.is_valid():
        try:
            appraisal_self_assess(plan=plan, comment=form.cleaned_data["comment"], by=request.user)
            return _done(request, plan, _("ส่งผลการประเมินตนเองให้ผู้ประเมินแล้ว"))
        except ValidationError as error:
            return _page(request, plan, self_form=form, errors=error.messages)
    return _page(request, plan, self_form=form)


@login_required
@require_POST
def acknowledge(request, pk):
    plan = get_appraisal_plan(request.user, pk, as_="assessee")
    try:
        appraisal_acknowledge(plan=plan, by=request.user)
    except ValidationError as error:
        return _page(request, plan, errors=error.messages)
    return _done(request, plan, _("ลงนามรับทราบผลการประเมินแล้ว"))


@login_required
@require_POST
def refusal(request, pk):
    plan = get_appraisal_plan(request.user, pk, as_="assessor")
    form = RefusalForm(request.POST)
    if form.is_valid():
        try:
            appraisal_refusal_record(
                plan=plan,
                shown_on=form.cleaned_data["shown_on"],
                witness=form.cleaned_data["witness"],
                by=request.user,
            )
            return _done(request, plan, _("บันทึกการไม่ลงนามรับทราบพร้อมพยานแล้ว"))
        except ValidationError as error:
            return _page(request, plan, refusal_form=form, errors=error.messages)
    return _page(request, plan, refusal_form=form)


@login_required
@require_POST
def review(request, pk):
    plan = get_appraisal_plan(request.user, pk, as_="reviewer")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            appraisal_review(
                plan=plan,
                opinion=form.cleaned_data["opinion"],
                comment=form.cleaned_data["comment"],
                by=request.user,
            )
            return _done(request, plan, _("บันทึกความเห็นของผู้บังคับบัญชาเหนือขึ้นไปแล้ว"))
        except ValidationError as error:
            return _page(request, plan, review_form=form, errors=error.messages)
    return _page(request, plan, review_form=form)


@login_required
def team(request):
    """Plans the user assesses (as supervisor) or reviews (as next-level supervisor).

    HR also finds here the people with no supervisor in the tree (the
    department head, and those directly under a department without a head),
    whose assessment made outside the tree HR records (indicators.access).
    """
    roles = roles_of(request.user)
    me, unit = roles.node, roles.headed_unit
    if me is None or (unit is None and not roles.is_hr):
        raise PermissionDenied
    rounds = Round.objects.exclude(status=Round.Status.PLANNING)
    the_round = (
        get_object_or_404(rounds, pk=request.GET["round"])
        if request.GET.get("round", "").isdigit()
        else rounds.first()
    )
    assess_ids, review_ids = team_roles(roles) if the_round is not None else (set(), set())
    plans = (
        Plan.objects.filter(round=the_round, owner_id__in=assess_ids | review_ids)
        .select_related("owner", "appraisal")
        .order_by("owner__tree_id", "owner__lft")
    )
    rows = [
        {
            "plan": plan,
            "appraisal": getattr(plan, "appraisal", None),
            "role": "assessor" if plan.owner_id in assess_ids else "reviewer",
        }
        for plan in plans
    ]
    return render(
        request,
        "appraisals/team.html",
        {"the_round": the_round, "rounds": rounds, "rows": rows},
    )


urlpatterns = [
    path("team/", team, name="team"),
    path("plan/<int:pk>/assess/", assess, name="assess"),
    path("plan/<int:pk>/self-assess/", self_assess, name="self_assess"),
    path("plan/<int:pk>/acknowledge/", acknowledge, name="acknowledge"),
    path("plan/<int:pk>/refusal/", refusal, name="refusal"),
    path("plan/<int:pk>/review/", review, name="review"),
]
