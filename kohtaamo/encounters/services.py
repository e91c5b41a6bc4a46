"""Writes of encounters and wishes, from the counsellor's screen and the JSON API alike; the nightly note purge.

Each raises `EncounterError` with a machine-readable `code` (and one per problem in `problems`)
when the input is refused. Sessions and the tally are in sessions.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kohtaamo.audit.services import log_action
from kohtaamo.directory.models import Language, Site
from kohtaamo.encounters.context import EncounterError, LogContext, SiteRef, local_today
from kohtaamo.encounters.models import Coping, Encounter, Session, Term, TermKind, Wish, truncate_to_hour
from kohtaamo.encounters.taxonomies import LanguageRef, TermRef
from kohtaamo.lib import privacy

__all__ = ["EncounterError", "LogContext", "local_today"]  # re-exported: callers catch the error from here

NOTE_MAX_LENGTH = 500
WISH_MAX_LENGTH = 300
FUTURE_TOLERANCE = dt.timedelta(hours=1)  # clocks of phones drift; an hour ahead is still believable
OLDEST = dt.timedelta(days=366)
COPING_VALUES = frozenset(Coping.values)  # Coping.values walks the enum on every call

# The encounter's term fields and the kind each takes.
TERM_FIELDS = {
    "topics": TermKind.TOPIC,
    "help_forms": TermKind.HELP_FORM,
    "referrals": TermKind.REFERRAL,
    "more_info": TermKind.MORE_INFO,
}


# --- Encounters ---


def check_moment(context: LogContext, moment: dt.datetime) -> dt.datetime:
    """A believable time for an encounter, truncated to the hour."""
    if timezone.is_naive(moment):
        raise EncounterError("naive_datetime", _("Give the time with its UTC offset."), field="occurred_at")
    if moment > context.now + FUTURE_TOLERANCE:
        raise EncounterError("in_future", _("The time is in the future."), field="occurred_at")
    if moment < context.now - OLDEST:
        raise EncounterError("too_old", _("The time is more than a year ago."), field="occurred_at")
    return truncate_to_hour(moment)


@dataclass
class Facts:
    terms: dict[str, list[Term | TermRef]]
    language: Language | LanguageRef | None
    coping: str | None
    note: str


def _validated_facts(
    context: LogContext,
    *,
    site: Site | SiteRef,
    codes: dict[str, Sequence[str]],
    language: str | None,
    coping: str | None,
    note: str,
    keep: Collection[int] = (),
) -> Facts:
    problems: list[EncounterError] = []
    terms: dict[str, list[Term | TermRef]] = {}
    county_id = context.county_id(site)
    for name, kind in TERM_FIELDS.items():
        chosen = codes.get(name)
        if not chosen:  # most fields of most encounters: nothing to resolve
            terms[name] = []
            continue
        resolved = context.terms.resolve(kind, chosen, county_id=county_id, keep=keep)
        terms[name] = resolved.terms
        if resolved.unknown:
            problems.append(
                EncounterError(
                    "unknown_code",
                    _("Unknown codes: %(codes)s.") % {"codes": ", ".join(resolved.unknown)},
                    field=name,
                )
            )
        if resolved.retired:
            problems.append(
                EncounterError(
                    "retired_code",
                    _("Retired codes cannot be used: %(codes)s.") % {"codes": ", ".join(resolved.retired)},
                    field=name,
                )
            )
    if not terms["topics"] and not any(p.field == "topics" for p in problems):
        problems.append(EncounterError("topic_required", _("Choose at least one matter."), field="topics"))
    language_obj = None
    if language:
        language_obj = context.languages.get(language)
        if language_obj is None:
            problems.append(EncounterError("unknown_language", _("Unknown language code."), field="language"))
    if coping is not None and coping not in COPING_VALUES:
        problems.append(EncounterError("invalid_coping", _("Unknown answer to the coping question."), field="coping"))
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        problems.append(
            EncounterError(
                "note_too_long",
                _("Keep the note under %(count)d characters.") % {"count": NOTE_MAX_LENGTH},
                field="note",
            )
        )
    for finding_code in dict.fromkeys(finding.code for finding in privacy.check_text(note)):
        problems.append(EncounterError("personal_data", privacy.MESSAGES[finding_code], field="note"))
    if problems:
        raise EncounterError.collect(problems)
    return Facts(terms=terms, language=language_obj, coping=coping, note=note)


def _set_terms(encounter: Encounter, terms: dict[str, list[Term | TermRef]], *, replace: bool = False) -> None:
    for name, chosen in terms.items():
        manager = getattr(encounter, name)
        if replace:
            manager.set(chosen)
        elif chosen:
            # Straight into the through table: one INSERT per field, no read first.
            through = manager.through
            through.objects.bulk_create([through(encounter_id=encounter.pk, term_id=term.pk) for term in chosen])


def _checked(
    context: LogContext,
    *,
    session: Session,
    site: Site | SiteRef,
    occurred_at: dt.datetime | None,
    codes: dict[str, Sequence[str]],
    language: str | None,
    coping: str | None,
    note: str,
    moment: dt.datetime | None = None,
) -> tuple[dt.datetime, Facts]:
    """A new encounter's hour and facts, or EncounterError with every problem found.

    `moment`: what check_moment() made of `occurred_at` already, when the caller asked it before.
    """
    problems = []
    facts = None
    try:
        if moment is None:
            moment = check_moment(context, occurred_at or context.now)
        if moment.date() != session.date:
            raise EncounterError("outside_session", _("The session is not on the day of the encounter."))
    except EncounterError as error:
        problems.append(error)
    try:
        facts = _validated_facts(context, site=site, codes=codes, language=language, coping=coping, note=note)
    except EncounterError as error:
        problems += error.problems
    if problems:
        raise EncounterError.collect(problems)
    assert moment is not None and facts is not None
    return moment, facts


def encounter_create(
    *,
    actor,
    session: Session,
    client_uuid: uuid.UUID,
    topics: Sequence[str],
    help_forms: Sequence[str] = (),
    referrals: Sequence[str] = (),
    more_info: Sequence[str] = (),
    language: str | None = None,
    coping: str | None = None,
    note: str = "",
    occurred_at: dt.datetime | None = None,
    context: LogContext | None = None,
) -> tuple[Encounter, bool]:
    """Record an encounter; (encounter, False) when the client_uuid was stored already."""
    context = context or LogContext.load(actor=actor, site_ids=[session.site_id])
    site = context.site(session.site_id)
    moment, facts = _checked(
        context,
        session=session,
        site=site,
        occurred_at=occurred_at,
        codes={"topics": topics, "help_forms": help_forms, "referrals": referrals, "more_info": more_info},
        language=language,
        coping=coping,
        note=note,
    )
    # One transaction (a savepoint inside an outer one): a lost race on client_uuid leaves nothing behind.
    try:
        with transaction.atomic():
            encounter = Encounter.objects.create(
                client_uuid=client_uuid,
                session=session,
                site_id=site.pk,
                occurred_at=moment,
                language_id=facts.language.pk if facts.language else None,
                coping=facts.coping,
                note=facts.note,
                created_by=actor,
            )
            _set_terms(encounter, facts.terms)
            context.mark_present(session)
    except IntegrityError:
        existing = Encounter.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        return existing, False
    return encounter, True


def _check_own_today(*, actor, encounter: Encounter, now: dt.datetime) -> None:
    if encounter.created_by_id != actor.pk:
        raise EncounterError("not_own", _("You can change only the encounters you logged yourself."))
    if encounter.session.date != local_today(now):
        raise EncounterError("too_late", _("Encounters can be changed only on the day they were logged."))


@transaction.atomic
def encounter_update(
    *,
    actor,
    encounter: Encounter,
    topics: Sequence[str],
    help_forms: Sequence[str] = (),
    referrals: Sequence[str] = (),
    more_info: Sequence[str] = (),
    language: str | None = None,
    coping: str | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Encounter:
    """Change one's own encounter on the same day. Retired terms already on it may stay."""
    context = LogContext.load(actor=actor, site_ids=[encounter.site_id], now=now)
    site = context.site(encounter.site_id)
    _check_own_today(actor=actor, encounter=encounter, now=context.now)
    before = {name: {term.pk for term in getattr(encounter, name).all()} for name in TERM_FIELDS}
    facts = _validated_facts(
        context,
        site=site,
        codes={"topics": topics, "help_forms": help_forms, "referrals": referrals, "more_info": more_info},
        language=language,
        coping=coping,
        note=note,
        keep=set().union(*before.values()),
    )
    changed = [name for name in TERM_FIELDS if before[name] != {term.pk for term in facts.terms[name]}]
    changed += [
        name
        for name, value in (("language_id", facts.language and facts.language.pk), ("coping", facts.coping))
        if getattr(encounter, name) != value
    ]
    if encounter.note != facts.note:
        changed.append("note")
    encounter.language, encounter.coping, encounter.note = facts.language, facts.coping, facts.note
    encounter.save()
    _set_terms(encounter, facts.terms, replace=True)
    # Field names only: the audit log outlives the notes' retention and must not keep their text.
    log_action(actor, "encounter.update", encounter, fields=changed)
    return encounter


@transaction.atomic
def encounter_undo_last(
    *, actor, session: Session, expected_pk: int | None = None, now: dt.datetime | None = None
) -> Encounter:
    """Delete the actor's last encounter in the session, on the same day.

    `expected_pk` is the encounter the button offered to undo: a second tap must not undo another.
    """
    last = session.encounters.filter(created_by=actor).select_related("session").order_by("-pk").first()
    if last is None or (expected_pk is not None and last.pk != expected_pk):
        raise EncounterError("nothing_to_undo", _("There is nothing of yours to undo in this session."))
    _check_own_today(actor=actor, encounter=last, now=now or timezone.now())
    log_action(actor, "encounter.undo", last)
    last.delete()
    return last


# --- The API's batch ---


@transaction.atomic
def wish_create(
    *, actor, session: Session, client_uuid: uuid.UUID, text: str, themes: Sequence[str] = ()
) -> tuple[Wish, bool]:
    """Record a visitor's wish for the area; (wish, False) when the client_uuid was stored already."""
    context = LogContext.load(actor=actor, site_ids=[session.site_id])
    site = context.site(session.site_id)
    text = (text or "").strip()
    problems = []
    if not text:
        problems.append(EncounterError("wish_required", _("Write the wish."), field="text"))
    if len(text) > WISH_MAX_LENGTH:
        problems.append(EncounterError("wish_too_long", _("Keep the wish short."), field="text"))
    for finding_code in dict.fromkeys(finding.code for finding in privacy.check_text(text)):
        problems.append(EncounterError("personal_data", privacy.MESSAGES[finding_code], field="text"))
    resolved = context.terms.resolve(TermKind.WISH_THEME, themes, county_id=context.county_id(site))
    if resolved.unknown or resolved.retired:
        codes = ", ".join(resolved.unknown + resolved.retired)
        problems.append(
            EncounterError("unknown_code", _("Unknown codes: %(codes)s.") % {"codes": codes}, field="themes")
        )
    if problems:
        raise EncounterError.collect(problems)
    try:
        with transaction.atomic():
            wish = Wish.objects.create(client_uuid=client_uuid, session=session, site=site, text=text, created_by=actor)
            wish.themes.set(resolved.terms)
    except IntegrityError:
        existing = Wish.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        return existing, False
    context.mark_present(session)
    return wish, True


# --- Retention ---


def notes_purge(*, now: dt.datetime | None = None, retention_days: int | None = None) -> int:
    """Blank the notes of encounters older than the retention. Idempotent; returns how many were blanked."""
    days = settings.NOTE_RETENTION_DAYS if retention_days is None else retention_days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return Encounter.objects.filter(occurred_at__lt=cutoff).exclude(note="").update(note="")


def check_editable(*, actor, encounter: Encounter, now: dt.datetime | None = None) -> None:
    """Raise EncounterError unless the actor may change the encounter now (their own, the same day)."""
    _check_own_today(actor=actor, encounter=encounter, now=now or timezone.now())
