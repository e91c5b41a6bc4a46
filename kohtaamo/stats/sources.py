"""Where counts come from: the rollups (what the dashboard reads) or the raw rows (the truth they are tested against).

Both answer the same four questions for a StatsFilter with unsuppressed integers; queries.py turns
them into suppressed tables. An encounter (or a wish) counts on its session's date and at its session's site.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.db.models import BooleanField, Case, Count, Q, Sum, Value, When
from django.utils.translation import get_language
from modeltranslation.utils import build_localized_fieldname, resolution_order

from kohtaamo.directory.models import Site
from kohtaamo.encounters import taxonomies
from kohtaamo.encounters.models import Encounter, Session, Wish
from kohtaamo.stats.models import (
    ALL_KINDS,
    ALL_PARTNERS,
    AreaMonthCount,
    Dimension,
    SiteMonth,
    SiteMonthCount,
    SiteWeek,
)

if TYPE_CHECKING:
    from kohtaamo.stats.queries import StatsFilter

MEASURES = ("sessions", "visitors", "encounters", "wishes")
EPOCH = dt.date(2000, 1, 1)

# The encounter's many-to-many field behind each multi-valued dimension.
TERM_FIELDS = {
    Dimension.TOPIC: "topics",
    Dimension.HELP_FORM: "help_forms",
    Dimension.REFERRAL: "referrals",
    Dimension.MORE_INFO: "more_info",
}


class Source(Protocol):
    def totals(self, filt: StatsFilter) -> dict[str, int]: ...
    def by_week(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]: ...
    def by_month(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]: ...
    def by_site(self, filt: StatsFilter, measure: str) -> dict[int, int]: ...
    def counts(self, filt: StatsFilter, dimension: str) -> dict[str, int]: ...


def site_q(filt: StatsFilter, prefix: str) -> Q:
    """The filter's geographic and kind choices, on a model `prefix` away from Site."""
    q = Q()
    if filt.county:
        q &= Q(**{f"{prefix}municipality__county__code": filt.county})
    if filt.municipality:
        q &= Q(**{f"{prefix}municipality__code": filt.municipality})
    if filt.site:
        q &= Q(**{f"{prefix}pk": filt.site})
    if filt.kind:
        q &= Q(**{f"{prefix}kind": filt.kind})
    if filt.site_ids is not None:
        q &= Q(**{f"{prefix}pk__in": sorted(filt.site_ids)})
    return q


def week_start(day: dt.date) -> dt.date:
    """The day's week part: its ISO week's Monday, or the first day of its month if that is later.

    Periods are whole months, so a period's weeks are exactly its months' week parts (SiteWeek.start).
    """
    return max(day - dt.timedelta(days=day.weekday()), day.replace(day=1))


MonthRow = tuple  # (site id, month, sessions, visitors, encounters, wishes): a SiteMonth row


def sum_totals(rows: list[MonthRow]) -> dict[str, int]:
    return {measure: sum(row[2 + index] for row in rows) for index, measure in enumerate(MEASURES)}


def sum_by(rows: list[MonthRow], measure: str, position: int) -> dict:
    """Sums of the measure by the rows' site (position 0) or month (1); keys with nothing left out."""
    index = 2 + MEASURES.index(measure)
    sums: dict = defaultdict(int)
    for row in rows:
        sums[row[position]] += row[index]
    return {key: n for key, n in sums.items() if n}


class Rollups:
    """Reads SiteMonth (totals, sites, months), SiteWeek (weeks), SiteMonthCount and AreaMonthCount (breakdowns).

    Every period is whole months (StatsFilter), so the monthly rows answer exactly what daily ones would.
    Breakdowns read the county rows for counties the filter covers whole, the site rows for the other
    sites, and the raw rows only where a partner is chosen for part of a county (`_plan`).
    """

    def _place(self, filt: StatsFilter) -> Q:
        if not (filt.county or filt.municipality or filt.kind):
            return site_q(filt, "site__")  # no join needed: site ids only
        # Sites first, then the rollup by site id: the planner reads the rollup's index by (partner, month).
        return Q(site_id__in=Site.objects.filter(site_q(filt, "")).values("pk"))

    def month_rows(self, filt: StatsFilter) -> list[MonthRow]:
        """The SiteMonth rows of the filter's sites, period and partner: one query for totals, sites and months."""
        rows = SiteMonth.objects.filter(
            self._place(filt), month__range=(filt.date_from, filt.date_to), partner=filt.partner or ALL_PARTNERS
        )
        return list(rows.values_list("site_id", "month", *MEASURES))

    def totals(self, filt: StatsFilter) -> dict[str, int]:
        return sum_totals(self.month_rows(filt))

    def by_week(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        if filt.partner:  # SiteWeek is for all sessions only: a partner's weeks come from its sessions
            return RAW.by_week(filt, measure)
        rows = SiteWeek.objects.filter(self._place(filt), start__range=(filt.date_from, filt.date_to))
        return dict(rows.values("start").annotate(n=Sum(measure)).values_list("start", "n"))

    def by_month(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        return sum_by(self.month_rows(filt), measure, 1)

    def by_site(self, filt: StatsFilter, measure: str) -> dict[int, int]:
        return sum_by(self.month_rows(filt), measure, 0)

    def _plan(self, filt: StatsFilter) -> tuple[Q | None, frozenset[int], frozenset[int]]:
        """Which AreaMonthCount rows hold whole counties of the filter, which sites to read from
        SiteMonthCount, and which from the raw rows.

        A county whose every site (of the chosen kind) is chosen reads the county rows, per kind or per
        partner when one is chosen. Other sites read their own rows, except with a partner: the site rows
        count all sessions, so a partner's sites outside whole counties, or a partner and a kind together,
        are counted from the raw rows. One query: the sites of the counties the filter touches, marked chosen.
        """
        chosen_q = site_q(filt, "")
        sites = Site.objects.all()
        if chosen_q:
            touched = Site.objects.filter(chosen_q).values("municipality__county_id")
            sites = sites.filter(municipality__county_id__in=touched).annotate(
                chosen=Case(When(chosen_q, then=Value(True)), default=Value(False), output_field=BooleanField())
            )
        else:
            sites = sites.annotate(chosen=Value(True, output_field=BooleanField()))
        every: dict[int, set[int]] = defaultdict(set)
        chosen: dict[int, set[int]] = defaultdict(set)
        for pk, county, kind, is_chosen in sites.values_list("pk", "municipality__county_id", "kind", "chosen"):
            if filt.kind and kind != filt.kind:
                continue
            every[county].add(pk)
            if is_chosen:
                chosen[county].add(pk)
        if filt.partner and filt.kind:
            return None, frozenset(), frozenset().union(*chosen.values())
        whole = sorted(county for county in chosen if chosen[county] == every[county])
        areas = None
        if whole:
            areas = Q(county__in=whole, kind=filt.kind or ALL_KINDS, partner=filt.partner or ALL_PARTNERS)
        left = frozenset(pk for county, pks in chosen.items() if county not in whole for pk in pks)
        if filt.partner:
            return areas, frozenset(), left
        return areas, left, frozenset()

    def _counts(self, filt: StatsFilter, dimensions: list[str] | None) -> dict[str, dict[str, int]]:
        answer: dict[str, dict[str, int]] = defaultdict(dict)
        areas, site_ids, raw_ids = self._plan(filt)
        period = (filt.date_from, filt.date_to)
        readings = []
        if areas is not None:
            readings.append(AreaMonthCount.objects.filter(areas, month__range=period))
        if site_ids:
            readings.append(SiteMonthCount.objects.filter(site_id__in=sorted(site_ids), month__range=period))
        for rows in readings:
            if dimensions is not None:
                rows = rows.filter(dimension__in=dimensions)
            for dimension, key, n in (
                rows.values("dimension", "key").annotate(n=Sum("count")).values_list("dimension", "key", "n")
            ):
                answer[dimension][key] = answer[dimension].get(key, 0) + n
        if raw_ids:
            rest = replace(filt, county=None, municipality=None, site=None, kind=None, site_ids=raw_ids)
            for dimension in dimensions or Dimension.values:
                for key, n in RAW.counts(rest, dimension).items():
                    answer[dimension][key] = answer[dimension].get(key, 0) + n
        return {dimension: counts for dimension, counts in answer.items() if counts}

    def all_counts(self, filt: StatsFilter) -> dict[str, dict[str, int]]:
        """Every dimension's counts for a whole page: one query per kind of rollup row, and the raw rows left."""
        return self._counts(filt, None)

    def counts(self, filt: StatsFilter, dimension: str) -> dict[str, int]:
        return self._counts(filt, [dimension]).get(dimension, {})


class Raw:
    """The same answers straight from sessions, encounters and wishes: slow, and the reference for the tests."""

    def _sessions(self, filt: StatsFilter, prefix: str = "") -> Q:
        q = site_q(filt, f"{prefix}site__") & Q(**{f"{prefix}date__range": (filt.date_from, filt.date_to)})
        if filt.partner:
            q &= Q(**{f"{prefix}partners__id": filt.partner})
        return q

    def _measure_rows(self, filt: StatsFilter, measure: str, group: str) -> dict:
        if measure in ("sessions", "visitors"):
            path = {"day": "date", "site": "site_id"}[group]
            qs = Session.objects.filter(self._sessions(filt)).values(path)
            qs = qs.annotate(n=Count("id") if measure == "sessions" else Sum("visitor_count"))
        else:
            path = {"day": "session__date", "site": "session__site_id"}[group]
            model = Encounter if measure == "encounters" else Wish
            qs = model.objects.filter(self._sessions(filt, "session__")).values(path).annotate(n=Count("id"))
        return {key: n for key, n in qs.values_list(path, "n") if n}

    def totals(self, filt: StatsFilter) -> dict[str, int]:
        sessions = Session.objects.filter(self._sessions(filt)).aggregate(s=Count("id"), v=Sum("visitor_count"))
        return {
            "sessions": sessions["s"] or 0,
            "visitors": sessions["v"] or 0,
            "encounters": Encounter.objects.filter(self._sessions(filt, "session__")).count(),
            "wishes": Wish.objects.filter(self._sessions(filt, "session__")).count(),
        }

    def by_day(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        return self._measure_rows(filt, measure, "day")

    def by_week(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        weeks: dict[dt.date, int] = {}
        for day, n in self.by_day(filt, measure).items():
            weeks[week_start(day)] = weeks.get(week_start(day), 0) + n
        return weeks

    def by_month(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        months: dict[dt.date, int] = {}
        for day, n in self.by_day(filt, measure).items():
            months[day.replace(day=1)] = months.get(day.replace(day=1), 0) + n
        return months

    def by_site(self, filt: StatsFilter, measure: str) -> dict[int, int]:
        return self._measure_rows(filt, measure, "site")

    def counts(self, filt: StatsFilter, dimension: str) -> dict[str, int]:
        if dimension == Dimension.COPING:
            qs = Encounter.objects.filter(self._sessions(filt, "session__"), coping__isnull=False)
            return dict(qs.values("coping").annotate(n=Count("id")).values_list("coping", "n"))
        if dimension == Dimension.WISH_THEME:
            through = Wish.themes.through
            qs = through.objects.filter(self._sessions(filt, "wish__session__"))
        else:
            through = getattr(Encounter, TERM_FIELDS[dimension]).through
            qs = through.objects.filter(self._sessions(filt, "encounter__session__"))
        return dict(qs.values("term__code").annotate(n=Count("id")).values_list("term__code", "n"))


def places(filt: StatsFilter) -> list[tuple[int, str, int, str, str]]:
    """The filter's sites: (pk, name, municipality id, code and name), names in the current language.

    Plain values, not model instances (a national page has hundreds of sites): each name is the first
    filled in of modeltranslation's order for the language, as `site.name` would give.
    """
    languages = resolution_order(get_language() or settings.LANGUAGE_CODE)
    names = [build_localized_fieldname("name", language) for language in languages]
    towns = [f"municipality__{name}" for name in names]
    rows = Site.objects.filter(site_q(filt, "")).order_by()
    answer = []
    for pk, town_id, code, *texts in rows.values_list("pk", "municipality_id", "municipality__code", *names, *towns):
        name = next((text for text in texts[: len(names)] if text), "")
        town = next((text for text in texts[len(names) :] if text), "")
        answer.append((pk, name, town_id, code, town))
    return answer


class Memo:
    """A source that answers each question once: the dashboard asks for the same totals in several tables."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.answers: dict[tuple, object] = {}

    def _ask(self, question: str, *args):
        key = (question, *args)
        if key not in self.answers:
            self.answers[key] = getattr(self.source, question)(*args)
        return self.answers[key]

    def _month_rows(self, filt: StatsFilter) -> list[MonthRow] | None:
        """The SiteMonth rows of the filter, from one read of its period and the one before (what changes()
        compares), or None for a source without them."""
        if not hasattr(self.source, "month_rows"):
            return None
        place = replace(filt, date_from=EPOCH, date_to=EPOCH)  # the filter without its period
        first, last, rows = self.answers.get(("month_rows", place), (None, None, None))
        if rows is None or not (first <= filt.date_from and filt.date_to <= last):
            wide = replace(filt, date_from=filt.previous().date_from)
            first, last, rows = wide.date_from, wide.date_to, self.source.month_rows(wide)
            self.answers[("month_rows", place)] = (first, last, rows)
        return [row for row in rows if filt.date_from <= row[1] <= filt.date_to]

    def totals(self, filt: StatsFilter) -> dict[str, int]:
        rows = self._month_rows(filt)
        return self._ask("totals", filt) if rows is None else sum_totals(rows)

    def by_week(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        return self._ask("by_week", filt, measure)

    def by_month(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        rows = self._month_rows(filt)
        return self._ask("by_month", filt, measure) if rows is None else sum_by(rows, measure, 1)

    def by_site(self, filt: StatsFilter, measure: str) -> dict[int, int]:
        rows = self._month_rows(filt)
        return self._ask("by_site", filt, measure) if rows is None else sum_by(rows, measure, 0)

    def counts(self, filt: StatsFilter, dimension: str) -> dict[str, int]:
        if hasattr(self.source, "all_counts"):  # the rollups: one query for every breakdown of the page
            return self._ask("all_counts", filt).get(dimension, {})
        return self._ask("counts", filt, dimension)

    def terms(self) -> list:
        """Every term (taxonomies.cached_terms), its version checked once per page."""
        if "terms" not in self.answers:
            self.answers["terms"] = taxonomies.cached_terms()
        return self.answers["terms"]

    def places(self, filt: StatsFilter) -> list[tuple[int, str, int, str, str]]:
        key = ("places", filt)
        if key not in self.answers:
            self.answers[key] = places(filt)
        return self.answers[key]


ROLLUPS = Rollups()
RAW = Raw()
DEFAULT: Source = ROLLUPS
