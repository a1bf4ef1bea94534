from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.models import Delivery, Notification, NotificationPreference, RoundReminder


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The outbox: administrators find failed e-mails here and send them again."""

    list_display = ("address", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    list_filter = ("status",)
    search_fields = ("address", "last_error")
    date_hierarchy = "created_at"
    list_select_related = ("notification",)
    readonly_fields = ("notification", "address", "language", "attempts", "last_error", "sent_at")
    actions = ["retry"]

    @admin.action(description=_("ส่งอีเมลที่เลือกอีกครั้ง"))
    def retry(self, request, queryset):
        count = queryset.exclude(status=Delivery.Status.SENT).update(
            status=Delivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        from notifications.tasks import send_outbox

        send_outbox.enqueue()
        text = _("ส่งอีกครั้ง %(count)s รายการ") % {"count": count}
        self.message_user(request, text, messages.SUCCESS)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "round", "deadline", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("recipient__username",)
    raw_id_fields = ("recipient", "plan", "round")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "email_off")
    raw_id_fields = ("user",)


@admin.register(RoundReminder)
class RoundReminderAdmin(admin.ModelAdmin):
    list_display = ("round", "planning_ends", "planning_days", "assessment_ends", "assessment_days")
