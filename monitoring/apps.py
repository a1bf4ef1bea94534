from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("การติดตามผลระหว่างรอบ")

    def ready(self):
        # The lower apps offer hooks; monitoring plugs into them from here so
        # that appraisals and indicators never import this app.
        from monitoring import hooks

        hooks.register()
        # The missed check-in notifications, if notifications is installed (monitoring.notify).
        from monitoring import notify

        notify.register()
        # The worker process imports no views: the import's job kind registers here.
        from monitoring.views import imports  # noqa: F401
