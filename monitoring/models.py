"""Check-ins during a round: dated progress updates on KPIs, comments, and round settings."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators.models import KPI, Round

DEFAULT_NO_NEWS_DAYS = 30
# The latest check-in date of a KPI without any: older than every cutoff (monitoring.kept).
NO_CHECKIN_DATE = datetime.date(1, 1, 1)


class Status(models.TextChoices):
    """A KPI's progress status; NO_NEWS is never stored, it is read from the dates."""

    ON_TRACK = "on_track", _("ตามแผน")
    AT_RISK = "at_risk", _("เสี่ยง")
    OFF_TRACK = "off_track", _("ล่าช้า")
    NO_NEWS = "no_news", _("ไม่มีความเคลื่อนไหว")


STORED_STATUSES = [
    (Status.ON_TRACK.value, Status.ON_TRACK.label),
    (Status.AT_RISK.value, Status.AT_RISK.label),
    (Status.OFF_TRACK.value, Status.OFF_TRACK.label),
]


class RoundSchedule(models.Model):
    """A round's monitoring settings: the "no news" days and the fixed check-in dates."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="schedule")
    no_news_days = models.PositiveSmallIntegerField(
        _("จำนวนวันที่ไม่มีการรายงานจึงถือว่าไม่มีความเคลื่อนไหว"), default=DEFAULT_NO_NEWS_DAYS
    )
    # Fixed dates by which every KPI needs a check-in (e.g. the end of each month).
    due_dates = models.JSONField(_("กำหนดวันรายงานความก้าวหน้า"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("การตั้งค่าการติดตามผลของรอบ")
        verbose_name_plural = _("การตั้งค่าการติดตามผลของรอบ")
        constraints = [
            models.CheckConstraint(condition=Q(no_news_days__gte=1), name="no_news_days_positive")
        ]

    def __str__(self) -> str:
        return f"{self.round.code}"


class CheckIn(models.Model):
    """One dated progress update of a KPI: the value so far, a status and a note.

    One per KPI and date: recording again on the same date (or importing the
    same kpi_code and date) updates it, so an import run twice changes nothing.
    """

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField(_("วันที่รายงาน"))
    value = models.DecimalField(
        _("ผลการดำเนินงานถึงวันที่รายงาน"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    milestones_done = models.PositiveSmallIntegerField(_("ขั้นตอนที่สำเร็จแล้ว"), null=True, blank=True)
    status = models.CharField(_("สถานะ"), max_length=16, choices=STORED_STATUSES)
    suggested_status = models.CharField(_("สถานะที่ระบบเสนอ"), max_length=16, choices=STORED_STATUSES)
    projected_level = models.PositiveSmallIntegerField(_("ระดับที่คาดว่าจะได้"))
    note = models.TextField(_("หมายเหตุ"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("บันทึกเมื่อ"), default=timezone.now)

    class Meta:
        verbose_name = _("รายงานความก้าวหน้า")
        verbose_name_plural = _("รายงานความก้าวหน้า")
        ordering = ["-date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "date"], name="one_checkin_per_kpi_date"),
            models.CheckConstraint(
                condition=Q(milestones_done__isnull=True) | Q(milestones_done__lte=5),
                name="checkin_milestones_0_5",
            ),
            models.CheckConstraint(
                condition=Q(projected_level__lte=5), name="checkin_projected_level_0_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.date}"

    @property
    def shown_value(self):
        return self.milestones_done if self.value is None else self.value


class RowidKey(models.OneToOneField):
    """A one-to-one primary key SQLite stores as the table's rowid.

    SQLite makes only a column declared exactly "integer primary key" the
    rowid (its integers are 64-bit whatever the declaration); "bigint", the
    type of a key to a BigAutoField, gets a separate unique index instead,
    that is one more lookup per joined row. Other databases keep their type.
    """

    def db_type(self, connection):
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)


class Progress(models.Model):
    """The latest check-in of a KPI, kept by the services so counts are one grouped query.

    Keyed by the KPI itself (no separate id): the monitoring counts join every
    KPI of the scope to it, and on SQLite that key is the table's rowid
    (RowidKey), so the join is one lookup instead of an index probe and a row
    fetch.
    """

    kpi = RowidKey(KPI, on_delete=models.CASCADE, primary_key=True, related_name="progress")
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    status = models.CharField(max_length=16, choices=STORED_STATUSES)
    projected_level = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("ความก้าวหน้าล่าสุด")
        verbose_name_plural = _("ความก้าวหน้าล่าสุด")

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.status}"


class UnitFigure(models.Model):
    """How many KPIs count in a unit with a latest status and date, kept by the database.

    Per round and unit (the unit a KPI counts in: its person's unit, or the
    unit owning the plan): KPIs of approved plans by the status and date of
    their latest check-in (status "" and NO_CHECKIN_DATE without one).
    Triggers keep the rows in the same statement as every write to KPIs,
    plans, nodes and Progress (monitoring.kept); "no news" is applied at read
    time from the round's cutoff (monitoring.figures). Neither key is a
    constraint: the triggers take a row to zero (and away) as its KPIs go, in
    whatever order a delete cascades.
    """

    round = models.ForeignKey(
        Round, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    unit = models.ForeignKey(
        "orgchart.Node",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    status = models.CharField(max_length=16, blank=True)
    latest = models.DateField()
    kpis = models.IntegerField()

    class Meta:
        verbose_name = _("ตัวเลขการติดตามผลของหน่วยงาน")
        verbose_name_plural = _("ตัวเลขการติดตามผลของหน่วยงาน")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "unit", "status", "latest"], name="one_unit_figure_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id} {self.unit_id} {self.status} {self.latest} {self.kpis}"


class CheckInComment(models.Model):
    """The supervisor's comment on a check-in (who, when, what)."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(_("ความเห็น"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("เมื่อ"), default=timezone.now)

    class Meta:
        verbose_name = _("ความเห็นต่อรายงานความก้าวหน้า")
        verbose_name_plural = _("ความเห็นต่อรายงานความก้าวหน้า")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]
