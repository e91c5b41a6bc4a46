from django.urls import path

from kohtaamo.counsellors import rota_views, team_views, views

app_name = "counsellors"
urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("new/", views.profile_new, name="profile_new"),
    path("<int:pk>/", views.profile_detail, name="profile"),
    path("<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("<int:pk>/add/<slug:kind>/", views.entry_add, name="entry_add"),
    path("<int:pk>/next-step/", views.next_step, name="next_step"),
    path("<int:pk>/export.<str:fmt>", views.export, name="export"),
    path("<int:pk>/erase/", views.erase, name="erase"),
    path("onboarding/<int:pk>/done/", views.onboarding_done, name="onboarding_done"),
    path("hours/<int:pk>/approve/", views.hours_approve, name="hours_approve"),
    path("rota/", rota_views.rota_week, name="rota"),
    path("rota/sessions/<int:session_pk>/add/", rota_views.shift_add, name="shift_add"),
    path("rota/shifts/<int:pk>/remove/", rota_views.shift_remove, name="shift_remove"),
    path("shifts/", rota_views.my_shifts, name="my_shifts"),
    path("shifts/new-address/", rota_views.feed_rotate, name="feed_rotate"),
    path("shifts/<str:token>.ics", rota_views.shift_feed, name="shift_feed"),
    path("templates/", team_views.template_list, name="templates"),
    path("templates/new/", team_views.template_edit, name="template_new"),
    path("templates/<int:pk>/", team_views.template_edit, name="template_edit"),
    path("supervision/", team_views.supervision_list, name="supervision"),
    path("teams/", team_views.team_list, name="teams"),
    path("teams/<int:pk>/", team_views.team_detail, name="team"),
    path("reports/", team_views.report, name="report"),
]
