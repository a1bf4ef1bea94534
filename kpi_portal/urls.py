from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from kpi_portal import health, lockout_views, views
from kpi_portal.signin import SignInView

job_patterns = [
    path("", views.job_list, name="list"),
    path("<uuid:pk>/", views.job_detail, name="detail"),
    path("<uuid:pk>/progress/", views.job_progress, name="progress"),
    path("<uuid:pk>/download/", views.job_download, name="download"),
]

# Login lockouts, for administrators (kpi_portal.lockout_views).
security_patterns = [
    path("lockouts/", lockout_views.lockout_list, name="lockouts"),
    path("lockouts/lift/", lockout_views.lockout_lift_view, name="lockout_lift"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("health/", health.health, name="health"),
    path("jobs/", include((job_patterns, "jobs"))),
    path("security/", include((security_patterns, "security"))),
    path("org/", include("orgchart.urls")),
    path("kpi/", include("indicators.urls")),
    path("appraisal/", include("appraisals.urls")),
    path("api/", include("api.urls")),
    path("notifications/", include("notifications.urls")),
    path("accounts/", include("accounts.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("salaries/", include("salaries.urls")),  # the salary-raise list (issue 11)
    path("admin/", admin.site.urls),
]
