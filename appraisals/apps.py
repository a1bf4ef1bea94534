from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalsConfig(AppConfig):
    name = "appraisals"
    verbose_name = _("การประเมินผล")

    def ready(self):
        # The worker process imports no views: job kinds register here.
        from appraisals import jobs  # noqa: F401
        from appraisals.history_labels import register_history_labels

        register_history_labels()
        from appraisals.tallies import connect as connect_tallies
        from appraisals.todos import appraisal_todos
        from appraisals.unit_panel import register as register_unit_panel
        from appraisals.views import import_results  # noqa: F401
        from kpi_portal.todos import register

        connect_tallies()
        register_unit_panel()
        register("appraisals", appraisal_todos)
