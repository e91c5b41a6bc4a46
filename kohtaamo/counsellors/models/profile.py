"""A counsellor's profile: personal data with its lawful basis, the bases of taking part, the next step.

The profile is the only place in Kohtaamo that names a counsellor (full name, e-mail, phone). Erasure
(gdpr.py) blanks those fields and keeps the row, so hours, attendance and statistics stay consistent.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class LawfulBasis(models.TextChoices):
    """GDPR article 6(1): why the county may process the counsellor's personal data."""

    CONSENT = "consent", _("consent (GDPR 6(1)(a))")
    CONTRACT = "contract", _("contract or agreement (GDPR 6(1)(b))")
    LEGAL_OBLIGATION = "legal_obligation", _("legal obligation (GDPR 6(1)(c))")
    PUBLIC_TASK = "public_task", _("public task (GDPR 6(1)(e))")


class Basis(models.TextChoices):
    """The basis on which a person takes part (seed 004)."""

    VOLUNTEER = "volunteer", _("volunteer")
    WORK_TRIAL = "work_trial", _("work trial")
    WAGE_SUBSIDY = "wage_subsidy", _("wage subsidy")
    LANGUAGE_PRACTICE = "language_practice", _("language practice")
    SOCIAL_REHABILITATION = "social_rehabilitation", _("social rehabilitation")
    REHABILITATIVE_WORK = "rehabilitative_work", _("rehabilitative work activity")


class NextStep(models.TextChoices):
    STUDIES = "studies", _("studies")
    WORK = "work", _("work")
    OTHER = "other", _("other activity")
    ENDED = "ended", _("ended")


class ProfileQuerySet(models.QuerySet):
    def active(self) -> ProfileQuerySet:
        return self.filter(erased_at__isnull=True)

    def in_county(self, county_id: int) -> ProfileQuerySet:
        return self.filter(county_id=county_id)


class CounsellorProfile(models.Model):
    # Optional: a coordinator may start the path before the person has a login.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counsellor_profile",
        verbose_name=_("login"),
    )
    county = models.ForeignKey(
        "directory.WellbeingServicesCounty", on_delete=models.PROTECT, verbose_name=_("wellbeing services county")
    )
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    lawful_basis = models.CharField(_("lawful basis of processing"), max_length=20, choices=LawfulBasis.choices)
    consent_given_on = models.DateField(_("consent given on"), null=True, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("The retention period of the personal data starts here.")
    )
    sites = models.ManyToManyField("directory.Site", blank=True, verbose_name=_("sites"))
    languages = models.ManyToManyField("directory.Language", blank=True, verbose_name=_("languages"))
    lived_experience = models.ManyToManyField(
        "encounters.Term",
        blank=True,
        limit_choices_to={"kind": "topic"},
        verbose_name=_("lived-experience areas"),
    )
    next_step_goal = models.CharField(_("next-step goal"), max_length=10, choices=NextStep.choices, blank=True)
    next_step_goal_set_on = models.DateField(_("goal set on"), null=True, blank=True)
    next_step_outcome = models.CharField(_("outcome"), max_length=10, choices=NextStep.choices, blank=True)
    next_step_outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        ordering = ["full_name", "pk"]
        verbose_name = _("counsellor profile")
        verbose_name_plural = _("counsellor profiles")
        constraints = [
            models.CheckConstraint(
                condition=~Q(lawful_basis="consent") | Q(consent_given_on__isnull=False) | Q(erased_at__isnull=False),
                name="profile_consent_recorded",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="profile_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(next_step_outcome="") | Q(next_step_outcome_on__isnull=False),
                name="profile_outcome_has_date",
            ),
        ]

    def __str__(self) -> str:
        # Never the name: this string ends up in the audit log, which erasure does not rewrite.
        return _("Counsellor %(number)s") % {"number": self.pk}

    @property
    def display_name(self) -> str:
        return _("(erased)") if self.erased_at else self.full_name

    def clean(self) -> None:
        errors = {}
        if self.lawful_basis == LawfulBasis.CONSENT and not self.consent_given_on and not self.erased_at:
            errors["consent_given_on"] = _("Record the date the person gave consent.")
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("The end date is before the start date.")
        if self.next_step_outcome and not self.next_step_outcome_on:
            errors["next_step_outcome_on"] = _("Give the date of the outcome.")
        if self.next_step_outcome_on and self.started_on and self.next_step_outcome_on < self.started_on:
            errors["next_step_outcome_on"] = _("The outcome date is before the start date.")
        if errors:
            raise ValidationError(errors)


class Participation(models.Model):
    """One basis of taking part over a period; periods of one person never overlap."""

    profile = models.ForeignKey(CounsellorProfile, on_delete=models.CASCADE, related_name="participations")
    basis = models.CharField(_("basis of taking part"), max_length=30, choices=Basis.choices)
    organiser = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("organiser")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty while it continues."))

    class Meta:
        ordering = ["profile", "starts_on"]
        verbose_name = _("basis of taking part")
        verbose_name_plural = _("bases of taking part")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="participation_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(basis__in=Basis.values), name="participation_basis_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} {self.starts_on}–{self.ends_on or ''}"

    def overlaps(self, other: Participation) -> bool:
        far = self.starts_on.max
        return self.starts_on <= (other.ends_on or far) and other.starts_on <= (self.ends_on or far)

    def clean(self) -> None:
        if self.starts_on is None:
            return
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date is before the start date.")})
        others = Participation.objects.filter(profile_id=self.profile_id).exclude(pk=self.pk)
        for other in others:
            if self.overlaps(other):
                raise ValidationError(
                    {
                        "starts_on": _("This period overlaps %(basis)s from %(start)s; end that one first.")
                        % {"basis": other.get_basis_display(), "start": other.starts_on.strftime("%-d.%-m.%Y")}
                    }
                )


class ProfileView(models.Model):
    """Who of the staff opened a profile, and when: shown to the person on request."""

    profile = models.ForeignKey(CounsellorProfile, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    viewer_name = models.CharField(_("viewer"), max_length=150)
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True)
    what = models.CharField(_("what"), max_length=30, default="profile")

    class Meta:
        ordering = ["-viewed_at", "-pk"]
        verbose_name = _("profile view")
        verbose_name_plural = _("profile views")


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret URL of one person's shift calendar: calendar programs cannot log in, so the URL is the key."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    rotated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shift calendar feed")
        verbose_name_plural = _("shift calendar feeds")
