"""What the API shows of each object (read), and what a result write accepts."""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from appraisals.access import is_assessee
from appraisals.models import Appraisal, Result
from appraisals.scores import computed_level
from indicators.models import KPI, KRA, Plan, Round
from orgchart.models import Node


def scores_visible(request, plan: Plan) -> bool:
    """appraisals.access.sees_scores without a query: the round's policy is select_related."""
    try:
        published = plan.round.policy.scores_published
    except ObjectDoesNotExist:
        published = True  # a round without a policy yet has the default (published)
    return published or not is_assessee(request.user, plan)


def _decimal(value, places: int) -> str | None:
    """As DRF's DecimalField shows it: a string with `places` decimals."""
    return None if value is None else f"{value:.{places}f}"


class NodeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Node
        fields = ["id", "code", "name", "kind"]


class NodeSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True)
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)

    class Meta:
        model = Node
        fields = [
            "id", "code", "name", "kind", "parent", "parent_code", "level", "position",
            "position_level", "staff_type", "is_head", "is_hr", "is_active",
        ]  # fmt: skip


class RoundSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = Round
        fields = [
            "id", "code", "fiscal_year", "number", "start", "end", "status",
            "min_kpis", "max_kpis", "recommended_kpis", "closed_at",
        ]  # fmt: skip


class RoundBriefSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)

    class Meta:
        model = Round
        fields = ["id", "code", "status"]


class KPISerializer(serializers.ModelSerializer):
    levels = serializers.SerializerMethodField(
        help_text="The five targets: numbers (level 1 may be null) or milestone texts."
    )

    class Meta:
        model = KPI
        fields = [
            "id", "code", "name", "unit", "scale", "category", "kind", "work", "technique",
            "method", "weight", "levels", "order", "parent", "cascade", "overseer",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.CharField(allow_null=True)))
    def get_levels(self, kpi: KPI) -> list:
        return [None if value is None else str(value) for value in kpi.levels]

    def to_representation(self, kpi: KPI) -> dict:
        # By hand, as the fields above declare it (and the schema shows): a page of
        # plans holds hundreds of KPIs, and DRF's per-field machinery is most of the
        # time of a page (bench/bench_api.py).
        return {
            "id": kpi.pk,
            "code": kpi.code,
            "name": kpi.name,
            "unit": kpi.unit,
            "scale": kpi.scale,
            "category": kpi.category,
            "kind": kpi.kind,
            "work": kpi.work,
            "technique": kpi.technique,
            "method": kpi.method,
            "weight": _decimal(kpi.weight, 2),
            "levels": self.get_levels(kpi),
            "order": kpi.order,
            "parent": kpi.parent_id,
            "cascade": kpi.cascade,
            "overseer": kpi.overseer_id,
        }


class KRASerializer(serializers.ModelSerializer):
    kpis = KPISerializer(many=True, read_only=True)

    class Meta:
        model = KRA
        fields = ["id", "job", "name", "order", "kpis"]

    def to_representation(self, kra: KRA) -> dict:
        kpis = KPISerializer()
        return {
            "id": kra.pk,
            "job": kra.job,
            "name": kra.name,
            "order": kra.order,
            "kpis": [kpis.to_representation(kpi) for kpi in kra.kpis.all()],
        }


class PlanSerializer(serializers.ModelSerializer):
    round = RoundBriefSerializer(read_only=True)
    owner = NodeBriefSerializer(read_only=True)
    kras = KRASerializer(many=True, read_only=True)
    round_closed = serializers.BooleanField(
        read_only=True,
        help_text="The round is closed for this plan's department (for it alone, or for all).",
    )

    class Meta:
        model = Plan
        fields = [
            "id", "round", "owner", "status", "version", "submitted_at", "approved_at",
            "return_comment", "updated_at", "round_closed", "kras",
        ]  # fmt: skip


class LatestCheckInSerializer(serializers.Serializer):
    """A KPI's latest check-in, as monitoring.models.Progress keeps it."""

    id = serializers.IntegerField(source="checkin_id")
    date = serializers.DateField()
    status = serializers.CharField(help_text="on_track, at_risk or off_track.")
    projected_level = serializers.IntegerField()


class ResultSerializer(serializers.Serializer):
    """One KPI's result; level and score are null while the round keeps them from the assessee."""

    kpi = serializers.IntegerField(source="pk")
    kpi_code = serializers.CharField(source="code")
    plan = serializers.IntegerField(source="plan_id")
    scale = serializers.CharField()
    actual = serializers.SerializerMethodField()
    milestones_done = serializers.SerializerMethodField()
    note = serializers.SerializerMethodField()
    computed_level = serializers.SerializerMethodField()
    level = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    assessed_level = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField(
        help_text="Send it back as expected_version to refuse a save over a newer result."
    )
    updated_at = serializers.SerializerMethodField()
    latest_checkin = serializers.SerializerMethodField(
        help_text="The KPI's latest check-in (null: none yet); all of them at "
        "/api/v1/kpis/{id}/checkins/."
    )

    def _result(self, kpi: KPI) -> Result | None:
        try:
            return kpi.result
        except Result.DoesNotExist:
            return None

    def _shown(self, kpi: KPI) -> bool:
        return scores_visible(self.context["request"], kpi.plan)

    def _field(self, kpi, name, default=None):
        result = self._result(kpi)
        return default if result is None else getattr(result, name)

    @extend_schema_field(serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True))
    def get_actual(self, kpi):
        value = self._field(kpi, "actual")
        return None if value is None else str(value)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_milestones_done(self, kpi):
        return self._field(kpi, "milestones_done")

    @extend_schema_field(serializers.CharField())
    def get_note(self, kpi):
        return self._field(kpi, "note", "")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_computed_level(self, kpi):
        return computed_level(kpi, self._result(kpi))

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_level(self, kpi):
        return self._field(kpi, "level") if self._shown(kpi) else None

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True))
    def get_score(self, kpi):
        value = self._field(kpi, "score") if self._shown(kpi) else None
        return None if value is None else str(value)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_assessed_level(self, kpi):
        return self._field(kpi, "assessed_level") if self._shown(kpi) else None

    @extend_schema_field(serializers.IntegerField())
    def get_version(self, kpi):
        return self._field(kpi, "version", 0)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_updated_at(self, kpi):
        value = self._field(kpi, "updated_at")
        return None if value is None else serializers.DateTimeField().to_representation(value)

    @extend_schema_field(LatestCheckInSerializer(allow_null=True))
    def get_latest_checkin(self, kpi):
        try:
            progress = kpi.progress
        except ObjectDoesNotExist:
            return None
        return LatestCheckInSerializer(progress).data


class ResultWriteSerializer(serializers.Serializer):
    """As the results page's form: text or numbers, checked by appraisals.services.result_save."""

    actual = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    milestones_done = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=8
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    expected_version = serializers.IntegerField(required=False, allow_null=True, min_value=0)


SCORE_FIELDS = ("achievement", "competency", "other", "total", "band")


class AppraisalSerializer(serializers.ModelSerializer):
    """An appraisal's sign-offs and scores (null while the round keeps them from the assessee)."""

    plan = serializers.IntegerField(source="plan_id", read_only=True)
    round = RoundBriefSerializer(source="plan.round", read_only=True)
    owner = NodeBriefSerializer(source="plan.owner", read_only=True)
    frozen = serializers.BooleanField(source="is_frozen", read_only=True)

    class Meta:
        model = Appraisal
        fields = [
            "id", "plan", "round", "owner", "status", "self_assessed_at", "assessed_at",
            "acknowledged_at", "reviewed_at", "refused", "opinion", *SCORE_FIELDS, "frozen",
        ]  # fmt: skip

    def to_representation(self, appraisal):
        data = super().to_representation(appraisal)
        if not scores_visible(self.context["request"], appraisal.plan):
            data.update({name: None for name in SCORE_FIELDS})
        return data


# Check-ins (monitoring) ----------------------------------------------------------------


def _person(user) -> str | None:
    """Who, as the KPI page shows it: the person's name in the tree, else the username."""
    if user is None:
        return None
    node = getattr(user, "node", None)
    return node.name if node is not None else user.get_username()


class CheckInCommentSerializer(serializers.Serializer):
    """A supervisor's comment on a check-in."""

    id = serializers.IntegerField()
    text = serializers.CharField()
    by = serializers.SerializerMethodField()
    at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_by(self, comment):
        return _person(comment.by)


class CheckInSerializer(serializers.Serializer):
    """One dated progress update of a KPI, with its comments (oldest first)."""

    id = serializers.IntegerField()
    kpi = serializers.IntegerField(source="kpi_id")
    date = serializers.DateField()
    value = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    milestones_done = serializers.IntegerField(allow_null=True)
    status = serializers.CharField(help_text="on_track, at_risk or off_track.")
    suggested_status = serializers.CharField(help_text="The status the portal suggested.")
    projected_level = serializers.IntegerField(help_text="Level 0..5 the KPI heads for.")
    note = serializers.CharField()
    by = serializers.SerializerMethodField(help_text="Who recorded it (null: imported).")
    at = serializers.DateTimeField()
    comments = CheckInCommentSerializer(many=True, source="comments.all")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_by(self, checkin):
        return _person(checkin.by)


class CheckInWriteSerializer(serializers.Serializer):
    """As the KPI page's form: checked by monitoring.services.checkin_record."""

    date = serializers.DateField(help_text="The date of the check-in (YYYY-MM-DD, C.E.).")
    value = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=40,
        help_text="The result so far (numeric scales).",
    )  # fmt: skip
    milestones_done = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=4,
        help_text="Milestones done so far, 0..5 (milestone scale).",
    )  # fmt: skip
    status = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=16,
        help_text="on_track, at_risk or off_track; absent or empty: the suggested one.",
    )  # fmt: skip
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
