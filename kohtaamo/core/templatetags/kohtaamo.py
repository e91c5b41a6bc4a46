"""Template helpers shared by every page."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@lru_cache(maxsize=1024)
def _translated_url(path: str, code: str) -> str:
    # A function of the path and the URLconf only: resolve and reverse once per process, not per request.
    return translate_url(path, code)


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in each language: links, so switching works without JavaScript or cookies."""
    request = context["request"]
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        url = _translated_url(request.get_full_path(), code)
        info = get_language_info(code)
        links.append({"code": code, "name": info["name_local"], "url": url, "current": code == current})
    return links


@register.filter
def hhmm(value):
    """A time or datetime as HH:MM in Helsinki time."""
    from kohtaamo.lib.hours import HELSINKI

    if hasattr(value, "astimezone"):
        value = value.astimezone(HELSINKI)
    return f"{value:%H:%M}"
