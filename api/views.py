"""Read endpoints: org tree, rounds, plans (KRAs, KPIs, levels), results, appraisals.

Every queryset starts from the access helpers the pages use (visible_nodes,
visible_plans, visible_q), so an object outside the caller's view is simply
not there: 404. Each page of a list takes a fixed number of queries
(select_related / prefetch_related), whatever the page size or the data.
"""

from django.db.models import Prefetch
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets

from api import filters
from api.serializers import (
    AppraisalSerializer,
    NodeSerializer,
    PlanSerializer,
    ResultSerializer,
    RoundSerializer,
)
from appraisals.models import Appraisal
from indicators.access import visible_plans
from indicators.models import KPI, KRA, Round
from orgchart.access import visible_nodes, visible_q


class LanguageMixin:
    """Messages in the caller's language: the language cookie, else Accept-Language, else Thai."""

    def initial(self, request, *args, **kwargs):
        language = translation.get_language_from_request(request._request)
        translation.activate(language)
        request._request.LANGUAGE_CODE = language
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        if not translation.get_language():
            translation.activate(translation.get_language_from_request(request._request))
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = translation.get_language()
        return response

    def handle_exception(self, exc):
        # Authentication fails inside initial(), possibly before it activated a language.
        translation.activate(translation.get_language_from_request(self.request._request))
        return super().handle_exception(exc)


def tree_order(prefix: str) -> tuple[str, str]:
    """Lists go in tree order of their node, then newest round first.

    Tree order leads because the index node_tree_lft then gives the rows in
    order: the database sorts only the rest (within one node), not every row
    in view, and a page of a department-wide list stays fast (bench_api).
    """
    return f"{prefix}tree_id", f"{prefix}lft"


def _param(name, description, kind=OpenApiTypes.STR):
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description)


ROUND = _param("round", "A round's id or code (e.g. 2569/1).")
UNIT = _param("unit", "A unit's (or person's) code or id: it and everything below it.")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            _param("parent", "Children of this node id.", OpenApiTypes.INT),
            _param("kind", "department, division, group or individual."),
            _param("code", "Exactly this code."),
            UNIT,
        ]
    )
)
class NodeViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """The agency tree as far as the caller sees it, in tree order."""

    serializer_class = NodeSerializer

    def get_queryset(self):
        nodes = visible_nodes(self.request.user).select_related("parent").order_by("tree_id", "lft")
        if self.action != "list":
            return nodes
        nodes = filters.by_whole(nodes, self.request, "parent", "parent_id")
        nodes = filters.by_text(nodes, self.request, "kind", "kind")
        nodes = filters.by_text(nodes, self.request, "code", "code")
        return filters.by_unit(nodes, self.request, "")


@extend_schema_view(list=extend_schema(parameters=[_param("status", "planning, tracking, ...")]))
class RoundViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Rounds are shared by every department: anyone signed in sees them."""

    serializer_class = RoundSerializer

    def get_queryset(self):
        rounds = Round.objects.order_by("-fiscal_year", "-number")
        return filters.by_text(rounds, self.request, "status", "status")


@extend_schema_view(
    list=extend_schema(
        parameters=[ROUND, UNIT, _param("owner", "The owner's code."), _param("status", "")]
    )
)
class PlanViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Plans with their KRAs, KPIs and five levels (4 queries a page)."""

    serializer_class = PlanSerializer

    def get_queryset(self):
        kpis = KPI.objects.order_by("order", "pk")
        kras = KRA.objects.order_by("order", "pk").prefetch_related(Prefetch("kpis", kpis))
        plans = (
            visible_plans(self.request.user)
            .select_related("round", "owner")
            .prefetch_related(Prefetch("kras", kras))
            .order_by(*tree_order("owner__"), "-round__fiscal_year", "-round__number")
        )
        if self.action != "list":
            return plans
        plans = filters.by_round(plans, self.request, "round")
        plans = filters.by_text(plans, self.request, "owner", "owner__code")
        plans = filters.by_text(plans, self.request, "status", "status")
        return filters.by_unit(plans, self.request, "owner__")


def result_kpis(user):
    """The KPIs `user` sees, with what their results, latest check-in and score visibility
    need (one query)."""
    return KPI.objects.filter(visible_q(user, "plan__owner__")).select_related(
        "result", "progress", "plan__owner", "plan__round__policy"
    )


@extend_schema_view(
    list=extend_schema(
        parameters=[ROUND, UNIT, _param("plan", "One plan's id.", OpenApiTypes.INT)]
    ),
    retrieve=extend_schema(description="One KPI's result, by the KPI's id."),
)
class ResultViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Results of KPIs, one row per KPI (empty fields where nothing is recorded yet).

    Written with PUT /api/v1/kpis/{id}/result/.
    """

    serializer_class = ResultSerializer

    def get_queryset(self):
        # Tree order first (ORDER_BY_TREE): the database walks the node index in
        # order and sorts only within a plan, so a page does not sort every KPI in view.
        kpis = result_kpis(self.request.user).order_by(
            *tree_order("plan__owner__"), "plan_id", "order", "pk"
        )
        if self.action != "list":
            return kpis
        # Through the plan: the database then walks node -> plan (round, owner) -> KPIs
        # by index, where KPI.round would make it start from every KPI of the round.
        kpis = filters.by_round(kpis, self.request, "plan__round")
        kpis = filters.by_whole(kpis, self.request, "plan", "plan_id")
        return filters.by_unit(kpis, self.request, "plan__owner__")


@extend_schema_view(list=extend_schema(parameters=[ROUND, UNIT, _param("status", "")]))
class AppraisalViewSet(LanguageMixin, viewsets.ReadOnlyModelViewSet):
    """Appraisals and their scores (achievement, competency, other, total, band)."""

    serializer_class = AppraisalSerializer

    def get_queryset(self):
        appraisals = (
            Appraisal.objects.filter(visible_q(self.request.user, "plan__owner__"))
            .select_related("plan__round__policy", "plan__owner")
            .order_by(
                *tree_order("plan__owner__"), "-plan__round__fiscal_year", "-plan__round__number"
            )
        )
        if self.action != "list":
            return appraisals
        appraisals = filters.by_round(appraisals, self.request, "plan__round")
        appraisals = filters.by_text(appraisals, self.request, "status", "status")
        return filters.by_unit(appraisals, self.request, "plan__owner__")
