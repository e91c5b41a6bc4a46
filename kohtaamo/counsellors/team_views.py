"""Coordinators' pages shared by many counsellors: onboarding templates, supervision, teams and the reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kohtaamo.accounts import permissions
from kohtaamo.counsellors import forms, reports, services
from kohtaamo.counsellors.models import CounsellorProfile, OnboardingTemplate, SupervisionSession, Team, TeamMember


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.PATH)
    templates = permissions.scoped(request.user, OnboardingTemplate).prefetch_related("items")
    return render(request, "counsellors/template_list.html", {"templates": templates})


@login_required
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    permissions.require(request.user, permissions.PATH)
    template = (
        permissions.get_object(request.user, OnboardingTemplate, permissions.PATH, pk=pk)
        if pk
        else OnboardingTemplate()
    )
    form = forms.TemplateForm(request.POST or None, instance=template, actor=request.user)
    items = forms.TemplateItemFormSet(request.POST or None, instance=template, prefix="items")
    if request.method == "POST" and form.is_valid() and items.is_valid():
        services.template_save(actor=request.user, template=form.save(commit=False), formset=items)
        messages.success(request, _("The template was saved."))
        return redirect("counsellors:templates")
    return render(request, "counsellors/template_form.html", {"form": form, "items": items, "template": template})


@login_required
def supervision_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.PATH)
    sessions = permissions.scoped(request.user, SupervisionSession).prefetch_related("attendees")
    form = forms.SupervisionForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        services.supervision_record(
            actor=request.user, supervision=form.save(commit=False), attendees=form.cleaned_data["attendees"]
        )
        messages.success(request, _("The supervision session was recorded."))
        return redirect("counsellors:supervision")
    return render(request, "counsellors/supervision.html", {"sessions": sessions, "form": form})


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.PATH)
    teams = permissions.scoped(request.user, Team).select_related("site").prefetch_related("members__user")
    form = forms.TeamForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        team = form.save(commit=False)
        team.full_clean()
        services.team_save(actor=request.user, team=team)
        messages.success(request, _("The team was added."))
        return redirect("counsellors:team", pk=team.pk)
    return render(request, "counsellors/team_list.html", {"teams": teams, "form": form})


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = permissions.get_object(request.user, Team, permissions.PATH, pk=pk)
    form = forms.TeamMemberForm(request.POST or None, instance=TeamMember(team=team), actor=request.user)
    if request.method == "POST" and form.is_valid():
        services.team_member_save(actor=request.user, member=form.instance)
        messages.success(request, _("The member was added."))
        return redirect("counsellors:team", pk=team.pk)
    members = team.members.select_related("user", "employer")
    return render(request, "counsellors/team.html", {"team": team, "members": members, "form": form})


@login_required
def report(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.PATH)
    profiles = permissions.scoped(request.user, CounsellorProfile.objects.active(), permissions.PATH)
    return render(
        request,
        "counsellors/report.html",
        {"report": reports.path_report(profiles=profiles), "threshold": reports.SUPPRESSION_THRESHOLD},
    )
