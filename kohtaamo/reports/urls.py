from django.urls import path, register_converter

from kohtaamo.reports import views
from kohtaamo.reports.areas import COUNTIES, MUNICIPALITIES


class AreaKind:
    regex = f"{MUNICIPALITIES}|{COUNTIES}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AreaKind, "area")

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("municipalities/<str:code>/slide.pptx", views.slide, name="slide"),
    path("<area:kind>/<str:code>/", views.area_page, name="area"),
    path("<area:kind>/<str:code>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<area:kind>/<str:code>/publish/", views.publish, name="publish"),
    path("published/<int:pk>/report.pdf", views.published_pdf, name="published_pdf"),
    path("costs/new/", views.cost_create, name="cost_create"),
    path("costs/<int:pk>/delete/", views.cost_delete, name="cost_delete"),
]
