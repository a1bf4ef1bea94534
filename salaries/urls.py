"""URLs of the salaries app (HR of the department and administrators only)."""

from salaries.views import imports, lists

app_name = "salaries"
urlpatterns = [*lists.urlpatterns, *imports.urlpatterns]
