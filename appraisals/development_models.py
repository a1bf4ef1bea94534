"""The individual development plan (แผนพัฒนารายบุคคล): part 3 of the summary form.

Imported by appraisals.models so Django finds the models; kept apart so the
appraisal models stay readable.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DevelopmentMethod(models.TextChoices):
    TRAINING = "training", _("การฝึกอบรม")
    COACHING = "coaching", _("การสอนงาน")
    ASSIGNMENT = "assignment", _("การมอบหมายงาน")
    SELF_STUDY = "self_study", _("การศึกษาด้วยตนเอง")


class DevelopmentItem(models.Model):
    """One thing to develop, agreed by assessor and assessee after the appraisal."""

    appraisal = models.ForeignKey(
        "appraisals.Appraisal", on_delete=models.CASCADE, related_name="development_items"
    )
    competency = models.ForeignKey(
        "appraisals.Competency", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kpi = models.ForeignKey(
        "indicators.KPI", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    topic = models.CharField(_("สิ่งที่ต้องพัฒนา"), max_length=255)
    method = models.CharField(_("วิธีการพัฒนา"), max_length=16, choices=DevelopmentMethod.choices)
    period = models.CharField(_("ช่วงเวลา"), max_length=100)
    outcome = models.TextField(_("ผลที่คาดว่าจะได้รับ"))
    planned_hours = models.PositiveSmallIntegerField(_("จำนวนชั่วโมงที่วางแผน"), null=True, blank=True)
    # Recorded later, while the round is open, by the assessor or the assessee.
    actual_hours = models.PositiveSmallIntegerField(_("จำนวนชั่วโมงที่พัฒนาจริง"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("รายการแผนพัฒนารายบุคคล")
        verbose_name_plural = _("รายการแผนพัฒนารายบุคคล")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(competency__isnull=True) | Q(kpi__isnull=True),
                name="development_item_one_subject",
            )
        ]

    def __str__(self) -> str:
        return self.topic
