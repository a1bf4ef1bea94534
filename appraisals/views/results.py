"""Views: results and evidence (URL patterns of every module of mine at the end).

The results page lists a plan's KPIs with their five levels, the actual or
milestones input, the level and score, the evidence, and the achievement so
far. Saving one KPI answers with its card (htmx) and the new achievement.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appraisals import evidence as evidence_rules
from appraisals.access import (
    get_appraisal_plan,
    get_evidence_for,
    is_assessee,
    sees_scores,
)
from appraisals.forms import ResultForm
from appraisals.models import Appraisal
from appraisals.policy import rules_for
from appraisals.scores import plan_kpis, score_rows
from appraisals.services import evidence_delete, result_save
from indicators.access import get_plan_for
from indicators.models import KPI, Plan, Round
from orgchart.access import roles_of


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def results_context(request, plan: Plan, **extra) -> dict:
    """Everything the results page and its partials show (a fixed number of queries)."""
    rules = rules_for(plan.round)
    kpis = plan_kpis(plan).prefetch_related("result__evidence")
    closed = plan.round_closed
    scores = score_rows(kpis, rules, stored=closed)
    appraisal = Appraisal.objects.filter(plan=plan).first()
    assessee = is_assessee(request.user, plan)
    can_record = (
        assessee
        and plan.round.accepts_results
        and not closed
        and plan.status == Plan.Status.APPROVED
        and not (appraisal is not None and appraisal.is_assessed)
    )
    achievement = scores.achievement
    if closed and appraisal is not None and appraisal.achievement is not None:
        achievement = appraisal.achievement
    return {
        "plan": plan,
        "closed_at": plan.round.closed_at_for(plan.owner.tree_id) if closed else None,
        "rules": rules,
        "scores": scores,
        "achievement": achievement,
        "appraisal": appraisal,
        "is_assessee": assessee,
        "can_record": can_record,
        "show_scores": sees_scores(request.user, plan, rules),
        "max_mb": evidence_rules.max_megabytes(),
        "accept": ",".join(f".{ext}" for ext in evidence_rules.CONTENT_TYPES),
        "card_errors": {},
        "card_posted": {},
        **extra,
    }


@login_required
def my_results(request):
    """The user's plan in the newest round that accepts results (or a page saying why not)."""
    me = roles_of(request.user).node
    rounds = (Round.Status.TRACKING, Round.Status.ASSESSMENT)
    if me is not None:
        plans = Plan.objects.filter(round__status__in=rounds).order_by(
            "-round__fiscal_year", "-round__number"
        )
        plan = plans.filter(owner=me).first()
        if plan is None and me.is_head:
            plan = plans.filter(owner_id=me.parent_id).first()
        if plan is not None:
            return redirect("appraisals:results", pk=plan.pk)
    open_round = Round.objects.filter(status__in=rounds).first()
    context = {"open_round": open_round, "past": _results_elsewhere(me, exclude=None)}
    return render(request, "appraisals/no_results.html", context)


def _results_elsewhere(owner, *, exclude) -> list[Plan]:
    """`owner`'s plans in the other rounds past planning, newest first (one query).

    So an officer finds a closed round's results and form from the results menu.
    """
    if owner is None:
        return []
    plans = (
        Plan.objects.filter(owner=owner)
        .exclude(round__status=Round.Status.PLANNING)
        .select_related("round")
        .order_by("-round__fiscal_year", "-round__number")
    )
    if exclude is not None:
        plans = plans.exclude(pk=exclude.pk)
    return list(plans)


@login_required
def results(request, pk):
    plan = get_plan_for(request.user, pk)
    context = results_context(request, plan)
    me = roles_of(request.user).node
    context["unit_plan"] = None
    context["other_rounds"] = _results_elsewhere(plan.owner, exclude=plan)
    if me is not None and me.is_head and plan.owner_id == me.pk:
        context["unit_plan"] = (
            Plan.objects.filter(round_id=plan.round_id, owner_id=me.parent_id).only("pk").first()
        )
    return render(request, "appraisals/results.html", context)


def _card_response(request, plan: Plan, kpi_pk: int, *, errors=(), posted=None, saved=False):
    """The KPI's card (and the achievement, out of band) for htmx; the page otherwise."""
    extra = {
        "card_errors": {kpi_pk: list(errors)} if errors else {},
        "card_posted": {kpi_pk: posted} if posted else {},
        "saved_kpi": kpi_pk if saved else None,
    }
    context = results_context(request, plan, **extra)
    if not is_htmx(request):
        context["unit_plan"] = None
        return render(request, "appraisals/results.html", context)
    row = next(row for row in context["scores"].rows if row.kpi.pk == kpi_pk)
    return render(request, "appraisals/_kpi_card_response.html", {**context, "row": row})


@login_required
@require_POST
def result_save_view(request, pk, kpi_pk):
    plan = get_appraisal_plan(request.user, pk, as_="assessee")
    kpi = get_object_or_404(KPI, pk=kpi_pk, plan=plan)
    form = ResultForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        data = form.cleaned_data
        try:
            result_save(
                kpi=kpi,
                actual=data["actual"],
                milestones_done=data["milestones_done"],
                note=data["note"],
                files=data["evidence"],
                expected_version=data["version"],
                by=request.user,
            )
        except ValidationError as error:
            errors = error.messages
    else:
        errors = [message for field_errors in form.errors.values() for message in field_errors]
    if errors:
        posted = {key: request.POST.get(key, "") for key in ("actual", "milestones_done", "note")}
        return _card_response(request, plan, kpi.pk, errors=errors, posted=posted)
    if not is_htmx(request):
        messages.success(request, _("บันทึกผลตัวชี้วัด %(code)s แล้ว") % {"code": kpi.code})
        return redirect(reverse("appraisals:results", args=[plan.pk]) + f"#kpi-{kpi.pk}")
    return _card_response(request, plan, kpi.pk, saved=True)


@login_required
def evidence_download(request, pk):
    """The file, to whoever may see the plan (404 otherwise), as an attachment."""
    evidence = get_evidence_for(request.user, pk)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@login_required
@require_POST
def evidence_delete_view(request, pk):
    evidence = get_evidence_for(request.user, pk)
    plan = evidence.result.kpi.plan
    if not is_assessee(request.user, plan):
        raise PermissionDenied
    kpi_pk = evidence.result.kpi_id
    try:
        evidence_delete(evidence=evidence, by=request.user)
    except ValidationError as error:
        if is_htmx(request):
            return _card_response(request, plan, kpi_pk, errors=error.messages)
        for message in error.messages:
            messages.error(request, message)
    else:
        if not is_htmx(request):
            messages.success(request, _("ลบไฟล์ %(name)s แล้ว") % {"name": evidence.original_name})
    if is_htmx(request):
        return _card_response(request, plan, kpi_pk)
    return redirect(reverse("appraisals:results", args=[plan.pk]) + f"#kpi-{kpi_pk}")


# Every module of mine adds its patterns here (appraisals/urls.py reads
# results.urlpatterns and reports.urlpatterns).
from appraisals.views import assessment, closing, competencies, rounds  # noqa: E402

urlpatterns = [
    path("", my_results, name="my_results"),
    path("plan/<int:pk>/", results, name="results"),
    path("plan/<int:pk>/kpi/<int:kpi_pk>/result/", result_save_view, name="result_save"),
    path("evidence/<int:pk>/", evidence_download, name="evidence"),
    path("evidence/<int:pk>/delete/", evidence_delete_view, name="evidence_delete"),
    *assessment.urlpatterns,
    *rounds.urlpatterns,
    *closing.urlpatterns,
    *competencies.urlpatterns,
]
