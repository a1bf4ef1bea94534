"""The signed-in person's own account: sessions, password change, signing out everywhere;
and Django's password-reset pages with Thai templates and no user enumeration."""

import logging

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.forms import AccountPasswordResetForm
from accounts.sessions import session_track, sessions_active, sessions_end
from kpi_portal.security import client_ip

logger = logging.getLogger("kpi_portal.security")


@login_required
@require_safe
def account(request):
    """ความปลอดภัยของบัญชี: the active sessions, change password, sign out everywhere."""
    sessions = sessions_active(user=request.user)
    current = request.session.session_key
    context = {"sessions": sessions, "current_key": current, "count": len(sessions)}
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def sign_out_everywhere(request):
    """End every session of the person, this one too."""
    user = request.user
    ended = sessions_end(user=user, reason="sign out everywhere")
    logger.info(
        "Signed out everywhere: user=%s#%s ip=%s", user.get_username(), user.pk, client_ip(request)
    )
    logout(request)
    messages.success(request, _("ออกจากระบบทุกอุปกรณ์แล้ว (%(count)s เซสชัน)") % {"count": ended})
    return redirect("login")


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password change; the other sessions end, this one goes on."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:account")

    def form_valid(self, form):
        response = super().form_valid(form)  # saves, keeps this session (a new key)
        user = form.user
        session_track(user=user, request=self.request)
        ended = sessions_end(
            user=user, keep=self.request.session.session_key, reason="password change"
        )
        logger.info(
            "Password changed: user=%s#%s ip=%s other_sessions_ended=%s",
            user.get_username(),
            user.pk,
            client_ip(self.request),
            ended,
        )
        messages.success(self.request, _("เปลี่ยนรหัสผ่านเรียบร้อย อุปกรณ์อื่นที่เข้าระบบไว้ถูกออกจากระบบแล้ว"))
        return response


class PasswordReset(auth_views.PasswordResetView):
    form_class = AccountPasswordResetForm
    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        sessions_end(user=user, reason="password reset")
        logger.info(
            "Password reset completed: user=%s#%s ip=%s",
            user.get_username(),
            user.pk,
            client_ip(self.request),
        )
        return response


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
