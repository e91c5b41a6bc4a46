"""Rollups: summary tables the dashboard reads instead of the raw encounters, and what is left to refresh.

Kept apart so that multi-valued counts are never summed into encounter counts:
`SiteDay` holds sessions, visitors, encounters and wishes per site and day, and `SiteMonth` the same
summed per site and month (derived from `SiteDay`); `SiteMonthCount` holds
how many encounters had each matter, form of help, referral, information need and coping answer
(and how many wishes each theme) per site and month. Each row is for one partner organisation
present at the sessions, or for all sessions (`partner` 0), so the partner filter reads rollups too.
`partner` is a plain integer, not a foreign key: 0 must mean "all", and rollups are rebuilt anyway.

Statistics are shown only for whole months (queries.StatsFilter), so month is the finest grain the
multi-valued counts need: key figures, sites, municipalities and month trends read `SiteMonth`,
and only trends by week read `SiteDay`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

ALL_PARTNERS = 0


class Dimension(models.TextChoices):
    TOPIC = "topic"
    HELP_FORM = "help_form"
    REFERRAL = "referral"
    MORE_INFO = "more_info"
    WISH_THEME = "wish_theme"
    COPING = "coping"


class SiteDay(models.Model):
    site = models.ForeignKey("directory.Site", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    partner = models.PositiveIntegerField(default=ALL_PARTNERS)
    sessions = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    encounters = models.PositiveIntegerField(default=0)
    wishes = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "day", "partner"], name="stats_siteday_unique")]
        # The dashboard filters by period and partner first, then joins sites.
        indexes = [models.Index(fields=["partner", "day", "site"], name="stats_siteday_partner_day")]


class SiteMonth(models.Model):
    """SiteDay summed over a calendar month: what totals, sites, municipalities and month trends read."""

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


class SiteMonthCount(models.Model):
    site = models.ForeignKey("directory.Site", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    partner = models.PositiveIntegerField(default=ALL_PARTNERS)
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    key = models.CharField(max_length=50, help_text="A term's code or a coping answer.")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            # Site, partner, dimension, then month: a place's breakdown reads one index range per site.
            models.UniqueConstraint(
                fields=["site", "partner", "dimension", "month", "key"],
                include=["count"],
                name="stats_sitemonthcount_unique",
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="stats_sitemonthcount_positive"),
        ]
        # Covering on PostgreSQL: a breakdown reads the index only.
        indexes = [
            models.Index(
                fields=["partner", "dimension", "month", "site"],
                include=["key", "count"],
                name="stats_smc_partner_dim_month",
            )
        ]


class DirtyDay(models.Model):
    """A site's day whose rollups must be recomputed: an encounter, session or wish of it changed or went away."""

    site_id = models.IntegerField()  # not a foreign key: the site may be gone by the time we refresh
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site_id", "day"], name="stats_dirtyday_unique")]


class Watermark(models.Model):
    """The highest encounter and wish ids already rolled up: newer rows mark their days for refresh."""

    name = models.CharField(max_length=20, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
