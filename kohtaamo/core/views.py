"""Pages that belong to no domain: the front page and the health check."""

import logging

from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from kohtaamo.directory.models import Site, WellbeingServicesCounty
from kohtaamo.lib.dbrouter import REPLICA, replica_configured

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    counties = WellbeingServicesCounty.objects.filter(municipalities__sites__is_public=True).distinct()
    return render(request, "core/home.html", {"counties": counties, "site_count": Site.objects.public().count()})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the replica, if configured) answers a query; 503 otherwise, for the balancer."""
    checks = {"database": "default"}
    if replica_configured():
        checks["replica"] = REPLICA
    body = {name: _database_state(alias) for name, alias in checks.items()}
    healthy = all(state == "ok" for state in body.values())
    return JsonResponse({"status": "ok" if healthy else "error", **body}, status=200 if healthy else 503)


def _database_state(alias: str) -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        logger.warning("Health check: database %s is unavailable", alias, exc_info=True)
        return "unavailable"
    return "ok"
