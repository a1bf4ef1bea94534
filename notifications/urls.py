from django.urls import path

from notifications import views, views_rounds

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("<int:pk>/open/", views.notification_open, name="open"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("rounds/", views_rounds.round_list, name="rounds"),
    path("rounds/<int:pk>/", views_rounds.round_reminders, name="round_reminders"),
]
