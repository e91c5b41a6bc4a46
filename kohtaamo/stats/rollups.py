"""Keep the rollups (models.SiteMonth, SiteWeek, AreaMonthCount) equal to a GROUP BY over the raw rows.

What needs recomputing is found four ways, because no single one catches everything cheaply:
- new encounters and wishes: every row above a watermark of ids, and any row whose id was missing
  just below it at the last refresh (Watermark.gaps: a transaction that committed after a later id's did);
- edits and deletions, new sessions and partner changes: signals (signals.py) mark the site's day
  in DirtyDay;
- a site that moves to another municipality or changes kind: signals mark the months of its sessions
  in both counties (DirtyArea), since the area counts hold no per-site rows to move;
- the visitor tally, changed with UPDATE ... F() and so invisible to signals: the months of the last
  `recent_days` days (today and yesterday by default) get their sessions and visitors recounted from
  the sessions alone on every refresh, which is cheap.
A marked (site, day) is recomputed by month: the site's SiteMonth and SiteWeek rows of that month
(from its sessions, encounters and wishes grouped by day), and the AreaMonthCount rows of the month of
the site's county, each dimension with one INSERT ... SELECT over the county's raw rows of that month.

`refresh()` runs from `manage.py refresh_stats` (a systemd timer every two minutes) and from
`ensure_fresh()` when the dashboard, the API or a report is read and the last refresh is older than
settings.STATS_FRESH_WITHIN (two minutes), so a new encounter shows soon even without the timer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from kohtaamo.directory.models import Site
from kohtaamo.encounters.models import Encounter, Session, Wish
from kohtaamo.lib.hours import HELSINKI, local
from kohtaamo.stats.models import (
    ALL,
    ALL_KINDS,
    ALL_PARTNERS,
    MEASURE_FIELDS,
    AreaMonthCount,
    Dimension,
    DirtyArea,
    DirtyDay,
    SiteMonth,
    SiteWeek,
    Watermark,
)
from kohtaamo.stats.sources import TERM_FIELDS

OVERLAP = 1000  # how far below the watermark missing ids are remembered: late commits of concurrent writers
# Bump when the way the rollups are computed changes without a migration: the benchmark rebuilds its kept rollups.
FORMAT = 1
BATCH = 5000
STALE_AFTER = dt.timedelta(seconds=60)  # ensure_fresh(): today's tally is at most this old
WATERMARKS = {"encounter": Encounter, "wish": Wish}

Days = tuple[dt.date, dt.date] | Collection[dt.date]  # a range, or some days
Tally = list[int]  # sessions, visitors, encounters, wishes (MEASURE_FIELDS)


@dataclass(frozen=True)
class RefreshResult:
    site_months: int  # (site, month) pairs whose SiteMonth and SiteWeek rows were recomputed
    area_months: int  # (county, month) pairs whose AreaMonthCount rows were recomputed


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def week_start(day: dt.date) -> dt.date:
    """The day's week part: its ISO week's Monday, or the first day of its month if that is later."""
    return max(day - dt.timedelta(days=day.weekday()), _month(day))


def _sessions_q(prefix: str, days: Days, site_ids: Collection[int] | None) -> Q:
    if isinstance(days, tuple):
        q = Q(**{f"{prefix}date__range": days})
    else:
        q = Q(**{f"{prefix}date__in": sorted(days)})
    if site_ids is not None:
        q &= Q(**{f"{prefix}site_id__in": sorted(site_ids)})
    return q


def _hours_q(path: str, days: Days) -> Q:
    """A redundant bound on an encounter's hour, so that PostgreSQL can use the (site, occurred_at) index.

    An encounter's hour is on its session's date (encounter_create refuses anything else); a day's slack
    either side keeps this exact whatever the time zone.
    """
    first, last = days if isinstance(days, tuple) else (min(days), max(days))
    return Q(**{f"{path}__gte": local(first - dt.timedelta(days=1), dt.time(0))}) & Q(
        **{f"{path}__lt": local(last + dt.timedelta(days=2), dt.time(0))}
    )


# --- Per site: SiteMonth and SiteWeek ---


def site_day_tallies(days: Days, site_ids: Collection[int] | None = None) -> dict[tuple[int, dt.date, int], Tally]:
    """(site, day, partner) -> sessions, visitors, encounters, wishes; for all sessions (partner 0) and per partner."""
    rows: dict[tuple[int, dt.date, int], Tally] = defaultdict(lambda: [0, 0, 0, 0])
    for by_partner in (False, True):
        sessions = Session.objects.filter(_sessions_q("", days, site_ids))
        group = ["site_id", "date"] + (["partners"] if by_partner else [])
        if by_partner:
            sessions = sessions.filter(partners__isnull=False)
        for *key, n, visitors in (
            sessions.values(*group).annotate(n=Count("id"), v=Sum("visitor_count")).values_list(*group, "n", "v")
        ):
            target = rows[(key[0], key[1], key[2] if by_partner else ALL_PARTNERS)]
            target[0], target[1] = n, visitors or 0
        for model, index in ((Encounter, 2), (Wish, 3)):
            items = model.objects.filter(_sessions_q("session__", days, site_ids))
            if model is Encounter:
                items = items.filter(_hours_q("occurred_at", days))
            group = ["session__site_id", "session__date"] + (["session__partners"] if by_partner else [])
            if by_partner:
                items = items.filter(session__partners__isnull=False)
            for *key, n in items.values(*group).annotate(n=Count("id")).values_list(*group, "n"):
                rows[(key[0], key[1], key[2] if by_partner else ALL_PARTNERS)][index] = n
    return rows


def _add(target: Tally, tally: Tally) -> None:
    for index, value in enumerate(tally):
        target[index] += value


def rebuild_sites(month: dt.date, site_ids: Collection[int] | None = None) -> int:
    """Replace the SiteMonth and SiteWeek rows of the month (at the sites, or everywhere); the SiteMonth rows made."""
    months: dict[tuple[int, int], Tally] = defaultdict(lambda: [0, 0, 0, 0])
    weeks: dict[tuple[int, dt.date], Tally] = defaultdict(lambda: [0, 0, 0, 0])
    for (site_id, day, partner), tally in site_day_tallies((month, _month_end(month)), site_ids).items():
        _add(months[(site_id, partner)], tally)
        if partner == ALL_PARTNERS:
            _add(weeks[(site_id, week_start(day))], tally)
    stale_months = SiteMonth.objects.filter(month=month)
    stale_weeks = SiteWeek.objects.filter(start__range=(month, _month_end(month)))
    if site_ids is not None:
        stale_months = stale_months.filter(site_id__in=sorted(site_ids))
        stale_weeks = stale_weeks.filter(site_id__in=sorted(site_ids))
    stale_months.delete()
    stale_weeks.delete()
    SiteMonth.objects.bulk_create(
        [
            SiteMonth(site_id=site_id, partner=partner, month=month, **dict(zip(MEASURE_FIELDS, tally, strict=True)))
            for (site_id, partner), tally in months.items()
        ],
        batch_size=BATCH,
    )
    SiteWeek.objects.bulk_create(
        [
            SiteWeek(site_id=site_id, start=start, **dict(zip(MEASURE_FIELDS, tally, strict=True)))
            for (site_id, start), tally in weeks.items()
        ],
        batch_size=BATCH,
    )
    return len(months)


def refresh_tallies(month: dt.date) -> int:
    """Recount sessions and visitors of the month's SiteMonth and SiteWeek rows from the sessions alone.

    What a visitor tally (UPDATE ... F(), no signal) can change. Encounters and wishes are left as they
    are: a new one is found by the watermark and its site's month recomputed whole before this runs, so
    a row missing here has none. Returns how many rows changed.
    """
    days = (month, _month_end(month))
    sessions = Session.objects.filter(date__range=days)
    per_month: dict[tuple[int, int], tuple[int, int]] = {}
    per_week: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    for site_id, day, n, visitors in (
        sessions.values("site_id", "date")
        .annotate(n=Count("id"), v=Sum("visitor_count"))
        .values_list("site_id", "date", "n", "v")
    ):
        week = per_week[(site_id, week_start(day))]
        week[0] += n
        week[1] += visitors or 0
        previous = per_month.get((site_id, ALL_PARTNERS), (0, 0))
        per_month[(site_id, ALL_PARTNERS)] = (previous[0] + n, previous[1] + (visitors or 0))
    for site_id, partner, n, visitors in (
        sessions.filter(partners__isnull=False)
        .values("site_id", "partners")
        .annotate(n=Count("id"), v=Sum("visitor_count"))
        .values_list("site_id", "partners", "n", "v")
    ):
        per_month[(site_id, partner)] = (n, visitors or 0)
    changed = _reconcile(SiteMonth.objects.filter(month=month), per_month, lambda row: (row.site_id, row.partner))
    wanted_weeks = {key: (n, v) for key, (n, v) in per_week.items()}
    changed += _reconcile(
        SiteWeek.objects.filter(start__range=days), wanted_weeks, lambda row: (row.site_id, row.start)
    )
    for (site_id, partner), (n, visitors) in per_month.items():
        SiteMonth.objects.create(site_id=site_id, partner=partner, month=month, sessions=n, visitors=visitors)
        changed += 1
    for (site_id, start), (n, visitors) in wanted_weeks.items():
        SiteWeek.objects.create(site_id=site_id, start=start, sessions=n, visitors=visitors)
        changed += 1
    return changed


def _reconcile(rows, wanted: dict, key_of) -> int:
    """Set sessions and visitors of existing rows to what is wanted (popping it); drop rows left empty."""
    changed, stale = [], []
    for row in rows:
        n, visitors = wanted.pop(key_of(row), (0, 0))
        if (row.sessions, row.visitors) == (n, visitors):
            continue
        row.sessions, row.visitors = n, visitors
        if not (n or visitors or row.encounters or row.wishes):
            stale.append(row.pk)
        else:
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["sessions", "visitors"], batch_size=BATCH)
    if stale:
        rows.model.objects.filter(pk__in=stale).delete()
    return len(changed) + len(stale)


# --- Per area: AreaMonthCount ---


def _count_querysets(days: tuple[dt.date, dt.date], county_ids: Collection[int] | None):
    """(dimension, queryset, session path, key path) for every multi-valued count."""

    def place(prefix: str) -> Q:
        q = Q(**{f"{prefix}date__range": days})
        if county_ids is not None:
            q &= Q(**{f"{prefix}site__municipality__county_id__in": sorted(county_ids)})
        return q

    for dimension, name in TERM_FIELDS.items():
        through = getattr(Encounter, name).through
        prefix = "encounter__session__"
        items = through.objects.filter(place(prefix), _hours_q("encounter__occurred_at", days))
        yield dimension, items, prefix, "term__code"
    through = Wish.themes.through
    prefix = "wish__session__"
    yield Dimension.WISH_THEME, through.objects.filter(place(prefix)), prefix, "term__code"
    coping = Encounter.objects.filter(place("session__"), _hours_q("occurred_at", days), coping__isnull=False)
    yield Dimension.COPING, coping, "session__", "coping"


def _execute(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def rebuild_areas(months: tuple[dt.date, dt.date], county_ids: Collection[int] | None = None) -> int:
    """Replace the AreaMonthCount rows of the months (first, last) in the counties, or everywhere.

    One INSERT ... SELECT per dimension, one pass over its raw rows: a CTE groups them by session and
    key (with the session's county, municipality, site kind and month), and every level is summed from
    that: municipalities, counties' kinds, counties, and counties' partners (through the sessions'
    partners, so a session with two partners counts for each, as the raw partner filter does).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # This transaction only: a month's per-session groups (some 150 000 at 10 million encounters)
            # fit in memory instead of spilling to disk under the default 4 MB.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        return _rebuild_areas(months, county_ids)


def _rebuild_areas(months: tuple[dt.date, dt.date], county_ids: Collection[int] | None) -> int:
    first, last = months
    stale = AreaMonthCount.objects.filter(month__range=(first, last))
    if county_ids is not None:
        stale = stale.filter(county__in=sorted(county_ids))
    stale.delete()
    q = connection.ops.quote_name
    table = q(AreaMonthCount._meta.db_table)
    partners = Session.partners.through
    session_partners = q(partners._meta.db_table)
    sp_session, sp_partner = (q(partners._meta.get_field(name).column) for name in ("session", "organisation"))
    columns = ", ".join(
        q(c) for c in ("county", "municipality", "kind", "partner", "month", "dimension", "key", "count")
    )
    inserted = 0
    for dimension, queryset, prefix, key_path in _count_querysets((first, _month_end(last)), county_ids):
        dim = str(dimension)
        assert dim in Dimension.values  # written into the SQL below: one of our own constants, never input
        site = f"{prefix}site__"
        per_session = queryset.values(
            a_session=F(f"{prefix}id"),
            a_county=F(f"{site}municipality__county_id"),
            a_muni=F(f"{site}municipality_id"),
            a_kind=F(f"{site}kind"),
            a_month=TruncMonth(f"{prefix}date"),
            a_key=F(key_path),
        ).annotate(n=Count("pk"))
        sql, params = per_session.order_by().query.sql_with_params()
        levels = [
            (f"a_muni, '{ALL_KINDS}', {ALL_PARTNERS}", "a_muni, ", ""),  # a municipality
            (f"{ALL}, a_kind, {ALL_PARTNERS}", "a_kind, ", ""),  # a county's sites of one kind
            (f"{ALL}, '{ALL_KINDS}', {ALL_PARTNERS}", "", ""),  # a county
            (  # a county's sessions with one partner
                f"{ALL}, '{ALL_KINDS}', sp.{sp_partner}",
                f"sp.{sp_partner}, ",
                f"JOIN {session_partners} sp ON sp.{sp_session} = s.a_session ",
            ),
        ]
        selects = " UNION ALL ".join(
            f"SELECT a_county, {places}, a_month, '{dim}', a_key, SUM(n) FROM s {join}"  # noqa: S608
            f"GROUP BY a_county, {group}a_month, a_key"
            for places, group, join in levels
        )
        inserted += _execute(f"WITH s AS ({sql}) INSERT INTO {table} ({columns}) {selects}", params)  # noqa: S608
    return inserted


@transaction.atomic
def rebuild_all() -> RefreshResult:
    """Throw the rollups away and compute them again, a month at a time; the watermarks move to the newest rows."""
    bounds = Session.objects.aggregate(first=Min("date"), last=Max("date"))
    marks = {name: model.objects.aggregate(m=Max("pk"))["m"] or 0 for name, model in WATERMARKS.items()}
    for model in (SiteMonth, SiteWeek, AreaMonthCount, DirtyDay, DirtyArea):
        model.objects.all().delete()
    months = 0
    if bounds["first"] is not None:
        month = _month(bounds["first"])
        while month <= bounds["last"]:
            rebuild_sites(month)
            rebuild_areas((month, month))
            month = _month(_month_end(month) + dt.timedelta(days=1))
            months += 1
    _move_watermarks(marks)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner, or it guesses wrong about a table it has just seen filled.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE stats_sitemonth, stats_siteweek, stats_areamonthcount")
    return RefreshResult(
        site_months=SiteMonth.objects.filter(partner=ALL_PARTNERS).count(),
        area_months=AreaMonthCount.objects.values("county", "month").distinct().count(),
    )


# --- Incremental refresh ---


def _gaps(model, last_id: int) -> list[int]:
    """The ids up to OVERLAP below last_id that no row has now: where a late commit may yet appear."""
    first = max(1, last_id - OVERLAP + 1)
    present = set(model.objects.filter(pk__gte=first, pk__lte=last_id).values_list("pk", flat=True))
    return [pk for pk in range(first, last_id + 1) if pk not in present]


def _move_watermarks(marks: dict[str, int]) -> None:
    now = timezone.now()
    for name, last_id in marks.items():
        gaps = _gaps(WATERMARKS[name], last_id)
        Watermark.objects.update_or_create(name=name, defaults={"last_id": last_id, "gaps": gaps, "refreshed_at": now})


def _newer(model, mark: Watermark | None):
    if mark is None:
        return model.objects.all()
    return model.objects.filter(Q(pk__gt=mark.last_id) | Q(pk__in=mark.gaps))


def _pending(marks: dict[str, Watermark]) -> tuple[set[tuple[int, dt.date]], list[int], dict[str, int]]:
    """The (site, day) pairs to recompute, the DirtyDay ids that asked for it, and the new watermarks."""
    pairs: set[tuple[int, dt.date]] = set()
    dirty = list(DirtyDay.objects.values_list("pk", "site_id", "day"))
    pairs |= {(site_id, day) for _pk, site_id, day in dirty}
    new_marks = {}
    for name, model in WATERMARKS.items():
        newer = _newer(model, marks.get(name))
        last_id = marks[name].last_id if name in marks else 0
        new_marks[name] = max(newer.aggregate(m=Max("pk"))["m"] or 0, last_id)
        pairs |= set(newer.values_list("session__site_id", "session__date").distinct())
    return pairs, [pk for pk, *_rest in dirty], new_marks


def refresh(*, recent_days: int = 2, now: dt.datetime | None = None) -> RefreshResult:
    """Bring the rollups up to date. Idempotent; concurrent calls wait for each other."""
    today = (now or timezone.now()).astimezone(HELSINKI).date()
    with transaction.atomic():
        # One refresher at a time: the row lock makes a second caller wait, then find little left to do.
        Watermark.objects.get_or_create(name="encounter")
        Watermark.objects.get_or_create(name="wish")
        locked = {mark.name: mark for mark in Watermark.objects.select_for_update().order_by("name")}
        if not any(mark.last_id for mark in locked.values()) and not SiteMonth.objects.exists():
            return rebuild_all()
        pairs, dirty_ids, marks = _pending(locked)
        areas = list(DirtyArea.objects.values_list("pk", "county_id", "month"))
        county_of = dict(
            Site.objects.filter(pk__in={site_id for site_id, _day in pairs}).values_list(
                "pk", "municipality__county_id"
            )
        )
        sites_by_month: dict[dt.date, set[int]] = defaultdict(set)
        counties_by_month: dict[dt.date, set[int]] = defaultdict(set)
        for site_id, day in pairs:
            sites_by_month[_month(day)].add(site_id)
            if site_id in county_of:  # a site that is gone has no rows left to recompute
                counties_by_month[_month(day)].add(county_of[site_id])
        for _pk, county_id, month in areas:
            counties_by_month[month].add(county_id)
        for month, site_ids in sites_by_month.items():
            rebuild_sites(month, site_ids)
        for month, county_ids in counties_by_month.items():
            rebuild_areas((month, month), county_ids)
        for month in sorted({_month(today - dt.timedelta(days=n)) for n in range(recent_days)}):
            refresh_tallies(month)  # the tally: every site, sessions and visitors only
        DirtyDay.objects.filter(pk__in=dirty_ids).delete()
        DirtyArea.objects.filter(pk__in=[pk for pk, *_rest in areas]).delete()
        _move_watermarks(marks)
    return RefreshResult(
        site_months=sum(len(s) for s in sites_by_month.values()),
        area_months=sum(len(c) for c in counties_by_month.values()),
    )


def is_stale(*, now: dt.datetime | None = None) -> bool:
    """Whether a refresh has something to do: new rows, marked days, or a tally older than STALE_AFTER."""
    marks = {mark.name: mark for mark in Watermark.objects.all()}
    return _stale(now or timezone.now(), marks)


def ensure_fresh(*, now: dt.datetime | None = None) -> None:
    """Called by the dashboard, the API and the reports before reading: figures at most STATS_FRESH_WITHIN old.

    While the timer refreshes every two minutes a read finds them fresh and reads at once; it never waits
    for a refresh in progress (which holds the watermark rows). Without the timer (the demo, a stopped
    timer) the first read after the window refreshes, so what was logged shows.
    """
    now = now or timezone.now()
    marks = {mark.name: mark for mark in Watermark.objects.all()}
    oldest = _oldest_refresh(marks)
    if oldest is not None and now - oldest < dt.timedelta(seconds=settings.STATS_FRESH_WITHIN):
        return
    if _stale(now, marks):
        refresh()


def _oldest_refresh(marks: dict[str, Watermark]) -> dt.datetime | None:
    """When the least recently refreshed watermark moved; None while one has never been refreshed."""
    moments = [marks[name].refreshed_at if name in marks else None for name in WATERMARKS]
    return None if None in moments else min(moments)


def _stale(now: dt.datetime, marks: dict[str, Watermark]) -> bool:
    oldest = _oldest_refresh(marks)
    if oldest is None or now - oldest > STALE_AFTER:
        return True
    if DirtyDay.objects.exists() or DirtyArea.objects.exists():
        return True
    return any(_newer(model, marks.get(name)).exists() for name, model in WATERMARKS.items())
