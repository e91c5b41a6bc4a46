"""The two-factor pages: turn TOTP on, give the code after logging in, turn it off."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login

from kohtaamo.accounts import twofactor
from kohtaamo.accounts.forms import TokenForm


def _next_url(request: HttpRequest) -> str:
    """Where to go after the code: `next` if it is a page of this site, else the settings page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = {request.get_host()}
    if url_has_allowed_host_and_scheme(candidate, allowed_hosts=allowed, require_https=request.is_secure()):
        return candidate
    return reverse("accounts:two_factor")


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": twofactor.has_device(request.user),
            "required": twofactor.second_factor_required(request.user),
        },
    )


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if twofactor.has_device(request.user):
        # A second device may only be added by someone who has given the first one's code: the password
        # alone must not let an intruder enrol their own phone.
        if not request.user.is_verified():
            return redirect(f"{reverse('accounts:two_factor_verify')}?next={reverse('accounts:two_factor')}")
        return redirect("accounts:two_factor")
    device = twofactor.totp_device_pending(user=request.user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if twofactor.totp_device_confirm(device=device, token=form.cleaned_data["token"]):
            request.session.cycle_key()
            otp_login(request, device)
            messages.success(request, _("Two-factor authentication is on."))
            return redirect(_next_url(request))
        form.add_error("token", _("The code is wrong or has expired. Enter the code the app shows now."))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": twofactor.qr_code_data_uri(device),
            "secret": twofactor.secret_for_typing(device),
            "next": _next_url(request),
        },
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if not twofactor.has_device(request.user):
        return redirect("accounts:two_factor_setup")
    form = TokenForm(request.POST or None)
    if form.is_valid():
        device = twofactor.totp_device_matching(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("The code is wrong or has expired. Enter the code the app shows now."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    if twofactor.second_factor_required(request.user):
        raise PermissionDenied
    twofactor.totp_devices_remove(user=request.user)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:two_factor")


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes shows instead of the login page once a username is locked (AXES_LOCKOUT_CALLABLE).

    The same for a username that does not exist, so the page reveals nothing about accounts.
    """
    from django.conf import settings

    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/lockout.html", context, status=429)
