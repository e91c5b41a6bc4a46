"""The counsellor's screen: today's session, the visitor tally, one-tap encounters, undo, edit, wishes.

Every form is a plain POST that redirects back (no JavaScript needed); with htmx the same
endpoints answer with the session panel only, and the status line is updated out of band.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kohtaamo.accounts import permissions
from kohtaamo.directory.models import Site
from kohtaamo.encounters import services, sessions
from kohtaamo.encounters.forms import (
    AdHocSessionForm,
    EncounterForm,
    QuickEncounterForm,
    TallyForm,
    UndoForm,
    WishForm,
    add_service_errors,
)
from kohtaamo.encounters.models import Encounter, Session, TermKind
from kohtaamo.encounters.services import EncounterError
from kohtaamo.encounters.taxonomies import TermIndex

PANEL = "encounters/_panel.html"


def _session(request: HttpRequest, pk: int) -> Session:
    permissions.require(request.user, permissions.LOG)
    return permissions.get_object(
        request.user, Session.objects.select_related("site__municipality"), permissions.LOG, pk=pk
    )


def _panel_context(request: HttpRequest, session: Session, **extra) -> dict:
    terms = TermIndex.load()
    county_id = session.site.municipality.county_id
    mine = list(session.encounters.filter(created_by=request.user).prefetch_related("topics").order_by("-pk")[:10])
    return {
        "session": session,
        "is_today": session.date == services.local_today(),
        "topics": terms.offered(TermKind.TOPIC, county_id),
        "encounter_count": session.encounters.count(),
        "mine": mine,
        "last": mine[0] if mine else None,
        "nonce": uuid.uuid4(),
        "wish_form": WishForm(terms=terms, county_id=county_id),
        **extra,
    }


def _answer(request: HttpRequest, session: Session, message: str, *, error: bool = False, **extra) -> HttpResponse:
    """htmx gets the panel and the status line; a plain POST is redirected back with a message."""
    if request.htmx:
        context = _panel_context(request, session, flash=message, flash_error=error, **extra)
        return render(request, PANEL, context)
    (messages.error if error else messages.success)(request, message)
    return redirect("encounters:session", pk=session.pk)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.LOG)
    now = timezone.now()
    slots = sessions.todays_slots(actor=request.user, now=now)
    chosen = sessions.preselected(slots, now)
    if chosen is not None and "all" not in request.GET:
        session = chosen.session or sessions.session_open_scheduled(
            actor=request.user, site=chosen.site, starts_at=chosen.starts_at, now=now
        )
        return redirect("encounters:session", pk=session.pk)
    return render(request, "encounters/home.html", {"slots": slots, "now": now})


@login_required
@require_POST
def session_open(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.LOG)
    site = permissions.get_object(request.user, Site, permissions.LOG, pk=request.POST.get("site"))
    starts_at = parse_datetime(request.POST.get("starts_at", ""))
    try:
        if starts_at is None:
            raise EncounterError("no_such_opening", _("The site has no opening at that time today."))
        session = sessions.session_open_scheduled(actor=request.user, site=site, starts_at=starts_at)
    except EncounterError as error:
        messages.error(request, str(error.message))
        return redirect("encounters:home")
    return redirect("encounters:session", pk=session.pk)


@login_required
def session_ad_hoc(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.LOG)
    sites = permissions.scoped(request.user, Site.objects.select_related("municipality"), permissions.LOG)
    initial = {"site": sites.first()} if sites.count() == 1 else {}
    form = AdHocSessionForm(request.POST or None, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = sessions.session_open_ad_hoc(
                actor=request.user, site=form.cleaned_data["site"], place=form.cleaned_data["place"]
            )
        except EncounterError as error:
            add_service_errors(form, error)
        else:
            return redirect("encounters:session", pk=session.pk)
    return render(request, "encounters/session_ad_hoc.html", {"form": form})


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    return render(request, "encounters/session.html", _panel_context(request, session))


@login_required
@require_POST
def encounter_quick(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = QuickEncounterForm(request.POST)
    if not form.is_valid():
        return _answer(request, session, _("Choose a matter."), error=True)
    try:
        encounter, created = services.encounter_create(
            actor=request.user,
            session=session,
            client_uuid=form.cleaned_data["client_uuid"],
            topics=[form.cleaned_data["topic"]],
        )
    except EncounterError as error:
        return _answer(request, session, str(error.message), error=True)
    if not created:
        return _answer(request, session, _("That encounter was saved already."))
    topic = encounter.topics.get()
    return _answer(request, session, _("Saved: %(matter)s.") % {"matter": topic.label})


@login_required
@require_POST
def tally(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = TallyForm(request.POST)
    if not form.is_valid():
        return _answer(request, session, _("Add or take away one visitor at a time."), error=True)
    count = sessions.tally_change(actor=request.user, session=session, delta=form.cleaned_data["delta"])
    return _answer(request, session, _("Visitors: %(count)d.") % {"count": count})


@login_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = UndoForm(request.POST)
    expected = form.cleaned_data.get("encounter") if form.is_valid() else None
    try:
        services.encounter_undo_last(actor=request.user, session=session, expected_pk=expected)
    except EncounterError as error:
        return _answer(request, session, str(error.message), error=True)
    return _answer(request, session, _("Your last encounter was undone."))


@login_required
def encounter_new(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = EncounterForm(request.POST or None, terms=TermIndex.load(), county_id=session.site.municipality.county_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.encounter_create(
                actor=request.user,
                session=session,
                client_uuid=form.cleaned_data["client_uuid"] or uuid.uuid4(),
                **form.service_kwargs(),
            )
        except EncounterError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The encounter was saved."))
            return redirect("encounters:session", pk=session.pk)
    return render(request, "encounters/encounter_form.html", {"form": form, "session": session, "encounter": None})


@login_required
def encounter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, permissions.LOG)
    encounters = Encounter.objects.select_related("session__site__municipality", "language")
    encounter = permissions.get_object(request.user, encounters, permissions.LOG, pk=pk)
    try:
        services.check_editable(actor=request.user, encounter=encounter)
    except EncounterError:
        raise PermissionDenied from None
    session = encounter.session
    form = EncounterForm(
        request.POST or None, terms=TermIndex.load(), county_id=session.site.municipality.county_id, encounter=encounter
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.encounter_update(actor=request.user, encounter=encounter, **form.service_kwargs())
        except EncounterError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("encounters:session", pk=session.pk)
    context = {"form": form, "session": session, "encounter": encounter}
    return render(request, "encounters/encounter_form.html", context)


@login_required
@require_POST
def wish_new(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = WishForm(request.POST, terms=TermIndex.load(), county_id=session.site.municipality.county_id)
    if form.is_valid():
        try:
            services.wish_create(
                actor=request.user,
                session=session,
                client_uuid=form.cleaned_data["client_uuid"],
                text=form.cleaned_data["text"],
                themes=form.cleaned_data["themes"],
            )
        except EncounterError as error:
            add_service_errors(form, error)
        else:
            return _answer(request, session, _("The wish was saved."))
    # Errors stay on the page, beside the field, with what was typed.
    context = _panel_context(request, session, wish_form=form)
    if request.htmx:
        return render(request, PANEL, {**context, "flash": _("The wish was not saved."), "flash_error": True})
    return render(request, "encounters/session.html", context)
