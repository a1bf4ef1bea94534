"""Background job kinds of the appraisals app (registered in AppConfig.ready).

HR's round report of a whole agency is 100,000 KPI rows: it runs in the
worker with a progress bar instead of holding a web request. The job writes
the same workbook as `manage.py export_round` and the direct download, with
the requester's view of the tree and in the requester's language.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appraisals.reports import RoundReport
from appraisals.summary import plan_scope, scope_unit, scope_units
from indicators.models import KPI, Plan, Round
from kpi_portal.exporters import write_workbook
from kpi_portal.jobs import JobError, register
from orgchart.models import Kind

ROUND_REPORT = "appraisals.round_report"


def report_size(the_round: Round, user, unit=None) -> int:
    """Rows the round report will hold: units, officers and KPIs in scope (3 queries)."""
    kpis = KPI.objects.filter(plan_scope(the_round, user, unit, "plan__"), round=the_round)
    officers = Plan.objects.filter(
        plan_scope(the_round, user, unit), round=the_round, owner__kind=Kind.INDIVIDUAL
    )
    return scope_units(user, unit).count() + officers.count() + kpis.count()


def runs_in_background(the_round: Round, user, unit=None) -> bool:
    """Reports above settings.REPORT_BACKGROUND_ROWS rows go to the worker."""
    return report_size(the_round, user, unit) > settings.REPORT_BACKGROUND_ROWS


class SizedRoundReport(RoundReport):
    """The round report, knowing its row count so the progress bar has a total."""

    def total_rows(self) -> int:
        return report_size(self.round, self.user, self.unit)


@register(ROUND_REPORT, title=gettext_lazy("รายงานรอบการประเมิน"))
def round_report(job, progress):
    """Write the round report of job.params {"round", "unit", "language"}."""
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
        the_round = Round.objects.filter(pk=job.params.get("round")).first()
        if the_round is None:
            raise JobError(_("ไม่พบรอบการประเมินที่ขอ"))
        user = job.requested_by
        unit = scope_unit(user, job.params["unit"]) if job.params.get("unit") else None
        exporter = SizedRoundReport(the_round, user, unit)
        path = job.output_path(exporter.filename())
        write_workbook(exporter, path, progress=progress)
        return path, _("รายงานรอบ %(code)s พร้อมดาวน์โหลด") % {"code": the_round.code}
