"""JSON errors in the caller's language: {"detail": ..., "code": ..., "errors": [...]}.

A service's ValidationError (the same translated message the page shows)
answers 400, or 409 when the state of the round, plan or appraisal refuses
the change; objects outside the caller's view answer 404, whatever they are.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kpi_portal.security import log_refusal

# Codes of the services' refusals that are about state, not about the input.
CONFLICT_CODES = frozenset({"closed", "not_tracking", "not_approved", "assessed", "stale"})


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [
            f"{field}: {message}" if field != "non_field_errors" else str(message)
            for field, value in detail.items()
            for message in _messages(value)
        ]
    if isinstance(detail, list):
        return [message for item in detail for message in _messages(item)]
    return [str(detail)]


def validation_response(error: DjangoValidationError) -> Response:
    messages = list(error.messages)
    code = getattr(error, "code", None) or "invalid"
    answer = status.HTTP_409_CONFLICT if code in CONFLICT_CODES else status.HTTP_400_BAD_REQUEST
    return Response({"detail": " ".join(messages), "code": code, "errors": messages}, answer)


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return validation_response(exc)
    if isinstance(exc, Http404):
        # The access helpers' 404 (a page past the last one is DRF's NotFound, kept).
        # Logged as kpi_portal.security logs a page's: someone may be probing records.
        request = context.get("request")
        if request is not None:
            log_refusal(request._request, 404)
        exc = exceptions.NotFound(_("ไม่พบข้อมูลนี้ หรือคุณไม่มีสิทธิ์เข้าถึง"))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("คุณไม่มีสิทธิ์ทำรายการนี้"))
    elif isinstance(exc, exceptions.NotAuthenticated):
        header = getattr(exc, "auth_header", None)
        exc = exceptions.NotAuthenticated(
            _("ต้องระบุโทเคน API ในส่วนหัว Authorization: Bearer <โทเคน>")
        )
        exc.auth_header = header
    elif isinstance(exc, exceptions.Throttled):
        wait = exc.wait
        exc = exceptions.Throttled(
            wait=wait,
            detail=_("เรียกใช้ API บ่อยเกินกำหนด กรุณารอ %(seconds)s วินาทีแล้วลองใหม่")
            % {"seconds": int(wait or 0) + 1},
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    if detail is not None and len(response.data) == 1:
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"detail": str(detail), "code": code, "errors": [str(detail)]}
    else:
        messages = _messages(response.data)
        response.data = {
            "detail": " ".join(messages),
            "code": getattr(exc, "default_code", "invalid"),
            "errors": messages,
            "fields": response.data,
        }
    return response
