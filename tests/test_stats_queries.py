"""The query layer: key figures and breakdowns, suppressed, within the user's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kohtaamo.stats import sources
from kohtaamo.stats.queries import StatsFilter, breakdown, derived, key_figures, scoped_filter
from tests import factories as f
from tests import factories_stats as fs

MARCH = dt.date(2026, 3, 10)
QUARTER = StatsFilter(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31))


@pytest.fixture
def nokia_site(db):
    return f.site(name="Nokian olohuone", municipality=f.municipality(f.NOKIA))


def test_a_period_is_snapped_to_whole_months():
    filt = StatsFilter(date_from=dt.date(2026, 1, 15), date_to=dt.date(2026, 2, 3))
    assert (filt.date_from, filt.date_to) == (dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    assert filt.previous().date_from == dt.date(2025, 11, 1)
    assert filt.previous().date_to == dt.date(2025, 12, 31)


@pytest.mark.parametrize("source", [sources.RAW, sources.ROLLUPS], ids=["raw", "rollups"])
def test_key_figures_count_encounters_and_hide_small_ones(tampere_site, nokia_site, source):
    fs.encounters(tampere_site, MARCH, 23, topics=("housing", "benefits"))
    fs.encounters(nokia_site, MARCH, 2)
    if source is sources.ROLLUPS:
        from kohtaamo.stats.rollups import refresh

        refresh()
    figures = key_figures(QUARTER, source=source)
    assert figures["encounters"].value == 25
    assert figures["sessions"].suppressed and str(figures["sessions"]) == "<5"
    nokia = key_figures(StatsFilter(date_from=MARCH, date_to=MARCH, municipality=f.NOKIA), source=source)
    assert nokia["encounters"].suppressed and nokia["encounters"].value is None
    topics = {row.key: row.cell for row in breakdown(QUARTER, "topic", source=source).rows}
    assert topics["housing"].value == 25 and topics["benefits"].value == 25  # rounded 23
    assert topics["health"].value == 0


def test_ratios_are_hidden_when_a_figure_is(tampere_site):
    fs.encounters(tampere_site, MARCH, 12)
    figures = key_figures(QUARTER, source=sources.RAW)
    assert derived(figures)["encounters_per_session"] is None


def test_a_viewer_is_narrowed_to_her_county(vera, tampere_site, raisio_site):
    fs.encounters(raisio_site, MARCH, 40)
    filt = scoped_filter(vera, QUARTER)
    assert tampere_site.pk in filt.site_ids and raisio_site.pk not in filt.site_ids
    assert key_figures(filt, source=sources.RAW)["encounters"].value == 0


def test_a_coordinator_cannot_filter_to_another_county(carol, tampere_site):
    with pytest.raises(Http404):
        scoped_filter(carol, StatsFilter(date_from=MARCH, date_to=MARCH, county=f.PIRKANMAA))
    with pytest.raises(Http404):
        scoped_filter(carol, StatsFilter(date_from=MARCH, date_to=MARCH, site=tampere_site.pk))


def test_a_counsellor_reads_no_statistics(bob):
    with pytest.raises(PermissionDenied):
        scoped_filter(bob, QUARTER)


def test_the_sites_table_names_places_in_the_language_shown_falling_back_like_the_models(db):
    from django.utils import translation

    signed = f.site(name_fi="Nokian olohuone", name_sv="Nokia vardagsrum", municipality=f.municipality(f.NOKIA))
    plain = f.site(name_fi="Tampereen kohtaamo", name_sv="", municipality=f.municipality(f.TAMPERE))
    filt = StatsFilter(date_from=MARCH, date_to=MARCH, site_ids=frozenset({signed.pk, plain.pk}))
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            expected = {
                (site.pk, site.name, site.municipality_id, site.municipality.code, site.municipality.name)
                for site in (signed, plain)
            }
            assert set(sources.places(filt)) == expected, language
    with translation.override("sv"):
        assert {name for _pk, name, *_rest in sources.places(filt)} == {"Nokia vardagsrum", "Tampereen kohtaamo"}
