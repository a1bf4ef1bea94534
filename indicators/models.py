"""Rounds, plans, KRAs and KPIs with five-level targets, and their history."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpi_portal.templatetags.thai import format_be_date
from orgchart.models import Node

ROUND_CODE = re.compile(r"^\s*(\d{4})\s*/\s*([12])\s*$")


class Round(models.Model):
    """Half a fiscal year: round 1 = 1 Oct - 31 Mar, round 2 = 1 Apr - 30 Sep."""

    class Status(models.TextChoices):
        PLANNING = "planning", _("วางแผน")
        TRACKING = "tracking", _("ติดตามผล")
        ASSESSMENT = "assessment", _("ประเมินผล")
        CLOSED = "closed", _("ปิดรอบ")

    fiscal_year = models.PositiveSmallIntegerField(_("ปีงบประมาณ (พ.ศ.)"))
    number = models.PositiveSmallIntegerField(_("รอบที่"), choices=[(1, "1"), (2, "2")])
    start = models.DateField(_("วันเริ่มต้น"))
    end = models.DateField(_("วันสิ้นสุด"))
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=Status.choices, default=Status.PLANNING
    )
    min_kpis = models.PositiveSmallIntegerField(_("จำนวนตัวชี้วัดขั้นต่ำต่อแผน"), default=1)
    max_kpis = models.PositiveSmallIntegerField(_("จำนวนตัวชี้วัดสูงสุดต่อแผน"), default=15)
    recommended_kpis = models.PositiveSmallIntegerField(_("จำนวนตัวชี้วัดที่แนะนำ"), default=7)
    closed_at = models.DateTimeField(_("ปิดรอบเมื่อ"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The tree ids of the departments the round is closed for on their own
    # (RoundClosure rows not reopened), kept on the round's row by the close
    # and reopen services: every plan's check reads it with the round (no
    # query per plan), and the services that lock the round see it fresh.
    closed_departments = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        verbose_name = _("รอบการประเมิน")
        verbose_name_plural = _("รอบการประเมิน")
        ordering = ["-fiscal_year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "number"], name="one_round_per_half"),
            models.CheckConstraint(condition=Q(number__in=[1, 2]), name="round_number_1_or_2"),
            models.CheckConstraint(condition=Q(start__lte=models.F("end")), name="round_dates"),
            models.CheckConstraint(
                condition=Q(min_kpis__lte=models.F("max_kpis")), name="round_kpi_limits"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.fiscal_year}/{self.number}"

    @property
    def is_planning(self) -> bool:
        return self.status == self.Status.PLANNING

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def is_closed_for(self, tree_id: int) -> bool:
        """Closed for the department of tree `tree_id`: for everyone, or for it alone."""
        return self.is_closed or tree_id in self.closed_departments

    def closed_at_for(self, tree_id: int):
        """When the round was closed for the department of tree `tree_id` (None while
        open); one query when it was closed for that department alone."""
        if self.is_closed:
            return self.closed_at
        if tree_id not in self.closed_departments:
            return None
        return (
            self.closures.filter(department__tree_id=tree_id, reopened_at__isnull=True)
            .values_list("closed_at", flat=True)
            .first()
        )

    @property
    def accepts_results(self) -> bool:
        return self.status in (self.Status.TRACKING, self.Status.ASSESSMENT)

    @staticmethod
    def parse_code(code: str) -> tuple[int, int]:
        """'2569/1' -> (2569, 1); ValueError for anything else."""
        match = ROUND_CODE.match(code or "")
        if not match:
            raise ValueError(code)
        return int(match.group(1)), int(match.group(2))

    @staticmethod
    def default_dates(fiscal_year: int, number: int) -> tuple[datetime.date, datetime.date]:
        """Dates (C.E.) of a round of a fiscal year given in B.E."""
        year = fiscal_year - 543
        if number == 1:
            return datetime.date(year - 1, 10, 1), datetime.date(year, 3, 31)
        return datetime.date(year, 4, 1), datetime.date(year, 9, 30)

    @staticmethod
    def fiscal_year_dates(fiscal_year: int) -> tuple[datetime.date, datetime.date]:
        """First and last day (C.E.) of a fiscal year given in B.E.: 1 Oct - 30 Sep."""
        year = fiscal_year - 543
        return datetime.date(year - 1, 10, 1), datetime.date(year, 9, 30)

    def clean(self) -> None:
        """A round's dates lie inside its fiscal year, the start not after the end.

        round_save (the rounds page and `create_round`) calls full_clean, so
        the rule is checked in this one place.
        """
        super().clean()
        if self.start is None or self.end is None or not self.fiscal_year:
            return
        if self.start > self.end:
            raise ValidationError(_("วันเริ่มต้นต้องไม่อยู่หลังวันสิ้นสุด"))
        first, last = self.fiscal_year_dates(self.fiscal_year)
        if self.start < first or self.end > last:
            raise ValidationError(
                _(
                    "วันที่ของรอบ %(code)s ต้องอยู่ในปีงบประมาณ %(year)s "
                    "(%(first)s - %(last)s) แต่ได้รับ %(start)s - %(end)s"
                )
                % {
                    "code": self.code,
                    "year": self.fiscal_year,
                    "first": format_be_date(first),
                    "last": format_be_date(last),
                    "start": format_be_date(self.start),
                    "end": format_be_date(self.end),
                }
            )


class Plan(models.Model):
    """One owner's (a unit's or a person's) KPIs for one round."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("ร่าง")
        SUBMITTED = "submitted", _("ส่งแล้ว รออนุมัติ")
        APPROVED = "approved", _("อนุมัติแล้ว")
        RETURNED = "returned", _("ส่งกลับให้แก้ไข")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="plans")
    owner = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    # Bumped by every change to the plan or anything in it; a save carrying an
    # older version is refused (optimistic locking, see indicators.services).
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_comment = models.TextField(_("ความเห็นเมื่อส่งกลับ"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("แผนตัวชี้วัด")
        verbose_name_plural = _("แผนตัวชี้วัด")
        constraints = [
            models.UniqueConstraint(fields=["round", "owner"], name="one_plan_per_owner_round")
        ]

    def __str__(self) -> str:
        return f"{self.owner.name} {self.round.code}"

    @property
    def is_locked(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.APPROVED)

    @property
    def round_closed(self) -> bool:
        """The round is closed for this plan's department (or for every department)."""
        return self.round.is_closed_for(self.owner.tree_id)

    @property
    def is_editable(self) -> bool:
        """Content may change: a draft (or returned) plan in a planning round still open."""
        return not self.is_locked and self.round.is_planning and not self.round_closed


class KRA(models.Model):
    """A key result area, under a job or project."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="kras")
    job = models.CharField(_("งาน/โครงการ"), max_length=500)
    name = models.CharField(_("ผลสัมฤทธิ์หลัก"), max_length=1000)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("ผลสัมฤทธิ์หลัก (KRA)")
        verbose_name_plural = _("ผลสัมฤทธิ์หลัก (KRA)")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class KPI(models.Model):
    """An indicator with five-level targets and a weight."""

    class Scale(models.TextChoices):
        HIGHER = "higher", _("มากดี")
        LOWER = "lower", _("น้อยดี")
        MILESTONE = "milestone", _("ระดับความสำเร็จ (ขั้นตอน)")

    class Category(models.TextChoices):
        QUANTITY = "quantity", _("ปริมาณ")
        QUALITY = "quality", _("คุณภาพ")
        TIMELINESS = "timeliness", _("เวลา")
        COST = "cost", _("ความคุ้มค่า")

    class Kind(models.TextChoices):
        EFFICIENCY = "efficiency", _("ประสิทธิภาพ")
        EFFECTIVENESS = "effectiveness", _("ประสิทธิผล")

    class Work(models.TextChoices):
        STRATEGY = "strategy", _("แผนปฏิบัติราชการ/ยุทธศาสตร์")
        ROUTINE = "routine", _("งานประจำ")
        SPECIAL = "special", _("งานที่ได้รับมอบหมายพิเศษ")

    class Technique(models.TextChoices):
        GOAL_CASCADING = "goal_cascading", _("การถ่ายทอดเป้าหมาย")
        CUSTOMER = "customer", _("ความคาดหวังของผู้รับบริการ")
        WORKFLOW = "workflow", _("แผนผังกระบวนการทำงาน")
        ISSUE = "issue", _("ประเด็นปัญหาที่ต้องแก้ไข")

    class Cascade(models.TextChoices):
        DIRECT = "direct", _("ถ่ายทอดโดยตรง")
        SPLIT = "split", _("แบ่งค่าเป้าหมาย")
        PARTIAL = "partial", _("มอบบางส่วน")

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="kpis")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="kpis")
    kra = models.ForeignKey(KRA, on_delete=models.CASCADE, related_name="kpis")
    code = models.CharField(_("รหัสตัวชี้วัด"), max_length=64)
    name = models.CharField(_("ตัวชี้วัด"), max_length=1000)
    unit = models.CharField(_("หน่วยนับ"), max_length=64, blank=True)
    category = models.CharField(_("มิติ"), max_length=16, choices=Category.choices, blank=True)
    kind = models.CharField(_("ประเภทตัวชี้วัด"), max_length=16, choices=Kind.choices, blank=True)
    work = models.CharField(_("ลักษณะงาน"), max_length=16, choices=Work.choices, blank=True)
    technique = models.CharField(
        _("เทคนิคที่ใช้กำหนด"), max_length=16, choices=Technique.choices, blank=True
    )
    overseer = models.ForeignKey(
        Node,
        verbose_name=_("ผู้กำกับดูแลตัวชี้วัด"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="overseen_kpis",
    )
    method = models.TextField(_("วิธีการประเมิน/แหล่งข้อมูล"), blank=True)
    scale = models.CharField(_("เกณฑ์"), max_length=16, choices=Scale.choices)
    level_1 = models.DecimalField(
        _("ระดับ 1"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    level_2 = models.DecimalField(
        _("ระดับ 2"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    level_3 = models.DecimalField(
        _("ระดับ 3"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    level_4 = models.DecimalField(
        _("ระดับ 4"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    level_5 = models.DecimalField(
        _("ระดับ 5"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    milestone_1 = models.CharField(_("ขั้นตอนที่ 1"), max_length=500, blank=True)
    milestone_2 = models.CharField(_("ขั้นตอนที่ 2"), max_length=500, blank=True)
    milestone_3 = models.CharField(_("ขั้นตอนที่ 3"), max_length=500, blank=True)
    milestone_4 = models.CharField(_("ขั้นตอนที่ 4"), max_length=500, blank=True)
    milestone_5 = models.CharField(_("ขั้นตอนที่ 5"), max_length=500, blank=True)
    weight = models.DecimalField(_("น้ำหนัก (ร้อยละ)"), max_digits=6, decimal_places=2)
    order = models.PositiveIntegerField(default=0)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("ตัวชี้วัดต้นทาง"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cascaded",
    )
    cascade = models.CharField(_("วิธีถ่ายทอด"), max_length=16, choices=Cascade.choices, blank=True)

    class Meta:
        verbose_name = _("ตัวชี้วัด")
        verbose_name_plural = _("ตัวชี้วัด")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="kpi_code_unique_in_round"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="kpi_weight_not_negative"),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(cascade=""), name="cascade_needs_method"
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "order"], name="kpi_plan_order"),
            # The monitoring counts (monitoring.figures): a plan's KPIs of the round
            # from the index alone (on SQLite the id is the rowid, in every index).
            models.Index(fields=["plan", "round"], name="kpi_plan_round"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def levels(self) -> tuple:
        """The five targets: numbers (level 1 may be None) or milestone texts."""
        if self.scale == self.Scale.MILESTONE:
            return (self.milestone_1, self.milestone_2, self.milestone_3, self.milestone_4,
                    self.milestone_5)  # fmt: skip
        return (self.level_1, self.level_2, self.level_3, self.level_4, self.level_5)

    @property
    def is_direct_child(self) -> bool:
        return self.parent_id is not None and self.cascade == self.Cascade.DIRECT

    @property
    def is_split_child(self) -> bool:
        return self.parent_id is not None and self.cascade == self.Cascade.SPLIT

    @property
    def set_by_supervisor(self) -> bool:
        """Cascaded directly or as a split share: the owner sets only the weight.

        The targets of a split share are the supervisor's allocation, checked
        for coverage when it is made; the owner changing them would open a
        shortfall nobody sees.
        """
        return self.is_direct_child or self.is_split_child


class HistoryEntry(models.Model):
    """Who changed what, when: old and new values, shown as the plan's timeline."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=48)
    object_type = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    object_label = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        verbose_name = _("ประวัติการเปลี่ยนแปลง")
        verbose_name_plural = _("ประวัติการเปลี่ยนแปลง")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["plan", "-at"], name="history_plan_at")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_label}"


class RoundClosure(models.Model):
    """A round closed for one department (the root of its tree) while others go on.

    The row stays when the round is reopened for the department: reopened_at,
    by whom and why are filled in, and a later close makes a new row.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="closures")
    department = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("ปิดรอบเมื่อ"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopened_at = models.DateTimeField(_("เปิดรอบใหม่เมื่อ"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reopen_reason = models.TextField(_("เหตุผลที่เปิดรอบใหม่"), blank=True)

    class Meta:
        verbose_name = _("การปิดรอบของส่วนราชการ")
        verbose_name_plural = _("การปิดรอบของส่วนราชการ")
        ordering = ["-closed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "department"],
                condition=Q(reopened_at__isnull=True),
                name="one_open_closure_per_department",
            )
        ]

    def __str__(self) -> str:
        return f"{self.round.code} {self.department.code}"

    @property
    def is_active(self) -> bool:
        return self.reopened_at is None
