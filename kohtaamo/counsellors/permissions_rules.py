"""Who sees what of the counsellors' paths; called from accounts.permissions.register_rules().

A counsellor sees their own profile and shifts; coordinators (the PATH action) see and act on the
profiles, teams and rota of their county; coping check-ins are for coordinators only, not even
for the counsellor.
"""

from __future__ import annotations

from django.db.models import Q

from kohtaamo.accounts.permissions import NOTHING, PATH, allows, county_ids, register


def _profile_q(user, action: str, prefix: str = "") -> Q:
    if not user.is_authenticated:
        return NOTHING
    if user.is_superuser:
        return Q()
    mine = Q(**{f"{prefix}user_id": user.pk})
    if allows(user, PATH):
        return mine | Q(**{f"{prefix}county_id__in": county_ids(user)})
    return mine


def register_rules() -> None:
    from kohtaamo.counsellors.models import (
        CalendarFeed,
        CheckIn,
        Competence,
        CounsellorProfile,
        HoursEntry,
        OnboardingItem,
        OnboardingTemplate,
        Participation,
        ProfileView,
        Shift,
        SupervisionSession,
        Team,
        TeamMember,
        TrainingEntry,
    )

    @register(CounsellorProfile)
    def _profile(user, action: str) -> Q:
        return _profile_q(user, action)

    @register(Participation)
    @register(Competence)
    @register(OnboardingItem)
    @register(TrainingEntry)
    @register(HoursEntry)
    @register(ProfileView)
    def _path_item(user, action: str) -> Q:
        return _profile_q(user, action, "profile__")

    @register(CheckIn)
    def _check_in(user, action: str) -> Q:
        # Support for coping is between the counsellor and the coordinator; no one else reads it.
        if not allows(user, PATH):
            return NOTHING
        return _profile_q(user, PATH, "profile__")

    @register(OnboardingTemplate)
    @register(SupervisionSession)
    @register(Team)
    def _county_thing(user, action: str) -> Q:
        if not allows(user, PATH):
            return NOTHING
        return Q() if user.is_superuser else Q(county_id__in=county_ids(user))

    @register(TeamMember)
    def _team_member(user, action: str) -> Q:
        if not allows(user, PATH):
            return NOTHING
        return Q() if user.is_superuser else Q(team__county_id__in=county_ids(user))

    @register(Shift)
    def _shift(user, action: str) -> Q:
        if not user.is_authenticated:
            return NOTHING
        if user.is_superuser:
            return Q()
        mine = Q(user_id=user.pk)
        if allows(user, PATH):
            return mine | Q(session__site__municipality__county_id__in=county_ids(user))
        return mine

    @register(CalendarFeed)
    def _feed(user, action: str) -> Q:
        return Q(user_id=user.pk) if user.is_authenticated else NOTHING
