"""Public pages: first sign-in with an activation code (typed from paper, or the e-mailed link).

Step one checks the person and the code (accounts.services.activation_check,
which counts wrong tries and burns the code); the checked code is remembered
in the session for step two, where the person chooses a password with
Django's validators and is signed in.
"""

import time

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import SetPasswordForm
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from accounts.backends import local_backend
from accounts.forms import ActivationForm
from accounts.models import ActivationCode
from accounts.services import ActivationGone, activation_check, activation_complete
from kpi_portal.security import client_ip

SESSION_KEY = "accounts_activation"
# A checked code stays good for choosing the password this long.
CHECKED_SECONDS = 30 * 60


def _remember(request, activation: ActivationCode) -> None:
    request.session[SESSION_KEY] = {"id": activation.pk, "at": int(time.time())}
    request.session.cycle_key()


def _remembered(request) -> ActivationCode | None:
    data = request.session.get(SESSION_KEY) or {}
    if not data or time.time() - data.get("at", 0) > CHECKED_SECONDS:
        return None
    activation = ActivationCode.objects.select_related("user").filter(pk=data.get("id")).first()
    if activation is None or not activation.is_live() or not activation.user.is_active:
        return None
    return activation


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request):
    """The person's username (or code in the tree) and the activation code from the sheet."""
    form = ActivationForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        activation = activation_check(
            login=form.cleaned_data["login"],
            code=form.cleaned_data["code"],
            ip=client_ip(request),
        )
        if activation is not None:
            _remember(request, activation)
            return redirect("accounts:activate_password")
        failed = True
    return render(request, "accounts/activate.html", {"form": form, "failed": failed})


@never_cache
@require_safe
def activate_link(request, uidb64, code):
    """The e-mailed one-time link: checked like a typed code, then on to the password."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        pk = None
    user = get_user_model().objects.filter(pk=pk).first() if pk else None
    activation = None
    if user is not None:
        activation = activation_check(login=user.get_username(), code=code, ip=client_ip(request))
    if activation is None:
        return render(request, "accounts/activate_invalid.html")
    _remember(request, activation)
    return redirect("accounts:activate_password")


@never_cache
@require_http_methods(["GET", "POST"])
def activate_password(request):
    """Choose a password (Django's validators); then signed in and on the home page."""
    activation = _remembered(request)
    if activation is None:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, _("กรุณากรอกชื่อผู้ใช้และรหัสเปิดใช้งานอีกครั้ง"))
        return redirect("accounts:activate")
    user = activation.user
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = activation_complete(
                activation_id=activation.pk,
                password=form.cleaned_data["new_password1"],
                ip=client_ip(request),
            )
        except ActivationGone:
            request.session.pop(SESSION_KEY, None)
            messages.error(request, _("รหัสเปิดใช้งานนี้ใช้ไม่ได้แล้ว กรุณาติดต่อเจ้าหน้าที่บุคคล"))
            return redirect("accounts:activate")
        request.session.pop(SESSION_KEY, None)
        login(request, user, backend=local_backend())
        messages.success(request, _("เปิดใช้งานบัญชีเรียบร้อย ยินดีต้อนรับสู่ KPI Portal"))
        return redirect("home")
    context = {"form": form, "person": user, "username": user.get_username()}
    return render(request, "accounts/activate_password.html", context)
