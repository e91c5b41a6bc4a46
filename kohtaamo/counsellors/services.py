"""Writes of the counsellor's path: profiles from a template, bases of taking part, entries, hours, teams."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.utils import timezone

from kohtaamo.audit.services import log_action
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
    SupervisionSession,
    TeamMember,
    TrainingEntry,
)
from kohtaamo.counsellors.models.profile import new_feed_token

# Entries a coordinator adds to a path, and the field that records who did it.
ENTRY_ACTOR_FIELDS: dict[type[models.Model], str | None] = {
    Competence: "recognised_by",
    TrainingEntry: None,
    CheckIn: "by",
    HoursEntry: None,
    OnboardingItem: None,
}


@transaction.atomic
def profile_create(
    *, actor, profile: CounsellorProfile, sites=(), languages=(), lived_experience=(), template=None
) -> CounsellorProfile:
    """A new counsellor's profile, with an onboarding plan copied from the county's template."""
    profile.full_clean()
    profile.save()
    profile.sites.set(sites)
    profile.languages.set(languages)
    profile.lived_experience.set(lived_experience)
    if template is not None:
        onboarding_from_template(actor=actor, profile=profile, template=template)
    log_action(actor, "counsellor.profile_create", profile, lawful_basis=profile.lawful_basis)
    return profile


@transaction.atomic
def profile_update(*, actor, profile: CounsellorProfile, sites=None, languages=None, lived_experience=None):
    profile.full_clean()
    profile.save()
    for name, values in (("sites", sites), ("languages", languages), ("lived_experience", lived_experience)):
        if values is not None:
            getattr(profile, name).set(values)
    # Field names only: the values are personal data and the audit log outlives erasure.
    log_action(actor, "counsellor.profile_update", profile)
    return profile


def onboarding_from_template(*, actor, profile: CounsellorProfile, template: OnboardingTemplate) -> list:
    items = [
        OnboardingItem(
            profile=profile,
            title=item.title,
            order=item.order,
            due_on=profile.started_on + dt.timedelta(days=item.due_after_days),
        )
        for item in template.items.all()
    ]
    for item in items:
        item.full_clean()
    OnboardingItem.objects.bulk_create(items)
    log_action(actor, "counsellor.onboarding_from_template", profile, template=template.pk, items=len(items))
    return items


@transaction.atomic
def participation_add(*, actor, participation: Participation) -> Participation:
    """A basis of taking part. The profile row is locked so that two overlapping periods cannot race in."""
    CounsellorProfile.objects.select_for_update().get(pk=participation.profile_id)
    participation.full_clean()
    participation.save()
    log_action(actor, "counsellor.participation_add", participation.profile, basis=participation.basis)
    return participation


@transaction.atomic
def path_entry_add(*, actor, entry: models.Model) -> models.Model:
    """A competence, training, check-in, own hours or onboarding item; the privacy guard runs in full_clean."""
    actor_field = ENTRY_ACTOR_FIELDS[type(entry)]
    if actor_field and getattr(entry, f"{actor_field}_id") is None:
        setattr(entry, actor_field, actor)
    entry.full_clean()
    entry.save()
    log_action(actor, f"counsellor.{entry._meta.model_name}_add", entry.profile, entry=entry.pk)
    return entry


@transaction.atomic
def onboarding_item_complete(*, actor, item: OnboardingItem, done: bool = True) -> OnboardingItem:
    item.done_on = timezone.localdate() if done else None
    item.done_by = actor if done else None
    item.full_clean()
    item.save(update_fields=["done_on", "done_by"])
    log_action(actor, "counsellor.onboarding_done" if done else "counsellor.onboarding_undone", item.profile)
    return item


@transaction.atomic
def hours_approve(*, actor, entry: HoursEntry) -> HoursEntry:
    # Nobody approves their own hours.
    if entry.profile.user_id == actor.pk:
        raise PermissionError("own hours")
    entry.approved_by, entry.approved_at = actor, timezone.now()
    entry.save(update_fields=["approved_by", "approved_at"])
    log_action(actor, "counsellor.hours_approve", entry.profile, entry=entry.pk, hours=entry.hours)
    return entry


@transaction.atomic
def supervision_record(*, actor, supervision: SupervisionSession, attendees) -> SupervisionSession:
    supervision.full_clean()
    supervision.save()
    supervision.attendees.set(attendees)
    log_action(actor, "counsellor.supervision_record", supervision, attendees=len(attendees))
    return supervision


@transaction.atomic
def template_save(*, actor, template: OnboardingTemplate, formset) -> OnboardingTemplate:
    template.full_clean()
    template.save()
    formset.instance = template
    formset.save()
    log_action(actor, "counsellor.template_save", template, items=template.items.count())
    return template


@transaction.atomic
def team_member_save(*, actor, member: TeamMember) -> TeamMember:
    member.full_clean()
    member.save()
    log_action(actor, "team.member_save", member.team, member=member.pk, responsible=member.is_responsible)
    return member


def profile_view_log(*, viewer, profile: CounsellorProfile, what: str = "profile") -> None:
    """Every staff view of someone else's profile is logged; the person may ask to see the log."""
    if viewer.pk == profile.user_id:
        return
    ProfileView.objects.create(profile=profile, viewer=viewer, viewer_name=viewer.get_username(), what=what)


def feed_for(user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def feed_rotate(*, actor) -> CalendarFeed:
    """A new secret URL; the old one stops working at once (e.g. after sharing it by mistake)."""
    feed = feed_for(actor)
    feed.token = new_feed_token()
    feed.save()
    log_action(actor, "counsellor.feed_rotate", None)
    return feed


@transaction.atomic
def team_save(*, actor, team) -> object:
    team.full_clean()
    team.save()
    log_action(actor, "team.save", team)
    return team
