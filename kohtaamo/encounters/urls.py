from django.urls import path

from kohtaamo.encounters import manage_views, views

app_name = "encounters"
urlpatterns = [
    path("", views.home, name="home"),
    path("sessions/open/", views.session_open, name="session_open"),
    path("sessions/ad-hoc/", views.session_ad_hoc, name="session_ad_hoc"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/quick/", views.encounter_quick, name="encounter_quick"),
    path("sessions/<int:pk>/tally/", views.tally, name="tally"),
    path("sessions/<int:pk>/undo/", views.undo, name="undo"),
    path("sessions/<int:pk>/encounters/new/", views.encounter_new, name="encounter_new"),
    path("sessions/<int:pk>/wishes/", views.wish_new, name="wish_new"),
    path("encounters/<int:pk>/", views.encounter_edit, name="encounter_edit"),
    path("terms/", manage_views.term_list, name="term_list"),
    path("terms/new/", manage_views.term_create, name="term_create"),
    path("terms/<int:pk>/", manage_views.term_edit, name="term_edit"),
    path("terms/<int:pk>/retire/", manage_views.term_retire, name="term_retire"),
    path("tokens/", manage_views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", manage_views.token_revoke, name="token_revoke"),
]
