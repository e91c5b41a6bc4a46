"""Rollups: summary tables the dashboard reads instead of the raw encounters, and what is left to refresh.

Kept apart so that multi-valued counts are never summed into encounter counts:
- `SiteMonth` holds sessions, visitors, encounters and wishes per site and calendar month, for all
  sessions (`partner` 0) and for each partner organisation present at them;
- `SiteWeek` holds the same per site and "week part" (an ISO week cut at month boundaries), for all
  sessions only: the week trend. A partner's week trend is read from the raw rows of its sessions;
- `SiteMonthCount` holds how many encounters had each matter, form of help, referral, information
  need and coping answer (and how many wishes each theme) per site and month, all sessions: what one
  site, a municipality (its sites summed) and a scope of named sites read;
- `AreaMonthCount` holds the same counts per county and month: for the whole county, for a county's
  sites of one kind, and for a county's sessions with one partner (which no per-site row can give,
  since a partner is present at some sessions of a site). A filter that neither covers whole (a
  partner within part of a county, a partner and a kind together) reads the rest from the raw rows.

Statistics are shown only for whole months (queries.StatsFilter), so month is the finest grain the
figures need; weeks are cut at month boundaries so that a period's weeks are its months' weeks.
`partner` and `county` are plain integers, not foreign keys: partner 0 means "all", and the rollups
are recomputed from the raw rows anyway.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

ALL_PARTNERS = 0
ALL_KINDS = ""


class Dimension(models.TextChoices):
    TOPIC = "topic"
    HELP_FORM = "help_form"
    REFERRAL = "referral"
    MORE_INFO = "more_info"
    WISH_THEME = "wish_theme"
    COPING = "coping"


MEASURE_FIELDS = ["sessions", "visitors", "encounters", "wishes"]


class SiteMonth(models.Model):
    """What totals, sites, municipalities and month trends read."""

    site = models.ForeignKey("directory.Site", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    partner = models.PositiveIntegerField(default=ALL_PARTNERS)
    sessions = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    encounters = models.PositiveIntegerField(default=0)
    wishes = models.PositiveIntegerField(default=0)

    class Meta:
        # Site first, then partner and month: a county's or municipality's sites each read one index range.
        constraints = [
            models.UniqueConstraint(
                fields=["site", "partner", "month"],
                include=["sessions", "visitors", "encounters", "wishes"],
                name="stats_sitemonth_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["partner", "month", "site"],
                include=["sessions", "visitors", "encounters", "wishes"],
                name="stats_sitemonth_partner_month",
            )
        ]


class SiteWeek(models.Model):
    """The week trend: all sessions of a site in one ISO week, cut at the month's first and last day."""

    site = models.ForeignKey("directory.Site", on_delete=models.CASCADE, related_name="+")
    start = models.DateField(help_text="The week's Monday, or the first day of the month if later.")
    sessions = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    encounters = models.PositiveIntegerField(default=0)
    wishes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "start"],
                include=["sessions", "visitors", "encounters", "wishes"],
                name="stats_siteweek_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["start", "site"],
                include=["sessions", "visitors", "encounters", "wishes"],
                name="stats_siteweek_start",
            )
        ]


class MonthCount(models.Model):
    """What a count of a dimension's key in a month holds, wherever it is kept."""

    month = models.DateField(help_text="The first day of the month.")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    key = models.CharField(max_length=50, help_text="A term's code or a coping answer.")
    count = models.PositiveIntegerField()

    class Meta:
        abstract = True


class SiteMonthCount(MonthCount):
    """Multi-valued counts of one site and month, over all its sessions."""

    site = models.ForeignKey("directory.Site", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            # Site, then month: a page's breakdowns read one index range per site, covering on PostgreSQL.
            models.UniqueConstraint(
                fields=["site", "month", "dimension", "key"], include=["count"], name="stats_sitemonthcount_unique"
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="stats_sitemonthcount_positive"),
        ]


class AreaMonthCount(MonthCount):
    """Multi-valued counts of a county and month. Exactly one of these shapes:

    - a county: kind "", partner 0;
    - a county's sites of one kind: kind, partner 0;
    - a county's sessions with one partner: kind "", partner.
    """

    county = models.PositiveIntegerField(help_text="WellbeingServicesCounty id.")
    kind = models.CharField(max_length=30, blank=True, default=ALL_KINDS, help_text="Site kind, '' for all.")
    partner = models.PositiveIntegerField(default=ALL_PARTNERS)

    class Meta:
        constraints = [
            # Area, then month: a page's breakdowns read one index range per area, covering on PostgreSQL.
            models.UniqueConstraint(
                fields=["county", "kind", "partner", "month", "dimension", "key"],
                include=["count"],
                name="stats_areamonthcount_unique",
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="stats_areamonthcount_positive"),
        ]


class DirtyDay(models.Model):
    """A site's day whose rollups must be recomputed: an encounter, session or wish of it changed or went away."""

    site_id = models.IntegerField()  # not a foreign key: the site may be gone by the time we refresh
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site_id", "day"], name="stats_dirtyday_unique")]


class DirtyArea(models.Model):
    """A county's month whose area counts must be recomputed: a site moved into or out of it, or changed kind."""

    county_id = models.IntegerField()
    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county_id", "month"], name="stats_dirtyarea_unique")]


class Watermark(models.Model):
    """The highest encounter and wish ids already rolled up: newer rows mark their days for refresh.

    `gaps` are the ids just below `last_id` (rollups.OVERLAP of them) that did not exist at the last
    refresh: a concurrent writer's row that commits after a later id's shows up there, and only those
    ids are looked at again, not every row of the overlap (which would recompute its counties' month).
    """

    name = models.CharField(max_length=20, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    gaps = models.JSONField(default=list, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
