"""The one place that decides who may see and do what.

Every view fetches the objects it touches through `get_object()` or narrows a list with
`scoped()`. An object outside the user's reach answers 404 (its existence is not revealed;
for an action other than viewing, a public object outside the user's area is out of reach too);
an object within reach that the user's role may not act on answers 403.

Scope is geographic: a role reaches a wellbeing services county, a municipality or named
sites. Each model registers how to get from it to a site or county with `register()`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from kohtaamo.accounts.models import Role, User
from kohtaamo.lib import rows

VIEW = "view"  # see the object (public objects are visible to everyone)
EDIT = "edit"  # change directory data: sites, hours, organisations
LOG = "log"  # log encounters and sessions at a site
STATS = "stats"  # read aggregate statistics and reports
MANAGE = "manage"  # manage taxonomies, users and counsellors of the area
PATH = "path"  # coordinate counsellors' paths, teams and the rota of the area (and see coping check-ins)

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({VIEW, EDIT, LOG, STATS, MANAGE, PATH}),
    Role.COORDINATOR: frozenset({VIEW, EDIT, LOG, STATS, PATH}),
    Role.PROFESSIONAL: frozenset({VIEW, LOG}),
    Role.COUNSELLOR: frozenset({VIEW, LOG}),
    Role.VIEWER: frozenset({VIEW, STATS}),
}

M = TypeVar("M", bound=models.Model)
ScopeRule = Callable[[object, str], Q]
_RULES: dict[type[models.Model], ScopeRule] = {}
# For models whose VIEW rule starts with "public objects": the same test on a fetched object, in Python.
_PUBLIC: dict[type[models.Model], Callable[[models.Model], bool]] = {}
# For models whose rule a fetched object can often answer in Python: (user, action, obj) -> True or False as the
# rule's filter would say, or None when only the database can tell.
Covers = Callable[[object, str, models.Model], "bool | None"]
_COVERS: dict[type[models.Model], Covers] = {}

NOTHING = Q(pk__in=[])


def allows(user, action: str) -> bool:
    """Whether the user's role may do `action` at all (scope aside)."""
    if not user.is_authenticated or not user.is_active:
        return action == VIEW
    if user.is_superuser:
        return True
    return action in ROLE_ACTIONS.get(user.role, frozenset())


def site_q(user, prefix: str = "") -> Q:
    """Sites within the user's geographic scope, as a filter on a model `prefix` away from Site."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        # Every site, written so that it survives an OR (an empty Q() would drop out of `public | site_q()`).
        return Q(**{f"{prefix}pk__isnull": False})
    q = NOTHING
    if user.county_id:
        q |= Q(**{f"{prefix}municipality__county_id": user.county_id})
    if user.municipality_id:
        q |= Q(**{f"{prefix}municipality_id": user.municipality_id})
    # A subquery rather than a list: the named sites cost no query of their own, and an empty set matches nothing.
    q |= Q(**{f"{prefix}pk__in": user.sites.values("pk")})
    return q


def site_in_scope(user, action: str, *, site_id: int, municipality_id: int, county_id: int, named: bool) -> bool:
    """`scoped(user, Site, action)` for one site already read as plain values, for an action other than VIEW.
    `named`: whether the site is one of the user's own (`user.sites`).

    For write paths that read many sites in one query of their own (the encounter batch);
    tests/test_permissions.py holds it equal to `scoped()`.
    """
    if action == VIEW:
        raise ValueError("VIEW also reaches public sites: use scoped()")
    if not allows(user, action) or not user.is_authenticated or not user.is_active:
        return False
    return _in_site_scope(user, municipality_id=municipality_id, county_id=county_id, named=lambda: named)


def _in_site_scope(user, *, municipality_id: int, county_id: int | None, named: Callable[[], bool]) -> bool:
    """`site_q()` in Python, for an active user: `named()` is asked last, as it may cost a query."""
    if user.is_superuser:
        return True
    return (
        (bool(user.county_id) and county_id == user.county_id)
        or (bool(user.municipality_id) and municipality_id == user.municipality_id)
        or named()
    )


def county_ids(user) -> set[int]:
    """The counties the user's scope touches (through a municipality or sites too)."""
    from kohtaamo.directory.models import Site

    if not user.is_authenticated:
        return set()
    ids = {user.county_id} if user.county_id else set()
    if user.municipality_id:
        ids.add(user.municipality.county_id)
    ids |= set(Site.objects.filter(pk__in=user.sites.all()).values_list("municipality__county_id", flat=True))
    return ids


def register(
    model: type[models.Model],
    *,
    public: Callable[[models.Model], bool] | None = None,
    covers: Covers | None = None,
) -> Callable[[ScopeRule], ScopeRule]:
    """Register how a model is scoped: a function (user, action) -> Q.

    `public`, when given, says in Python what the rule's VIEW filter says first in SQL: that this
    object is visible to everyone. `get_object()` then needs no scope query for a public object.
    `covers`, when given, says in Python what the whole rule says of a fetched object, from the columns
    fetched, or None when it cannot tell; `can()` and `get_object()` ask the database only then.
    tests/test_permissions.py checks that it agrees with the rule.
    """

    def decorator(rule: ScopeRule) -> ScopeRule:
        _RULES[model] = rule
        if public is not None:
            _PUBLIC[model] = public
        if covers is not None:
            _COVERS[model] = covers
        return rule

    return decorator


def scope_q(user, model: type[models.Model], action: str) -> Q:
    if not allows(user, action):
        return NOTHING
    try:
        rule = _RULES[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no permission rule; register one in its app") from None
    return rule(user, action)


def scoped(
    user, queryset: models.QuerySet[M] | type[M], action: str = VIEW, *, distinct: bool = True
) -> models.QuerySet[M]:
    """The objects of a queryset the user may `action`.

    `distinct=False` leaves out the DISTINCT that a rule joining a many-valued relation needs; only for
    models whose rule joins none (Site's: the municipality, and the user's named sites as a subquery).
    """
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    qs = qs.filter(scope_q(user, qs.model, action))
    return qs.distinct() if distinct else qs


def get_object(user, queryset: models.QuerySet[M] | type[M], action: str = VIEW, **lookup) -> M:
    """Fetch one object for a view: 404 if the user can't see it, 403 if they can't `action` it."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    obj = _visible(user, qs, lookup)
    if action != VIEW:
        # Public objects are visible to everyone, but acting on one outside one's own area is
        # still "not here" (404); inside the area a role that may not act gets 403.
        if not _covered(user, action, obj):
            raise Http404
        if not allows(user, action):
            raise PermissionDenied
    return obj


def _visible(user, qs: models.QuerySet[M], lookup: dict) -> M:
    model = qs.model
    is_public = _PUBLIC.get(model)
    if is_public is not None and allows(user, VIEW):
        # Most objects looked at are public: fetch without the scope's DISTINCT and joins, and ask
        # the database about the scope only for an object that is not public.
        try:
            obj = qs.get(**lookup)
        except (model.DoesNotExist, ValueError, TypeError, OverflowError):  # an id too large for the database
            raise Http404 from None
        except model.MultipleObjectsReturned:
            pass  # a lookup that is unique only within the user's scope: let the scope decide
        else:
            if is_public(obj) or _covered(user, VIEW, obj):
                return obj
            raise Http404
    try:
        return scoped(user, qs, VIEW).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def can(user, action: str, obj: models.Model) -> bool:
    if not allows(user, action):
        return False
    return _covered(user, action, obj)


def _covered(user, action: str, obj: models.Model) -> bool:
    """Whether the model's rule for `action` covers a fetched object: in Python when it can tell, else a query."""
    model = type(obj)
    covers = _COVERS.get(model)
    answer = None if covers is None else covers(user, action, obj)
    if answer is None:
        answer = model._default_manager.filter(_RULES[model](user, action), pk=obj.pk).exists()
    return answer


def site_covers(user, site) -> bool | None:
    """`site_q()` of a fetched site, in Python and at most one small query (the user's named sites).

    Reads the site's municipality id and, for a county scope, its municipality's county id only when they
    were fetched (`select_related("municipality")`), and answers None otherwise: a deferred column or an
    unfetched municipality would cost a query of its own.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if "municipality_id" in site.get_deferred_fields():
        return None
    county_id = None
    if user.county_id and site.municipality_id != user.municipality_id:
        if not type(site).municipality.is_cached(site):
            return None
        county_id = site.municipality.county_id
    return _in_site_scope(
        user,
        municipality_id=site.municipality_id,
        county_id=county_id,
        named=lambda: rows.exists(User.sites.through, user=user.pk, site=site.pk),
    )


def require(user, action: str) -> None:
    """For views that touch no single object (lists, forms to create): 403 unless the role allows."""
    if not user.is_authenticated:
        raise PermissionDenied
    if not allows(user, action):
        raise PermissionDenied


# --- Rules, one per model. Keep them all here so the whole policy reads in one file. ---


def register_rules() -> None:
    """Called from AccountsConfig.ready(), once the models are loaded."""
    from kohtaamo.directory.models import OpeningException, OpeningRule, Organisation, Site

    def _site_covers(user, action: str, site) -> bool | None:
        if action == VIEW:
            if "is_public" in site.get_deferred_fields():
                return None
            if site.is_public:
                return True
        return site_covers(user, site)

    @register(Site, public=lambda site: site.is_public, covers=_site_covers)
    def _site(user, action: str) -> Q:
        if action == VIEW:
            return Q(is_public=True) | site_q(user)
        return site_q(user)

    @register(OpeningRule)
    @register(OpeningException)
    def _hours(user, action: str) -> Q:
        if action == VIEW:
            return Q(site__is_public=True) | site_q(user, "site__")
        return site_q(user, "site__")

    @register(Organisation)
    def _organisation(user, action: str) -> Q:
        # Organisations are public knowledge; a county's staff maintain the ones homed there.
        if action == VIEW:
            return Q()
        if user.is_superuser:
            return Q()
        return Q(county_id__in=county_ids(user))

    from kohtaamo.encounters.models import ApiToken, Encounter, Session, Term, Wish

    @register(Session)
    @register(Encounter)
    @register(Wish)
    def _encounter_data(user, action: str) -> Q:
        # Encounter-level data is for those who log at the site; viewers read aggregates only.
        if not allows(user, LOG):
            return NOTHING
        return site_q(user, "site__")

    @register(Term)
    def _term(user, action: str) -> Q:
        # Taxonomies are public vocabulary; a county's admins manage its own terms, superusers the national ones.
        if action == VIEW or user.is_superuser:
            return Q()
        return Q(county_id__in=county_ids(user))

    @register(ApiToken)
    def _api_token(user, action: str) -> Q:
        return Q(user_id=user.pk) if user.is_authenticated else NOTHING

    # --- Reports: areas read as wholes, and what the reports app keeps. ---
    from kohtaamo.directory.models import Municipality, WellbeingServicesCounty
    from kohtaamo.reports.models import Narrative, PublishedReport, SessionSeriesCost

    @register(Municipality)
    def _municipality(user, action: str) -> Q:
        # Areas are public reference data; a report on a whole municipality needs a county or
        # municipality scope over it (a role scoped to a few sites does not read the whole area).
        if action == VIEW or user.is_superuser:
            return Q()
        return area_q(user, county_field="county_id", municipality_field="pk")

    @register(WellbeingServicesCounty)
    def _county(user, action: str) -> Q:
        if action == VIEW or user.is_superuser:
            return Q()
        return Q(pk=user.county_id) if user.is_authenticated and user.county_id else NOTHING

    @register(Narrative)
    @register(PublishedReport)
    def _report(user, action: str) -> Q:
        if user.is_superuser:
            return Q()
        by_municipality = area_q(user, county_field="municipality__county_id", municipality_field="municipality_id")
        by_county = Q(county_id=user.county_id) if user.is_authenticated and user.county_id else NOTHING
        return by_municipality | by_county

    @register(SessionSeriesCost)
    def _cost(user, action: str) -> Q:
        return site_q(user, "site__")

    from kohtaamo.counsellors import permissions_rules as counsellor_rules

    counsellor_rules.register_rules()


def area_q(user, *, county_field: str, municipality_field: str) -> Q:
    """Rows within the user's county or municipality scope (not a sites-only scope)."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    q = NOTHING
    if user.county_id:
        q |= Q(**{county_field: user.county_id})
    if user.municipality_id:
        q |= Q(**{municipality_field: user.municipality_id})
    return q
