"""Teams of a village house (seed 000) and the rota: who works at which session."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kohtaamo.counsellors.models.profile import Basis

# Who may answer for a team: the seed asks for a permanent post at the municipality or the county.
PUBLIC_EMPLOYERS = ("municipality", "county")


class MemberBasis(models.TextChoices):
    PERMANENT_EMPLOYEE = "permanent_employee", _("permanent employee")
    FIXED_TERM_EMPLOYEE = "fixed_term_employee", _("fixed-term employee")
    PROFESSIONAL = "professional", _("visiting professional")
    SUPPORTED_EMPLOYMENT = "supported_employment", _("supported employment")
    ENTREPRENEUR = "entrepreneur", _("entrepreneur")
    VOLUNTEER = Basis.VOLUNTEER.value, Basis.VOLUNTEER.label
    WORK_TRIAL = Basis.WORK_TRIAL.value, Basis.WORK_TRIAL.label
    WAGE_SUBSIDY = Basis.WAGE_SUBSIDY.value, Basis.WAGE_SUBSIDY.label
    LANGUAGE_PRACTICE = Basis.LANGUAGE_PRACTICE.value, Basis.LANGUAGE_PRACTICE.label
    SOCIAL_REHABILITATION = Basis.SOCIAL_REHABILITATION.value, Basis.SOCIAL_REHABILITATION.label
    REHABILITATIVE_WORK = Basis.REHABILITATIVE_WORK.value, Basis.REHABILITATIVE_WORK.label


class Team(models.Model):
    county = models.ForeignKey(
        "directory.WellbeingServicesCounty", on_delete=models.PROTECT, verbose_name=_("wellbeing services county")
    )
    site = models.ForeignKey(
        "directory.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="teams", verbose_name=_("site")
    )
    name = models.CharField(_("name"), max_length=120)
    responsibility = models.TextField(_("area of responsibility"), blank=True)

    class Meta:
        ordering = ["county", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="team_name_unique_in_county")]

    def __str__(self) -> str:
        return self.name

    @property
    def responsible(self) -> TeamMember | None:
        return next((member for member in self.members.all() if member.is_responsible), None)


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    basis = models.CharField(_("basis"), max_length=30, choices=MemberBasis.choices)
    employer = models.ForeignKey(
        "directory.Organisation", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("employer")
    )
    is_responsible = models.BooleanField(_("responsible person"), default=False)

    class Meta:
        ordering = ["team", "-is_responsible", "pk"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_member_once"),
            models.UniqueConstraint(fields=["team"], condition=Q(is_responsible=True), name="team_one_responsible"),
            models.CheckConstraint(
                condition=Q(is_responsible=False) | Q(basis="permanent_employee", employer__isnull=False),
                name="team_responsible_is_permanent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.user}"

    def clean(self) -> None:
        if not self.is_responsible:
            return
        employer_kind = self.employer.kind if self.employer_id else None
        if self.basis != MemberBasis.PERMANENT_EMPLOYEE or employer_kind not in PUBLIC_EMPLOYERS:
            raise ValidationError(
                {
                    "is_responsible": _(
                        "The responsible person must be permanently employed by a municipality or a wellbeing "
                        "services county: choose the basis “permanent employee” and such an employer, or choose "
                        "another responsible person."
                    )
                }
            )
        others = TeamMember.objects.filter(team_id=self.team_id, is_responsible=True).exclude(pk=self.pk)
        if others.exists():
            raise ValidationError({"is_responsible": _("The team already has a responsible person.")})


class Shift(models.Model):
    """A person on the rota of a session."""

    session = models.ForeignKey("encounters.Session", on_delete=models.CASCADE, related_name="shifts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shifts")
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["session__starts_at", "pk"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="shift_once_per_session")]

    def __str__(self) -> str:
        return f"{self.session}: {self.user}"
