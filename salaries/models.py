"""Salaries and the salary-raise list of a round (DOMAIN.md "Development and reward").

Salaries are personal data: nothing here is shown outside salaries.access
(HR of the department and administrators), and every view is logged
(SalaryViewLog). Amounts are in baht, two decimals.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import Round
from orgchart.models import Node

MONEY = {"max_digits": 12, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}


class SalaryRange(models.Model):
    """The salary range of a position type and level (data HR imports)."""

    position_type = models.CharField(_("ประเภทตำแหน่ง"), max_length=64)
    position_level = models.CharField(_("ระดับตำแหน่ง"), max_length=64)
    floor = models.DecimalField(_("ขั้นต่ำ"), **MONEY)
    ceiling = models.DecimalField(_("ขั้นสูง"), **MONEY)
    midpoint = models.DecimalField(_("ค่ากลาง"), **MONEY)
    lower_base = models.DecimalField(_("ฐานในการคำนวณช่วงล่าง"), **MONEY)
    upper_base = models.DecimalField(_("ฐานในการคำนวณช่วงบน"), **MONEY)

    class Meta:
        verbose_name = _("ช่วงเงินเดือน")
        verbose_name_plural = _("ช่วงเงินเดือน")
        ordering = ["position_type", "floor"]
        constraints = [
            models.UniqueConstraint(fields=["position_type", "position_level"], name="one_range"),
            models.CheckConstraint(
                condition=Q(floor__gte=0)
                & Q(floor__lte=F("lower_base"))
                & Q(lower_base__lte=F("midpoint"))
                & Q(midpoint__lte=F("upper_base"))
                & Q(upper_base__lte=F("ceiling")),
                name="range_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position_type} {self.position_level}"


class RaiseList(models.Model):
    """One department's raise list of a round, with its policy (pool, minimum band)."""

    class Status(models.TextChoices):
        OPEN = "open", _("เปิดแก้ไข")
        CLOSED = "closed", _("ปิดบัญชีแล้ว")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="raise_lists")
    department = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="raise_lists")
    status = models.CharField(_("สถานะ"), max_length=8, choices=Status.choices, default=Status.OPEN)
    pool_percent = models.DecimalField(_("วงเงินร้อยละของเงินเดือนรวม"), default=3, **PERCENT)
    closed_at = models.DateTimeField(_("ปิดบัญชีเมื่อ"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("บัญชีการเลื่อนเงินเดือน")
        verbose_name_plural = _("บัญชีการเลื่อนเงินเดือน")
        constraints = [
            models.UniqueConstraint(fields=["round", "department"], name="one_raise_list"),
            models.CheckConstraint(
                condition=Q(pool_percent__gte=0, pool_percent__lte=100), name="pool_percent_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round.code} {self.department.code}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class BandRule(models.Model):
    """The raise a band allows: a percent range and the default proposed."""

    raise_list = models.ForeignKey(RaiseList, on_delete=models.CASCADE, related_name="rules")
    band = models.CharField(_("ระดับผลการประเมิน"), max_length=64)
    order = models.PositiveSmallIntegerField(default=0)
    min_percent = models.DecimalField(_("ร้อยละต่ำสุด"), **PERCENT)
    max_percent = models.DecimalField(_("ร้อยละสูงสุด"), **PERCENT)
    default_percent = models.DecimalField(_("ร้อยละเริ่มต้น"), **PERCENT)

    class Meta:
        verbose_name = _("เกณฑ์การเลื่อนตามระดับผล")
        verbose_name_plural = _("เกณฑ์การเลื่อนตามระดับผล")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["raise_list", "band"], name="one_rule_per_band"),
            models.CheckConstraint(
                condition=Q(min_percent__gte=0)
                & Q(min_percent__lte=F("default_percent"))
                & Q(default_percent__lte=F("max_percent"))
                & Q(max_percent__lte=100),
                name="rule_percents_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.band}: {self.min_percent}-{self.max_percent}"


class RaisePolicyChange(models.Model):
    """Who changed a raise list's policy, when, from what to what ([key, old, new] rows)."""

    raise_list = models.ForeignKey(RaiseList, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=32)
    changes = models.JSONField(default=list)

    class Meta:
        verbose_name = _("ประวัติบัญชีการเลื่อนเงินเดือน")
        verbose_name_plural = _("ประวัติบัญชีการเลื่อนเงินเดือน")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"

    def get_action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


ACTION_LABELS = {
    "policy": _("แก้ไขเกณฑ์การเลื่อน"),
    "propose": _("กำหนดร้อยละที่เลื่อน"),
    "refresh": _("ปรับตามผลการประเมิน"),
    "close": _("ปิดบัญชี"),
    "round_close": _("ปิดบัญชีพร้อมการปิดรอบการประเมิน"),
    "round_reopen": _("เปิดบัญชีใหม่พร้อมการเปิดรอบการประเมินใหม่"),
}


class SalaryRecord(models.Model):
    """One person's salary in a round and the raise proposed (amounts kept up to date).

    `band`, `percent` and the amounts are stored so that the list page and the
    pool (SUM over the list) read them without recomputing; the services
    recompute them on every change while the list is open, never after.
    """

    raise_list = models.ForeignKey(RaiseList, on_delete=models.CASCADE, related_name="records")
    person = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="salary_records")
    salary = models.DecimalField(_("เงินเดือน"), **MONEY)
    base_override = models.DecimalField(_("ฐานในการคำนวณที่กำหนด"), null=True, blank=True, **MONEY)
    salary_range = models.ForeignKey(
        SalaryRange, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position_type = models.CharField(_("ประเภทตำแหน่ง"), max_length=64, blank=True)
    position_level = models.CharField(_("ระดับตำแหน่ง"), max_length=64, blank=True)
    band = models.CharField(_("ระดับผลการประเมิน"), max_length=64, blank=True)
    base = models.DecimalField(_("ฐานในการคำนวณ"), **MONEY)
    percent = models.DecimalField(_("ร้อยละที่เลื่อน"), default=0, **PERCENT)
    amount = models.DecimalField(_("จำนวนเงินที่ได้เลื่อน"), default=0, **MONEY)
    to_salary = models.DecimalField(_("เลื่อนเข้าเงินเดือน"), default=0, **MONEY)
    special = models.DecimalField(_("ค่าตอบแทนพิเศษ"), default=0, **MONEY)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ข้อมูลเงินเดือน")
        verbose_name_plural = _("ข้อมูลเงินเดือน")
        constraints = [
            models.UniqueConstraint(fields=["raise_list", "person"], name="one_salary_per_list"),
            models.CheckConstraint(condition=Q(salary__gt=0), name="salary_positive"),
            models.CheckConstraint(
                condition=Q(percent__gte=0, percent__lte=100), name="raise_percent_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.raise_list_id}"

    @property
    def new_salary(self):
        return self.salary + self.to_salary


class SalaryViewLog(models.Model):
    """One row per request that showed salary data: who, when, what, whose (bounded).

    `people` lists the codes of the people shown when a page shows a few
    (a page of the list, one person's preview); an export or a page over the
    whole list stores its scope ("all") and the count instead, so a 20,000-row
    export writes one small row.
    """

    class Kind(models.TextChoices):
        PAGE = "page", _("หน้าบัญชี")
        FRAGMENT = "fragment", _("ตรวจสอบวงเงิน")
        EXPORT = "export", _("ส่งออกบัญชี")
        COMMAND = "command", _("คำสั่ง")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    raise_list = models.ForeignKey(RaiseList, on_delete=models.CASCADE, related_name="views")
    scope = models.CharField(max_length=255, blank=True)
    count = models.PositiveIntegerField(default=0)
    people = models.JSONField(default=list)

    class Meta:
        verbose_name = _("บันทึกการเข้าดูข้อมูลเงินเดือน")
        verbose_name_plural = _("บันทึกการเข้าดูข้อมูลเงินเดือน")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M} ({self.count})"
