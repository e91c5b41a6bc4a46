"""The directory: areas, organisations (actors), sites and their opening hours."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from stdnum.fi import ytunnus

from kohtaamo.lib import hours


class WellbeingServicesCounty(models.Model):
    """A hyvinvointialue, or one of the two areas outside them (Helsinki 90, Åland 91)."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("wellbeing services county")
        verbose_name_plural = _("wellbeing services counties")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(
        WellbeingServicesCounty, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("county")
    )

    class Meta:
        ordering = ["name_fi"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name


class Language(models.Model):
    """A language a site serves in, by its ISO 639-1 code (ISO 639-3 where there is none)."""

    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        ordering = ["code"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name


def validate_business_id(value: str) -> None:
    if not ytunnus.is_valid(value):
        raise ValidationError(_("%(value)s is not a valid Business ID (e.g. 0245437-2)."), params={"value": value})


class Organisation(models.Model):
    """An actor that runs or takes part in sites: the county, a municipality, an NGO, a parish..."""

    class Kind(models.TextChoices):
        COUNTY = "county", _("wellbeing services county")
        MUNICIPALITY = "municipality", _("municipality")
        NGO = "ngo", _("NGO")
        PARISH = "parish", _("parish")
        COMPANY = "company", _("company")
        EDUCATION = "education", _("educational institution")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    business_id = models.CharField(
        _("Business ID"), max_length=9, blank=True, validators=[validate_business_id], help_text=_("Y-tunnus")
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    # The county whose staff maintain this organisation's record; empty for national actors.
    county = models.ForeignKey(
        WellbeingServicesCounty, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("county")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["business_id"], condition=~Q(business_id=""), name="organisation_business_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        if self.business_id:
            self.business_id = ytunnus.compact(self.business_id)
            self.business_id = (
                ytunnus.format(self.business_id) if ytunnus.is_valid(self.business_id) else self.business_id
            )


class SiteQuerySet(models.QuerySet):
    def public(self) -> SiteQuerySet:
        return self.filter(is_public=True)

    def in_county(self, county_code: str) -> SiteQuerySet:
        return self.filter(municipality__county__code=county_code)

    def with_hours(self) -> SiteQuerySet:
        return self.select_related("municipality__county").prefetch_related(
            "opening_rules__partners", "opening_exceptions", "organisations", "languages"
        )

    def open_at(self, moment: dt.datetime) -> list[Site]:
        """Sites open at an aware moment. Hours are rules, so this is computed, not queried."""
        return [site for site in self.with_hours() if site.schedule.is_open_at(moment)]

    def open_on(self, day: dt.date) -> list[Site]:
        """Sites that open at some time on a Helsinki date."""
        return [site for site in self.with_hours() if site.schedule.is_open_on(day)]


class Site(models.Model):
    class Kind(models.TextChoices):
        MEETING_PLACE = "meeting_place", _("meeting place")
        COMMUNITY_CENTRE = "community_centre", _("community centre")
        COUNSELLING_POINT = "counselling_point", _("community counselling point")
        DAY_CENTRE = "day_centre", _("day centre")
        RESIDENTS_LOUNGE = "residents_lounge", _("residents' lounge")
        VILLAGE_HOUSE = "village_house", _("village house")
        OUTREACH = "outreach", _("outreach location")

    class Frequency(models.TextChoices):
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        MONTHLY = "monthly", _("monthly")
        IRREGULAR = "irregular", _("irregular")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    organisations = models.ManyToManyField(
        Organisation, related_name="sites", blank=True, verbose_name=_("organisations running it")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="sites", verbose_name=_("municipality")
    )
    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postal code"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^\d{5}$", _("A postal code has five digits."))],
    )
    post_office = models.CharField(_("post office"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(59), MaxValueValidator(71)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(19), MaxValueValidator(32)],
    )
    accessibility = models.TextField(_("accessibility"), blank=True)
    languages = models.ManyToManyField(Language, blank=True, verbose_name=_("languages served"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_public = models.BooleanField(_("public"), default=True, help_text=_("Shown in the public directory."))
    # Documentation of the form of work, as on seed 002's per-municipality slide.
    frequency = models.CharField(_("frequency"), max_length=20, choices=Frequency.choices, blank=True)
    metrics = models.TextField(_("metrics used"), blank=True)
    consultation_practice = models.TextField(_("consultation practice"), blank=True)
    work_pair_practice = models.TextField(_("work-pair practice"), blank=True)
    evaluation_schedule = models.TextField(_("follow-up and evaluation schedule"), blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name_fi"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="site_coordinates_both_or_neither",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("directory:site", args=[self.pk])

    @property
    def county(self) -> WellbeingServicesCounty:
        return self.municipality.county

    @cached_property
    def schedule(self) -> hours.Schedule:
        """The site's opening hours as a pure schedule (uses prefetched rules if present)."""
        return hours.Schedule(
            rules=[rule.as_slot() for rule in self.opening_rules.all()],
            exceptions=[exception.as_exception() for exception in self.opening_exceptions.all()],
        )


class Activity(models.TextChoices):
    COUNSELLING = "counselling", _("counselling")
    OPEN_DOORS = "open_doors", _("open meeting place")
    BREAKFAST = "breakfast", _("breakfast")
    MEAL = "meal", _("meal")
    GROUP = "group", _("group")
    INFO = "info", _("info session")
    CAFE = "cafe", _("café")
    OTHER = "other", _("other")


class OpeningRule(models.Model):
    """One recurring time slot of a site: weekdays, from–to, validity and recurrence."""

    class Recurrence(models.TextChoices):
        WEEKLY = "weekly", _("every week")
        BIWEEKLY = "biweekly", _("every second week")
        MONTHLY = "monthly", _("monthly, on the nth weekday")

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_rules")
    weekdays = models.JSONField(
        _("weekdays"), default=list, help_text=_("ISO weekday numbers, 1 = Monday … 7 = Sunday.")
    )
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("to"), help_text=_("00:00 means midnight at the end of the day."))
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices, default="weekly")
    # For monthly rules: 1–4 for the first to fourth weekday of the month, -1 for the last.
    week_of_month = models.SmallIntegerField(
        _("week of the month"),
        null=True,
        blank=True,
        choices=[(1, _("first")), (2, _("second")), (3, _("third")), (4, _("fourth")), (-1, _("last"))],
    )
    valid_from = models.DateField(
        _("valid from"), null=True, blank=True, help_text=_("Every-second-week rules count weeks from this date.")
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    activity = models.CharField(_("what happens"), max_length=20, choices=Activity.choices, default="counselling")
    description = models.CharField(_("description"), max_length=200, blank=True)
    partners = models.ManyToManyField(Organisation, blank=True, verbose_name=_("partner organisations"))

    class Meta:
        ordering = ["site", "starts"]
        verbose_name = _("opening hours rule")
        verbose_name_plural = _("opening hours rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="opening_rule_validity_not_inverted",
            ),
            models.CheckConstraint(
                condition=~Q(recurrence="biweekly") | Q(valid_from__isnull=False),
                name="opening_rule_biweekly_has_anchor",
            ),
            models.CheckConstraint(
                condition=~Q(recurrence="monthly") | Q(week_of_month__isnull=False),
                name="opening_rule_monthly_has_week",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site}: {self.as_slot().describe()}"

    def as_slot(self) -> hours.Rule:
        return hours.Rule(
            weekdays=tuple(sorted(self.weekdays)),
            starts=self.starts,
            ends=self.ends,
            recurrence=self.recurrence,
            week_of_month=self.week_of_month,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            key=self.pk,
        )

    def clean(self) -> None:
        if self.starts is None or self.ends is None or not self.weekdays or not isinstance(self.weekdays, list):
            return  # the fields' own errors are shown; there is no slot to check yet
        try:
            self.as_slot().validate()
        except hours.InvalidRule as error:
            raise ValidationError({error.field or "__all__": error.message}) from None


class OpeningException(models.Model):
    """A date when the rules don't apply: closed, or open at special hours (also on a holiday)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="opening_exceptions")
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed"), default=False)
    starts = models.TimeField(_("from"), null=True, blank=True)
    ends = models.TimeField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["site", "date", "starts"]
        verbose_name = _("opening hours exception")
        verbose_name_plural = _("opening hours exceptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed=True) | (Q(starts__isnull=False) & Q(ends__isnull=False)),
                name="opening_exception_open_has_times",
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.date}"

    def as_exception(self) -> hours.Exception_:
        return hours.Exception_(date=self.date, closed=self.closed, starts=self.starts, ends=self.ends, note=self.note)

    def clean(self) -> None:
        if self.closed:
            return
        # Errors name their fields, which also spares the form the check constraint's generic message.
        missing = [name for name in ("starts", "ends") if getattr(self, name) is None]
        if missing:
            message = _("Give both times for special hours, or mark the day closed.")
            raise ValidationError(dict.fromkeys(missing, message))
        if not hours.ends_after(self.starts, self.ends):
            raise ValidationError({"ends": _("The end time is before the start time.")})
