"""Template helpers of the statistics app."""

from django import template

from kohtaamo.accounts import permissions

register = template.Library()


@register.filter
def may_read_stats(user) -> bool:
    """Whether the navigation offers the statistics dashboard to this user."""
    return user.is_authenticated and permissions.allows(user, permissions.STATS)
