"""Pages that belong to no domain: the front page and the health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from kohtaamo.directory.models import Site, WellbeingServicesCounty


def home(request: HttpRequest) -> HttpResponse:
    counties = WellbeingServicesCounty.objects.filter(municipalities__sites__is_public=True).distinct()
    return render(request, "core/home.html", {"counties": counties, "site_count": Site.objects.public().count()})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
