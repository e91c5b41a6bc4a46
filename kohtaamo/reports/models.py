"""What reports keep: the cost of a series of sessions, the coordinator's narrative, published versions.

A report is about an area (one municipality or one wellbeing services county) and a period.
Its figures are never stored here: they are computed through the suppression module at the
time of download. Only a *published* version freezes them, by keeping the PDF bytes.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class SessionSeriesCost(models.Model):
    """What a series of sessions at a site cost, e.g. eight sessions bought from A-kilta for 3,200 € (seed 004)."""

    site = models.ForeignKey("directory.Site", on_delete=models.PROTECT, related_name="costs", verbose_name=_("site"))
    supplier = models.ForeignKey(
        "directory.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bought from"),
        help_text=_("The organisation the sessions were bought from, if any."),
    )
    description = models.CharField(_("description"), max_length=200)
    date_from = models.DateField(_("first session"))
    date_to = models.DateField(_("last session"))
    sessions = models.PositiveIntegerField(_("number of sessions"), validators=[MinValueValidator(1)])
    amount = models.DecimalField(
        _("cost (€)"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date_from", "-pk"]
        verbose_name = _("cost of a series of sessions")
        verbose_name_plural = _("costs of series of sessions")
        constraints = [
            models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name="cost_period_not_inverted"),
            models.CheckConstraint(condition=Q(sessions__gte=1), name="cost_sessions_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="cost_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.site}: {self.description}"

    @property
    def per_session(self) -> Decimal:
        return (self.amount / self.sessions).quantize(Decimal("0.01"))


class AreaPeriod(models.Model):
    """An area (a municipality or a county, exactly one) and a period, inclusive."""

    municipality = models.ForeignKey(
        "directory.Municipality", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    county = models.ForeignKey(
        "directory.WellbeingServicesCounty", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))

    class Meta:
        abstract = True

    @property
    def area(self):
        return self.municipality or self.county


def _area_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(municipality__isnull=True, county__isnull=False)
            | Q(municipality__isnull=False, county__isnull=True),
            name=f"{prefix}_one_area",
        ),
        models.CheckConstraint(condition=Q(date_to__gte=F("date_from")), name=f"{prefix}_period_not_inverted"),
    ]


class Narrative(AreaPeriod):
    """The coordinator's own words in a social report: what the figures mean and what should change."""

    summary = models.TextField(_("summary"), blank=True)
    observations = models.TextField(_("structural observations"), blank=True)
    wishes = models.TextField(_("on the visitors' wishes"), blank=True)
    proposals = models.TextField(_("proposals to decision makers"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    SECTIONS = ("summary", "observations", "wishes", "proposals")

    class Meta:
        verbose_name = _("report narrative")
        verbose_name_plural = _("report narratives")
        constraints = [
            *_area_constraints("narrative"),
            models.UniqueConstraint(
                fields=["municipality", "date_from", "date_to"],
                condition=Q(municipality__isnull=False),
                name="narrative_unique_municipality_period",
            ),
            models.UniqueConstraint(
                fields=["county", "date_from", "date_to"],
                condition=Q(county__isnull=False),
                name="narrative_unique_county_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.date_from}–{self.date_to}"

    def sections(self) -> list[tuple[str, str]]:
        """(heading, text) of the sections that have text, in order."""
        return [
            (str(self._meta.get_field(name).verbose_name), getattr(self, name))
            for name in self.SECTIONS
            if getattr(self, name).strip()
        ]


class PublishedReport(AreaPeriod):
    """A frozen social report: its PDF bytes are kept, so downloading it again gives the same document."""

    version = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=5)
    pdf = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("published by")
    )
    published_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("published social report")
        verbose_name_plural = _("published social reports")
        constraints = [
            *_area_constraints("published_report"),
            models.CheckConstraint(condition=Q(version__gte=1), name="published_report_version_positive"),
            models.UniqueConstraint(
                fields=["municipality", "date_from", "date_to", "version"],
                condition=Q(municipality__isnull=False),
                name="published_report_unique_municipality_version",
            ),
            models.UniqueConstraint(
                fields=["county", "date_from", "date_to", "version"],
                condition=Q(county__isnull=False),
                name="published_report_unique_county_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.date_from}–{self.date_to} v{self.version}"

    def set_pdf(self, data: bytes) -> None:
        self.pdf = data
        self.sha256 = hashlib.sha256(data).hexdigest()

    @property
    def filename(self) -> str:
        code = self.municipality.code if self.municipality_id else self.county.code
        return f"social-report-{code}-{self.date_from}-{self.date_to}-v{self.version}.pdf"
