import uuid
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def jobs_root() -> Path:
    """Where job result files live: PRIVATE_MEDIA_ROOT/jobs, never served directly."""
    return Path(settings.PRIVATE_MEDIA_ROOT) / "jobs"


class Job(models.Model):
    """A background job (an export or an import) that one person started.

    The page `jobs:detail` shows its progress (`done` of `total` rows) and,
    once it is done, a download link to its result file until `expires_at`.
    The work itself is a runner registered by kind in kpi_portal.jobs.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("รอคิว")
        RUNNING = "running", _("กำลังดำเนินการ")
        DONE = "done", _("เสร็จแล้ว")
        FAILED = "failed", _("ไม่สำเร็จ")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("ประเภทงาน"), max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jobs",
        verbose_name=_("ผู้สั่งงาน"),
    )
    params = models.JSONField(_("ค่าที่ใช้"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("สถานะ"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("ทำแล้ว"), default=0)
    # 0 while the runner has not said how many rows there are.
    total = models.PositiveIntegerField(_("ทั้งหมด"), default=0)
    message = models.TextField(_("ข้อความ"), blank=True)
    error = models.TextField(_("ข้อผิดพลาด"), blank=True)
    # Relative to jobs_root(); empty when there is no file or it has expired.
    result_file = models.CharField(_("ไฟล์ผลลัพธ์"), max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("สั่งเมื่อ"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("เริ่มเมื่อ"), null=True, blank=True)
    finished_at = models.DateTimeField(_("เสร็จเมื่อ"), null=True, blank=True)
    updated_at = models.DateTimeField(_("ปรับปรุงล่าสุด"), default=timezone.now)
    expires_at = models.DateTimeField(_("ไฟล์หมดอายุเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = _("งานเบื้องหลัง")
        verbose_name_plural = _("งานเบื้องหลัง")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="job_by_user_idx"),
            models.Index(fields=["expires_at"], name="job_expires_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "done", "failed"]),
                name="job_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def percent(self) -> int | None:
        """Whole percent done, or None while the total is unknown."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)

    @property
    def directory(self) -> Path:
        return jobs_root() / str(self.pk)

    def output_path(self, filename: str) -> Path:
        """Where a runner writes its result file (the folder is created)."""
        name = Path(filename).name
        if name in {"", ".", ".."}:
            raise ValueError(f"Not a file name: {filename!r}")
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory / name

    @property
    def result_path(self) -> Path | None:
        """The result file, if it was recorded and lies inside jobs_root()."""
        if not self.result_file:
            return None
        root = jobs_root().resolve()
        path = (root / self.result_file).resolve()
        if not path.is_relative_to(root):
            return None
        return path

    @property
    def result_name(self) -> str:
        return Path(self.result_file).name if self.result_file else ""


class LoginThrottle(models.Model):
    """Failed logins counted per address (across usernames) or per username (across addresses).

    Beside django-axes' lock of one username from one address
    (kpi_portal.throttle): one row per address or username that failed in the
    last LOGIN_THROTTLE_WINDOW_MINUTES, so the table stays as small as the set
    of recent failures; rows past their window and lock are pruned on the next
    failure. `locked_until` is set when `failures` reaches the limit.
    """

    class Scope(models.TextChoices):
        ADDRESS = "address", _("เครื่อง (ที่อยู่ IP)")
        USERNAME = "username", _("ชื่อผู้ใช้")

    scope = models.CharField(_("ประเภท"), max_length=10, choices=Scope.choices)
    key = models.CharField(_("ที่อยู่หรือชื่อผู้ใช้"), max_length=255)
    failures = models.PositiveIntegerField(_("จำนวนครั้งที่ผิด"), default=0)
    window_start = models.DateTimeField(_("เริ่มนับเมื่อ"), default=timezone.now)
    last_failure_at = models.DateTimeField(_("ผิดครั้งล่าสุดเมื่อ"), default=timezone.now)
    locked_until = models.DateTimeField(_("ระงับถึง"), null=True, blank=True)

    class Meta:
        verbose_name = _("การนับการเข้าสู่ระบบที่ผิด")
        verbose_name_plural = _("การนับการเข้าสู่ระบบที่ผิด")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="login_throttle_scope_key"),
            models.CheckConstraint(
                condition=models.Q(scope__in=["address", "username"]),
                name="login_throttle_scope_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["scope", "locked_until"], name="login_throttle_locked_idx"),
            models.Index(fields=["last_failure_at"], name="login_throttle_last_idx"),
        ]

    def __str__(self):
        return f"{self.scope} {self.key}"
