"""Views: the round report download and the official forms (page and .xlsx).

The views only fetch through the access helpers and hand the objects to the
exporters of appraisals.reports, which know nothing of the request (the
background worker will call them the same way). Workbooks are written to an
anonymous temporary file and streamed with FileResponse, so a large report
never sits in memory. URL patterns (with the dashboard's and the results
import's) at the end of the module.
"""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import translation
from django.views.decorators.http import require_GET

from appraisals.jobs import ROUND_REPORT, runs_in_background
from appraisals.reports import OfficerForm, RoundReport, form_data, scores_shown_to
from appraisals.reports_summary import SummaryForm, summary_data
from appraisals.summary import scope_unit, scope_units
from appraisals.views import dashboard, import_results
from indicators.access import get_plan_for
from indicators.models import Round
from kpi_portal.exporters import Exporter, write_workbook
from kpi_portal.jobs import job_start
from orgchart.access import roles_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def require_reporter(user):
    """HR, heads and administrators see reports; anyone else gets 403."""
    roles = roles_of(user)
    if not ({"hr", "head", "admin"} & roles.names):
        raise PermissionDenied
    return roles


def xlsx_response(exporter: Exporter) -> FileResponse:
    """Write `exporter` to a temporary file and stream it as a download."""
    # Unlinked at once on POSIX; FileResponse closes (and so frees) it when sent.
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        write_workbook(exporter, output)
        output.seek(0)
    except BaseException:
        output.close()
        raise
    return FileResponse(output, as_attachment=True, filename=exporter.filename(), content_type=XLSX)


def _round_or_404(value) -> Round:
    if not str(value or "").isdigit():
        raise Http404
    found = Round.objects.filter(pk=int(value)).first()
    if found is None:
        raise Http404
    return found


@login_required
@require_GET
def reports(request):
    """Choose a round and a unit of your view, then download the round report."""
    require_reporter(request.user)
    rounds = list(Round.objects.all())
    units = list(scope_units(request.user).values_list("code", "name", "level"))
    current = dashboard.default_round(rounds, request.GET.get("round"))
    selected_round = str(current.pk) if current else ""
    context = {
        "rounds": rounds,
        "units": units,
        "selected_round": selected_round,
        "selected_unit": request.GET.get("unit", ""),
    }
    return render(request, "appraisals/reports.html", context)


@login_required
@require_GET
def report_download(request):
    """The round report of the user's view (or one unit's subtree) as .xlsx; 404 outside it.

    A large report goes to the background worker: the user follows its
    progress on the job page and downloads the same workbook from there.
    """
    require_reporter(request.user)
    the_round = _round_or_404(request.GET.get("round"))
    code = (request.GET.get("unit") or "").strip()
    unit = scope_unit(request.user, code) if code else None
    if runs_in_background(the_round, request.user, unit):
        job = job_start(
            kind=ROUND_REPORT,
            params={
                "round": the_round.pk,
                "unit": unit.code if unit else "",
                "language": translation.get_language(),
            },
            by=request.user,
        )
        return redirect("jobs:detail", pk=job.pk)
    return xlsx_response(RoundReport(the_round, request.user, unit))


@login_required
@require_GET
def form_page(request, pk):
    """The printable achievement form of a plan: its owner, the heads above and HR."""
    plan = get_plan_for(request.user, pk)
    data = form_data(plan, show_scores=scores_shown_to(request.user, plan))
    return render(request, "appraisals/form.html", {"plan": plan, "data": data})


@login_required
@require_GET
def form_download(request, pk):
    """The achievement form as .xlsx; 404 for anyone who may not see the plan."""
    plan = get_plan_for(request.user, pk)
    return xlsx_response(OfficerForm(plan, show_scores=scores_shown_to(request.user, plan)))


@login_required
@require_GET
def summary_page(request, pk):
    """The printable official summary form (five parts): whoever may see the plan."""
    plan = get_plan_for(request.user, pk)
    data = summary_data(plan, show_scores=scores_shown_to(request.user, plan))
    return render(request, "appraisals/summary_form.html", {"plan": plan, "summary": data})


@login_required
@require_GET
def summary_download(request, pk):
    """The official summary form as .xlsx; 404 for anyone who may not see the plan."""
    plan = get_plan_for(request.user, pk)
    return xlsx_response(SummaryForm(plan, show_scores=scores_shown_to(request.user, plan)))


urlpatterns = [
    path("reports/", reports, name="reports"),
    path("reports/download/", report_download, name="report_download"),
    path("plan/<int:pk>/form/", form_page, name="form"),
    path("plan/<int:pk>/form.xlsx", form_download, name="export_form"),
    path("plan/<int:pk>/summary/", summary_page, name="summary_form"),
    path("plan/<int:pk>/summary.xlsx", summary_download, name="export_summary"),
    *dashboard.urlpatterns,
    *import_results.urlpatterns,
]
