"""Staff pages to maintain sites and opening hours within one's own area."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kohtaamo.accounts import permissions
from kohtaamo.directory import services
from kohtaamo.directory.forms import OpeningExceptionFormSet, OpeningRuleFormSet, SiteForm
from kohtaamo.directory.models import Municipality, Site


def _municipalities_for(user):
    """Municipalities where the user may create or move sites."""
    if user.is_superuser:
        return Municipality.objects.all()
    if user.county_id:
        return Municipality.objects.filter(county_id=user.county_id)
    if user.municipality_id:
        return Municipality.objects.filter(pk=user.municipality_id)
    return Municipality.objects.none()


@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.EDIT)
    sites = permissions.scoped(request.user, Site.objects.select_related("municipality"), permissions.EDIT)
    return render(request, "directory/staff/site_list.html", {"sites": sites})


@login_required
def site_create(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.EDIT)
    form = SiteForm(request.POST or None, municipalities=_municipalities_for(request.user))
    if request.method == "POST" and form.is_valid():
        site = services.site_save(actor=request.user, form=form)
        messages.success(request, _("The site was created. Add its opening hours next."))
        return redirect("directory_staff:site_hours", pk=site.pk)
    return render(request, "directory/staff/site_form.html", {"form": form, "site": None})


@login_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = permissions.get_object(request.user, Site, permissions.EDIT, pk=pk)
    form = SiteForm(request.POST or None, instance=site, municipalities=_municipalities_for(request.user))
    if request.method == "POST" and form.is_valid():
        services.site_save(actor=request.user, form=form)
        messages.success(request, _("Changes saved."))
        return redirect("directory_staff:site_edit", pk=site.pk)
    return render(request, "directory/staff/site_form.html", {"form": form, "site": site})


@login_required
def site_hours(request: HttpRequest, pk: int) -> HttpResponse:
    site = permissions.get_object(request.user, Site, permissions.EDIT, pk=pk)
    data = request.POST if request.method == "POST" else None
    rules = OpeningRuleFormSet(data, instance=site, prefix="rules")
    exceptions = OpeningExceptionFormSet(data, instance=site, prefix="exceptions")
    # Validate both, so one save shows every mistake at once.
    if request.method == "POST" and all([rules.is_valid(), exceptions.is_valid()]):
        services.site_hours_save(actor=request.user, site=site, rules=rules, exceptions=exceptions)
        messages.success(request, _("Opening hours saved."))
        return redirect("directory_staff:site_hours", pk=site.pk)
    return render(request, "directory/staff/site_hours.html", {"site": site, "rules": rules, "exceptions": exceptions})
