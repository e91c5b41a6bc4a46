from django.urls import path

from kohtaamo.directory import staff_views

app_name = "directory_staff"
urlpatterns = [
    path("sites/", staff_views.site_list, name="site_list"),
    path("sites/new/", staff_views.site_create, name="site_create"),
    path("sites/<int:pk>/", staff_views.site_edit, name="site_edit"),
    path("sites/<int:pk>/hours/", staff_views.site_hours, name="site_hours"),
]
