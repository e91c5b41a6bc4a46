"""Template helpers shared by every page."""

import weakref
from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()

# Renderings a {% memo %} keeps, at most, before it starts afresh (a bound: vary-on values may come from a URL).
MEMO_LIMIT = 1000
_MEMO_NODES: "weakref.WeakSet[MemoNode]" = weakref.WeakSet()


class MemoNode(template.Node):
    def __init__(self, nodelist, vary_on):
        self.nodelist, self.vary_on = nodelist, vary_on
        self.rendered: dict[tuple, str] = {}
        _MEMO_NODES.add(self)

    def render(self, context):
        key = (get_language(), get_script_prefix(), *(value.resolve(context) for value in self.vary_on))
        try:
            return self.rendered[key]
        except KeyError:
            pass
        html = self.nodelist.render(context)
        if len(self.rendered) >= MEMO_LIMIT:
            self.rendered.clear()
        self.rendered[key] = html
        return html


@register.tag
def memo(parser, token):
    """`{% memo [vary_on ...] %}...{% endmemo %}`: render the markup once per process, language and vary-on values.

    For the markup every page repeats (the header's links, the footer): translated strings, `{% url %}`s and
    `{% static %}`s come out the same for a language until the process restarts, so they are rendered once and
    kept with the template (a changed template is a new one). Like `{% cache %}`, but in the process, with no
    expiry and nothing to look up: everything else the markup reads from the context must be among the vary-on
    values, or it is shown to whoever comes next. Nothing personal, no `{% csrf_token %}`, no form values, and no
    `{% block %}` (a child template overriding it would get the first rendering).
    """
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    vary_on = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    return MemoNode(nodelist, vary_on)


def _forget_memos(**kwargs) -> None:
    # Tests change settings (URLs, static files, languages) that the kept markup shows.
    for node in list(_MEMO_NODES):
        node.rendered.clear()


setting_changed.connect(_forget_memos, dispatch_uid="kohtaamo.core.templatetags.kohtaamo.forget_memos")


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
