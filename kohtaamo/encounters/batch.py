"""The batch of encounters a client logged offline (POST /api/v1/encounters/batch): each item answered on its own.

The good items of a batch are stored together (one INSERT per table, of plain values) with the same checks as
one encounter from the counsellor's screen (services.py); an item stored before, by an earlier send or by a
resend racing the batch, answers `duplicate`.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from kohtaamo.encounters.context import EncounterError, LogContext
from kohtaamo.encounters.models import Encounter, Session
from kohtaamo.encounters.services import TERM_FIELDS, Facts, _checked, check_moment, encounter_create
from kohtaamo.encounters.sessions import session_for_moment
from kohtaamo.lib import bulk, hours, rows

ENCOUNTER_COLUMNS = (
    "client_uuid",
    "session_id",
    "site_id",
    "occurred_at",
    "language_id",
    "coping",
    "note",
    "created_by_id",
)
_DATE = Session._meta.get_field("date")
THROUGH = {name: getattr(Encounter, name).through for name in TERM_FIELDS}  # the link model of each term field


@dataclass(frozen=True)
class EncounterInput:
    """One encounter as a client sends it, already parsed."""

    client_uuid: uuid.UUID
    site: int
    occurred_at: dt.datetime
    topics: Sequence[str] = ()
    help_forms: Sequence[str] = ()
    referrals: Sequence[str] = ()
    more_info: Sequence[str] = ()
    language: str | None = None
    coping: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    client_uuid: str | None
    status: str  # created, duplicate or rejected
    errors: list[dict] = field(default_factory=list)

    @classmethod
    def rejected(cls, client_uuid: str | None, error: EncounterError) -> Outcome:
        errors = [{"code": p.code, "field": p.field, "message": str(p.message)} for p in error.problems]
        return cls(client_uuid, "rejected", errors)


def encounter_batch(*, actor, items: Sequence[EncounterInput], now: dt.datetime | None = None) -> list[Outcome]:
    """Store a batch from an offline client. Each item stands alone: good ones are stored, bad ones refused.

    Terms, languages, sites and sessions are looked up once for the whole batch, and the good items
    are written together: one INSERT for the encounters and one per term field, in one transaction.
    An item whose client_uuid was stored before answers `duplicate`: a good one because the INSERT skips
    it (so a resend racing this batch is one too), a refused one (say, resent after its term was retired)
    once a look-up of the refused items' client_uuids finds it; that query runs only when an item is refused.
    """
    context = LogContext.load(actor=actor, site_ids=[item.site for item in items], now=now, light=True)
    _load_day_sessions(context, items)
    outcomes: list[Outcome | None] = []
    good: list[tuple[int, EncounterInput, Session, dt.datetime, Facts]] = []
    refused: list[tuple[int, uuid.UUID]] = []
    seen: set[uuid.UUID] = set()
    for item in items:
        key = str(item.client_uuid)
        if item.client_uuid in seen:  # a repeat of a good item earlier in the batch
            outcomes.append(Outcome(key, "duplicate"))
            continue
        try:
            site = context.site(item.site)
            moment = check_moment(context, item.occurred_at)  # before a session is opened for a bad time
            session = session_for_moment(context=context, site=site, moment=item.occurred_at)
            moment, facts = _checked(
                context,
                session=session,
                site=site,
                occurred_at=item.occurred_at,
                codes={name: getattr(item, name) for name in TERM_FIELDS},
                language=item.language,
                coping=item.coping,
                note=item.note,
                moment=moment,
            )
        except EncounterError as error:
            refused.append((len(outcomes), item.client_uuid))
            outcomes.append(Outcome.rejected(key, error))
            continue
        seen.add(item.client_uuid)
        good.append((len(outcomes), item, session, moment, facts))
        outcomes.append(None)
    keys = {index: str(item.client_uuid) for index, item, *_ in good}
    for index, created in _store_all(actor=actor, context=context, good=good):
        outcomes[index] = Outcome(keys[index], "created" if created else "duplicate")
    stored = _stored_already([client_uuid for _index, client_uuid in refused])
    for index, client_uuid in refused:
        if client_uuid in stored:
            outcomes[index] = Outcome(str(client_uuid), "duplicate")
    return [outcome for outcome in outcomes if outcome is not None]


def _load_day_sessions(context: LogContext, items: Sequence[EncounterInput]) -> None:
    """The sessions of every (site, local day) the batch touches, in one query instead of one per pair,
    and whether the actor is marked present at each (then the batch need not mark them again)."""
    pairs = {
        (item.site, item.occurred_at.astimezone(hours.HELSINKI).date())
        for item in items
        if item.site in context.sites and not timezone.is_naive(item.occurred_at)
    }
    pairs -= set(context.day_sessions)
    if not pairs:
        return
    found: dict[tuple[int, dt.date], list[Session]] = {pair: [] for pair in pairs}
    sites, days = sorted({site for site, _day in pairs}), sorted({day for _site, day in pairs})
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the `connection` proxy looks it up again
    with db.cursor() as cursor:
        cursor.execute(
            _sessions_sql(len(sites), len(days)),
            [context.actor.pk, *sites, *(_DATE.get_db_prep_value(day, db) for day in days)],
        )
        found_rows = cursor.fetchall()
    for *values, present in found_rows:
        session = rows.instance(Session, db.alias, values)
        if (session.site_id, session.date) in found:
            found[(session.site_id, session.date)].append(session)
            if present:
                context.present_in.add(session.pk)
    context.day_sessions.update(found)


def _stored_already(keys: list[uuid.UUID]) -> set[uuid.UUID]:
    """The client_uuids among `keys` stored before: one query by the unique index, written out (none for no keys)."""
    if not keys:
        return set()
    field = Encounter._meta.get_field("client_uuid")
    with connection.cursor() as cursor:
        cursor.execute(_stored_sql(len(keys)), [field.get_db_prep_value(key, connection) for key in keys])
        return {_as_uuid(key) for (key,) in cursor.fetchall()}


@functools.lru_cache(maxsize=64)
def _stored_sql(count: int) -> str:
    column, quote = Encounter._meta.get_field("client_uuid").column, connection.ops.quote_name
    return (
        f"SELECT {quote(column)} FROM {quote(Encounter._meta.db_table)} "  # noqa: S608 (quoted names)
        f"WHERE {quote(column)} IN ({', '.join(['%s'] * count)})"
    )


@functools.lru_cache(maxsize=256)
def _sessions_sql(sites: int, days: int) -> str:
    """The sessions at some sites on some days, earliest first (the day's sessions are looked at in order),
    each with whether a user (the first parameter) is among its staff present."""
    meta, quote = Session._meta, connection.ops.quote_name
    present = Session.staff_present.through._meta

    def col(name: str, of=meta) -> str:
        return quote(of.get_field(name).column)

    return (
        f"SELECT {rows.columns(Session, connection.alias, 's')}, "  # noqa: S608 (quoted names)
        f"EXISTS (SELECT 1 FROM {quote(present.db_table)} p "
        f"WHERE p.{col('session', present)} = s.{col('id')} AND p.{col('user', present)} = %s) "
        f"FROM {quote(meta.db_table)} s "
        f"WHERE s.{col('site')} IN ({', '.join(['%s'] * sites)}) AND s.{col('date')} IN ({', '.join(['%s'] * days)}) "
        f"ORDER BY s.{col('starts_at')}"
    )


def _store_all(*, actor, context: LogContext, good: list) -> list[tuple[int, bool]]:
    """Insert the checked items together; (index, created) for each.

    One INSERT for the encounters that skips a client_uuid stored meanwhile (a resend racing this batch:
    that item answers `duplicate`), one per term field for the links of those inserted, and one for the
    actor's presence, all of plain values in one transaction. Rows go in in client_uuid order, so that two
    batches sharing items take the unique index's locks in the same order (PostgreSQL) and never deadlock.
    """
    if not good:
        return []
    if not connection.features.can_return_rows_from_bulk_insert:
        return _store_one_by_one(actor=actor, context=context, good=good)
    good = sorted(good, key=lambda entry: entry[1].client_uuid.int)  # the order of UUIDs, compared in C
    rows = [
        (
            item.client_uuid,
            session.pk,
            session.site_id,
            moment,
            facts.language.pk if facts.language else None,
            facts.coping,
            facts.note,
            actor.pk,
        )
        for _index, item, session, moment, facts in good
    ]
    with transaction.atomic():
        inserted = bulk.insert(
            Encounter,
            ENCOUNTER_COLUMNS,
            rows,
            returning=("client_uuid", "id"),
            skip_conflicts_on=("client_uuid",),
        )
        ids = {_hex(key): pk for key, pk in inserted}
        stored = [(index, ids.get(item.client_uuid.hex), session, facts) for index, item, session, _m, facts in good]
        made = [(pk, session, facts) for _index, pk, session, facts in stored if pk is not None]
        for name, through in THROUGH.items():
            links = [(pk, term.pk) for pk, _session, facts in made for term in facts.terms[name]]
            bulk.insert(through, ("encounter_id", "term_id"), links)
        _mark_present(context, [session for _pk, session, _facts in made])
    return [(index, pk is not None) for index, pk, *_ in stored]


def _as_uuid(value) -> uuid.UUID:
    """A client_uuid as RETURNING or a SELECT gives it: a UUID from PostgreSQL, 32 hex digits from SQLite."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def _hex(value) -> str:
    """A client_uuid as RETURNING gives it (a UUID from PostgreSQL, 32 hex digits from SQLite) as 32 hex digits."""
    return value.hex if isinstance(value, uuid.UUID) else value


def _store_one_by_one(*, actor, context: LogContext, good: list) -> list[tuple[int, bool]]:
    """For a database without INSERT ... RETURNING: each item by the counsellor's screen's own path."""
    return [
        (
            index,
            encounter_create(
                actor=actor,
                session=session,
                client_uuid=item.client_uuid,
                topics=item.topics,
                help_forms=item.help_forms,
                referrals=item.referrals,
                more_info=item.more_info,
                language=item.language,
                coping=item.coping,
                note=item.note,
                occurred_at=item.occurred_at,
                context=context,
            )[1],
        )
        for index, item, session, _moment, _facts in good
    ]


def _mark_present(context: LogContext, sessions: list[Session]) -> None:
    """The actor was present at these sessions: one INSERT for all, as session.staff_present.add() would."""
    new = {session.pk: session for session in sessions if session.pk not in context.present_in}
    if not new:
        return
    through = Session.staff_present.through
    bulk.insert(through, ("session_id", "user_id"), [(pk, context.actor.pk) for pk in new], skip_conflicts_on=())
    context.present_in.update(new)
