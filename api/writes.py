"""Write endpoints, under the KPI they change: /api/v1/kpis/{id}/<what>/.

- result/  GET the KPI's result, PUT a new one (appraisals.services.result_save,
  the service the results page uses: the same checks, history and scores).

Check-ins (monitoring.services.checkin_record) go beside it as
/api/v1/kpis/{id}/checkins/ (GET the list, POST one) with the same pattern:
get_kpi_for (404 outside the view), the holder check (403), the service,
its ValidationError as 400/409 JSON (api.errors).
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers import ResultSerializer, ResultWriteSerializer
from api.views import LanguageMixin, result_kpis
from appraisals.access import is_assessee
from appraisals.services import result_save
from indicators.access import get_kpi_for


def holder_kpi(user, pk):
    """The KPI, 404 outside `user`'s view, 403 unless `user` records its results."""
    kpi = get_kpi_for(user, pk)
    if not is_assessee(user, kpi.plan):
        raise PermissionDenied(_("บันทึกผลได้เฉพาะผู้รับผิดชอบแผนของตัวชี้วัดนี้ (ผู้รับการประเมิน)"))
    return kpi


ERRORS = {
    400: OpenApiResponse(description="Bad value (not a number, milestones not 0..5, ...)."),
    403: OpenApiResponse(description="Visible, but not the caller's KPI."),
    404: OpenApiResponse(description="No such KPI in the caller's view."),
    409: OpenApiResponse(
        description="Refused by the state: round closed or not tracking/assessment, "
        "plan not approved, appraisal assessed, or expected_version is stale."
    ),
}


class KPIResultView(LanguageMixin, APIView):
    """One KPI's result: read it, or record it as the results page does."""

    @extend_schema(responses={200: ResultSerializer, 404: ERRORS[404]})
    def get(self, request, pk):
        kpi = result_kpis(request.user).filter(pk=get_kpi_for(request.user, pk).pk).get()
        return Response(ResultSerializer(kpi, context={"request": request}).data)

    @extend_schema(
        request=ResultWriteSerializer,
        responses={200: ResultSerializer, **ERRORS},
        description="Record the actual result (numeric scales) or milestones done "
        "(milestone scale), with a note. Nothing is saved when refused.",
    )
    def put(self, request, pk):
        kpi = holder_kpi(request.user, pk)
        form = ResultWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        result_save(
            kpi=kpi,
            actual=data.get("actual"),
            milestones_done=data.get("milestones_done"),
            note=data.get("note") or "",
            expected_version=data.get("expected_version"),
            by=request.user,
        )
        fresh = result_kpis(request.user).get(pk=kpi.pk)
        return Response(ResultSerializer(fresh, context={"request": request}).data)
