"""URLs of the appraisals app, one module per resource (each owns its patterns)."""

from appraisals.views import development, reports, results

app_name = "appraisals"
urlpatterns = [*results.urlpatterns, *reports.urlpatterns, *development.urlpatterns]
