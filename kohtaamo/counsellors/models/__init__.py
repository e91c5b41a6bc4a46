"""The counsellor's path (profile.py, path.py) and the village house's teams and the rota (teams.py)."""

from kohtaamo.counsellors.models.path import (
    CheckIn,
    Competence,
    HoursEntry,
    OnboardingItem,
    OnboardingTemplate,
    OnboardingTemplateItem,
    SupervisionSession,
    TrainingEntry,
)
from kohtaamo.counsellors.models.profile import (
    Basis,
    CalendarFeed,
    CounsellorProfile,
    LawfulBasis,
    NextStep,
    Participation,
    ProfileView,
)
from kohtaamo.counsellors.models.teams import MemberBasis, Shift, Team, TeamMember

__all__ = [
    "Basis",
    "CalendarFeed",
    "CheckIn",
    "Competence",
    "CounsellorProfile",
    "HoursEntry",
    "LawfulBasis",
    "MemberBasis",
    "NextStep",
    "OnboardingItem",
    "OnboardingTemplate",
    "OnboardingTemplateItem",
    "Participation",
    "ProfileView",
    "Shift",
    "SupervisionSession",
    "Team",
    "TeamMember",
    "TrainingEntry",
]
