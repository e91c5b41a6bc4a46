"""Pages that belong to no domain: the front page, the health check, accessibility statement and feedback."""

import logging

from django.contrib import messages
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kohtaamo.core.forms import FeedbackForm
from kohtaamo.core.services import feedback_create
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


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """Saavutettavuusseloste: what the Act on the Provision of Digital Services (306/2019) asks for."""
    return render(request, "core/accessibility.html", {"feedback_url": reverse("core:feedback")})


def feedback(request: HttpRequest) -> HttpResponse:
    form = FeedbackForm(request.POST or None, initial={"page": request.GET.get("page", "")})
    if form.is_valid():
        feedback_create(**form.cleaned_data, language=get_language())
        messages.success(request, _("Thank you for your feedback."))
        return redirect("core:feedback")
    return render(request, "core/feedback.html", {"form": form})
