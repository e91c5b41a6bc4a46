"""The counsellor's GDPR rights: export everything about one person, erase them, keep data no longer than needed.

Erasure removes identity and keeps the history: the profile row stays (with its dates, bases,
attendance and hours) so that statistics and other people's records do not change, but its name,
contact details, free-text notes and login are gone. The retention period runs from the day the
person stopped (`ended_on`); `manage.py purge_counsellors` erases those past it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from kohtaamo.accounts import permissions
from kohtaamo.audit.models import LogEntry
from kohtaamo.audit.services import _jsonable, log_action
from kohtaamo.counsellors import rota
from kohtaamo.counsellors.models import CalendarFeed, CounsellorProfile, Shift

# Three years after the person stops, unless the county decides otherwise (COUNSELLOR_RETENTION_DAYS).
DEFAULT_RETENTION_DAYS = 3 * 365


def retention_days() -> int:
    return int(getattr(settings, "COUNSELLOR_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def _rows(queryset, *fields: str) -> list[dict]:
    return [{key: _jsonable(value) for key, value in row.items()} for row in queryset.values(*fields)]


def profile_export(*, profile: CounsellorProfile, viewer=None) -> dict:
    """Everything Kohtaamo holds about the person, as plain data (JSON, and the PDF's content).

    With a `viewer`, only what the viewer may see: coping check-ins are for coordinators only
    (permissions_rules.py), so the person's own export leaves them out.
    """
    user = profile.user
    check_ins = profile.check_ins.all()
    if viewer is not None:
        check_ins = permissions.scoped(viewer, check_ins, permissions.PATH)
    data = {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "id": profile.pk,
            "full_name": profile.full_name,
            "email": profile.email,
            "phone": profile.phone,
            "county": str(profile.county),
            "lawful_basis": profile.lawful_basis,
            "consent_given_on": _jsonable(profile.consent_given_on),
            "started_on": _jsonable(profile.started_on),
            "ended_on": _jsonable(profile.ended_on),
            "sites": [str(site) for site in profile.sites.all()],
            "languages": [str(language) for language in profile.languages.all()],
            "lived_experience": [term.code for term in profile.lived_experience.all()],
            "next_step_goal": profile.next_step_goal,
            "next_step_goal_set_on": _jsonable(profile.next_step_goal_set_on),
            "next_step_outcome": profile.next_step_outcome,
            "next_step_outcome_on": _jsonable(profile.next_step_outcome_on),
        },
        "login": {"username": user.get_username(), "email": user.email, "role": user.role} if user else None,
        "bases_of_taking_part": _rows(profile.participations.all(), "basis", "organiser__name", "starts_on", "ends_on"),
        "recognised_competences": _rows(
            profile.competences.all(), "what", "recognised_by__username", "recognised_on", "evidence"
        ),
        "onboarding": _rows(profile.onboarding_items.all(), "title", "due_on", "done_on", "done_by__username"),
        "training": _rows(profile.training.all(), "title", "date", "hours"),
        "supervision": _rows(profile.supervision_sessions.all(), "kind", "date", "supervisor"),
        "coping_check_ins": _rows(check_ins, "date", "coping", "note", "by__username"),
        "own_hours": _rows(
            profile.hours_entries.all(), "date", "hours", "what", "approved_by__username", "approved_at"
        ),
        "shifts": _rows(
            Shift.objects.filter(user=user), "session__site__name", "session__starts_at", "session__ends_at"
        )
        if user
        else [],
        "rota_hours": round(rota.rota_hours(user), 1),
        "teams": _rows(user.team_memberships.all(), "team__name", "basis", "is_responsible") if user else [],
        "staff_views_of_profile": _rows(profile.views.all(), "viewer_name", "viewed_at", "what"),
    }
    return data


def profile_export_pdf(*, profile: CounsellorProfile, language: str, viewer=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "counsellors/export.html",
        {"data": profile_export(profile=profile, viewer=viewer), "profile": profile, "lang": language},
    )
    return HTML(string=html).write_pdf()


@transaction.atomic
def profile_erase(*, actor, profile: CounsellorProfile) -> CounsellorProfile:
    """Remove the person's identity everywhere; keep the rows that statistics and others' history rest on."""
    profile = CounsellorProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.erased_at:
        return profile
    profile.full_name = ""
    profile.email = ""
    profile.phone = ""
    profile.erased_at = timezone.now()
    profile.ended_on = profile.ended_on or timezone.localdate()
    profile.save()
    profile.sites.clear()
    profile.languages.clear()
    profile.lived_experience.clear()
    profile.competences.update(evidence="")
    profile.check_ins.update(note="")
    profile.hours_entries.update(what="")
    user = profile.user
    if user is not None:
        _erase_user(user)
    log_action(actor, "counsellor.erase", profile)
    return profile


def _erase_user(user) -> None:
    old_names = {user.get_username()}
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    user.api_tokens.all().delete()
    CalendarFeed.objects.filter(user=user).delete()
    # Audit entries keep the acting account, not the name it had.
    LogEntry.objects.filter(actor=user).update(actor_name=user.username)
    LogEntry.objects.filter(actor_name__in=old_names).update(actor_name=user.username)
    user_type = ContentType.objects.get_for_model(get_user_model())
    AdminLogEntry.objects.filter(content_type=user_type, object_id=str(user.pk)).update(object_repr=user.username)
    # The login lockout's records are security history: they stay, under the account's new name.
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__in=old_names).update(username=user.username)
    from django.contrib.sessions.models import Session as LoginSession

    # The person's logins end with the account; session data is opaque, so every session is checked.
    for login in LoginSession.objects.all().iterator():
        if str(login.get_decoded().get("_auth_user_id")) == str(user.pk):
            login.delete()


def profiles_past_retention(*, today: dt.date | None = None):
    today = today or timezone.localdate()
    cutoff = today - dt.timedelta(days=retention_days())
    return CounsellorProfile.objects.active().filter(ended_on__lt=cutoff)


def profiles_purge(*, today: dt.date | None = None) -> int:
    """Erase every profile whose retention period has run out. Idempotent: run it daily."""
    count = 0
    for profile in profiles_past_retention(today=today):
        profile_erase(actor=None, profile=profile)
        count += 1
    return count
