"""The path: onboarding from a county's template, recognised competences, training, supervision, coping, hours."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kohtaamo.counsellors.models.profile import CounsellorProfile
from kohtaamo.lib.privacy import reject_personal_data

# Notes about a counsellor must not carry anyone else's identity (a visitor's, a client's).
NOTE = {"validators": [reject_personal_data]}


class OnboardingTemplate(models.Model):
    """A county's onboarding plan, copied into each new counsellor's own plan."""

    county = models.ForeignKey(
        "directory.WellbeingServicesCounty", on_delete=models.PROTECT, verbose_name=_("wellbeing services county")
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["county", "name"]
        verbose_name = _("onboarding template")
        verbose_name_plural = _("onboarding templates")
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="onboarding_template_name_unique")]

    def __str__(self) -> str:
        return self.name


class OnboardingTemplateItem(models.Model):
    template = models.ForeignKey(OnboardingTemplate, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("item"), max_length=200)
    due_after_days = models.PositiveSmallIntegerField(
        _("due, days after the start"), default=0, validators=[MaxValueValidator(365)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["template", "order", "due_after_days", "pk"]
        verbose_name = _("onboarding template item")
        verbose_name_plural = _("onboarding template items")

    def __str__(self) -> str:
        return self.title


class OnboardingItem(models.Model):
    profile = models.ForeignKey(CounsellorProfile, on_delete=models.CASCADE, related_name="onboarding_items")
    title = models.CharField(_("item"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["profile", "order", "due_on", "pk"]
        verbose_name = _("onboarding item")
        verbose_name_plural = _("onboarding items")
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=False) | Q(done_by__isnull=True),
                name="onboarding_item_done_by_only_when_done",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.due_on and self.profile_id and self.due_on < self.profile.started_on:
            raise ValidationError(
                {
                    "due_on": _("The item is due before the start date (%(start)s).")
                    % {"start": self.profile.started_on.strftime("%-d.%-m.%Y")}
                }
            )


class Competence(models.Model):
    """A recognised competence (osaamisen tunnistaminen): what, recognised by whom and when, and on what evidence."""

    profile = models.ForeignKey(CounsellorProfile, on_delete=models.CASCADE, related_name="competences")
    what = models.CharField(_("competence"), max_length=200, **NOTE)
    recognised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recognised by"),
    )
    recognised_on = models.DateField(_("recognised on"))
    evidence = models.TextField(_("evidence"), blank=True, max_length=1000, **NOTE)

    class Meta:
        ordering = ["profile", "-recognised_on", "pk"]
        verbose_name = _("recognised competence")
        verbose_name_plural = _("recognised competences")

    def __str__(self) -> str:
        return self.what


class TrainingEntry(models.Model):
    profile = models.ForeignKey(CounsellorProfile, on_delete=models.CASCADE, related_name="training")
    title = models.CharField(_("training"), max_length=200, **NOTE)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, default=0, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["profile", "-date", "pk"]
        verbose_name = _("training")
        verbose_name_plural = _("training")
        constraints = [models.CheckConstraint(condition=Q(hours__gte=0), name="training_hours_not_negative")]

    def __str__(self) -> str:
        return self.title


class SupervisionSession(models.Model):
    """Supervision (työnohjaus), for a group or one person; `attendees` is who came."""

    class Kind(models.TextChoices):
        GROUP = "group", _("group")
        INDIVIDUAL = "individual", _("individual")

    county = models.ForeignKey(
        "directory.WellbeingServicesCounty", on_delete=models.PROTECT, verbose_name=_("wellbeing services county")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.GROUP)
    date = models.DateField(_("date"))
    supervisor = models.CharField(_("supervisor"), max_length=150, blank=True)
    attendees = models.ManyToManyField(
        CounsellorProfile, blank=True, related_name="supervision_sessions", verbose_name=_("attended")
    )

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["group", "individual"]), name="supervision_kind_valid")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class CheckIn(models.Model):
    """A coping check-in: only the coordinators see these (permissions.py)."""

    class Coping(models.IntegerChoices):
        STRUGGLING = 1, _("struggling")
        STRAINED = 2, _("strained")
        OK = 3, _("managing")
        GOOD = 4, _("doing well")

    profile = models.ForeignKey(CounsellorProfile, on_delete=models.CASCADE, related_name="check_ins")
    date = models.DateField(_("date"))
    coping = models.PositiveSmallIntegerField(_("coping at work"), choices=Coping.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000, **NOTE)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["profile", "-date", "-pk"]
        verbose_name = _("coping check-in")
        verbose_name_plural = _("coping check-ins")
        constraints = [models.CheckConstraint(condition=Q(coping__gte=1, coping__lte=4), name="check_in_coping_valid")]


class HoursEntry(models.Model):
    """Hours the counsellor reports outside the rota; counted once a coordinator approves them."""

    profile = models.ForeignKey(CounsellorProfile, on_delete=models.CASCADE, related_name="hours_entries")
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0.5), MaxValueValidator(24)]
    )
    what = models.CharField(_("what was done"), max_length=200, **NOTE)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["profile", "-date", "-pk"]
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours entries")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="hours_entry_hours_valid"),
        ]
