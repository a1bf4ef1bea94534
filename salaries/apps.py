from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalariesConfig(AppConfig):
    name = "salaries"
    verbose_name = _("การเลื่อนเงินเดือน")

    def ready(self):
        # Closing a round closes its raise lists (salaries.services.round_closed).
        from salaries import signals  # noqa: F401
        from salaries.views import imports  # noqa: F401  (registers the import job)
