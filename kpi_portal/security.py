"""Login throttling, and the log of failed logins and refused access.

Everything here logs to "kpi_portal.security" at WARNING: the username, the
address, the path and the status, never a password or a query string.
"""

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

logger = logging.getLogger("kpi_portal.security")

_LOGGED = "_kpi_refusal_logged"


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind trusted proxies.

    With TRUSTED_PROXY_COUNT proxies in front of us, each appends the address
    it received the request from, so the client is that many entries from the
    right; anything further left was written by the client and is not
    trusted. Also django-axes' AXES_CLIENT_IP_CALLABLE.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return forwarded[0] if forwarded else remote
    return forwarded[-count]


def _clean(value, limit: int = 150) -> str:
    """A value safe for one log line: no control characters, bounded length."""
    text = "" if value is None else str(value)
    text = "".join(char if char.isprintable() else "?" for char in text)
    return text[:limit]


def _who(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"{_clean(user.get_username())}#{user.pk}"
    return "anonymous"


def log_failed_login(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    """user_login_failed receiver: the username tried and the address."""
    username = credentials.get("username", "")
    address = client_ip(request) if request is not None else "-"
    logger.warning("Failed login: username=%s ip=%s", _clean(username), address)


def log_lockout(sender, request: HttpRequest, username: str, ip_address: str, **kwargs):
    """django-axes user_locked_out receiver."""
    logger.warning(
        "Login locked out: username=%s ip=%s for %s",
        _clean(username),
        ip_address,
        settings.AXES_COOLOFF_TIME,
    )


def lockout_response(request: HttpRequest, original_response, credentials) -> HttpResponse:
    """The page a locked-out login sees (django-axes' AXES_LOCKOUT_CALLABLE).

    Every refused try restarts the cool-off
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the wait runs from now.
    """
    cool_off = settings.AXES_COOLOFF_TIME
    context = {
        "minutes": math.ceil(cool_off.total_seconds() / 60),
        "retry_at": timezone.now() + cool_off,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "scope": "pair",
    }
    # An address or username lock (kpi_portal.throttle) ends at its own time.
    lock = getattr(request, "kpi_throttle_lock", None)
    if lock is not None:
        remaining = max(lock.locked_until - timezone.now(), timedelta(0))
        context.update(
            minutes=max(1, math.ceil(remaining.total_seconds() / 60)),
            retry_at=lock.locked_until,
            scope=lock.scope,
        )
    return render(request, "lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def log_refusal(request: HttpRequest, status: int) -> None:
    if getattr(request, _LOGGED, False):
        return
    setattr(request, _LOGGED, True)
    logger.warning(
        "Refused access: status=%s user=%s ip=%s method=%s path=%s",
        status,
        _who(request),
        client_ip(request),
        request.method,
        _clean(request.path, 300),
    )


class RefusedAccessLogMiddleware:
    """Log every 403, and every 404 raised by a view (the access helpers).

    A 404 for an unknown address is not logged here (Django's request log
    has it); a view's 404 means "outside your view" for an existing object,
    which is what someone probing other people's records sees.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            log_refusal(request, 403)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            log_refusal(request, 403)
        elif isinstance(exception, Http404):
            log_refusal(request, 404)
        return None
