"""Admin: a back door for fixing data, with the app's locks.

A closed round refuses every change here too; a submitted or approved plan
keeps its KRAs and KPIs read-only (reopen it in the app first). A plan's
status moves only through the app's workflow, which keeps the history; the
admin's own edits of KRAs and KPIs move the plan's version on (so an open
plan page notices) and leave a history entry. The history is read-only.
"""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from indicators import targets
from indicators.history import record
from indicators.models import KPI, KRA, HistoryEntry, Plan, Round
from indicators.plans import plan_bump


def _closed(obj) -> bool:
    if isinstance(obj, Round):
        return obj.is_closed
    if isinstance(obj, Plan):
        return obj.round_closed
    return False


def _frozen(plan: Plan | None) -> bool:
    """A plan whose content the admin must not touch."""
    return plan is not None and (plan.round_closed or plan.is_locked)


class ClosedRoundReadOnly:
    """Refuse add/change/delete on anything of a closed round."""

    def has_change_permission(self, request, obj=None):
        return not _closed(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _closed(obj) and super().has_delete_permission(request, obj)


@admin.register(Round)
class RoundAdmin(ClosedRoundReadOnly, admin.ModelAdmin):
    list_display = ("code", "start", "end", "status", "min_kpis", "max_kpis", "recommended_kpis")
    list_filter = ("status",)
    readonly_fields = ("closed_at", "closed_by")

    def get_readonly_fields(self, request, obj=None):
        # Closing is round_close's job (it also freezes the scores), not a field to edit.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "status"] if obj is not None else fields


class KPIInlineForm(forms.ModelForm):
    class Meta:
        model = KPI
        fields = (
            "kra",
            "code",
            "name",
            "unit",
            "scale",
            "level_1",
            "level_2",
            "level_3",
            "level_4",
            "level_5",
            "milestone_1",
            "milestone_2",
            "milestone_3",
            "milestone_4",
            "milestone_5",
            "weight",
            "order",
        )

    def clean(self):
        cleaned = super().clean()
        scale = cleaned.get("scale")
        if scale in targets.SCALES:
            prefix = "milestone" if scale == targets.MILESTONE else "level"
            levels = [cleaned.get(f"{prefix}_{n}") for n in range(1, 6)]
            for level, message in targets.validate_levels(scale, levels):
                self.add_error(f"{prefix}_{level}" if level else "scale", message)
        plan = self.instance.plan
        code = cleaned.get("code")
        if (
            code
            and KPI.objects.filter(round_id=plan.round_id, code=code)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("code", _("รหัสตัวชี้วัดนี้มีอยู่แล้วในรอบนี้"))
        return cleaned


class PlanContentInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _frozen(obj) and super().has_delete_permission(request, obj)


class KRAInline(PlanContentInline):
    model = KRA
    fields = ("job", "name", "order")


class KPIInline(PlanContentInline):
    model = KPI
    fk_name = "plan"
    form = KPIInlineForm
    readonly_fields = ("parent", "cascade")

    def get_fields(self, request, obj=None):
        return [*KPIInlineForm.Meta.fields, "parent", "cascade"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "kra":
            plan_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = KRA.objects.filter(plan_id=plan_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Plan)
class PlanAdmin(ClosedRoundReadOnly, admin.ModelAdmin):
    list_display = ("owner", "round", "status", "version", "submitted_at", "approved_at")
    list_filter = ("round", "status")
    search_fields = ("owner__code", "owner__name")
    list_select_related = ("owner", "round")
    raw_id_fields = ("owner",)
    inlines = (KRAInline, KPIInline)
    workflow_fields = (
        "status",
        "version",
        "submitted_at",
        "submitted_by",
        "approved_at",
        "approved_by",
        "return_comment",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.workflow_fields
        return ("round", "owner", *self.workflow_fields)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "round":
            kwargs["queryset"] = Round.objects.exclude(status=Round.Status.CLOSED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # On change every plan field is read-only here; saving the object would
        # only write back a version that the app may have moved on since.
        if not change:
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        plan = form.instance
        with transaction.atomic():
            for obj in formset.save(commit=False):
                if isinstance(obj, KPI):
                    obj.round_id = plan.round_id
                obj.save()
            for obj in formset.deleted_objects:
                obj.delete()
            touched = formset.new_objects + [o for o, _f in formset.changed_objects]
            touched += formset.deleted_objects
            if touched:
                plan_bump(plan=plan)
                labels = ", ".join(str(obj) for obj in touched)[:1000]
                record(plan=plan, by=request.user, action="admin_edit", comment=labels)


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "plan", "by", "action", "object_label")
    list_filter = ("action",)
    search_fields = ("object_label", "plan__owner__code", "plan__owner__name")
    list_select_related = ("plan__owner", "plan__round", "by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
