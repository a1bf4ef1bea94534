"""Per plan, what the round dashboard counts of its KPIs' results (issue 13).

Imported by appraisals.models so Django finds the model. The rows are kept
by appraisals.tallies in the transaction of every write that changes a plan's
KPIs or results; `manage.py rebuild_result_tallies` recomputes them all.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultTally(models.Model):
    """A plan's KPIs, how many lack an actual result, and its scores summed.

    `missing` > 0 is what keeps a plan out of "results complete";
    `achievement` is the plan's achievement so far (a KPI without a score
    counts 0 and keeps its weight), set once `scored` > 0. A plan without
    KPIs may have no row: it has nothing missing and nothing scored.
    """

    plan = models.OneToOneField(
        "indicators.Plan", on_delete=models.CASCADE, primary_key=True, related_name="result_tally"
    )
    kpis = models.PositiveIntegerField(_("จำนวนตัวชี้วัด"), default=0)
    missing = models.PositiveIntegerField(_("ตัวชี้วัดที่ยังไม่มีผล"), default=0)
    scored = models.PositiveIntegerField(_("ตัวชี้วัดที่มีคะแนน"), default=0)
    weighted = models.DecimalField(
        _("ผลรวมคะแนนคูณน้ำหนัก"), max_digits=20, decimal_places=6, default=0
    )
    weights = models.DecimalField(_("ผลรวมน้ำหนัก"), max_digits=12, decimal_places=2, default=0)
    # weighted / (weights x 5) x 100, 2 decimals half up; None until a KPI is scored.
    achievement = models.DecimalField(
        _("ผลสัมฤทธิ์ของงาน"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("สรุปผลการดำเนินงานของแผน")
        verbose_name_plural = _("สรุปผลการดำเนินงานของแผน")

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.kpis - self.missing}/{self.kpis}"
