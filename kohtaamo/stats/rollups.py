"""Keep the rollups (models.SiteMonth, SiteWeek, SiteMonthCount, AreaMonthCount) equal to a GROUP BY over the raw rows.

What needs recomputing is found four ways, because no single one catches everything cheaply:
- new encounters and wishes: every row above a watermark of ids, and any row whose id was missing
  just below it at the last refresh (Watermark.gaps: a transaction that committed after a later id's did);
- edits and deletions, new sessions and partner changes: signals (signals.py) mark the site's day
  in DirtyDay;
- a site that moves to another municipality or changes kind: signals mark the months of its sessions
  in both counties (DirtyArea): the county rows are recomputed, the site's own rows stay as they are;
- the visitor tally, changed with UPDATE ... F() and so invisible to signals: the months of the last
  `recent_days` days (today and yesterday by default) get their sessions and visitors recounted from
  the sessions alone on every refresh, which is cheap.
A marked (site, day) is recomputed by month: the site's SiteMonth and SiteWeek rows of that month
(from its sessions, encounters and wishes grouped by day), its SiteMonthCount rows, and the
AreaMonthCount rows of the month of the site's county (rebuild_counts: the raw rows are read once per
dimension, for the site's sessions and the county's sessions with partners).

`refresh()` runs from `manage.py refresh_stats` (a systemd timer every two minutes) and from
`ensure_fresh()` when the dashboard, the API or a report is read and the last refresh is older than
settings.STATS_FRESH_WITHIN (two minutes), so a new encounter shows soon even without the timer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Count, DateField, Exists, F, Max, Min, OuterRef, Q, Sum, Value
from django.utils import timezone

from kohtaamo.directory.models import Site
from kohtaamo.encounters.models import Encounter, Session, Wish
from kohtaamo.lib.hours import HELSINKI, local
from kohtaamo.stats.models import (
    ALL_KINDS,
    ALL_PARTNERS,
    MEASURE_FIELDS,
    AreaMonthCount,
    Dimension,
    DirtyArea,
    DirtyDay,
    SiteMonth,
    SiteMonthCount,
    SiteWeek,
    Watermark,
)
from kohtaamo.stats.sources import TERM_FIELDS

OVERLAP = 1000  # how far below the watermark missing ids are remembered: late commits of concurrent writers
# Bump when the way the rollups are computed changes without a migration: the benchmark rebuilds its kept rollups.
FORMAT = 1
BATCH = 5000
BULK_SITES = 20  # a refresh of more sites' month than this reads it with merge and hash joins (_bulk_plan)
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


# --- Multi-valued counts: SiteMonthCount from the raw rows, AreaMonthCount mostly from SiteMonthCount ---


def id_ranges(month: dt.date) -> dict:
    """The lowest and highest id of the month's encounters and of its wishes (by their sessions' dates).

    Ids grow with time, so a month's rows are (nearly) one range of ids; bounding the term links by it
    lets the database read their index in order instead of probing it once per encounter. The bound is
    redundant (it never drops a row the other conditions keep), so rows logged out of order only make
    the range wider, never the counts wrong, and the month's range serves any of its sites.
    """
    ranges = {}
    for model in (Encounter, Wish):
        bounds = model.objects.filter(_sessions_q("session__", (month, _month_end(month)), None))
        bounds = bounds.aggregate(lo=Min("pk"), hi=Max("pk"))
        ranges[model] = None if bounds["lo"] is None else (bounds["lo"], bounds["hi"])
    return ranges


def _count_querysets(days: tuple[dt.date, dt.date], sessions: Callable[[str], Q], ranges: dict | None):
    """(dimension, queryset over the raw rows, path to the session, path to the key) for every multi-valued count.

    `sessions(prefix)` chooses the sessions (beyond their dates); `ranges`, from id_ranges(), bound the
    ids for reading many sites' month.
    """
    ranges = ranges or {Encounter: None, Wish: None}
    for dimension, name in TERM_FIELDS.items():
        through = getattr(Encounter, name).through
        prefix = "encounter__session__"
        items = through.objects.filter(_sessions_q(prefix, days, None), sessions(prefix))
        items = items.filter(_hours_q("encounter__occurred_at", days))
        if ranges[Encounter]:
            items = items.filter(encounter__pk__range=ranges[Encounter])  # the link's own column: no join
        yield dimension, items, prefix, "term__code"
    prefix = "wish__session__"
    themes = Wish.themes.through.objects.filter(_sessions_q(prefix, days, None), sessions(prefix))
    if ranges[Wish]:
        themes = themes.filter(wish__pk__range=ranges[Wish])
    yield Dimension.WISH_THEME, themes, prefix, "term__code"
    coping = Encounter.objects.filter(_sessions_q("session__", days, None), sessions("session__"))
    coping = coping.filter(_hours_q("occurred_at", days))
    if ranges[Encounter]:
        coping = coping.filter(pk__range=ranges[Encounter])
    yield Dimension.COPING, coping.filter(coping__isnull=False), "session__", "coping"


def _execute(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


@contextmanager
def _bulk_plan(large: bool):
    """Plans for reading a month of rows at once, on PostgreSQL inside the refresh's transaction.

    The planner underestimates how many rows a month's sessions, id range and hours leave together
    (the conditions are correlated) and would probe the term links once per encounter; for a month of
    many sites that is hundreds of thousands of probes, which merge and hash joins replace with reading
    the index in order. For a few sites probing is right, so only `large` work changes the plan.
    """
    if not large or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")  # a month's groups in memory, not spilled to disk
        cursor.execute("SET LOCAL jit = off")  # compiling each statement cost more (0.2 s) than it saved
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_nestloop; RESET work_mem; RESET jit")


def _insert(model, queryset) -> int:
    """INSERT INTO the model's table the rows of a values() queryset whose names are `a_` and a field's name."""
    q = connection.ops.quote_name
    sql, params = queryset.order_by().query.sql_with_params()
    names = [*queryset.query.values_select, *queryset.query.annotation_select]
    target = ", ".join(q(model._meta.get_field(name.removeprefix("a_")).column) for name in names)
    picked = ", ".join(q(name) for name in names)
    return _execute(f"INSERT INTO {q(model._meta.db_table)} ({target}) SELECT {picked} FROM ({sql}) src", params)  # noqa: S608


PER_SESSION = "stats_refresh_per_session"  # a temporary table: one dimension's counts per session and key


def rebuild_counts(
    month: dt.date,
    site_ids: Collection[int] | None = None,
    county_ids: Collection[int] | None = None,
    ranges: dict | None = None,
) -> int:
    """Replace the month's SiteMonthCount rows at the sites and its AreaMonthCount rows in the counties
    (None: everywhere). Returns the rows made.

    The raw rows are read once per dimension, grouped by session and key into a temporary table: the
    sessions at the sites, and those with partners at any site of the counties. The sites' rows are sums
    of their sessions; a county's rows per partner sum the sessions of each partner present (a session
    with two partners counts for each, as the raw partner filter does), since no per-site row tells
    partners apart; a county's rows and its kinds' rows are sums of its sites' fresh SiteMonthCount rows.
    """
    everywhere = site_ids is None and county_ids is None
    county_sites: list[int] = []
    if county_ids:
        county_sites = list(
            Site.objects.filter(municipality__county_id__in=sorted(county_ids)).values_list("pk", flat=True)
        )
    session_partners = Session.partners.through

    def sessions(prefix: str) -> Q:
        if everywhere:
            return Q()
        chosen = Q(**{f"{prefix}site_id__in": sorted(site_ids or ())})
        if county_sites:
            partnered = Exists(session_partners.objects.filter(session_id=OuterRef(f"{prefix}id")))
            chosen |= Q(**{f"{prefix}site_id__in": county_sites}) & Q(partnered)
        return chosen

    stale_sites = SiteMonthCount.objects.filter(month=month)
    stale_areas = AreaMonthCount.objects.filter(month=month)
    if not everywhere:
        stale_sites = stale_sites.filter(site_id__in=sorted(site_ids or ()))
        stale_areas = stale_areas.filter(county__in=sorted(county_ids or ()))
    stale_sites.delete()
    stale_areas.delete()
    q = connection.ops.quote_name
    sp = {name: q(session_partners._meta.get_field(name).column) for name in ("session", "organisation")}
    site_table, municipality_table = q(Site._meta.db_table), q(Site.municipality.field.related_model._meta.db_table)
    site_filter = (
        "" if site_ids is None else f"WHERE a_site IN ({', '.join(str(int(pk)) for pk in site_ids) or 'NULL'})"
    )
    county_filter = (
        ""
        if county_ids is None
        else f"AND m.{q('county_id')} IN ({', '.join(str(int(c)) for c in county_ids) or 'NULL'})"
    )
    inserted = 0
    for dimension, queryset, session, key in _count_querysets((month, _month_end(month)), sessions, ranges):
        per_session = queryset.values(a_session=F(f"{session}id"), a_site=F(f"{session}site_id"), a_key=F(key))
        sql, params = per_session.annotate(a_count=Count("pk")).order_by().query.sql_with_params()
        _execute(f"DROP TABLE IF EXISTS {PER_SESSION}", [])
        _execute(f"CREATE TEMPORARY TABLE {PER_SESSION} AS {sql}", params)  # noqa: S608 (our own SQL)
        constants = [month, str(dimension)]
        if site_ids is None or site_ids:
            inserted += _execute(
                f"INSERT INTO {q(SiteMonthCount._meta.db_table)} ({q('site_id')}, {q('month')}, {q('dimension')},"  # noqa: S608
                f" {q('key')}, {q('count')}) SELECT a_site, %s, %s, a_key, SUM(a_count) FROM {PER_SESSION}"
                f" {site_filter} GROUP BY a_site, a_key",
                constants,
            )
        if county_ids is None or county_ids:
            inserted += _execute(
                f"INSERT INTO {q(AreaMonthCount._meta.db_table)} ({q('county')}, {q('kind')}, {q('partner')},"  # noqa: S608
                f" {q('month')}, {q('dimension')}, {q('key')}, {q('count')})"
                f" SELECT m.{q('county_id')}, %s, p.{sp['organisation']}, %s, %s, a_key, SUM(a_count)"
                f" FROM {PER_SESSION} JOIN {q(session_partners._meta.db_table)} p ON p.{sp['session']} = a_session"
                f" JOIN {site_table} s ON s.{q('id')} = a_site"
                f" JOIN {municipality_table} m ON m.{q('id')} = s.{q('municipality_id')}"
                f" WHERE 1 = 1 {county_filter} GROUP BY m.{q('county_id')}, p.{sp['organisation']}, a_key",
                [ALL_KINDS, *constants],
            )
        _execute(f"DROP TABLE {PER_SESSION}", [])
    if county_ids is None or county_ids:
        site_rows = SiteMonthCount.objects.filter(month=month)
        if county_ids is not None:
            site_rows = site_rows.filter(site__municipality__county_id__in=sorted(county_ids))
        for kind in (F("site__kind"), Value(ALL_KINDS, output_field=CharField())):
            rows = site_rows.values(
                a_county=F("site__municipality__county_id"), a_kind=kind, a_dimension=F("dimension"), a_key=F("key")
            )
            rows = rows.annotate(
                a_month=Value(month, output_field=DateField()), a_partner=Value(ALL_PARTNERS), a_count=Sum("count")
            )
            inserted += _insert(AreaMonthCount, rows)
    return inserted


@transaction.atomic
def rebuild_all() -> RefreshResult:
    """Throw the rollups away and compute them again, a month at a time; the watermarks move to the newest rows."""
    bounds = Session.objects.aggregate(first=Min("date"), last=Max("date"))
    marks = {name: model.objects.aggregate(m=Max("pk"))["m"] or 0 for name, model in WATERMARKS.items()}
    for model in (SiteMonth, SiteWeek, SiteMonthCount, AreaMonthCount, DirtyDay, DirtyArea):
        model.objects.all().delete()
    if bounds["first"] is not None:
        month = _month(bounds["first"])
        while month <= bounds["last"]:
            ranges = id_ranges(month)
            with _bulk_plan(large=True):
                rebuild_sites(month)
                rebuild_counts(month, ranges=ranges)
            month = _month(_month_end(month) + dt.timedelta(days=1))
    _move_watermarks(marks)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner, or it guesses wrong about a table it has just seen filled.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE stats_sitemonth, stats_siteweek, stats_sitemonthcount, stats_areamonthcount")
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
        for month in sorted(sites_by_month.keys() | counties_by_month.keys()):
            # Many sites' month is read in order of ids with merge and hash joins; a few sites' by probing.
            site_ids = sites_by_month.get(month, set())
            large = len(site_ids) > BULK_SITES
            ranges = id_ranges(month) if large else None
            with _bulk_plan(large=large):
                if site_ids:
                    rebuild_sites(month, site_ids)
                rebuild_counts(month, site_ids, counties_by_month.get(month, set()), ranges)
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
