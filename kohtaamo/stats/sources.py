"""Where counts come from: the rollups (what the dashboard reads) or the raw rows (the truth they are tested against).

Both answer the same four questions for a StatsFilter with unsuppressed integers; queries.py turns
them into suppressed tables. An encounter (or a wish) counts on its session's date and at its session's site.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

from django.db.models import Count, Q, Sum

from kohtaamo.directory.models import Site
from kohtaamo.encounters.models import Encounter, Session, Wish
from kohtaamo.stats.models import ALL_PARTNERS, Dimension, SiteDay, SiteMonth, SiteMonthCount

if TYPE_CHECKING:
    from kohtaamo.stats.queries import StatsFilter

MEASURES = ("sessions", "visitors", "encounters", "wishes")

# The encounter's many-to-many field behind each multi-valued dimension.
TERM_FIELDS = {
    Dimension.TOPIC: "topics",
    Dimension.HELP_FORM: "help_forms",
    Dimension.REFERRAL: "referrals",
    Dimension.MORE_INFO: "more_info",
}


class Source(Protocol):
    def totals(self, filt: StatsFilter) -> dict[str, int]: ...
    def by_day(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]: ...
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


class Rollups:
    """Reads SiteMonth and SiteMonthCount (SiteDay only for weeks): a few thousand rows for a county's year.

    Every period is whole months (StatsFilter), so the monthly rows answer exactly what the daily ones would.
    """

    def _place(self, filt: StatsFilter) -> Q:
        if not (filt.county or filt.municipality or filt.kind):
            return site_q(filt, "site__")  # no join needed: site ids only
        # Sites first, then the rollup by site id: the planner reads the rollup's index by (partner, month).
        return Q(site_id__in=Site.objects.filter(site_q(filt, "")).values("pk"))

    def _days(self, filt: StatsFilter):
        return SiteDay.objects.filter(
            self._place(filt), day__range=(filt.date_from, filt.date_to), partner=filt.partner or ALL_PARTNERS
        )

    def _months(self, filt: StatsFilter):
        return SiteMonth.objects.filter(
            self._place(filt), month__range=(filt.date_from, filt.date_to), partner=filt.partner or ALL_PARTNERS
        )

    def totals(self, filt: StatsFilter) -> dict[str, int]:
        sums = self._months(filt).aggregate(**{measure: Sum(measure) for measure in MEASURES})
        return {measure: sums[measure] or 0 for measure in MEASURES}

    def by_day(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        rows = self._days(filt).values("day").annotate(n=Sum(measure)).values_list("day", "n")
        return dict(rows)

    def by_month(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        rows = self._months(filt).values("month").annotate(n=Sum(measure)).values_list("month", "n")
        return dict(rows)

    def by_site(self, filt: StatsFilter, measure: str) -> dict[int, int]:
        rows = self._months(filt).values("site_id").annotate(n=Sum(measure)).values_list("site_id", "n")
        return dict(rows)

    def all_counts(self, filt: StatsFilter) -> dict[str, dict[str, int]]:
        """Every dimension's counts in one query: what a whole page needs."""
        rows = (
            SiteMonthCount.objects.filter(
                self._place(filt),
                month__range=(filt.date_from, filt.date_to),
                partner=filt.partner or ALL_PARTNERS,
            )
            .values("dimension", "key")
            .annotate(n=Sum("count"))
            .values_list("dimension", "key", "n")
        )
        answer: dict[str, dict[str, int]] = {}
        for dimension, key, n in rows:
            answer.setdefault(dimension, {})[key] = n
        return answer

    def counts(self, filt: StatsFilter, dimension: str) -> dict[str, int]:
        rows = (
            SiteMonthCount.objects.filter(
                self._place(filt),
                month__range=(filt.date_from, filt.date_to),
                partner=filt.partner or ALL_PARTNERS,
                dimension=dimension,
            )
            .values("key")
            .annotate(n=Sum("count"))
            .values_list("key", "n")
        )
        return dict(rows)


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
    """The filter's sites: (pk, name, municipality id, code and name), names in the current language."""
    sites = Site.objects.filter(site_q(filt, "")).select_related("municipality")
    return [(s.pk, s.name, s.municipality_id, s.municipality.code, s.municipality.name) for s in sites]


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

    def totals(self, filt: StatsFilter) -> dict[str, int]:
        return self._ask("totals", filt)

    def by_day(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        return self._ask("by_day", filt, measure)

    def by_month(self, filt: StatsFilter, measure: str) -> dict[dt.date, int]:
        return self._ask("by_month", filt, measure)

    def by_site(self, filt: StatsFilter, measure: str) -> dict[int, int]:
        return self._ask("by_site", filt, measure)

    def counts(self, filt: StatsFilter, dimension: str) -> dict[str, int]:
        if hasattr(self.source, "all_counts"):  # the rollups: one query for every breakdown of the page
            return self._ask("all_counts", filt).get(dimension, {})
        return self._ask("counts", filt, dimension)

    def places(self, filt: StatsFilter) -> list[tuple[int, str, int, str, str]]:
        key = ("places", filt)
        if key not in self.answers:
            self.answers[key] = places(filt)
        return self.answers[key]


ROLLUPS = Rollups()
RAW = Raw()
DEFAULT: Source = ROLLUPS
