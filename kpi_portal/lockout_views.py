"""Login lockouts for administrators: see every lock in force and lift one.

Three kinds (kpi_portal.throttle): django-axes' username + address lock,
the address lock (across usernames) and the username lock (across
addresses). Superusers only: a lockout names usernames and addresses from
every department, which HR of one department has no business seeing.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kpi_portal.throttle import Kind, locked_pairs, locked_throttles, lockout_lift
from orgchart.access import roles_of

LOCKOUTS_PER_PAGE = 25

TITLES = {
    Kind.PAIR: gettext_lazy("ชื่อผู้ใช้จากเครื่องเดียวกัน"),
    Kind.ADDRESS: gettext_lazy("เครื่อง (ที่อยู่ IP) ทุกชื่อผู้ใช้"),
    Kind.USERNAME: gettext_lazy("ชื่อผู้ใช้จากทุกเครื่อง"),
}


def _require_admin(user) -> None:
    if not roles_of(user).is_admin:
        raise PermissionDenied


def _section(request, kind: str, now) -> dict:
    """One kind's locks, a page of them (two queries: the count and the page)."""
    if kind == Kind.PAIR:
        rows = locked_pairs(now).only(
            "pk", "username", "ip_address", "failures_since_start", "attempt_time"
        )
    else:
        rows = locked_throttles(kind, now)
    parameter = f"{kind}_page"
    page = Paginator(rows, LOCKOUTS_PER_PAGE).get_page(request.GET.get(parameter))
    items = []
    for row in page.object_list:
        if kind == Kind.PAIR:
            items.append(
                {
                    "pk": row.pk,
                    "username": row.username,
                    "address": row.ip_address,
                    "failures": row.failures_since_start,
                    "last_at": row.attempt_time,
                    "until": row.attempt_time + settings.AXES_COOLOFF_TIME,
                }
            )
        else:
            items.append(
                {
                    "pk": row.pk,
                    "username": row.key if kind == Kind.USERNAME else "",
                    "address": row.key if kind == Kind.ADDRESS else "",
                    "failures": row.failures,
                    "first_at": row.window_start,
                    "last_at": row.last_failure_at,
                    "until": row.locked_until,
                }
            )
    return {
        "kind": kind,
        "title": TITLES[kind],
        "page": page,
        "items": items,
        "parameter": parameter,
    }


@login_required
@never_cache
def lockout_list(request):
    _require_admin(request.user)
    now = timezone.now()
    sections = [_section(request, kind, now) for kind in Kind.ALL]
    return render(request, "security/lockouts.html", {"sections": sections})


@login_required
@require_POST
def lockout_lift_view(request):
    _require_admin(request.user)
    kind = request.POST.get("kind", "")
    try:
        pk = int(request.POST.get("pk", ""))
    except ValueError:
        pk = None
    lifted = lockout_lift(kind=kind, pk=pk, by=request.user) if pk is not None else None
    if lifted:
        messages.success(request, _("ยกเลิกการระงับแล้ว: %(what)s") % {"what": lifted})
    else:
        messages.warning(request, _("ไม่พบการระงับนี้ อาจหมดเวลาหรือถูกยกเลิกไปแล้ว"))
    return redirect("security:lockouts")
