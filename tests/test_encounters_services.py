import datetime as dt
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.utils import IntegrityError
from django.test.utils import CaptureQueriesContext

from kohtaamo.accounts import permissions
from kohtaamo.audit.models import LogEntry
from kohtaamo.encounters import services, sessions, taxonomies
from kohtaamo.encounters.models import Encounter, Session, Term, TermKind, Wish
from kohtaamo.encounters.services import EncounterError, LogContext
from kohtaamo.lib.hours import HELSINKI
from tests import factories as f
from tests import factories_encounters as fe

pytestmark = pytest.mark.django_db

# A Tuesday that is no public holiday.
TUESDAY = dt.date(2026, 11, 24)


def at(hour: int, minute: int = 0, day: dt.date = TUESDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HELSINKI)


def context_for(user, site, now):
    return LogContext.load(actor=user, site_ids=[site.pk], now=now)


def test_the_seed_has_every_kind_with_three_languages():
    for kind in TermKind.values:
        terms = Term.objects.filter(kind=kind)
        assert terms.count() >= 5
        assert all(term.label_fi and term.label_sv and term.label_en for term in terms)
    assert {"e_services", "rent_bills", "forms", "benefits", "housing", "loneliness", "substance_use", "other"} <= set(
        Term.objects.filter(kind=TermKind.TOPIC).values_list("code", flat=True)
    )


def test_seeding_again_adds_nothing_and_keeps_edited_labels():
    Term.objects.filter(kind=TermKind.TOPIC, code="housing").update(label_fi="Asuminen ja asunnot")
    assert taxonomies.seed_terms(Term) == 0
    assert fe.term("housing").label_fi == "Asuminen ja asunnot"


def test_a_term_cannot_be_inactive_without_a_retirement_time():
    with pytest.raises(IntegrityError):
        Term.objects.filter(kind=TermKind.TOPIC, code="housing").update(active=False)


def test_todays_session_appears_from_the_opening_hours_once(bob, tampere_site):
    partner = f.organisation(name="A-kilta")
    f.rule(tampere_site, weekdays=(2,), starts="09:00", ends="11:00", partners=[partner])
    context = context_for(bob, tampere_site, at(10, 20))
    site = context.site(tampere_site.pk)
    first = sessions.session_for_moment(context=context, site=site, moment=at(10, 20))
    again = sessions.session_for_moment(
        context=context_for(bob, tampere_site, at(10, 40)), site=site, moment=at(10, 40)
    )
    assert first.pk == again.pk
    assert (first.kind, first.starts_at, first.ends_at) == (Session.Kind.SCHEDULED, at(9), at(11))
    assert list(first.partners.all()) == [partner]
    assert Session.objects.count() == 1


def test_a_moment_outside_the_opening_hours_gets_an_ad_hoc_session_for_the_day(bob, tampere_site):
    f.rule(tampere_site, weekdays=(2,), starts="09:00", ends="11:00")
    context = context_for(bob, tampere_site, at(16))
    site = context.site(tampere_site.pk)
    afternoon = sessions.session_for_moment(context=context, site=site, moment=at(14, 5))
    evening = sessions.session_for_moment(context=context, site=site, moment=at(15, 55))
    assert afternoon.pk == evening.pk
    assert afternoon.kind == Session.Kind.AD_HOC
    assert afternoon.starts_at == at(0) and afternoon.date == TUESDAY


def test_an_ad_hoc_session_opened_at_a_library_is_used_for_the_moments_after_it(bob, tampere_site):
    pop_up = sessions.session_open_ad_hoc(actor=bob, site=tampere_site, place="Hervannan kirjasto", now=at(13, 10))
    assert (pop_up.starts_at, pop_up.place, pop_up.kind) == (at(13), "Hervannan kirjasto", Session.Kind.AD_HOC)
    assert list(pop_up.staff_present.all()) == [bob]
    context = context_for(bob, tampere_site, at(15))
    assert sessions.session_for_moment(context=context, site=context.site(tampere_site.pk), moment=at(14)) == pop_up
    assert LogEntry.objects.filter(action="session.open_ad_hoc").count() == 1


def test_an_ad_hoc_place_may_be_a_street_address_but_not_a_phone_number(bob, tampere_site):
    sessions.session_open_ad_hoc(actor=bob, site=tampere_site, place="Kela, Hatanpään valtatie 16", now=at(9))
    with pytest.raises(EncounterError) as caught:
        sessions.session_open_ad_hoc(actor=bob, site=tampere_site, place="soita 040 123 4567", now=at(11))
    assert caught.value.code == "personal_data"


def test_counsellor_cannot_open_a_session_at_another_site(bob, raisio_site):
    with pytest.raises(EncounterError) as caught:
        sessions.session_open_ad_hoc(actor=bob, site=raisio_site, place="", now=at(9))
    assert caught.value.code == "site_not_allowed"


def test_the_tally_counts_up_and_down_but_never_below_zero(bob, tampere_site):
    session = fe.session(tampere_site)
    assert sessions.tally_change(actor=bob, session=session, delta=1) == 1
    assert sessions.tally_change(actor=bob, session=session, delta=1) == 2
    assert sessions.tally_change(actor=bob, session=session, delta=-1) == 1
    assert sessions.tally_change(actor=bob, session=session, delta=-1) == 0
    assert sessions.tally_change(actor=bob, session=session, delta=-1) == 0
    with pytest.raises(EncounterError):
        sessions.tally_change(actor=bob, session=session, delta=5)


def test_the_tally_adds_in_the_database_not_from_a_stale_copy(bob, tampere_site):
    session = fe.session(tampere_site)
    stale = Session.objects.get(pk=session.pk)
    sessions.tally_change(actor=bob, session=session, delta=1)
    assert sessions.tally_change(actor=bob, session=stale, delta=1) == 2


def test_an_encounter_is_stored_with_the_hour_only(bob, tampere_site):
    session = fe.session(tampere_site, starts_at=at(9))
    encounter, created = services.encounter_create(
        actor=bob,
        session=session,
        client_uuid=uuid.uuid4(),
        topics=["housing", "benefits"],
        help_forms=["hands_on"],
        referrals=["kela"],
        more_info=["rights"],
        language="fi",
        coping="better",
        note="Kela-kortti hukassa, vuokra 650 €.",
        occurred_at=at(10, 47),
        context=context_for(bob, tampere_site, at(11)),
    )
    encounter.refresh_from_db()
    assert created
    assert encounter.occurred_at == at(10)
    assert sorted(t.code for t in encounter.topics.all()) == ["benefits", "housing"]
    assert [t.code for t in encounter.referrals.all()] == ["kela"]
    assert (encounter.language.code, encounter.coping, encounter.site) == ("fi", "better", tampere_site)
    assert list(session.staff_present.all()) == [bob]


def test_saving_a_model_directly_still_truncates_to_the_hour(tampere_site):
    session = fe.session(tampere_site, starts_at=at(9))
    encounter = fe.encounter(session, occurred_at=at(9, 59, TUESDAY).replace(second=31, microsecond=5))
    encounter.refresh_from_db()
    assert encounter.occurred_at == at(9)


def test_not_applicable_is_stored_apart_from_not_asked(bob, tampere_site):
    session = fe.session(tampere_site, starts_at=at(9))
    context = context_for(bob, tampere_site, at(10))
    answered, _ = services.encounter_create(
        actor=bob, session=session, client_uuid=uuid.uuid4(), topics=["other"], coping="not_applicable", context=context
    )
    unasked, _ = services.encounter_create(
        actor=bob, session=session, client_uuid=uuid.uuid4(), topics=["other"], context=context
    )
    assert Encounter.objects.get(pk=answered.pk).coping == "not_applicable"
    assert Encounter.objects.get(pk=unasked.pk).coping is None


def test_the_same_client_uuid_is_stored_once(bob, tampere_site):
    session = fe.session(tampere_site, starts_at=at(9))
    key = uuid.uuid4()
    first, created = services.encounter_create(
        actor=bob, session=session, client_uuid=key, topics=["health"], context=context_for(bob, tampere_site, at(10))
    )
    again, created_again = services.encounter_create(
        actor=bob, session=session, client_uuid=key, topics=["health"], context=context_for(bob, tampere_site, at(10))
    )
    assert created and not created_again and first.pk == again.pk
    assert Encounter.objects.count() == 1


def test_every_problem_of_an_encounter_is_reported_with_its_code(bob, tampere_site):
    session = fe.session(tampere_site, starts_at=at(9))
    with pytest.raises(EncounterError) as caught:
        services.encounter_create(
            actor=bob,
            session=session,
            client_uuid=uuid.uuid4(),
            topics=["no_such_matter"],
            referrals=["kela", "nowhere"],
            language="xx",
            coping="fine",
            note="hetu 131052-308T, puh 040 123 4567",
            occurred_at=at(14),
            context=context_for(bob, tampere_site, at(10)),
        )
    codes = {(problem.code, problem.field) for problem in caught.value.problems}
    assert codes == {
        ("in_future", "occurred_at"),
        ("unknown_code", "topics"),
        ("unknown_code", "referrals"),
        ("unknown_language", "language"),
        ("invalid_coping", "coping"),
        ("personal_data", "note"),
    }
    assert [p.message for p in caught.value.problems if p.field == "note"] == [
        services.privacy.MESSAGES["hetu"],
        services.privacy.MESSAGES["phone"],
    ]
    assert not Encounter.objects.exists()


def test_an_encounter_needs_a_matter(bob, tampere_site):
    session = fe.session(tampere_site, starts_at=at(9))
    with pytest.raises(EncounterError) as caught:
        services.encounter_create(
            actor=bob,
            session=session,
            client_uuid=uuid.uuid4(),
            topics=[],
            context=context_for(bob, tampere_site, at(9)),
        )
    assert caught.value.code == "topic_required"


def test_a_retired_term_is_refused_for_new_encounters_and_kept_on_old_ones(bob, ada, tampere_site):
    session = fe.session(tampere_site, starts_at=at(9))
    old = fe.encounter(session, topics=["loneliness"], by=bob)
    taxonomies.term_retire(actor=ada, term=fe.term("loneliness"))
    with pytest.raises(EncounterError) as caught:
        services.encounter_create(
            actor=bob,
            session=session,
            client_uuid=uuid.uuid4(),
            topics=["loneliness"],
            context=context_for(bob, tampere_site, at(10)),
        )
    assert caught.value.code == "retired_code"
    assert [t.code for t in old.topics.all()] == ["loneliness"]
    assert fe.term("loneliness").retired_at is not None


def test_a_countys_own_term_is_offered_only_at_its_sites(bob, tampere_site, raisio_site, carol):
    fe.county_term("food_bank", f.PIRKANMAA)
    pirkanmaa_session = fe.session(tampere_site, starts_at=at(9))
    raisio_session = fe.session(raisio_site, starts_at=at(9))
    services.encounter_create(
        actor=bob,
        session=pirkanmaa_session,
        client_uuid=uuid.uuid4(),
        topics=["food_bank"],
        context=context_for(bob, tampere_site, at(10)),
    )
    with pytest.raises(EncounterError) as caught:
        services.encounter_create(
            actor=carol,
            session=raisio_session,
            client_uuid=uuid.uuid4(),
            topics=["food_bank"],
            context=context_for(carol, raisio_site, at(10)),
        )
    assert caught.value.code == "unknown_code"


def test_undo_removes_only_ones_own_last_encounter_of_the_day(bob, alice, tampere_site):
    session = fe.session(tampere_site)
    mine = fe.encounter(session, by=bob)
    theirs = fe.encounter(session, by=alice)
    undone = services.encounter_undo_last(actor=bob, session=session, expected_pk=mine.pk)
    assert undone.client_uuid == mine.client_uuid
    assert list(Encounter.objects.all()) == [theirs]
    with pytest.raises(EncounterError) as caught:
        services.encounter_undo_last(actor=bob, session=session)
    assert caught.value.code == "nothing_to_undo"


def test_a_second_tap_on_undo_does_not_remove_an_earlier_encounter(bob, tampere_site):
    session = fe.session(tampere_site)
    earlier = fe.encounter(session, by=bob)
    last = fe.encounter(session, by=bob)
    services.encounter_undo_last(actor=bob, session=session, expected_pk=last.pk)
    with pytest.raises(EncounterError):
        services.encounter_undo_last(actor=bob, session=session, expected_pk=last.pk)
    assert list(Encounter.objects.all()) == [earlier]


def test_yesterdays_encounter_can_be_neither_undone_nor_edited(bob, tampere_site):
    yesterday = fe.session(tampere_site, starts_at=fe.session(tampere_site).starts_at - dt.timedelta(days=1))
    old = fe.encounter(yesterday, by=bob)
    with pytest.raises(EncounterError) as caught:
        services.encounter_undo_last(actor=bob, session=yesterday)
    assert caught.value.code == "too_late"
    with pytest.raises(EncounterError):
        services.encounter_update(actor=bob, encounter=old, topics=["health"])


def test_editing_keeps_a_retired_term_already_on_the_encounter(bob, ada, tampere_site):
    session = fe.session(tampere_site)
    encounter = fe.encounter(session, by=bob, topics=["loneliness"])
    taxonomies.term_retire(actor=ada, term=fe.term("loneliness"))
    services.encounter_update(
        actor=bob, encounter=encounter, topics=["loneliness", "health"], referrals=["ngo"], coping="much_better"
    )
    encounter.refresh_from_db()
    assert sorted(t.code for t in encounter.topics.all()) == ["health", "loneliness"]
    assert encounter.coping == "much_better"
    entry = LogEntry.objects.get(action="encounter.update")
    assert entry.data["fields"] == ["coping", "referrals", "topics"]  # names only, never the note


def test_nobody_edits_another_counsellors_encounter(bob, alice, tampere_site):
    encounter = fe.encounter(fe.session(tampere_site), by=alice)
    with pytest.raises(EncounterError) as caught:
        services.encounter_update(actor=bob, encounter=encounter, topics=["health"])
    assert caught.value.code == "not_own"


def test_a_wish_with_a_phone_number_is_refused_and_a_plain_one_kept(bob, tampere_site):
    session = fe.session(tampere_site)
    wish, created = services.wish_create(
        actor=bob,
        session=session,
        client_uuid=uuid.uuid4(),
        text="Lisää iltatoimintaa nuorille",
        themes=["activities", "opening_hours"],
    )
    assert created and sorted(t.code for t in wish.themes.all()) == ["activities", "opening_hours"]
    assert wish.site == tampere_site
    with pytest.raises(EncounterError) as caught:
        services.wish_create(actor=bob, session=session, client_uuid=uuid.uuid4(), text="Soittakaa 0401234567")
    assert caught.value.code == "personal_data"


def test_notes_are_blanked_after_the_retention_and_purging_twice_changes_nothing(tampere_site, settings):
    settings.NOTE_RETENTION_DAYS = 90
    now = at(12)
    old = fe.encounter(fe.session(tampere_site, starts_at=now - dt.timedelta(days=91)), note="kävi Kelassa")
    recent = fe.encounter(fe.session(tampere_site, starts_at=now - dt.timedelta(days=89)), note="tulee uudestaan")
    assert services.notes_purge(now=now) == 1
    assert services.notes_purge(now=now) == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.note, recent.note) == ("", "tulee uudestaan")
    assert old.topics.exists()  # the encounter itself stays for the statistics


def test_purge_notes_command_reports_what_it_did(tampere_site, capsys):
    fe.encounter(fe.session(tampere_site, starts_at=at(9, day=dt.date(2020, 1, 7))), note="vanha")
    call_command("purge_notes")
    call_command("purge_notes", "--days", "30")
    assert capsys.readouterr().out.splitlines() == ["Blanked 1 note(s).", "Blanked 0 note(s)."]


def test_a_term_lookup_costs_no_query_per_item(bob, tampere_site):
    session = fe.session(tampere_site, starts_at=at(9))
    context = context_for(bob, tampere_site, at(10))
    services.encounter_create(
        actor=bob, session=session, client_uuid=uuid.uuid4(), topics=["health"], context=context
    )  # warms present_in
    with CaptureQueriesContext(connection) as queries:
        services.encounter_create(
            actor=bob,
            session=session,
            client_uuid=uuid.uuid4(),
            topics=["health", "housing", "forms"],
            help_forms=["advice"],
            referrals=["kela", "ngo"],
            more_info=["rights"],
            context=context,
        )
    # savepoints, the encounter, one insert per term field
    assert len(queries) <= 10, [q["sql"] for q in queries]


def test_encounter_level_data_is_scoped_to_the_sites_where_one_logs_and_hidden_from_viewers(
    alice, bob, vera, carol, tampere_site, raisio_site
):
    here = fe.session(tampere_site)
    there = fe.session(raisio_site)
    fe.encounter(here, by=bob)
    fe.encounter(there, by=carol)
    services.wish_create(actor=bob, session=here, client_uuid=uuid.uuid4(), text="Lisää penkkejä puistoon")
    for model in (Session, Encounter, Wish):
        assert not permissions.scoped(vera, model).exists(), model
        assert {obj.site for obj in permissions.scoped(bob, model)} == {tampere_site}, model
        assert {obj.site for obj in permissions.scoped(alice, model)} == {tampere_site}, model
    assert {obj.site for obj in permissions.scoped(carol, Encounter)} == {raisio_site}
