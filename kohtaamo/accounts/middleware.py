"""Session rules that apply to every request: the idle timeout and the second factor."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from kohtaamo.accounts import twofactor

LAST_SEEN_KEY = "kohtaamo_last_seen"
# Writing the session on every request would cost a database write per page; a minute's slack is harmless.
_TOUCH_EVERY_SECONDS = 60

# What a user who still owes a second factor may open: the 2FA pages themselves and what every page links to.
_OPEN_WITHOUT_SECOND_FACTOR = {
    "login",
    "logout",
    "set_language",
    "healthz",
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
    "core:accessibility",
    "core:feedback",
}


class SessionTimeoutMiddleware:
    """Log out a session idle for longer than SESSION_IDLE_TIMEOUT (a tablet left at the drop-in desk)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif now - last_seen >= _TOUCH_EVERY_SECONDS or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until a user who must give a second factor has given it, every page leads to the 2FA pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if twofactor.second_factor_missing(request) and not _open_without_second_factor(request):
            page = "accounts:two_factor_verify" if twofactor.has_device(request.user) else "accounts:two_factor_setup"
            return HttpResponseRedirect(f"{reverse(page)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _open_without_second_factor(request: HttpRequest) -> bool:
    if request.path_info.startswith(settings.STATIC_URL):
        return True
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # a 404 page reveals nothing
    return match.view_name in _OPEN_WITHOUT_SECOND_FACTOR
