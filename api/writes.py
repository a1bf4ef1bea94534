"""Write endpoints, under the KPI they change: /api/v1/kpis/{id}/<what>/.

- result/    GET the KPI's result, PUT a new one (appraisals.services.result_save,
  the service the results page uses: the same checks, history and scores).
- checkins/  GET the KPI's check-ins (newest first, with comments), POST one
  (monitoring.services.checkin_record, the service of the KPI's check-in page).

Both: get_kpi_for (404 outside the view), the holder check (403), the service,
its ValidationError as 400/409 JSON (api.errors).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from api.serializers import (
    CheckInSerializer,
    CheckInWriteSerializer,
    ResultSerializer,
    ResultWriteSerializer,
)
from api.views import LanguageMixin, result_kpis
from appraisals.access import is_assessee
from appraisals.services import result_save
from indicators.access import get_kpi_for
from monitoring.access import can_checkin, get_checkin_kpi
from monitoring.models import CheckIn, CheckInComment
from monitoring.services import checkin_record


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


def checkin_holder_kpi(user, pk):
    """The KPI, 404 outside `user`'s view, 403 unless `user` records its check-ins."""
    kpi = get_checkin_kpi(user, pk)
    if not can_checkin(user, kpi.plan):
        raise PermissionDenied(_("บันทึกความก้าวหน้าได้เฉพาะผู้รับผิดชอบแผนของตัวชี้วัดนี้"))
    return kpi


def checkins_of(kpi):
    """The KPI's check-ins, newest first, with their comments (two queries a page)."""
    comments = CheckInComment.objects.select_related("by__node").order_by("at", "pk")
    return (
        CheckIn.objects.filter(kpi=kpi)
        .select_related("by__node")
        .prefetch_related(Prefetch("comments", queryset=comments))
        .order_by("-date", "-pk")
    )


class KPICheckInsView(LanguageMixin, GenericAPIView):
    """One KPI's check-ins: list them, or record one as the KPI's check-in page does."""

    serializer_class = CheckInSerializer

    @extend_schema(
        responses={200: CheckInSerializer(many=True), 404: ERRORS[404]},
        description="The KPI's check-ins, newest first, each with its comments (paginated).",
    )
    def get(self, request, pk):
        kpi = get_checkin_kpi(request.user, pk)
        page = self.paginate_queryset(checkins_of(kpi))
        return self.get_paginated_response(CheckInSerializer(page, many=True).data)

    @extend_schema(
        request=CheckInWriteSerializer,
        responses={
            201: CheckInSerializer,
            **ERRORS,
            400: OpenApiResponse(
                description="Bad value, date before the round or in the future, bad status."
            ),
            409: OpenApiResponse(
                description="Refused by the state: round not tracking (planning, assessment, "
                "closed) or plan not approved."
            ),
        },
        description="Record the KPI's progress on a date: `value` (numeric scales) or "
        "`milestones_done` (milestone scale), optional `status` (suggested when absent) "
        "and `note`. A second check-in on the same date replaces the first. Nothing is "
        "saved when refused.",
    )
    def post(self, request, pk):
        kpi = checkin_holder_kpi(request.user, pk)
        form = CheckInWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        checkin = checkin_record(
            kpi=kpi,
            by=request.user,
            date=data["date"],
            value=data.get("value"),
            milestones_done=data.get("milestones_done"),
            status=data.get("status"),
            note=data.get("note") or "",
        )
        fresh = checkins_of(kpi).get(pk=checkin.pk)
        return Response(CheckInSerializer(fresh).data, status=status.HTTP_201_CREATED)
