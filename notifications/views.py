"""A person's notifications: the list, opening one, marking read, preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from notifications import kinds
from notifications.forms import PreferencesForm
from notifications.models import Notification
from notifications.outbox import outbox_counts
from notifications.services import notifications_mark_read, preference_for

PER_PAGE = 30


def get_notification_for(user, pk) -> Notification:
    """The user's own notification; anyone else's answers 404."""
    notification = Notification.objects.filter(recipient=user, pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@never_cache
@require_GET
def bell(request):
    """The bell with the unread count, which the nav loads with htmx (one query).

    Pages render the bell without a count, so no page pays for it; a signed-out
    browser gets 204 (htmx leaves the nav alone).
    """
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "notifications/_bell.html", {"unread": unread_count(request.user)})


@login_required
def notification_list(request):
    """One's notifications, newest first, in pages (three queries whatever their number)."""
    page = Paginator(
        Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk"),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    for notification in page:
        notification.text = kinds.text_of(notification)
        kind = kinds.get(notification.kind)
        notification.label = kind.label if kind else notification.kind
    context = {
        "page": page,
        "unread": unread_count(request.user),
        "outbox": outbox_counts() if request.user.is_superuser else None,
    }
    return render(request, "notifications/list.html", context)


def _back(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_open(request, pk):
    """Mark the notification read and go to the page where its work is done."""
    notification = get_notification_for(request.user, pk)
    notifications_mark_read(user=request.user, pks=[notification.pk])
    return redirect(kinds.link_of(notification) or "notifications:list")


@login_required
@require_POST
def notification_read(request, pk):
    notification = get_notification_for(request.user, pk)
    notifications_mark_read(user=request.user, pks=[notification.pk])
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    count = notifications_mark_read(user=request.user)
    messages.success(request, _("ทำเครื่องหมายว่าอ่านแล้ว %(count)s รายการ") % {"count": count})
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """The language of one's notifications and which kinds also come by e-mail."""
    preference = preference_for(request.user)
    form = PreferencesForm(request.POST or None, preference=preference)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            preference.language = form.cleaned_data["language"]
            preference.email_off = form.email_off
            preference.save()
        messages.success(request, _("บันทึกการตั้งค่าการแจ้งเตือนแล้ว"))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
