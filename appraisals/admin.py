"""Admin views of appraisals: read mostly; the pages and services do the writing.

Results, appraisals and ratings change only through the services (they
rescore, check the round and keep history), so the admin shows them read-only.
Competencies and their expected levels may be edited here as on the HR page.
"""

from django.contrib import admin

from appraisals.models import (
    Appraisal,
    Competency,
    CompetencyRating,
    ComponentWeight,
    Evidence,
    ExpectedLevel,
    PolicyChange,
    RatingBand,
    Result,
    ScoringPolicy,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ComponentWeightInline(admin.TabularInline):
    model = ComponentWeight
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RatingBandInline(ComponentWeightInline):
    model = RatingBand


@admin.register(ScoringPolicy)
class ScoringPolicyAdmin(ReadOnlyAdmin):
    """Edited on the round's policy page (appraisals:policy), which rescores the round."""

    list_display = ("round", "method", "floor", "scores_published")
    inlines = [ComponentWeightInline, RatingBandInline]


@admin.register(PolicyChange)
class PolicyChangeAdmin(ReadOnlyAdmin):
    """The audit trail of the scoring rules (written by policy_save and expected_levels_save)."""

    list_display = ("at", "subject", "round", "by")
    list_filter = ("subject", "round")


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ("original_name", "size", "content_type", "uploaded_at", "uploaded_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Result)
class ResultAdmin(ReadOnlyAdmin):
    list_display = ("kpi", "actual", "milestones_done", "level", "score", "assessed_level")
    list_select_related = ("kpi",)
    search_fields = ("kpi__code", "kpi__name", "kpi__plan__owner__name")
    list_filter = ("kpi__round",)
    inlines = [EvidenceInline]


class CompetencyRatingInline(admin.TabularInline):
    model = CompetencyRating
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appraisal)
class AppraisalAdmin(ReadOnlyAdmin):
    list_display = ("plan", "status", "achievement", "competency", "total", "band", "frozen_at")
    list_select_related = ("plan__owner", "plan__round")
    list_filter = ("status", "plan__round")
    search_fields = ("plan__owner__code", "plan__owner__name", "owner_code", "owner_name")
    inlines = [CompetencyRatingInline]


class ExpectedLevelInline(admin.TabularInline):
    model = ExpectedLevel
    extra = 0


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order")
    inlines = [ExpectedLevelInline]

    def has_delete_permission(self, request, obj=None):
        # Ratings refer to competencies (PROTECT); a competency is retired, not deleted.
        return False
