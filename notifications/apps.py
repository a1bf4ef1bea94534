from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "การแจ้งเตือน"

    def ready(self):
        # Connect the listeners to the workflow signals (indicators, appraisals).
        from notifications import listeners  # noqa: F401
