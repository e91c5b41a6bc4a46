"""Sessions at sites, anonymous encounters, visitor tallies, wishes for the area, and API tokens.

Encounters are anonymous by design: no names, and no time finer than the hour (`occurred_at`
is truncated before it is stored, and no creation timestamp is kept beside it). Rollups
group by `site`, `occurred_at` and the terms in the many-to-many tables, so those stay lean.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kohtaamo.lib.hours import HELSINKI


def truncate_to_hour(moment: dt.datetime) -> dt.datetime:
    """The start of the moment's hour. Finnish offsets are whole hours, so this is the local hour too."""
    return moment.astimezone(HELSINKI).replace(minute=0, second=0, microsecond=0)


class TermKind(models.TextChoices):
    TOPIC = "topic", _("matter helped with")
    HELP_FORM = "help_form", _("form of help")
    REFERRAL = "referral", _("referral onward")
    MORE_INFO = "more_info", _("information needed on")
    WISH_THEME = "wish_theme", _("theme of a wish")


class TermQuerySet(models.QuerySet):
    def active(self) -> TermQuerySet:
        return self.filter(active=True)

    def of_kind(self, kind: str) -> TermQuerySet:
        return self.filter(kind=kind)

    def for_county(self, county_id: int | None) -> TermQuerySet:
        """National terms and the county's own."""
        return self.filter(Q(county__isnull=True) | Q(county_id=county_id))


class Term(models.Model):
    """One entry of a taxonomy: a matter, a form of help, a referral target, an information need, a wish theme.

    Codes are stable: statistics and API clients refer to them. A term is retired, never
    deleted, so old encounters keep it while new ones can no longer choose it.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=TermKind.choices)
    code = models.SlugField(_("code"), max_length=50, help_text=_("Stable identifier, e.g. housing. Never change it."))
    label = models.CharField(_("label"), max_length=120)
    county = models.ForeignKey(
        "directory.WellbeingServicesCounty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("county"),
        help_text=_("Empty for a national term; a county's own terms are offered only at its sites."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "order", "code"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="term_code_unique_per_kind"),
            models.CheckConstraint(
                condition=Q(active=True, retired_at__isnull=True) | Q(active=False, retired_at__isnull=False),
                name="term_retired_iff_inactive",
            ),
            models.CheckConstraint(condition=Q(kind__in=TermKind.values), name="term_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.label


class Session(models.Model):
    """A staffed opening of a site: from its opening hours, or opened ad hoc (outreach, a pop-up)."""

    class Kind(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        AD_HOC = "ad_hoc", _("ad hoc")

    site = models.ForeignKey("directory.Site", on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SCHEDULED)
    date = models.DateField(_("date"), help_text=_("The local date the session starts on."))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, help_text=_("Empty: until the end of the day."))
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Where an ad-hoc session is held, e.g. Hervanta library.")
    )
    opening_rule = models.ForeignKey(
        "directory.OpeningRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    staff_present = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sessions_present", verbose_name=_("staff present")
    )
    partners = models.ManyToManyField(
        "directory.Organisation", blank=True, related_name="sessions", verbose_name=_("partner organisations present")
    )
    # Every visitor, counselled or not; changed only with F() updates (sessions.tally_change).
    visitor_count = models.PositiveIntegerField(_("visitors"), default=0)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            # Sessions appear lazily from the opening hours; this keeps that idempotent under races.
            models.UniqueConstraint(fields=["site", "starts_at"], name="session_site_starts_unique"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(visitor_count__gte=0), name="session_visitor_count_not_negative"),
        ]
        indexes = [models.Index(fields=["site", "date"])]

    def __str__(self) -> str:
        return f"{self.site} {self.starts_at.astimezone(HELSINKI):%Y-%m-%d %H:%M}"

    def covers(self, moment: dt.datetime) -> bool:
        if moment < self.starts_at:
            return False
        if self.ends_at is not None:
            return moment < self.ends_at
        return moment.astimezone(HELSINKI).date() == self.date


class Coping(models.TextChoices):
    """The Patient Enablement Instrument's answers. Not asked is NULL, distinct from not applicable."""

    MUCH_BETTER = "much_better", _("much better")
    BETTER = "better", _("better")
    SAME_OR_LESS = "same_or_less", _("same or less")
    NOT_APPLICABLE = "not_applicable", _("not applicable")


class Encounter(models.Model):
    """One anonymous encounter in a session."""

    # The client's idempotency key: a resend never makes a second row.
    client_uuid = models.UUIDField(_("client UUID"), unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="encounters")
    # Denormalised from the session so statistics group by site without a join. No index of its own: the
    # index on (site, occurred_at) below serves every lookup by site, and each index costs every insert.
    site = models.ForeignKey("directory.Site", on_delete=models.PROTECT, related_name="encounters", db_index=False)
    occurred_at = models.DateTimeField(_("hour"), db_index=True, help_text=_("Truncated to the hour."))
    topics = models.ManyToManyField(
        Term,
        through="EncounterTopic",
        related_name="topic_encounters",
        limit_choices_to={"kind": TermKind.TOPIC},
        verbose_name=_("matters"),
    )
    help_forms = models.ManyToManyField(
        Term,
        through="EncounterHelpForm",
        blank=True,
        related_name="help_form_encounters",
        limit_choices_to={"kind": TermKind.HELP_FORM},
        verbose_name=_("forms of help"),
    )
    referrals = models.ManyToManyField(
        Term,
        through="EncounterReferral",
        blank=True,
        related_name="referral_encounters",
        limit_choices_to={"kind": TermKind.REFERRAL},
        verbose_name=_("referrals"),
    )
    more_info = models.ManyToManyField(
        Term,
        through="EncounterMoreInfo",
        blank=True,
        related_name="more_info_encounters",
        limit_choices_to={"kind": TermKind.MORE_INFO},
        verbose_name=_("information needed on"),
    )
    language = models.ForeignKey(
        "directory.Language", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("language used")
    )
    coping = models.CharField(_("sense of coping"), max_length=20, choices=Coping.choices, null=True, blank=True)
    note = models.TextField(_("note"), blank=True, help_text=_("Deleted automatically after the retention period."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="logged_encounters"
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("encounter")
        verbose_name_plural = _("encounters")
        indexes = [models.Index(fields=["site", "occurred_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(coping__isnull=True) | Q(coping__in=Coping.values), name="encounter_coping_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.occurred_at.astimezone(HELSINKI):%Y-%m-%d %H}:00"

    def save(self, *args, **kwargs) -> None:
        # Defence in depth: whoever saves, no time finer than the hour reaches the database.
        self.occurred_at = truncate_to_hour(self.occurred_at)
        super().save(*args, **kwargs)


class EncounterTerm(models.Model):
    """A term of an encounter, in the table of one of its term fields (what Django's automatic through table
    held, in the same table, with the same columns and unique index).

    Written out so that a link carries only the index it is looked up by: the unique (encounter, term) one,
    whose leading column serves every lookup by encounter. The automatic table also indexed encounter_id alone
    (redundant) and term_id, and the app never looks links up by term: terms are retired, never deleted, and
    statistics reach the links through their encounters. Each index costs every insert of an encounter batch
    a random page of its own to write (migration 0005).
    """

    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, db_index=False, related_name="+")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, db_index=False, related_name="+")

    class Meta:
        abstract = True
        unique_together = [("encounter", "term")]

    def __str__(self) -> str:
        return f"{self.encounter_id} {self.term_id}"


class EncounterTopic(EncounterTerm):
    class Meta(EncounterTerm.Meta):
        db_table = "encounters_encounter_topics"


class EncounterHelpForm(EncounterTerm):
    class Meta(EncounterTerm.Meta):
        db_table = "encounters_encounter_help_forms"


class EncounterReferral(EncounterTerm):
    class Meta(EncounterTerm.Meta):
        db_table = "encounters_encounter_referrals"


class EncounterMoreInfo(EncounterTerm):
    class Meta(EncounterTerm.Meta):
        db_table = "encounters_encounter_more_info"


class Wish(models.Model):
    """A visitor's wish for the area, in a few words, from a session."""

    client_uuid = models.UUIDField(_("client UUID"), unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="wishes")
    site = models.ForeignKey("directory.Site", on_delete=models.PROTECT, related_name="wishes")
    text = models.CharField(_("wish"), max_length=300)
    themes = models.ManyToManyField(
        Term,
        blank=True,
        related_name="wishes",
        limit_choices_to={"kind": TermKind.WISH_THEME},
        verbose_name=_("themes"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("wish for the area")
        verbose_name_plural = _("wishes for the area")

    def __str__(self) -> str:
        return self.text[:60]


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("E.g. the device or program that uses it."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters, so that the owner can tell tokens apart.
    prefix = models.CharField(_("starts with"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Vocabulary(models.Model):
    """One row whose `version` changes with every saved or deleted term or language (signals.py).

    A process may keep the codes it resolves against while the version it reads stays the same
    (taxonomies.cached_vocabulary): a changed term is seen by the next request of every process.
    """

    version = models.CharField(max_length=32)  # internal: shown nowhere, so no translated names

    def __str__(self) -> str:
        return self.version
