"""Activation codes (first sign-in) and the index of each person's sessions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActivationCode(models.Model):
    """A one-time code with which a person sets their first (or a new) password.

    Only an HMAC of the code is stored (accounts.codes): the code itself exists
    on the e-mail or the paper sheet alone. A code is live until it is used,
    revoked (a new one was issued, too many wrong tries, a forced reset) or
    past `expires_at`; a person has at most one live code.
    """

    class Delivery(models.TextChoices):
        EMAIL = "email", _("อีเมล")
        SHEET = "sheet", _("เอกสารรหัส")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activation_codes",
        verbose_name=_("ผู้ใช้"),
    )
    code_hash = models.CharField(_("ค่าแฮชของรหัส"), max_length=64)
    delivery = models.CharField(_("ช่องทาง"), max_length=8, choices=Delivery.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ออกโดย"),
    )
    created_at = models.DateTimeField(_("ออกเมื่อ"), default=timezone.now)
    expires_at = models.DateTimeField(_("หมดอายุเมื่อ"))
    used_at = models.DateTimeField(_("ใช้เมื่อ"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ยกเลิกเมื่อ"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(_("กรอกผิด"), default=0)

    class Meta:
        verbose_name = _("รหัสเปิดใช้งาน")
        verbose_name_plural = _("รหัสเปิดใช้งาน")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(used_at__isnull=True, revoked_at__isnull=True),
                name="one_open_activation_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.revoked_at is None and self.expires_at > now


class UserSession(models.Model):
    """One signed-in session of a person: the key, when and from where.

    Kept on sign-in (user_logged_in) so "sign out everywhere" and a password
    change end a person's sessions without scanning every session of the
    agency; pruned on each sign-in to at most accounts.sessions.MAX_TRACKED.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="tracked_sessions",
        verbose_name=_("ผู้ใช้"),
    )
    session_key = models.CharField(_("รหัสเซสชัน"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("เข้าสู่ระบบเมื่อ"), default=timezone.now)
    ip_address = models.CharField(_("ที่อยู่ IP"), max_length=45, blank=True)
    user_agent = models.CharField(_("โปรแกรมค้นดู"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("เซสชันของผู้ใช้")
        verbose_name_plural = _("เซสชันของผู้ใช้")
        indexes = [models.Index(fields=["user", "created_at"], name="usersession_user_created")]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
