"""Scoring policy of a round: method, floor, component weights, rating bands."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import Round
from orgchart.models import StaffType


class ScoringPolicy(models.Model):
    """How a round turns results into scores (DOMAIN.md: Results and scores)."""

    class Method(models.TextChoices):
        DISCRETE = "discrete", _("แบบขั้น (ระดับที่ได้)")
        INTERPOLATED = "interpolated", _("แบบเทียบสัดส่วนระหว่างระดับ")

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="policy")
    method = models.CharField(
        _("วิธีคิดคะแนน"), max_length=16, choices=Method.choices, default=Method.DISCRETE
    )
    floor = models.PositiveSmallIntegerField(
        _("คะแนนต่ำกว่าระดับ 1"), choices=[(0, "0"), (1, "1")], default=0
    )
    # A round may keep the scores from the assessees until HR publishes them.
    scores_published = models.BooleanField(_("เผยแพร่คะแนนให้ผู้รับการประเมินแล้ว"), default=True)

    class Meta:
        verbose_name = _("นโยบายการคิดคะแนน")
        verbose_name_plural = _("นโยบายการคิดคะแนน")

    def __str__(self) -> str:
        return f"{self.round.code} {self.get_method_display()}"


class ComponentWeight(models.Model):
    """Achievement / competency / other weights for one staff type."""

    policy = models.ForeignKey(ScoringPolicy, on_delete=models.CASCADE, related_name="weights")
    staff_type = models.CharField(_("ประเภทบุคลากร"), max_length=32, choices=StaffType.choices)
    achievement = models.DecimalField(_("ผลสัมฤทธิ์ของงาน"), max_digits=5, decimal_places=2)
    competency = models.DecimalField(_("สมรรถนะ"), max_digits=5, decimal_places=2)
    other = models.DecimalField(_("องค์ประกอบอื่น"), max_digits=5, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("น้ำหนักองค์ประกอบ")
        verbose_name_plural = _("น้ำหนักองค์ประกอบ")
        constraints = [
            models.UniqueConstraint(fields=["policy", "staff_type"], name="one_weight_per_type"),
            models.CheckConstraint(
                condition=Q(achievement__gte=0, competency__gte=0, other__gte=0)
                & Q(achievement=100 - F("competency") - F("other")),
                name="component_weights_total_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.achievement}/{self.competency}/{self.other}"


class RatingBand(models.Model):
    """A rating band: the total from `minimum` up to the next band's minimum."""

    policy = models.ForeignKey(ScoringPolicy, on_delete=models.CASCADE, related_name="bands")
    name = models.CharField(_("ระดับผลการประเมิน"), max_length=64)
    minimum = models.DecimalField(_("คะแนนขั้นต่ำ"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("ระดับผลการประเมิน")
        verbose_name_plural = _("ระดับผลการประเมิน")
        ordering = ["-minimum"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "minimum"], name="band_minimum_unique"),
            models.CheckConstraint(
                condition=Q(minimum__gte=0, minimum__lte=100), name="band_minimum_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ≥ {self.minimum}"


class PolicyChange(models.Model):
    """Who changed how scores are made, when, from what to what (an audit trail).

    A round's scoring policy (method, floor, weights, bands, publishing), or
    the expected competency levels (which every open round uses: no round).
    `changes` holds [key, old, new] rows in plain text (appraisals.policy_log).
    """

    class Subject(models.TextChoices):
        POLICY = "policy", _("นโยบายการคิดคะแนน")
        EXPECTED = "expected_levels", _("ระดับสมรรถนะที่คาดหวัง")

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, null=True, blank=True, related_name="policy_changes"
    )
    subject = models.CharField(max_length=16, choices=Subject.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changes = models.JSONField(default=list)

    class Meta:
        verbose_name = _("ประวัติการแก้ไขเกณฑ์การประเมิน")
        verbose_name_plural = _("ประวัติการแก้ไขเกณฑ์การประเมิน")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.at:%Y-%m-%d %H:%M}"


class EvidenceStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT/evidence, outside the web root.

    The location is read from the settings on every use (not once at import),
    so a deployment or a test that changes PRIVATE_MEDIA_ROOT is followed.
    Files have no URL: `appraisals:evidence` serves them after an access check.
    """

    @property
    def base_location(self):
        return Path(settings.PRIVATE_MEDIA_ROOT) / "evidence"

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def evidence_storage():
    """Evidence files live outside the web root; views check access before serving."""
    return EvidenceStorage()


class Result(models.Model):
    """The actual result of one KPI, its achieved level and score.

    `level` and `score` are stored so that pages, reports and the dashboard
    read them without recomputing; services recompute them on every change of
    the result, the targets or the round's policy until the round closes, and
    never after.
    """

    kpi = models.OneToOneField("indicators.KPI", on_delete=models.CASCADE, related_name="result")
    actual = models.DecimalField(
        _("ผลการดำเนินงาน"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    milestones_done = models.PositiveSmallIntegerField(_("ขั้นตอนที่สำเร็จ"), null=True, blank=True)
    note = models.TextField(_("หมายเหตุ/หลักฐาน"), blank=True)
    level = models.PositiveSmallIntegerField(_("ระดับที่ได้"), null=True, blank=True)
    score = models.DecimalField(_("คะแนน"), max_digits=6, decimal_places=4, null=True, blank=True)
    # The assessor confirms the computed level or sets another, with a reason.
    assessed_level = models.PositiveSmallIntegerField(_("ระดับที่ผู้ประเมินให้"), null=True, blank=True)
    assessed_reason = models.TextField(_("เหตุผลของผู้ประเมิน"), blank=True)
    # Optimistic locking: a save carrying an older version is refused.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ผลการดำเนินงาน")
        verbose_name_plural = _("ผลการดำเนินงาน")
        constraints = [
            models.CheckConstraint(
                condition=Q(milestones_done__isnull=True) | Q(milestones_done__lte=5),
                name="milestones_done_0_5",
            ),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__lte=5), name="result_level_0_5"
            ),
            models.CheckConstraint(
                condition=Q(assessed_level__isnull=True) | Q(assessed_level__lte=5),
                name="assessed_level_0_5",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=5),
                name="result_score_0_5",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.kpi.code}: {self.actual if self.actual is not None else self.milestones_done}"
        )


class Evidence(models.Model):
    """A file backing a result (type and size limited by the upload form)."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(storage=evidence_storage, upload_to="%Y/%m", max_length=255)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("หลักฐาน")
        verbose_name_plural = _("หลักฐาน")

    def __str__(self) -> str:
        return self.original_name


class Competency(models.Model):
    """A core competency (สมรรถนะหลัก)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(_("สมรรถนะ"), max_length=255)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("สมรรถนะ")
        verbose_name_plural = _("สมรรถนะ")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class ExpectedLevel(models.Model):
    """The level of a competency expected of a position level (edited by HR)."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="expected")
    position_level = models.CharField(_("ระดับตำแหน่ง"), max_length=64)
    level = models.PositiveSmallIntegerField(_("ระดับที่คาดหวัง"))

    class Meta:
        verbose_name = _("ระดับสมรรถนะที่คาดหวัง")
        verbose_name_plural = _("ระดับสมรรถนะที่คาดหวัง")
        constraints = [
            models.UniqueConstraint(
                fields=["competency", "position_level"], name="one_expected_level"
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="expected_level_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency} {self.position_level}: {self.level}"


class Appraisal(models.Model):
    """One officer's appraisal in a round: sign-offs, and the scores frozen at close."""

    class Status(models.TextChoices):
        OPEN = "open", _("ยังไม่ประเมิน")
        SELF_ASSESSED = "self_assessed", _("ประเมินตนเองแล้ว")
        ASSESSED = "assessed", _("ผู้ประเมินให้คะแนนแล้ว")
        ACKNOWLEDGED = "acknowledged", _("ผู้รับการประเมินรับทราบแล้ว")
        REVIEWED = "reviewed", _("ผู้บังคับบัญชาเหนือขึ้นไปให้ความเห็นแล้ว")

    class Opinion(models.TextChoices):
        AGREE = "agree", _("เห็นด้วยกับผลการประเมิน")
        DIFFERENT = "different", _("มีความเห็นต่าง")

    # The assessor has scored (is_assessed; the development plan's pages read it too).
    ASSESSED_STATUSES = ("assessed", "acknowledged", "reviewed")

    plan = models.OneToOneField(
        "indicators.Plan", on_delete=models.CASCADE, related_name="appraisal"
    )
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    self_assessed_at = models.DateTimeField(_("ประเมินตนเองเมื่อ"), null=True, blank=True)
    self_comment = models.TextField(_("ความเห็นของผู้รับการประเมิน"), blank=True)
    assessed_at = models.DateTimeField(_("ประเมินเมื่อ"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assessor_comment = models.TextField(_("ความเห็นของผู้ประเมิน"), blank=True)
    acknowledged_at = models.DateTimeField(_("รับทราบเมื่อ"), null=True, blank=True)
    # When the assessee refuses to sign: the date it was shown and a witness.
    refused = models.BooleanField(_("ไม่ลงนามรับทราบ"), default=False)
    shown_on = models.DateField(_("วันที่แจ้งผลการประเมิน"), null=True, blank=True)
    witness = models.CharField(_("พยาน"), max_length=255, blank=True)
    opinion = models.CharField(
        _("ความเห็นของผู้บังคับบัญชาเหนือขึ้นไป"), max_length=16, choices=Opinion.choices, blank=True
    )
    opinion_comment = models.TextField(_("ความเห็นเพิ่มเติม"), blank=True)
    reviewed_at = models.DateTimeField(_("ให้ความเห็นเมื่อ"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Computed while the round is open; frozen with the placement at close.
    achievement = models.DecimalField(
        _("ผลสัมฤทธิ์ของงาน"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    competency = models.DecimalField(
        _("สมรรถนะ"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    other = models.DecimalField(
        _("องค์ประกอบอื่น"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    total = models.DecimalField(
        _("คะแนนรวม"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    band = models.CharField(_("ระดับผลการประเมิน"), max_length=64, blank=True)
    frozen_at = models.DateTimeField(_("บันทึกผลถาวรเมื่อ"), null=True, blank=True)
    owner_code = models.CharField(_("รหัส"), max_length=32, blank=True)
    owner_name = models.CharField(_("ชื่อ"), max_length=255, blank=True)
    unit_code = models.CharField(_("รหัสหน่วยงาน"), max_length=32, blank=True)
    unit_name = models.CharField(_("หน่วยงาน"), max_length=255, blank=True)
    unit_path = models.CharField(_("สังกัด"), max_length=1000, blank=True)
    position = models.CharField(_("ตำแหน่ง"), max_length=255, blank=True)
    position_level = models.CharField(_("ระดับตำแหน่ง"), max_length=64, blank=True)
    staff_type = models.CharField(_("ประเภทบุคลากร"), max_length=32, blank=True)
    assessor_name = models.CharField(_("ผู้ประเมิน"), max_length=255, blank=True)
    assessor_position = models.CharField(_("ตำแหน่งผู้ประเมิน"), max_length=255, blank=True)
    # The development plan's acknowledgement by the assessee (appraisals.development).
    development_acknowledged_at = models.DateTimeField(_("รับทราบแผนพัฒนาเมื่อ"), null=True, blank=True)

    class Meta:
        verbose_name = _("การประเมินผล")
        verbose_name_plural = _("การประเมินผล")

    def __str__(self) -> str:
        return f"{self.plan} {self.get_status_display()}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def is_assessed(self) -> bool:
        """The assessor has scored: results and levels no longer change."""
        return self.status in self.ASSESSED_STATUSES


class CompetencyRating(models.Model):
    """The observed level of one competency in one appraisal."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    expected = models.PositiveSmallIntegerField(_("ระดับที่คาดหวัง"))
    observed = models.PositiveSmallIntegerField(_("ระดับที่ประเมินได้"))

    class Meta:
        verbose_name = _("ผลประเมินสมรรถนะ")
        verbose_name_plural = _("ผลประเมินสมรรถนะ")
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "competency"], name="one_rating"),
            models.CheckConstraint(
                condition=Q(expected__gte=1, expected__lte=5, observed__lte=5),
                name="rating_levels",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency}: {self.observed}/{self.expected}"


# The individual development plan (issue 11) lives in its own module.
from appraisals.development_models import DevelopmentItem, DevelopmentMethod  # noqa: E402, F401

# What the dashboard counts of each plan's results, kept by appraisals.tallies.
from appraisals.tally_models import ResultTally  # noqa: E402, F401
