"""In-app notifications, their e-mail outbox, and who wants what.

A Notification keeps its kind and parameters, not its text: the text is
written when it is shown (or mailed) in the reader's language
(notifications.kinds). A Delivery is one e-mail waiting in the outbox: the
worker sends it, and a failure leaves it there to be retried with backoff.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("ประเภท"), max_length=40)
    round = models.ForeignKey(
        "indicators.Round", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    plan = models.ForeignKey(
        "indicators.Plan", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A deadline reminder's date: with recipient, kind and round it is unique,
    # so a reminder goes to a person once per deadline.
    deadline = models.DateField(null=True, blank=True)
    # Names and dates the text needs (who acted, the plan's owner, a comment).
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("เมื่อ"), default=timezone.now)
    read_at = models.DateTimeField(_("อ่านเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = _("การแจ้งเตือน")
        verbose_name_plural = _("การแจ้งเตือน")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "round", "deadline"],
                condition=Q(deadline__isnull=False),
                name="one_reminder_per_deadline",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """One e-mail of a notification, in the outbox until it is sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("รอส่ง")
        SENT = "sent", _("ส่งแล้ว")
        FAILED = "failed", _("ส่งไม่สำเร็จ")

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries"
    )
    address = models.EmailField(_("อีเมล"))
    language = models.CharField(_("ภาษา"), max_length=8, default="th")
    status = models.CharField(
        _("สถานะ"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("จำนวนครั้งที่พยายามส่ง"), default=0)
    last_error = models.TextField(_("ข้อผิดพลาดล่าสุด"), blank=True)
    next_attempt_at = models.DateTimeField(_("ส่งครั้งต่อไป"), default=timezone.now)
    sent_at = models.DateTimeField(_("ส่งเมื่อ"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("อีเมลแจ้งเตือน")
        verbose_name_plural = _("อีเมลแจ้งเตือน")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.address} ({self.get_status_display()})"


class NotificationPreference(models.Model):
    """A person's language for notifications, and the kinds they want no e-mail for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    language = models.CharField(
        _("ภาษา"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Kind keys (notifications.kinds) switched off for e-mail; in-app stays.
    email_off = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("การตั้งค่าการแจ้งเตือน")
        verbose_name_plural = _("การตั้งค่าการแจ้งเตือน")

    def __str__(self) -> str:
        return str(self.user)

    def wants_email(self, kind: str) -> bool:
        return kind not in (self.email_off or [])


class RoundReminder(models.Model):
    """A round's deadlines and how many days before each one people are reminded."""

    round = models.OneToOneField(
        "indicators.Round", on_delete=models.CASCADE, related_name="reminder"
    )
    planning_ends = models.DateField(_("วันสิ้นสุดการวางแผน"), null=True, blank=True)
    planning_days = models.PositiveSmallIntegerField(_("เตือนก่อนสิ้นสุดการวางแผน (วัน)"), default=7)
    # Blank: the round's last day.
    assessment_ends = models.DateField(_("วันสิ้นสุดการประเมิน"), null=True, blank=True)
    assessment_days = models.PositiveSmallIntegerField(_("เตือนก่อนสิ้นสุดการประเมิน (วัน)"), default=7)

    class Meta:
        verbose_name = _("การเตือนกำหนดเวลาของรอบ")
        verbose_name_plural = _("การเตือนกำหนดเวลาของรอบ")
        constraints = [
            models.CheckConstraint(
                condition=Q(planning_days__lte=90) & Q(assessment_days__lte=90),
                name="reminder_days_at_most_90",
            )
        ]

    def __str__(self) -> str:
        return str(self.round)

    @property
    def assessment_deadline(self):
        return self.assessment_ends or self.round.end
