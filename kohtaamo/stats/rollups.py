"""Keep the rollups (models.SiteDay, models.SiteMonthCount) equal to a GROUP BY over the raw rows.

What needs recomputing is found three ways, because no single one catches everything cheaply:
- new encounters and wishes: every row above a watermark of ids (a small overlap below it catches
  rows whose transaction committed after a later id's did);
- edits and deletions, new sessions and partner changes: signals (signals.py) mark the site's day
  in DirtyDay;
- the visitor tally, changed with UPDATE ... F() and so invisible to signals: the last
  `recent_days` days (today and yesterday by default) get their SiteDay rows recomputed on every
  refresh, which is cheap.
A marked (site, day) is recomputed whole: its SiteDay rows, then the SiteMonth and SiteMonthCount rows of
its month, both with INSERT ... SELECT (SiteMonth sums SiteDay; SiteMonthCount groups the raw rows).

`refresh()` runs from `manage.py refresh_stats` (a systemd timer every two minutes) and from
`ensure_fresh()` when the dashboard or the API is read, so a new encounter shows at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from kohtaamo.encounters.models import Encounter, Session, Wish
from kohtaamo.lib.hours import HELSINKI, local
from kohtaamo.stats.models import ALL_PARTNERS, Dimension, DirtyDay, SiteDay, SiteMonth, SiteMonthCount, Watermark
from kohtaamo.stats.sources import TERM_FIELDS

OVERLAP = 1000  # ids below the watermark looked at again: late commits of concurrent writers
BATCH = 5000
STALE_AFTER = dt.timedelta(seconds=60)  # ensure_fresh(): today's tally is at most this old
WATERMARKS = {"encounter": Encounter, "wish": Wish}

Days = tuple[dt.date, dt.date] | Collection[dt.date]  # a range, or some days


@dataclass(frozen=True)
class RefreshResult:
    site_days: int  # (site, day) pairs recomputed
    months: int  # (site, month) pairs whose multi-valued counts were recomputed


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


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


# --- Recomputing from the raw rows ---


def site_day_rows(days: Days, site_ids: Collection[int] | None = None) -> list[SiteDay]:
    """SiteDay rows, all sessions and per partner, computed from the raw rows of those days."""
    rows: dict[tuple[int, dt.date, int], SiteDay] = {}

    def row(site_id: int, day: dt.date, partner: int) -> SiteDay:
        key = (site_id, day, partner)
        if key not in rows:
            rows[key] = SiteDay(site_id=site_id, day=day, partner=partner)
        return rows[key]

    for by_partner in (False, True):
        sessions = Session.objects.filter(_sessions_q("", days, site_ids))
        group = ["site_id", "date"] + (["partners"] if by_partner else [])
        if by_partner:
            sessions = sessions.filter(partners__isnull=False)
        for *key, n, visitors in (
            sessions.values(*group).annotate(n=Count("id"), v=Sum("visitor_count")).values_list(*group, "n", "v")
        ):
            target = row(key[0], key[1], key[2] if by_partner else ALL_PARTNERS)
            target.sessions, target.visitors = n, visitors or 0
        for model, attribute in ((Encounter, "encounters"), (Wish, "wishes")):
            items = model.objects.filter(_sessions_q("session__", days, site_ids))
            if model is Encounter:
                items = items.filter(_hours_q("occurred_at", days))
            group = ["session__site_id", "session__date"] + (["session__partners"] if by_partner else [])
            if by_partner:
                items = items.filter(session__partners__isnull=False)
            for *key, n in items.values(*group).annotate(n=Count("id")).values_list(*group, "n"):
                setattr(row(key[0], key[1], key[2] if by_partner else ALL_PARTNERS), attribute, n)
    return list(rows.values())


def _count_querysets(days: tuple[dt.date, dt.date], site_ids: Collection[int] | None):
    """(dimension, queryset, site path, partner path, key path) for every multi-valued count."""
    for dimension, name in TERM_FIELDS.items():
        through = getattr(Encounter, name).through
        prefix = "encounter__session__"
        items = through.objects.filter(_sessions_q(prefix, days, site_ids), _hours_q("encounter__occurred_at", days))
        yield dimension, items, prefix, "term__code"
    through = Wish.themes.through
    prefix = "wish__session__"
    yield Dimension.WISH_THEME, through.objects.filter(_sessions_q(prefix, days, site_ids)), prefix, "term__code"
    coping = Encounter.objects.filter(
        _sessions_q("session__", days, site_ids), _hours_q("occurred_at", days), coping__isnull=False
    )
    yield Dimension.COPING, coping, "session__", "coping"


def _insert_select(table: str, columns: list[str], queryset, constants: dict[str, object]) -> int:
    """INSERT INTO table SELECT ...: the queryset's selected columns (in order), then the constants.

    Set-based, so that a month of counts is never loaded into Python and written back row by row.
    """
    sql, params = queryset.order_by().query.sql_with_params()
    names = ", ".join(columns + list(constants))
    marks = ", ".join(["%s"] * len(constants))
    # Names are our own models' tables and columns; every value is a parameter.
    statement = f"INSERT INTO {table} ({names}) SELECT q.*{', ' if constants else ''}{marks} FROM ({sql}) q"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, [*constants.values(), *params])
        return max(cursor.rowcount, 0)


def _db_date(day: dt.date):
    return connection.ops.adapt_datefield_value(day)


def _grouped_counts(queryset, prefix: str, key_path: str, by_partner: bool):
    """Selects site, key, (partner,) count."""
    group = [f"{prefix}site_id", key_path] + ([f"{prefix}partners"] if by_partner else [])
    subset = queryset.filter(**{f"{prefix}partners__isnull": False}) if by_partner else queryset
    return subset.values(*group).annotate(n=Count("pk"))


def rebuild_days(days: Days, site_ids: Collection[int] | None = None) -> int:
    """Replace the SiteDay rows of the days (at the sites, or everywhere)."""
    fresh = site_day_rows(days, site_ids)
    stale = SiteDay.objects.filter(day__range=days) if isinstance(days, tuple) else SiteDay.objects.filter(day__in=days)
    if site_ids is not None:
        stale = stale.filter(site_id__in=site_ids)
    stale.delete()
    SiteDay.objects.bulk_create(fresh, batch_size=BATCH)
    return len(fresh)


def rebuild_site_months(month: dt.date, site_ids: Collection[int] | None = None) -> int:
    """Replace the SiteMonth rows of the month (at the sites, or everywhere) by summing its SiteDay rows."""
    stale = SiteMonth.objects.filter(month=month)
    days = SiteDay.objects.filter(day__range=(month, _month_end(month)))
    if site_ids is not None:
        stale = stale.filter(site_id__in=sorted(site_ids))
        days = days.filter(site_id__in=sorted(site_ids))
    stale.delete()
    sums = days.values("site_id", "partner").annotate(
        s=Sum("sessions"), v=Sum("visitors"), e=Sum("encounters"), w=Sum("wishes")
    )
    columns = ["site_id", "partner", "sessions", "visitors", "encounters", "wishes"]
    return _insert_select(SiteMonth._meta.db_table, columns, sums, {"month": _db_date(month)})


def rebuild_month(month: dt.date, site_ids: Collection[int] | None = None) -> int:
    """Replace the SiteMonthCount rows of the month (at the sites, or everywhere), with INSERT ... SELECT."""
    stale = SiteMonthCount.objects.filter(month=month)
    if site_ids is not None:
        stale = stale.filter(site_id__in=sorted(site_ids))
    stale.delete()
    table, inserted = SiteMonthCount._meta.db_table, 0
    for dimension, queryset, prefix, key_path in _count_querysets((month, _month_end(month)), site_ids):
        constants = {"month": _db_date(month), "dimension": str(dimension)}
        for by_partner in (False, True):
            grouped = _grouped_counts(queryset, prefix, key_path, by_partner)
            if by_partner:
                inserted += _insert_select(table, ["site_id", "key", "partner", "count"], grouped, constants)
            else:
                columns = ["site_id", "key", "count"]
                inserted += _insert_select(table, columns, grouped, {**constants, "partner": ALL_PARTNERS})
    return inserted


@transaction.atomic
def rebuild_all() -> RefreshResult:
    """Throw the rollups away and compute them again, a month at a time; the watermarks move to the newest rows."""
    bounds = Session.objects.aggregate(first=Min("date"), last=Max("date"))
    marks = {name: model.objects.aggregate(m=Max("pk"))["m"] or 0 for name, model in WATERMARKS.items()}
    SiteDay.objects.all().delete()
    SiteMonth.objects.all().delete()
    SiteMonthCount.objects.all().delete()
    DirtyDay.objects.all().delete()
    months = 0
    if bounds["first"] is not None:
        month = _month(bounds["first"])
        while month <= bounds["last"]:
            rebuild_days((month, _month_end(month)))
            rebuild_site_months(month)
            rebuild_month(month)
            month = _month(_month_end(month) + dt.timedelta(days=1))
            months += 1
    _move_watermarks(marks)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner, or it guesses wrong about a table it has just seen filled.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE stats_siteday, stats_sitemonth, stats_sitemonthcount")
    return RefreshResult(site_days=SiteDay.objects.filter(partner=ALL_PARTNERS).count(), months=months)


# --- Incremental refresh ---


def _move_watermarks(marks: dict[str, int]) -> None:
    now = timezone.now()
    for name, last_id in marks.items():
        Watermark.objects.update_or_create(name=name, defaults={"last_id": last_id, "refreshed_at": now})


def _pending(marks: dict[str, int]) -> tuple[set[tuple[int, dt.date]], list[int], dict[str, int]]:
    """The (site, day) pairs to recompute, the DirtyDay ids that asked for it, and the new watermarks."""
    pairs: set[tuple[int, dt.date]] = set()
    dirty = list(DirtyDay.objects.values_list("pk", "site_id", "day"))
    pairs |= {(site_id, day) for _pk, site_id, day in dirty}
    new_marks = {}
    for name, model in WATERMARKS.items():
        newer = model.objects.filter(pk__gt=max(0, marks.get(name, 0) - OVERLAP))
        new_marks[name] = max(newer.aggregate(m=Max("pk"))["m"] or 0, marks.get(name, 0))
        pairs |= set(newer.values_list("session__site_id", "session__date").distinct())
    return pairs, [pk for pk, *_rest in dirty], new_marks


def refresh(*, recent_days: int = 2, now: dt.datetime | None = None) -> RefreshResult:
    """Bring the rollups up to date. Idempotent; concurrent calls wait for each other."""
    today = (now or timezone.now()).astimezone(HELSINKI).date()
    with transaction.atomic():
        # One refresher at a time: the row lock makes a second caller wait, then find little left to do.
        Watermark.objects.get_or_create(name="encounter")
        Watermark.objects.get_or_create(name="wish")
        locked = {mark.name: mark.last_id for mark in Watermark.objects.select_for_update().order_by("name")}
        if not SiteDay.objects.exists() and not any(locked.values()):
            return rebuild_all()
        pairs, dirty_ids, marks = _pending(locked)
        by_day: dict[dt.date, set[int]] = defaultdict(set)
        by_month: dict[dt.date, set[int] | None] = defaultdict(set)
        for site_id, day in pairs:
            by_day[day].add(site_id)
            by_month[_month(day)].add(site_id)
        for day, site_ids in by_day.items():
            rebuild_days([day], site_ids)
        recent = [today - dt.timedelta(days=n) for n in range(recent_days)]
        if recent:
            rebuild_days(recent)  # the tally: every site, only SiteDay (and SiteMonth below)
        for month, site_ids in by_month.items():
            rebuild_month(month, site_ids)
        months = sum(len(site_ids) for site_ids in by_month.values())
        for month in {_month(day) for day in recent}:
            by_month[month] = None  # every site: the tally may have changed anywhere
        for month, site_ids in by_month.items():
            rebuild_site_months(month, site_ids)
        DirtyDay.objects.filter(pk__in=dirty_ids).delete()
        _move_watermarks(marks)
    return RefreshResult(site_days=len(pairs), months=months)


def is_stale(*, now: dt.datetime | None = None) -> bool:
    """Whether a refresh has something to do: new rows, marked days, or a tally older than STALE_AFTER."""
    marks = dict(Watermark.objects.values_list("name", "refreshed_at"))
    refreshed = [moment for moment in marks.values() if moment is not None]
    if len(refreshed) < len(WATERMARKS) or (now or timezone.now()) - min(refreshed) > STALE_AFTER:
        return True
    if DirtyDay.objects.exists():
        return True
    last = dict(Watermark.objects.values_list("name", "last_id"))
    return any(model.objects.filter(pk__gt=last.get(name, 0)).exists() for name, model in WATERMARKS.items())


def ensure_fresh() -> None:
    """Called by the dashboard and the API before reading: the figures include what was just logged."""
    if is_stale():
        refresh()
