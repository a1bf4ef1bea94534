"""URLs of the monitoring app (check-ins, the monitoring page, settings, import)."""

from django.urls import path

from monitoring.views import checkins, imports, schedule, watch

app_name = "monitoring"
urlpatterns = [
    path("", watch.watch, name="watch"),
    path("units/<int:pk>/", watch.watch_children, name="watch_children"),
    path("missed/", watch.missed, name="missed"),
    path("kpi/<int:pk>/", checkins.kpi_checkins, name="kpi"),
    path("kpi/<int:pk>/checkin/", checkins.checkin_record_view, name="checkin_record"),
    path("checkin/<int:pk>/comment/", checkins.comment_add_view, name="comment_add"),
    path("round/<int:pk>/", schedule.schedule_edit, name="schedule"),
    path("import/", imports.import_upload, name="import"),
    path("import/confirm/", imports.import_confirm, name="import_confirm"),
    path("import/template.xlsx", imports.import_template, name="import_template"),
    path("import/jobs/<uuid:pk>/", imports.import_result, name="import_result"),
]
