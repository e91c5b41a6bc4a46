"""Login lockout (django-axes): the backend and the client address it counts failures by."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings


class LockoutBackend(AxesStandaloneBackend):
    """Axes' backend, which lets `authenticate()` without a request through to the next backend.

    Every login over HTTP (the login form, the admin's) passes the request and is counted. Only code on
    the server calls authenticate() without one (management commands, Django's test client `login()`),
    and no attacker can reach that path, so refusing it would protect nothing.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """The client's address: behind TRUSTED_PROXY_COUNT reverse proxies, the one the outermost proxy saw.

    X-Forwarded-For is read from the right, past the entries our own proxies appended, because a client can
    put anything at its left end.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")
