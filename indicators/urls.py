"""URLs of the indicators app, one module per resource (each owns its patterns)."""

from indicators.views import cascade, imports, plans

app_name = "indicators"
urlpatterns = [*plans.urlpatterns, *cascade.urlpatterns, *imports.urlpatterns]
