"""Administrators create a token for any user (shown once, in the message) and revoke tokens."""

from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.models import ApiToken
from api.tokens import token_create, token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    fields = ["user", "name"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]
    raw_id_fields = ["user"]

    def get_fields(self, request, obj=None):
        return ["user", "name"] if obj is None else ["user", "name", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "name", *self.readonly_fields]

    def has_change_permission(self, request, obj=None):
        # Viewable, never editable: a token is created or revoked, nothing else.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        row, token = token_create(user=obj.user, name=obj.name, by=request.user)
        obj.pk, obj.digest, obj.prefix = row.pk, row.digest, row.prefix
        messages.warning(
            request,
            _("โทเคนของ %(user)s (แสดงครั้งเดียว คัดลอกเก็บไว้เดี๋ยวนี้): %(token)s")
            % {"user": obj.user.get_username(), "token": token},
        )

    @admin.action(description=gettext_lazy("ยกเลิกโทเคนที่เลือก"))
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token=token, by=request.user)
        messages.success(request, _("ยกเลิกโทเคนแล้ว %(count)s รายการ") % {"count": len(queryset)})
