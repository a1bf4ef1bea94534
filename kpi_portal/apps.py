from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiPortalConfig(AppConfig):
    name = "kpi_portal"
    verbose_name = _("KPI Portal")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_login_failed

        from kpi_portal import security

        user_login_failed.connect(security.log_failed_login, dispatch_uid="kpi_failed_login")
        user_locked_out.connect(security.log_lockout, dispatch_uid="kpi_lockout")
