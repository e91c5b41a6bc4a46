"""Reports pages: what one may download, an area's page (narrative, publishing), the documents, costs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kohtaamo.accounts import permissions
from kohtaamo.directory.models import Municipality, Site, WellbeingServicesCounty
from kohtaamo.reports import figures, services
from kohtaamo.reports.areas import (
    COUNTIES,
    MUNICIPALITIES,
    Area,
    Period,
    get_area,
    last_full_quarter,
    parse_period,
    whole_months,
)
from kohtaamo.reports.forms import CostForm, NarrativeForm, PeriodForm
from kohtaamo.reports.models import PublishedReport, SessionSeriesCost
from kohtaamo.reports.slide import build_slide
from kohtaamo.reports.social_report import build_pdf
from kohtaamo.stats.suppression import THRESHOLD

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Documents hold figures of a scope: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _area_url(area: Area, period: Period, name: str = "area") -> str:
    return reverse(f"reports:{name}", kwargs={"kind": area.kind, "code": area.code}) + "?" + period.query()


@login_required
def index(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.STATS)
    period = last_full_quarter(timezone.localdate())
    form = PeriodForm(request.GET or None, initial={"date_from": period.date_from, "date_to": period.date_to})
    if form.is_valid():
        period = whole_months(form.cleaned_data["date_from"], form.cleaned_data["date_to"])
    user = request.user
    municipalities = permissions.scoped(user, Municipality, permissions.STATS).filter(sites__isnull=False)
    context = {
        "form": form,
        "period": period,
        "municipalities": municipalities.select_related("county").order_by("name_fi").distinct(),
        "counties": permissions.scoped(user, WellbeingServicesCounty, permissions.STATS),
        "published": permissions.scoped(user, PublishedReport, permissions.STATS).select_related(
            "municipality", "county", "published_by"
        ),
        "costs": permissions.scoped(user, SessionSeriesCost, permissions.STATS).select_related("site", "supplier"),
        "may_edit": permissions.allows(user, permissions.EDIT),
        "threshold": THRESHOLD,
    }
    return render(request, "reports/index.html", context)


@login_required
def area_page(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    """An area and a period: the downloads, the narrative editor and the published versions."""
    permissions.require(request.user, permissions.STATS)
    area = get_area(request.user, kind, code)
    period = parse_period(request.GET)
    may_edit = permissions.can(request.user, permissions.EDIT, area.obj)
    narrative = services.narrative_for(area, period)
    form = None
    if may_edit:
        initial = {name: getattr(narrative, name) for name in narrative.SECTIONS} if narrative else None
        form = NarrativeForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            services.narrative_save(actor=request.user, area=area, period=period, sections=form.cleaned_data)
            messages.success(request, _("The narrative was saved. It appears in the social report."))
            return redirect(_area_url(area, period))
    elif request.method == "POST":
        raise PermissionDenied
    versions = PublishedReport.objects.filter(
        **area.model_kwargs(), date_from=period.date_from, date_to=period.date_to
    ).select_related("published_by")
    context = {"area": area, "period": period, "form": form, "versions": versions, "may_edit": may_edit}
    return render(request, "reports/area.html", context)


@login_required
def slide(request: HttpRequest, code: str) -> HttpResponse:
    permissions.require(request.user, permissions.STATS)
    area = get_area(request.user, MUNICIPALITIES, code)
    period = parse_period(request.GET)
    data = build_slide(figures.slide_document(request.user, area, period))
    services.download_log(actor=request.user, document="slide", area=area, period=period)
    return _attachment(data, PPTX, f"kohtaamo-{area.code}-{period.date_from}-{period.date_to}.pptx")


@login_required
def report_pdf(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    """The social report as it would be published now (a draft: figures are computed afresh)."""
    permissions.require(request.user, permissions.STATS)
    area = get_area(request.user, kind, code)
    period = parse_period(request.GET)
    document = figures.report_document(request.user, area, period, services.narrative_for(area, period))
    data = build_pdf(document)
    services.download_log(actor=request.user, document="report", area=area, period=period)
    return _attachment(data, "application/pdf", f"social-report-{area.code}-{period.date_from}-{period.date_to}.pdf")


@login_required
@require_POST
def publish(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    permissions.require(request.user, permissions.EDIT)
    area = get_area(request.user, kind, code, permissions.EDIT)
    period = parse_period(request.GET)
    report = services.report_publish(actor=request.user, area=area, period=period)
    messages.success(request, _("Version %(version)s was published.") % {"version": report.version})
    return redirect(_area_url(area, period))


@login_required
def published_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """A published version: the very bytes that were frozen when it was published."""
    permissions.require(request.user, permissions.STATS)
    report = permissions.get_object(
        request.user, PublishedReport.objects.select_related("municipality", "county"), permissions.STATS, pk=pk
    )
    area = Area(MUNICIPALITIES if report.municipality_id else COUNTIES, report.area)
    period = Period(report.date_from, report.date_to)
    services.download_log(actor=request.user, document="published_report", area=area, period=period, published=report)
    return _attachment(bytes(report.pdf), "application/pdf", report.filename)


@login_required
def cost_create(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.EDIT)
    sites = permissions.scoped(request.user, Site, permissions.EDIT).order_by("name_fi")
    form = CostForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        services.cost_create(actor=request.user, cost=form.instance)
        messages.success(request, _("The cost was saved."))
        return redirect("reports:index")
    return render(request, "reports/cost_form.html", {"form": form})


@login_required
@require_POST
def cost_delete(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, permissions.EDIT)
    cost = permissions.get_object(request.user, SessionSeriesCost, permissions.EDIT, pk=pk)
    services.cost_delete(actor=request.user, cost=cost)
    messages.success(request, _("The cost was removed."))
    return redirect("reports:index")
