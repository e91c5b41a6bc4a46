"""The rollups equal a GROUP BY over the raw rows, whatever was inserted, edited and deleted before a refresh."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db.models import F
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kohtaamo.directory.models import Site
from kohtaamo.encounters.models import Encounter, Session, Term, TermKind, Wish
from kohtaamo.stats import rollups, sources
from kohtaamo.stats.models import AreaMonthCount, DirtyArea, DirtyDay, SiteMonth, SiteMonthCount, SiteWeek
from kohtaamo.stats.queries import StatsFilter
from tests import factories as f
from tests import factories_encounters as fe
from tests import factories_stats as fs

TODAY = fe.today()
DAYS = [TODAY, TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=31), TODAY - dt.timedelta(days=70)]
TOPICS = ["housing", "benefits", "health"]
REFERRALS = ["kela", "ngo"]
COPING = [None, "much_better", "better", "same_or_less", "not_applicable"]

insert = st.tuples(
    st.just("insert"),
    st.integers(0, 3),  # site
    st.sampled_from(DAYS),
    st.integers(1, 4),  # how many
    st.lists(st.sampled_from(TOPICS), min_size=1, max_size=2, unique=True),
    st.lists(st.sampled_from(REFERRALS), max_size=2, unique=True),
    st.sampled_from(COPING),
    st.integers(0, 2),  # which partners the session has: none, one, both
)
edit = st.tuples(st.just("edit"), st.integers(0, 10_000), st.sampled_from(COPING), st.sampled_from(TOPICS))
delete = st.tuples(st.just("delete"), st.integers(0, 10_000))
tally = st.tuples(st.just("tally"), st.integers(0, 10_000))
wish = st.tuples(st.just("wish"), st.integers(0, 3), st.sampled_from(DAYS), st.sampled_from(["safety", "food_aid"]))
partners_change = st.tuples(st.just("partners"), st.integers(0, 10_000), st.integers(0, 2))
# A site that moves to another municipality (and county) or changes kind takes its history along.
move = st.tuples(st.just("move"), st.integers(0, 3), st.sampled_from([f.TAMPERE, f.NOKIA, f.RAISIO]), st.booleans())
refresh = st.tuples(st.just("refresh"))
operations = st.lists(st.one_of(insert, edit, delete, tally, wish, partners_change, move, refresh), max_size=14)
KINDS = [Site.Kind.MEETING_PLACE, Site.Kind.DAY_CENTRE]


@pytest.fixture
def world(db):
    # Two sites of different kinds in Tampere, one in Nokia (all Pirkanmaa), one in Raisio (Varsinais-Suomi).
    places = [(f.TAMPERE, KINDS[0]), (f.TAMPERE, KINDS[1]), (f.NOKIA, KINDS[0]), (f.RAISIO, KINDS[1])]
    sites = [f.site(municipality=f.municipality(code), kind=kind) for code, kind in places]
    partners = [f.organisation(), f.organisation()]
    return sites, partners


def _nth(queryset, n):
    count = queryset.count()
    return queryset.order_by("pk")[n % count] if count else None


def _apply(operation, sites, partners) -> None:
    kind, *args = operation
    if kind == "insert":
        site, day, count, topics, referrals, coping, partner_choice = args
        chosen = [[], partners[:1], partners][partner_choice]
        fs.encounters(sites[site], day, count, topics=topics, referrals=referrals, coping=coping, partners=chosen)
    elif kind == "edit" and (encounter := _nth(Encounter.objects.all(), args[0])):
        encounter.coping = args[1]
        encounter.save()
        encounter.topics.set(Term.objects.filter(kind=TermKind.TOPIC, code=args[2]))
    elif kind == "delete" and (encounter := _nth(Encounter.objects.all(), args[0])):
        encounter.delete()
    elif kind == "tally" and (session := _nth(Session.objects.all(), args[0])):
        # As sessions.tally_change does it: an UPDATE with F(), then the counsellor marked present.
        Session.objects.filter(pk=session.pk).update(visitor_count=F("visitor_count") + 1)
        session.staff_present.add(f.user())
    elif kind == "wish":
        fs.wish(sites[args[0]], args[1], themes=[args[2]])
    elif kind == "partners" and (session := _nth(Session.objects.all(), args[0])):
        session.partners.set([[], partners[:1], partners][args[1]])
    elif kind == "move":
        site = Site.objects.get(pk=sites[args[0]].pk)
        site.municipality = f.municipality(args[1])
        site.kind = KINDS[int(args[2])]
        site.save()
    elif kind == "refresh":
        rollups.refresh()


def _filters(sites, partners):
    months = sorted({day.replace(day=1) for day in DAYS})
    periods = [(months[0], DAYS[0]), (months[-1], months[-1])]
    tampere = f.municipality(f.TAMPERE)
    places = [
        {},
        {"site": sites[0].pk},
        {"municipality": f.NOKIA},
        {"county": tampere.county.code},
        {"kind": KINDS[1]},
        {"municipality": f.TAMPERE, "kind": KINDS[0]},
        {"site_ids": frozenset({sites[0].pk, sites[2].pk})},  # a scope of named sites: part of a municipality
        {"site_ids": frozenset({sites[0].pk, sites[1].pk, sites[3].pk}), "county": tampere.county.code},
    ]
    for (start, end), place, partner in itertools.product(periods, places, [None, partners[0].pk]):
        yield StatsFilter(date_from=start, date_to=end, partner=partner, **place)


def _answers(source, filt):
    return (
        source.totals(filt),
        {measure: source.by_week(filt, measure) for measure in sources.MEASURES},
        {measure: source.by_month(filt, measure) for measure in sources.MEASURES},
        {measure: source.by_site(filt, measure) for measure in sources.MEASURES},
        {dimension: source.counts(filt, dimension) for dimension in ("topic", "referral", "coping", "wish_theme")},
    )


def _clean(answers):
    """Zero rows and missing rows mean the same."""
    totals, by_week, by_month, by_site, counts = answers
    drop = lambda d: {k: v for k, v in d.items() if v}  # noqa: E731
    grouped = [{m: drop(d) for m, d in answer.items()} for answer in (by_week, by_month, by_site)]
    return totals, *grouped, counts


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=operations)
def test_rollups_equal_a_group_by_over_the_raw_rows_after_random_changes(world, operations):
    sites, partners = world
    for model in (Encounter, Wish, Session, SiteMonth, SiteWeek, SiteMonthCount, AreaMonthCount, DirtyDay, DirtyArea):
        model.objects.all().delete()
    rollups.refresh()
    for operation in operations:
        _apply(operation, sites, partners)
    rollups.refresh()
    for filt in _filters(sites, partners):
        assert _clean(_answers(sources.ROLLUPS, filt)) == _clean(_answers(sources.RAW, filt)), filt
        every = sources.ROLLUPS.all_counts(filt)  # the dashboard's one query for all breakdowns
        assert {d: sources.RAW.counts(filt, d) for d in every} == every, filt


def test_a_refresh_with_nothing_new_changes_nothing_and_clears_the_marks(world):
    sites, _partners = world
    fs.encounters(sites[0], DAYS[2], 6)
    rollups.refresh()
    before = list(SiteMonth.objects.values_list("site_id", "month", "partner", "encounters").order_by("pk"))
    Encounter.objects.first().delete()
    assert DirtyDay.objects.count() == 1
    rollups.refresh()
    assert not DirtyDay.objects.exists()
    assert SiteMonth.objects.get(site=sites[0], month=DAYS[2].replace(day=1), partner=0).encounters == 5
    assert SiteWeek.objects.get(site=sites[0], start=sources.week_start(DAYS[2])).encounters == 5
    rollups.refresh()
    assert len(before) == SiteMonth.objects.count()


def test_ensure_fresh_shows_a_new_encounter_without_the_timer(world, settings):  # noqa: F811 (pytest-django's)
    """Within STATS_FRESH_WITHIN of a refresh a read does not refresh (nor wait for one); after it, it does."""
    sites, _partners = world
    settings.STATS_FRESH_WITHIN = 120
    rollups.refresh()
    fs.encounters(sites[0], TODAY, 7)
    assert rollups.is_stale()
    rollups.ensure_fresh(now=timezone.now() + dt.timedelta(seconds=60))
    assert rollups.is_stale()
    assert not SiteMonth.objects.filter(site=sites[0], month=TODAY.replace(day=1), partner=0, encounters=7).exists()
    rollups.ensure_fresh(now=timezone.now() + dt.timedelta(seconds=121))
    assert not rollups.is_stale()
    assert SiteMonth.objects.get(site=sites[0], month=TODAY.replace(day=1), partner=0).encounters == 7


def test_adding_a_partner_from_the_organisations_side_marks_the_sessions_day(world):
    sites, partners = world
    fs.encounters(sites[0], DAYS[2], 6)
    rollups.refresh()
    session = Session.objects.get()
    partners[0].sessions.add(session)
    assert DirtyDay.objects.filter(site_id=sites[0].pk, day=DAYS[2]).exists()
    rollups.refresh()
    assert SiteMonth.objects.get(site=sites[0], month=DAYS[2].replace(day=1), partner=partners[0].pk).encounters == 6


def test_a_site_that_moves_takes_its_matters_to_its_new_county(world):
    sites, _partners = world
    fs.encounters(sites[0], DAYS[2], 6, topics=["housing"])
    rollups.refresh()
    site = Site.objects.get(pk=sites[0].pk)
    site.municipality = f.municipality(f.RAISIO)
    site.save()
    assert DirtyArea.objects.count() == 2  # the county it left and the one it joined, for the one month
    rollups.refresh()
    raisio = f.municipality(f.RAISIO)
    filt = StatsFilter(date_from=DAYS[2], date_to=DAYS[2], county=raisio.county.code)
    assert sources.ROLLUPS.counts(filt, "topic") == {"housing": 6}
    tampere = StatsFilter(date_from=DAYS[2], date_to=DAYS[2], municipality=f.TAMPERE)
    assert sources.ROLLUPS.counts(tampere, "topic") == {}


def test_the_matters_are_kept_per_site_and_per_county(world):
    sites, partners = world
    for site in sites:
        fs.encounters(site, DAYS[2], 2, topics=["housing"], partners=partners[:1])
    rollups.refresh()
    per_site = set(SiteMonthCount.objects.filter(dimension="topic").values_list("site_id", "key", "count"))
    assert per_site == {(site.pk, "housing", 2) for site in sites}
    rows = set(AreaMonthCount.objects.filter(dimension="topic").values_list("county", "kind", "partner", "count"))
    expected = set()
    for county in {site.municipality.county_id for site in sites}:
        here = [site for site in sites if site.municipality.county_id == county]
        expected |= {(county, "", 0, 2 * len(here)), (county, "", partners[0].pk, 2 * len(here))}
        expected |= {(county, k, 0, 2 * sum(s.kind == k for s in here)) for k in {s.kind for s in here}}
    # Per county, per county and kind, per county and partner; no per-municipality rows (the sites' rows add up).
    assert rows == expected


def test_a_refresh_looks_again_only_at_ids_missing_below_the_watermark(world):
    sites, _partners = world
    made = fs.encounters(sites[0], DAYS[2], 3)
    rollups.refresh()
    # Nothing new: nothing is recomputed (the overlap below the watermark is not read again row by row).
    assert rollups.refresh().area_months == 0
    # A concurrent writer's row that commits late, with an id below the watermark: found through the gap.
    late = made[1]
    Encounter.objects.filter(pk=late.pk).delete()
    rollups.refresh()
    assert late.pk in rollups.Watermark.objects.get(name="encounter").gaps
    fs.encounters(sites[1], DAYS[2], 1)  # a later id, so the watermark moves past the gap
    rollups.refresh()
    Encounter.objects.bulk_create(
        [
            Encounter(
                pk=late.pk,
                client_uuid=late.client_uuid,
                session=late.session,
                site=late.site,
                occurred_at=late.occurred_at,
            )
        ]
    )
    assert rollups.is_stale()
    rollups.refresh()
    filt = StatsFilter(date_from=DAYS[2], date_to=DAYS[2])
    assert sources.ROLLUPS.totals(filt)["encounters"] == 4
