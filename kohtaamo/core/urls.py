from django.urls import path

from kohtaamo.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("feedback/", views.feedback, name="feedback"),
]
