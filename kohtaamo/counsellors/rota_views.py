"""The rota: a coordinator plans a week and is warned of broken staffing rules; a person subscribes to their shifts."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kohtaamo.accounts import permissions
from kohtaamo.counsellors import rota, services
from kohtaamo.counsellors.forms import ShiftForm
from kohtaamo.counsellors.models import CalendarFeed, Shift
from kohtaamo.encounters.models import Session
from kohtaamo.lib import hours


def _monday(value: str | None) -> dt.date:
    """The week asked for (?week=2026-11-30, any day of it), or next week: the one usually being planned."""
    try:
        day = dt.date.fromisoformat(value) if value else hours.today() + dt.timedelta(days=7)
    except ValueError:
        day = hours.today() + dt.timedelta(days=7)
    return hours.monday(day)


def _week(request: HttpRequest, monday: dt.date, *, status: int = 200, **extra) -> HttpResponse:
    planned = rota.rota_week(actor=request.user, monday=monday)
    context = {
        "planned": planned,
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "previous": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
        "breaches": sum(1 for item in planned if item.problems),
        "form": ShiftForm(actor=request.user),
        **extra,
    }
    return render(request, "counsellors/rota.html", context, status=status)


@login_required
def rota_week(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.PATH)
    return _week(request, _monday(request.GET.get("week")))


@login_required
@require_POST
def shift_add(request: HttpRequest, session_pk: int) -> HttpResponse:
    permissions.require(request.user, permissions.PATH)
    session = permissions.get_object(
        request.user, Session.objects.select_related("site__municipality__county"), permissions.PATH, pk=session_pk
    )
    form = ShiftForm(request.POST, actor=request.user)
    if form.is_valid():
        try:
            rota.shift_assign(actor=request.user, session=session, user=form.cleaned_data["user"])
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
    if form.errors:
        # Show the week again with the error beside this session, and the choice kept.
        return _week(request, hours.monday(session.date), status=400, error_form=form, error_session=session.pk)
    return redirect(f"{reverse('counsellors:rota')}?week={session.date.isoformat()}#session-{session.pk}")


@login_required
@require_POST
def shift_remove(request: HttpRequest, pk: int) -> HttpResponse:
    shift = permissions.get_object(request.user, Shift.objects.select_related("session"), permissions.PATH, pk=pk)
    rota.shift_remove(actor=request.user, shift=shift)
    messages.success(request, _("Removed from the rota."))
    return redirect(f"{reverse('counsellors:rota')}?week={shift.session.date.isoformat()}#session-{shift.session_id}")


@login_required
def my_shifts(request: HttpRequest) -> HttpResponse:
    feed = services.feed_for(request.user)
    shifts = (
        permissions.scoped(request.user, Shift)
        .filter(user=request.user, session__date__gte=hours.today())
        .select_related("session__site")
        .order_by("session__starts_at")
    )
    feed_url = request.build_absolute_uri(reverse("counsellors:shift_feed", args=[feed.token]))
    response = render(request, "counsellors/my_shifts.html", {"shifts": shifts, "feed_url": feed_url})
    response["Cache-Control"] = "no-store"  # the page holds the secret calendar address
    return response


@login_required
@require_POST
def feed_rotate(request: HttpRequest) -> HttpResponse:
    services.feed_rotate(actor=request.user)
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect("counsellors:my_shifts")


def shift_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: calendar programs cannot log in, so the secret in the URL is the key."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404
    response = HttpResponse(rota.shift_calendar(feed.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="shifts.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    return response
