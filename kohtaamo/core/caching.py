"""Cache whole pages for anonymous visitors only; staff always see fresh data."""

from functools import wraps

from django.conf import settings
from django.views.decorators.cache import cache_page


def cache_for_anonymous(view):
    cached = None

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        nonlocal cached
        # A pending flash message is one visitor's own: it must neither be cached for others nor be
        # hidden behind someone else's cached page.
        if request.user.is_authenticated or not settings.DIRECTORY_CACHE_SECONDS or _has_messages(request):
            return view(request, *args, **kwargs)
        if cached is None:
            cached = cache_page(settings.DIRECTORY_CACHE_SECONDS, key_prefix="anon")(view)
        return cached(request, *args, **kwargs)

    return wrapper


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0
