"""/api/v1/ (the REST API), /api/schema/, /api/docs/, and the token page /api/tokens/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api import pages, views, writes

app_name = "api"

router = SimpleRouter()
router.register("nodes", views.NodeViewSet, basename="node")
router.register("rounds", views.RoundViewSet, basename="round")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("results", views.ResultViewSet, basename="result")
router.register("appraisals", views.AppraisalViewSet, basename="appraisal")

v1 = [
    *router.urls,
    # Writes hang under the KPI they change (api.writes): result/ and checkins/.
    path("kpis/<int:pk>/result/", writes.KPIResultView.as_view(), name="kpi-result"),
    path("kpis/<int:pk>/checkins/", writes.KPICheckInsView.as_view(), name="kpi-checkins"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", pages.SchemaView.as_view(), name="schema"),
    path("docs/", pages.DocsView.as_view(url_name="api:schema"), name="docs"),
    path("tokens/", pages.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke_view, name="token_revoke"),
]
