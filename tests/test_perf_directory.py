"""The site page's cost: a fixed number of queries, whatever the number of rules, partners and exceptions."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kohtaamo.directory.models import Site
from kohtaamo.lib import hours
from tests import factories as f

pytestmark = pytest.mark.django_db

# The site with select_related, then its rules, their partners, exceptions, organisations and languages.
ANONYMOUS_QUERIES = 6
# Plus the session and the user (auth middleware), the user's second-factor devices (django-otp's middleware)
# and one query for "may this user edit the site?".
LOGGED_IN_QUERIES = ANONYMOUS_QUERIES + 4


def _queries(client, site: Site) -> int:
    # A first request after login stamps the session's last activity (the idle timeout writes it at most
    # once a minute); the steady state is what is counted.
    client.get(f"/sites/{site.pk}/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/sites/{site.pk}/")
    assert response.status_code == 200
    return len(queries)


def _grow(site: Site, rules: int) -> None:
    today = hours.today()
    for n in range(rules):
        partners = [f.organisation(name=f"Kumppani {site.pk}-{n}-{k}") for k in range(3)]
        f.rule(site, weekdays=range(1, 8), starts=f"{8 + n:02}:00", ends=f"{8 + n:02}:30", partners=partners)
        f.exception(site, today + dt.timedelta(days=n + 1))
    site.organisations.add(*[f.organisation(name=f"Ylläpitäjä {n}") for n in range(rules)])


def test_the_site_page_query_count_does_not_grow_with_rules_partners_or_exceptions(client, tampere_site):
    _grow(tampere_site, 1)
    assert _queries(client, tampere_site) == ANONYMOUS_QUERIES
    _grow(tampere_site, 8)
    assert tampere_site.opening_rules.count() == 9
    assert _queries(client, tampere_site) == ANONYMOUS_QUERIES


def test_a_logged_in_coordinator_costs_four_queries_more_and_no_distinct_join(as_user, alice, tampere_site):
    _grow(tampere_site, 4)
    client = as_user(alice)
    client.get(f"/sites/{tampere_site.pk}/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/sites/{tampere_site.pk}/")
    assert response.context["can_edit"]
    assert len(queries) == LOGGED_IN_QUERIES
    assert not any("DISTINCT" in query["sql"] for query in queries.captured_queries)


def test_an_internal_site_costs_one_scope_query_more_for_its_own_staff(as_user, alice, bob, tampere_site):
    _grow(tampere_site, 2)
    Site.objects.filter(pk=tampere_site.pk).update(is_public=False)
    assert _queries(as_user(alice), tampere_site) == LOGGED_IN_QUERIES + 1
    # bob reaches the site through his named sites, which the scope reads in a subquery.
    assert as_user(bob).get(f"/sites/{tampere_site.pk}/").status_code == 200
