from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = _("ตัวชี้วัด")

    def ready(self):
        # The worker process loads no URLs: the import page's job registers here.
        from indicators.todos import plan_todos
        from indicators.views import imports  # noqa: F401
        from kpi_portal.todos import register

        register("indicators", plan_todos)
