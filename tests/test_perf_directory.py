"""The site page's cost: a fixed number of queries, whatever the number of rules, partners and exceptions."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kohtaamo.directory.models import Site
from kohtaamo.lib import hours
from tests import factories as f

pytestmark = pytest.mark.django_db

# The site's row (four columns: who may see it and which version to show), nothing more: what the page shows of
# the site's row, municipality, county, rules, partners, exceptions, organisations and languages is rendered once
# and cached under the site's version (its updated_at).
ANONYMOUS_QUERIES = 1
# On a miss (a new version, day or language): the site again with its rules, their partners, exceptions,
# organisations and languages.
MISS_QUERIES = ANONYMOUS_QUERIES + 6
# Plus the session and the user (auth middleware) and the user's second-factor devices (SecondFactorMiddleware);
# "may this user edit the site?" is answered from the site's row, fetched with its municipality's county
# (permissions.site_covers). (The first request after a login also stamps the session's last activity, which the
# idle timeout writes at most once a minute: the tests warm up first.)
LOGGED_IN_QUERIES = ANONYMOUS_QUERIES + 3
# A site outside the county or municipality of the user's scope: one small query for the user's named sites.
OUTSIDE_THE_AREA_QUERIES = LOGGED_IN_QUERIES + 1


def _queries(client, site: Site) -> int:
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
    assert _queries(client, tampere_site) == MISS_QUERIES
    assert _queries(client, tampere_site) == ANONYMOUS_QUERIES
    _grow(tampere_site, 8)
    assert tampere_site.opening_rules.count() == 9
    assert _queries(client, tampere_site) == MISS_QUERIES
    assert _queries(client, tampere_site) == ANONYMOUS_QUERIES


def test_a_logged_in_coordinator_costs_three_queries_more_and_no_distinct_join(as_user, alice, tampere_site):
    _grow(tampere_site, 4)
    client = as_user(alice)
    client.get(f"/sites/{tampere_site.pk}/")  # the derived data cached
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/sites/{tampere_site.pk}/")
    assert response.context["can_edit"]
    assert len(queries) == LOGGED_IN_QUERIES
    assert not any("DISTINCT" in query["sql"] for query in queries.captured_queries)


def test_a_coordinator_from_another_county_costs_one_query_more_for_her_named_sites(as_user, carol, tampere_site):
    client = as_user(carol)
    _queries(client, tampere_site)  # the derived data cached, the session stamped
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/sites/{tampere_site.pk}/")
    assert not response.context["can_edit"]
    assert len(queries) == OUTSIDE_THE_AREA_QUERIES
    assert "accounts_user_sites" in queries.captured_queries[-1]["sql"]
    carol.sites.add(tampere_site)
    assert as_user(carol).get(f"/sites/{tampere_site.pk}/").context["can_edit"]


def test_an_internal_site_costs_its_own_staff_no_query_more(as_user, alice, bob, carol, tampere_site):
    _grow(tampere_site, 2)
    Site.objects.filter(pk=tampere_site.pk).update(is_public=False)
    client = as_user(alice)
    _queries(client, tampere_site)  # the derived data cached, the session stamped
    assert _queries(client, tampere_site) == LOGGED_IN_QUERIES
    # bob reaches the site through his named sites, which cost one small query.
    bobs = as_user(bob)
    _queries(bobs, tampere_site)
    assert _queries(bobs, tampere_site) == OUTSIDE_THE_AREA_QUERIES
    assert as_user(carol).get(f"/sites/{tampere_site.pk}/").status_code == 404


def _page(client, site: Site) -> str:
    return client.get(f"/sites/{site.pk}/").content.decode()


def _version(site: Site):
    return Site.objects.values_list("updated_at", flat=True).get(pk=site.pk)


def test_every_edit_of_what_the_page_derives_from_shows_at_once(client, tampere_site):
    """The cache key carries the version stored in the site's row, so another process sees an edit as soon."""
    rule = f.rule(tampere_site, weekdays=range(1, 8), starts="09:00", ends="11:00")
    assert "09:00–11:00" in _page(client, tampere_site)
    assert _queries(client, tampere_site) == ANONYMOUS_QUERIES

    def edited(change) -> None:
        before = _version(tampere_site)
        change()
        assert _version(tampere_site) > before  # in the database, where every process reads it

    def move_rule():
        rule.starts = dt.time(10, 0)
        rule.save()

    edited(move_rule)
    assert "10:00–11:00" in _page(client, tampere_site)
    partner = f.organisation(name="Kumppanuusyhdistys")
    edited(lambda: rule.partners.add(partner))
    assert "Kumppanuusyhdistys" in _page(client, tampere_site)

    def rename_partner():
        partner.name = "Uusi kumppani"
        partner.save()

    edited(rename_partner)
    assert "Uusi kumppani" in _page(client, tampere_site)
    edited(lambda: tampere_site.organisations.add(f.organisation(name="Ylläpitävä säätiö")))
    assert "Ylläpitävä säätiö" in _page(client, tampere_site)
    tomorrow = hours.today() + dt.timedelta(days=1)
    exception = f.exception(tampere_site, tomorrow, closed=False, starts="13:00", ends="14:15", note="")
    assert "13:00–14:15" in _page(client, tampere_site)
    edited(exception.delete)
    assert "13:00–14:15" not in _page(client, tampere_site)
    edited(lambda: tampere_site.opening_rules.all().delete())
    assert "10:00–11:00" not in _page(client, tampere_site)


def test_the_cached_day_gives_the_same_next_openings_and_open_now_at_every_moment_of_the_day(tampere_site):
    """The day's openings are formatted once; each request drops those ended by its moment."""
    from django.utils.formats import date_format
    from django.utils.timezone import template_localtime

    from kohtaamo.directory import views

    f.rule(tampere_site, weekdays=range(1, 8), starts="07:00", ends="09:00", description="aamu")
    f.rule(tampere_site, weekdays=range(1, 8), starts="12:00", ends="13:00")
    f.rule(tampere_site, weekdays=range(1, 8), starts="22:00", ends="00:00")
    site = Site.objects.select_related("municipality__county").get(pk=tampere_site.pk)
    schedule = Site.objects.with_hours().get(pk=site.pk).schedule
    today = hours.today()
    for hour, minute in [(0, 0), (6, 59), (7, 0), (8, 30), (9, 0), (12, 30), (18, 0), (22, 0), (23, 59)]:
        now = hours.local(today, dt.time(hour, minute))
        page = views._site_page(site, now)
        expected = [
            f"{date_format(template_localtime(o.start), 'D j.n.')} {views._span(o)}"
            for o in schedule.next_openings(now, 10)
        ]
        assert [when for when, _what in page["next_openings"]] == expected
        assert page["open_now"] == schedule.is_open_at(now)


def test_edits_from_the_organisations_side_show_at_once_too(client, tampere_site):
    runner = f.organisation(name="Ylläpitäjä ry")
    partner = f.organisation(name="Kumppani ry")
    rule = f.rule(tampere_site, weekdays=range(1, 8), partners=[partner])
    runner.sites.add(tampere_site)
    page = _page(client, tampere_site)
    assert "Ylläpitäjä ry" in page and "Kumppani ry" in page
    runner.sites.clear()
    assert "Ylläpitäjä ry" not in _page(client, tampere_site)
    partner.openingrule_set.clear()
    assert "Kumppani ry" not in _page(client, tampere_site)
    partner.openingrule_set.add(rule)
    assert "Kumppani ry" in _page(client, tampere_site)
    partner.delete()
    assert "Kumppani ry" not in _page(client, tampere_site)


def test_edits_of_the_sites_own_row_its_municipality_and_county_show_at_once(client, tampere_site):
    """The parts of the page that show the site's row are rendered once per version too."""
    assert "Hervanta L8" in _page(client, tampere_site)
    assert _queries(client, tampere_site) == ANONYMOUS_QUERIES

    def edited(change) -> None:
        before = _version(tampere_site)
        change()
        assert _version(tampere_site) > before

    def rename_site():
        site = Site.objects.get(pk=tampere_site.pk)
        site.name = "Hervannan olohuone"
        site.description = "Tervetuloa kahville."
        site.save()

    edited(rename_site)
    page = _page(client, tampere_site)
    assert "Hervannan olohuone" in page and "Tervetuloa kahville." in page and "Hervanta L8" not in page
    municipality = tampere_site.municipality

    def rename_municipality():
        municipality.name = "Tampereen kaupunki"
        municipality.save()

    edited(rename_municipality)
    assert "Tampereen kaupunki" in _page(client, tampere_site)
    county = municipality.county

    def rename_county():
        county.name = "Pirkanmaan hyvinvointialue (uusi nimi)"
        county.save()

    edited(rename_county)
    assert "Pirkanmaan hyvinvointialue (uusi nimi)" in _page(client, tampere_site)


def test_the_internal_mark_follows_the_site_s_visibility_even_without_a_new_version(as_user, alice, tampere_site):
    client = as_user(alice)
    assert "<strong>sisäinen</strong>" not in _page(client, tampere_site)
    # An update() leaves updated_at alone; visibility is read on every request and is part of the key.
    Site.objects.filter(pk=tampere_site.pk).update(is_public=False)
    assert "<strong>sisäinen</strong>" in _page(client, tampere_site)


def test_an_anonymous_visit_reads_the_sites_row_alone_without_joins(client, tampere_site):
    _page(client, tampere_site)  # the parts rendered and cached
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/sites/{tampere_site.pk}/")
    (query,) = queries.captured_queries
    assert "JOIN" not in query["sql"] and "description" not in query["sql"]
