"""Pages of the counsellor's path: the coordinator's list, a profile and its entries, export and erasure."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kohtaamo.accounts import permissions
from kohtaamo.audit.services import log_action
from kohtaamo.counsellors import forms, gdpr, rota, services
from kohtaamo.counsellors.models import (
    CheckIn,
    Competence,
    CounsellorProfile,
    HoursEntry,
    OnboardingItem,
    Participation,
    Shift,
    TrainingEntry,
)
from kohtaamo.lib import hours

# What can be added to a path from the profile page: form, model, and whether only a coordinator may.
ENTRIES = {
    "participation": (forms.ParticipationForm, Participation, True),
    "competence": (forms.CompetenceForm, Competence, True),
    "training": (forms.TrainingForm, TrainingEntry, True),
    "check-in": (forms.CheckInForm, CheckIn, True),
    "onboarding": (forms.OnboardingItemForm, OnboardingItem, True),
    "hours": (forms.HoursForm, HoursEntry, False),
}


def _profile(request: HttpRequest, pk: int, action: str = permissions.VIEW) -> CounsellorProfile:
    return permissions.get_object(
        request.user, CounsellorProfile.objects.active().select_related("county", "user"), action, pk=pk
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Coordinators get the list of their area; a counsellor goes to their own page."""
    if not permissions.allows(request.user, permissions.PATH):
        return redirect("counsellors:me")
    profiles = permissions.scoped(request.user, CounsellorProfile.objects.active(), permissions.PATH)
    return render(request, "counsellors/index.html", {"profiles": profiles.select_related("county")})


@login_required
def me(request: HttpRequest) -> HttpResponse:
    profile = CounsellorProfile.objects.active().filter(user=request.user).first()
    if profile is None:
        # A professional, or a counsellor whose path has not been started: their shifts are what they have.
        return redirect("counsellors:my_shifts")
    return redirect("counsellors:profile", pk=profile.pk)


@login_required
def profile_new(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.PATH)
    form = forms.ProfileForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        profile = services.profile_create(
            actor=request.user,
            profile=form.save(commit=False),
            sites=data["sites"],
            languages=data["languages"],
            lived_experience=data["lived_experience"],
            template=data.get("template"),
        )
        messages.success(request, _("The profile was created."))
        return redirect("counsellors:profile", pk=profile.pk)
    return render(request, "counsellors/profile_form.html", {"form": form, "profile": None})


@login_required
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _profile(request, pk, permissions.PATH)
    form = forms.ProfileForm(request.POST or None, instance=profile, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.profile_update(
            actor=request.user,
            profile=form.save(commit=False),
            sites=data["sites"],
            languages=data["languages"],
            lived_experience=data["lived_experience"],
        )
        messages.success(request, _("Changes saved."))
        return redirect("counsellors:profile", pk=profile.pk)
    return render(request, "counsellors/profile_form.html", {"form": form, "profile": profile})


@login_required
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _profile(request, pk)
    coordinator = permissions.can(request.user, permissions.PATH, profile)
    services.profile_view_log(viewer=request.user, profile=profile)
    own = profile.user_id == request.user.pk
    context = {
        "profile": profile,
        "coordinator": coordinator,
        "own": own,
        "participations": profile.participations.select_related("organiser"),
        "competences": profile.competences.select_related("recognised_by"),
        "onboarding": profile.onboarding_items.select_related("done_by"),
        "training": profile.training.all(),
        "supervision": profile.supervision_sessions.all(),
        "check_ins": permissions.scoped(request.user, profile.check_ins.all(), permissions.PATH) if coordinator else [],
        "hours_entries": profile.hours_entries.select_related("approved_by"),
        "rota_hours": rota.rota_hours(profile.user),
        "shifts": Shift.objects.filter(user=profile.user, session__date__gte=hours.today()).select_related(
            "session__site"
        )
        if profile.user_id
        else [],
        "views": profile.views.all()[:50] if own or coordinator else [],
        "next_step_form": forms.NextStepForm(instance=profile) if coordinator else None,
    }
    return render(request, "counsellors/profile.html", context)


@login_required
def entry_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Add a basis, competence, training, check-in, onboarding item or (the counsellor too) own hours."""
    try:
        form_class, model, coordinator_only = ENTRIES[kind]
    except KeyError:
        raise Http404 from None
    profile = _profile(request, pk, permissions.PATH if coordinator_only else permissions.VIEW)
    form = form_class(request.POST or None, instance=model(profile=profile))
    if request.method == "POST" and form.is_valid():
        if model is Participation:
            services.participation_add(actor=request.user, participation=form.instance)
        else:
            services.path_entry_add(actor=request.user, entry=form.instance)
        messages.success(request, _("Saved."))
        return redirect("counsellors:profile", pk=profile.pk)
    return render(request, "counsellors/entry_form.html", {"form": form, "profile": profile, "kind": kind})


@login_required
@require_POST
def next_step(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _profile(request, pk, permissions.PATH)
    form = forms.NextStepForm(request.POST, instance=profile)
    if form.is_valid():
        services.profile_update(actor=request.user, profile=form.save(commit=False))
        messages.success(request, _("Changes saved."))
        return redirect("counsellors:profile", pk=profile.pk)
    return render(request, "counsellors/entry_form.html", {"form": form, "profile": profile, "kind": "next-step"})


@login_required
@require_POST
def onboarding_done(request: HttpRequest, pk: int) -> HttpResponse:
    item = permissions.get_object(request.user, OnboardingItem, permissions.PATH, pk=pk)
    services.onboarding_item_complete(actor=request.user, item=item, done=not request.POST.get("undo"))
    return redirect("counsellors:profile", pk=item.profile_id)


@login_required
@require_POST
def hours_approve(request: HttpRequest, pk: int) -> HttpResponse:
    entry = permissions.get_object(request.user, HoursEntry, permissions.PATH, pk=pk)
    try:
        services.hours_approve(actor=request.user, entry=entry)
    except PermissionError:
        raise PermissionDenied from None
    messages.success(request, _("The hours were approved."))
    return redirect("counsellors:profile", pk=entry.profile_id)


@login_required
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Everything about the person, for the person (their right of access) or their coordinator."""
    profile = _profile(request, pk)
    services.profile_view_log(viewer=request.user, profile=profile, what=f"export {fmt}")
    log_action(request.user, "counsellor.export", profile, format=fmt)
    if fmt == "json":
        body = json.dumps(gdpr.profile_export(profile=profile, viewer=request.user), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        pdf = gdpr.profile_export_pdf(profile=profile, language=get_language(), viewer=request.user)
        response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="counsellor-{profile.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    profile = _profile(request, pk, permissions.PATH)
    if request.method == "POST" and request.POST.get("confirm") == "erase":
        gdpr.profile_erase(actor=request.user, profile=profile)
        messages.success(request, _("The person's identity was erased; the statistics keep their counts."))
        return redirect("counsellors:index")
    return render(request, "counsellors/erase.html", {"profile": profile, "asked": request.method == "POST"})
