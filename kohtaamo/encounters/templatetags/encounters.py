"""Template helpers of the counsellor's screen."""

from django import template

from kohtaamo.accounts import permissions

register = template.Library()


@register.filter
def may_log(user) -> bool:
    """Whether the user's role logs encounters (the counsellor's screen is theirs)."""
    return bool(user and user.is_authenticated and permissions.allows(user, permissions.LOG))


@register.filter
def codes(terms) -> str:
    return ", ".join(term.label for term in terms)


@register.filter
def may_manage(user) -> bool:
    """Whether the user's role manages the area's taxonomies."""
    return bool(user and user.is_authenticated and permissions.allows(user, permissions.MANAGE))
