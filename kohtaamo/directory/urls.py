from django.urls import path

from kohtaamo.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.site_list, name="site_list"),
    path("<int:pk>/", views.site_detail, name="site"),
    path("<int:pk>/calendar.ics", views.site_calendar, name="site_calendar"),
]
