from django.urls import path

from orgchart import views
from orgchart.views_import import import_urlpatterns

app_name = "orgchart"
# A plain list: other modules append their pages (urlpatterns += ...).
urlpatterns = [
    path("", views.tree, name="tree"),
    path("tree/<int:pk>/children/", views.tree_children, name="tree_children"),
    path("unit/<int:pk>/", views.unit_detail, name="unit"),
    path("person/<int:pk>/", views.person_detail, name="person"),
]

urlpatterns += import_urlpatterns
