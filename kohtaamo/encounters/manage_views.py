"""Staff pages around encounter logging: the taxonomies (a county's admins) and one's own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kohtaamo.accounts import permissions
from kohtaamo.directory.models import WellbeingServicesCounty
from kohtaamo.encounters import taxonomies, tokens
from kohtaamo.encounters.forms import ApiTokenForm, TermForm
from kohtaamo.encounters.models import ApiToken, Term


def _counties_for(user):
    """Counties whose own terms the user may manage."""
    if user.is_superuser:
        return WellbeingServicesCounty.objects.all()
    return WellbeingServicesCounty.objects.filter(pk__in=permissions.county_ids(user))


@login_required
def term_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.MANAGE)
    terms = Term.objects.select_related("county")
    if not request.user.is_superuser:
        terms = terms.filter(Q(county__isnull=True) | Q(county__in=_counties_for(request.user)))
    manageable = set(permissions.scoped(request.user, Term, permissions.MANAGE).values_list("pk", flat=True))
    return render(request, "encounters/term_list.html", {"terms": terms, "manageable": manageable})


@login_required
def term_create(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.MANAGE)
    form = TermForm(request.POST or None, counties=_counties_for(request.user), national=request.user.is_superuser)
    if request.method == "POST" and form.is_valid():
        taxonomies.term_save(actor=request.user, form=form)
        messages.success(request, _("The term was added."))
        return redirect("encounters:term_list")
    return render(request, "encounters/term_form.html", {"form": form, "term": None})


@login_required
def term_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, permissions.MANAGE)
    term = permissions.get_object(request.user, Term, permissions.MANAGE, pk=pk)
    form = TermForm(
        request.POST or None, instance=term, counties=_counties_for(request.user), national=request.user.is_superuser
    )
    if request.method == "POST" and form.is_valid():
        taxonomies.term_save(actor=request.user, form=form)
        messages.success(request, _("Changes saved."))
        return redirect("encounters:term_list")
    return render(request, "encounters/term_form.html", {"form": form, "term": term})


@login_required
@require_POST
def term_retire(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, permissions.MANAGE)
    term = permissions.get_object(request.user, Term, permissions.MANAGE, pk=pk)
    if request.POST.get("restore"):
        taxonomies.term_restore(actor=request.user, term=term)
        messages.success(request, _("%(term)s is offered again.") % {"term": term.label})
    else:
        taxonomies.term_retire(actor=request.user, term=term)
        messages.success(request, _("%(term)s was retired; past encounters keep it.") % {"term": term.label})
    return redirect("encounters:term_list")


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    permissions.require(request.user, permissions.LOG)
    form = ApiTokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = tokens.api_token_create(actor=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    owned = permissions.scoped(request.user, ApiToken).order_by("-created_at")
    response = render(request, "encounters/token_list.html", {"form": form, "tokens": owned, "raw": raw})
    # The new token is on this page once; no cache may keep it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(request.user, permissions.LOG)
    token = permissions.get_object(request.user, ApiToken, pk=pk)
    tokens.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
    return redirect("encounters:token_list")
