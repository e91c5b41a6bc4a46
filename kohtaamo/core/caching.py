"""Cache whole pages for anonymous visitors only; staff always see fresh data."""

from functools import wraps

from django.conf import settings
from django.views.decorators.cache import cache_page


def cache_for_anonymous(view):
    cached = None

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        nonlocal cached
        if request.user.is_authenticated or not settings.DIRECTORY_CACHE_SECONDS:
            return view(request, *args, **kwargs)
        if cached is None:
            cached = cache_page(settings.DIRECTORY_CACHE_SECONDS, key_prefix="anon")(view)
        return cached(request, *args, **kwargs)

    return wrapper
