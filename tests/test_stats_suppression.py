"""Small-count suppression: primary, secondary (margins and groups), differencing, and every output scanned."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from kohtaamo.stats import suppression
from kohtaamo.stats.queries import GROUPS, StatsFilter
from kohtaamo.stats.suppression import Cell, cell, protect
from tests import factories as f
from tests import factories_stats as fs

SMALL = {1, 2, 3, 4}


def test_a_small_count_shows_as_below_the_threshold_never_its_number():
    assert str(cell(3)) == "<5" and cell(3).value is None
    assert str(cell(0)) == "0" and str(cell(5)) == "5"


def test_the_threshold_is_configurable(settings):
    settings.STATS_SUPPRESSION_THRESHOLD = 3
    settings.STATS_ROUNDING_BASE = 1
    assert str(cell(2)) == "<3" and str(cell(3)) == "3"


def test_shown_counts_are_rounded_to_five_and_never_to_zero(settings):
    settings.STATS_SUPPRESSION_THRESHOLD = 3
    assert [suppression.rounded(n) for n in (3, 7, 8, 12, 13)] == [5, 5, 10, 10, 15]


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it():
    cells, total = protect({"a": 2, "b": 40, "c": 9, "d": 0}, total=51, additive=True)
    assert cells["a"].suppressed and cells["c"].suppressed
    assert not cells["b"].suppressed and str(cells["d"]) == "0"
    assert total.value == 50  # 51 rounded; a + c = 11 can't be split back


def test_hidden_cells_must_hold_at_least_the_threshold_together():
    cells, _total = protect({"a": 1, "b": 1, "c": 30, "d": 6}, total=38, additive=True)
    assert {k for k, c in cells.items() if c.suppressed} == {"a", "b", "d"}


def test_when_nothing_else_can_be_hidden_the_total_is_hidden():
    cells, total = protect({"a": 3, "b": 0}, total=3, additive=True)
    assert cells["a"].suppressed and total.suppressed


def test_sites_are_protected_within_their_municipality_too():
    counts = {"t1": 2, "t2": 50, "t3": 30, "n1": 3, "n2": 60}
    groups = {"t1": "tampere", "t2": "tampere", "t3": "tampere", "n1": "nokia", "n2": "nokia"}
    cells, _total = protect(counts, total=145, additive=True, groups=groups)
    hidden = {k for k, c in cells.items() if c.suppressed}
    # Tampere's total minus its shown sites must not reveal t1: t3 goes with it; likewise n2 with n1.
    assert hidden == {"t1", "t3", "n1", "n2"}


def test_multi_valued_rows_are_not_protected_against_the_total():
    cells, total = protect({"housing": 2, "health": 40}, total=41, additive=False)
    assert cells["housing"].suppressed and not cells["health"].suppressed and not total.suppressed


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=12), st.sampled_from([3, 5]))
def test_no_hidden_cell_can_be_worked_out_from_the_total(counts, limit):
    from django.conf import settings as django_settings

    previous = django_settings.STATS_SUPPRESSION_THRESHOLD
    django_settings.STATS_SUPPRESSION_THRESHOLD = limit
    try:
        cells, total = protect(dict(enumerate(counts)), total=sum(counts), additive=True)
    finally:
        django_settings.STATS_SUPPRESSION_THRESHOLD = previous
    hidden = [k for k, c in cells.items() if c.suppressed]
    assert all(c.suppressed for k, c in cells.items() if 0 < counts[k] < limit)
    if hidden and not total.suppressed:
        # Total minus the shown rows is the hidden ones' sum: at least two cells and not itself small.
        assert len(hidden) >= 2 and sum(counts[k] for k in hidden) >= limit


def test_two_periods_that_differ_by_a_day_are_the_same_period():
    a = StatsFilter(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 30))
    b = StatsFilter(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 3, 31))
    assert a == b


def test_a_ratio_of_hidden_figures_is_hidden():
    assert suppression.ratio(Cell(None, True), Cell(10, False)) is None
    assert suppression.ratio(Cell(20, False), Cell(10, False)) == 2.0


# --- Every output this app owns, scanned for the numbers 1 to 4 ---

MARCH = dt.date(2026, 3, 10)
QUARTER = {"date_from": "2026-01", "date_to": "2026-03"}
API_QUARTER = {"from": "2026-01-01", "to": "2026-03-31"}


@pytest.fixture
def small_cells(db, tampere_site):
    """Cells of 1, 2, 3 and 4 in every dimension, beside a big site so that something is shown."""
    nokia = f.site(name="Nokian tupa", municipality=f.municipality(f.NOKIA))
    other = f.site(name="Tesoman tupa")
    fs.encounters(tampere_site, dt.date(2026, 1, 12), 1, topics=("health",), coping="better")
    fs.encounters(other, dt.date(2026, 2, 9), 2, topics=("forms",), referrals=("kela",))
    fs.encounters(nokia, MARCH, 3, topics=("benefits",), coping="much_better", referrals=("ngo",))
    fs.encounters(tampere_site, MARCH, 4, topics=("debt_money",), coping="same_or_less", hour=12)
    fs.encounters(f.site(name="Iso keskus"), MARCH, 31, topics=("housing",), coping="much_better")
    fs.wish(nokia, MARCH, themes=["safety"])


def _assert_no_small(values, where):
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    numbers += [int(v) for v in values if isinstance(v, str) and re.fullmatch(r"\d+", v.replace("\xa0", ""))]
    assert not SMALL & set(numbers), f"{where}: {sorted(SMALL & set(numbers))}"


@pytest.fixture(params=[1, 5], ids=["unrounded", "rounded"])
def rounding(request, settings):
    settings.STATS_ROUNDING_BASE = request.param


def test_no_count_from_1_to_4_appears_in_the_html(small_cells, rounding, as_user, alice):
    for trend in ("month", "week"):
        html = as_user(alice).get("/stats/", {**QUARTER, "trend": trend}).content.decode()
        shown = re.findall(r'class="num">([^<]*)<', html)
        shown += re.findall(r'class="stats-figure-value">([^<]*)<', html)
        shown += re.findall(r'class="stats-value[^"]*">([^<]*)<', html)
        assert "&lt;5" in shown and len(shown) > 40
        _assert_no_small([s.strip() for s in shown], f"HTML by {trend}")


def test_no_count_from_1_to_4_appears_in_json_csv_or_xlsx(small_cells, rounding, as_user, vera):
    client = as_user(vera)
    for group in GROUPS:
        body = client.get("/api/v1/stats/encounters", {**API_QUARTER, "group_by": group}).json()
        _assert_no_small([row["count"] for row in body["rows"]] + [body["total"]["count"]], f"JSON {group}")
        text = client.get("/api/v1/stats/encounters", {**API_QUARTER, "group_by": group, "format": "csv"})
        _assert_no_small([line[2] for line in csv.reader(io.StringIO(text.content.decode()))], f"CSV {group}")
        xlsx = client.get("/api/v1/stats/encounters", {**API_QUARTER, "group_by": group, "format": "xlsx"})
        book = load_workbook(io.BytesIO(xlsx.content))
        _assert_no_small(_xlsx_values(book), f"XLSX {group}")
    dashboard = load_workbook(io.BytesIO(client.get("/stats/dashboard.xlsx", QUARTER).content))
    _assert_no_small(_xlsx_values(dashboard), "dashboard XLSX")


def _xlsx_values(book) -> list:
    """Every cell but the first column, which holds keys (site ids may well be 1 to 4) and the headings."""
    return [value for sheet in book for row in sheet.iter_rows(values_only=True) for value in row[1:]]
