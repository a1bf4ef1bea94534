from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgchartConfig(AppConfig):
    name = "orgchart"
    verbose_name = _("โครงสร้างองค์กร")

    def ready(self):
        # The worker process loads no URLs: the import page's job registers here.
        from orgchart import views_import  # noqa: F401
