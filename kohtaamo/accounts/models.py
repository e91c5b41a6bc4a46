"""Staff and counsellor accounts: one role each, scoped to a county, a municipality or sites."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("administrator")
    COORDINATOR = "coordinator", _("coordinator")
    PROFESSIONAL = "professional", _("social-work professional")
    COUNSELLOR = "counsellor", _("community counsellor")
    VIEWER = "viewer", _("viewer")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    # The scope of the role: the widest one given wins (county > municipality > sites).
    county = models.ForeignKey(
        "directory.WellbeingServicesCounty",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("wellbeing services county"),
    )
    municipality = models.ForeignKey(
        "directory.Municipality", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("municipality")
    )
    sites = models.ManyToManyField("directory.Site", blank=True, related_name="staff", verbose_name=_("sites"))

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(county__isnull=True) | Q(municipality__isnull=True),
                name="user_scope_county_or_municipality",
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.county_id and self.municipality_id:
            raise ValidationError(_("Scope a user to a county or to a municipality, not both."))

    # Readable permission checks for templates and views; the rules live in permissions.py.
    def can_edit_site(self, site) -> bool:
        from kohtaamo.accounts import permissions

        return permissions.can(self, permissions.EDIT, site)

    def can_view_site(self, site) -> bool:
        from kohtaamo.accounts import permissions

        return permissions.can(self, permissions.VIEW, site)

    @property
    def is_staff_member(self) -> bool:
        return self.is_authenticated and (self.is_superuser or self.role != Role.VIEWER or self.county_id is not None)
