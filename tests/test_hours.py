"""The opening-hours engine at its edges: daylight saving, holidays, parity, midnight, validity."""

import datetime as dt
import pickle

import pytest
from django.utils import translation

from kohtaamo.lib import hours
from kohtaamo.lib.hours import HELSINKI, Exception_, Rule, Schedule

UTC = dt.UTC
MON, TUE, WED, THU, FRI, SAT, SUN = range(1, 8)


def t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def rule(weekdays=(TUE,), starts="11:00", ends="13:00", **fields) -> Rule:
    return Rule(weekdays=tuple(weekdays), starts=t(starts), ends=t(ends), **fields)


def helsinki(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HELSINKI)


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def starts(schedule: Schedule, first: dt.date, last: dt.date) -> list[dt.datetime]:
    return [opening.start for opening in schedule.openings_between(first, last)]


# --- Daylight saving: the last Sunday of March and of October -------------------------------


def test_a_sunday_slot_keeps_its_wall_clock_time_on_the_day_summer_time_starts():
    # 29.3.2026: clocks go from 03:00 EET (+02) to 04:00 EEST (+03).
    schedule = Schedule([rule(weekdays=(SUN,), starts="10:00", ends="14:00")])
    (opening,) = schedule.openings_on(dt.date(2026, 3, 29))
    assert opening.start.utcoffset() == dt.timedelta(hours=3)
    assert opening.start.astimezone(UTC) == utc(2026, 3, 29, 7, 0)
    assert not schedule.is_open_at(utc(2026, 3, 29, 7, 59) - dt.timedelta(hours=1))  # 09:59 EEST
    assert schedule.is_open_at(utc(2026, 3, 29, 7, 0))  # 10:00 EEST
    assert schedule.is_open_at(utc(2026, 3, 29, 10, 59))  # 13:59 EEST
    assert not schedule.is_open_at(utc(2026, 3, 29, 11, 0))  # 14:00 EEST


def test_a_slot_across_the_spring_gap_is_open_on_both_sides_of_it():
    # 02:00–05:00 on 29.3.2026 lasts two real hours: 02:00–02:59 EET and 04:00–04:59 EEST.
    schedule = Schedule([rule(weekdays=(SUN,), starts="02:00", ends="05:00")])
    assert schedule.is_open_at(utc(2026, 3, 29, 0, 30))  # 02:30 EET
    assert schedule.is_open_at(utc(2026, 3, 29, 1, 30))  # 04:30 EEST
    assert not schedule.is_open_at(utc(2026, 3, 29, 2, 0))  # 05:00 EEST


def test_a_slot_keeps_its_wall_clock_time_on_the_day_summer_time_ends():
    # 25.10.2026: clocks go from 04:00 EEST back to 03:00 EET.
    schedule = Schedule([rule(weekdays=(SUN,), starts="10:00", ends="14:00")])
    (opening,) = schedule.openings_on(dt.date(2026, 10, 25))
    assert opening.start.utcoffset() == dt.timedelta(hours=2)
    assert opening.start.astimezone(UTC) == utc(2026, 10, 25, 8, 0)
    assert not schedule.is_open_at(utc(2026, 10, 25, 7, 30))  # 09:30 EET, would be 10:30 in summer time
    assert schedule.is_open_at(utc(2026, 10, 25, 11, 59))  # 13:59 EET


def test_the_repeated_autumn_hour_is_open_both_times_round():
    schedule = Schedule([rule(weekdays=(SUN,), starts="03:00", ends="04:00")])
    assert schedule.is_open_at(utc(2026, 10, 25, 0, 30))  # 03:30 EEST
    assert schedule.is_open_at(utc(2026, 10, 25, 1, 30))  # 03:30 EET
    assert not schedule.is_open_at(utc(2026, 10, 25, 2, 0))  # 04:00 EET


def test_a_weekly_slot_shifts_its_utc_time_across_the_change_but_not_its_local_time():
    schedule = Schedule([rule(weekdays=(THU,), starts="09:00", ends="11:00")])
    found = starts(schedule, dt.date(2026, 3, 23), dt.date(2026, 4, 5))  # 26.3 in winter, 2.4 in summer time
    assert [s.astimezone(UTC).hour for s in found] == [7, 6]
    assert {s.astimezone(HELSINKI).hour for s in found} == {9}


# --- Finnish public holidays ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name_fi"),
    [
        (dt.date(2026, 12, 6), "Itsenäisyyspäivä"),
        (dt.date(2027, 12, 6), "Itsenäisyyspäivä"),
        (dt.date(2026, 6, 19), "Juhannusaatto"),
        (dt.date(2026, 6, 20), "Juhannuspäivä"),
        (dt.date(2026, 4, 3), "Pitkäperjantai"),
        (dt.date(2026, 4, 6), "Toinen pääsiäispäivä"),
        (dt.date(2026, 1, 6), "Loppiainen"),
    ],
)
def test_a_public_holiday_closes_a_site_that_would_be_open_that_weekday(day, name_fi):
    schedule = Schedule([rule(weekdays=(day.isoweekday(),), starts="09:00", ends="15:00")])
    assert schedule.openings_on(day) == []
    assert not schedule.is_open_at(hours.local(day, t("12:00")))
    assert schedule.openings_on(day + dt.timedelta(days=7)) or hours.holiday_name(day + dt.timedelta(days=7))
    with translation.override("fi"):
        assert hours.holiday_name(day) == name_fi


def test_holiday_names_follow_the_active_language():
    with translation.override("sv"):
        assert hours.holiday_name(dt.date(2026, 12, 6)) == "Självständighetsdagen"
    with translation.override("en"):
        assert hours.holiday_name(dt.date(2026, 12, 6)) == "Independence Day"
    assert hours.holiday_name(dt.date(2026, 12, 7)) is None


def test_an_exception_with_special_hours_opens_a_holiday():
    independence_day = dt.date(2027, 12, 6)  # a Monday
    schedule = Schedule(
        [rule(weekdays=(MON,), starts="09:00", ends="15:00")],
        [
            Exception_(
                date=independence_day, closed=False, starts=t("12:00"), ends=t("14:00"), note="Itsenäisyyspäivän kahvit"
            )
        ],
    )
    (opening,) = schedule.openings_on(independence_day)
    assert (opening.start, opening.end) == (helsinki(2027, 12, 6, 12), helsinki(2027, 12, 6, 14))
    assert opening.note == "Itsenäisyyspäivän kahvit"
    assert schedule.is_open_at(helsinki(2027, 12, 6, 13))
    assert not schedule.is_open_at(helsinki(2027, 12, 6, 10))


def test_a_closed_exception_wins_over_special_hours_on_the_same_day():
    day = dt.date(2026, 12, 8)
    schedule = Schedule(
        [rule(weekdays=(TUE,))],
        [Exception_(date=day, closed=True), Exception_(date=day, closed=False, starts=t("10:00"), ends=t("11:00"))],
    )
    assert schedule.openings_on(day) == []


def test_a_closed_exception_closes_an_ordinary_day():
    schedule = Schedule([rule(weekdays=(TUE,))], [Exception_(date=dt.date(2026, 12, 1), closed=True)])
    assert schedule.openings_on(dt.date(2026, 12, 1)) == []
    assert len(schedule.openings_on(dt.date(2026, 12, 8))) == 1


def test_a_schedule_keeps_the_openings_it_found_by_day_but_not_in_pickles_or_comparisons():
    schedule = Schedule([rule(weekdays=(TUE,))], [Exception_(date=dt.date(2026, 12, 8), closed=True)])
    tuesday = dt.date(2026, 12, 1)
    first = schedule.openings_on(tuesday)
    again = schedule.openings_on(tuesday)
    assert again == first == [hours.Opening(helsinki(2026, 12, 1, 11), helsinki(2026, 12, 1, 13))]
    again.clear()  # each call gets a list of its own
    assert schedule.openings_on(tuesday) == first and schedule.openings_on(dt.date(2026, 12, 8)) == []
    copy = pickle.loads(pickle.dumps(schedule))  # noqa: S301 (made here)
    assert copy == schedule == Schedule(schedule.rules, schedule.exceptions)
    assert copy._openings == {} and copy.openings_on(tuesday) == first
    for offset in range(hours.OPENINGS_MEMO + 5):  # bounded: past the limit it starts over
        schedule.openings_on(tuesday + dt.timedelta(days=offset))
    assert len(schedule._openings) <= hours.OPENINGS_MEMO


# --- Every second week, monthly ------------------------------------------------------------


def test_every_second_week_counts_from_the_week_of_valid_from():
    # Valid from a Thursday: that week is an "on" week, even though Tuesday came before the start.
    schedule = Schedule([rule(weekdays=(TUE, THU), recurrence=hours.BIWEEKLY, valid_from=dt.date(2026, 11, 5))])
    found = [s.date() for s in starts(schedule, dt.date(2026, 11, 1), dt.date(2026, 12, 4))]
    assert found == [
        dt.date(2026, 11, 5),
        dt.date(2026, 11, 17),
        dt.date(2026, 11, 19),
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 3),
    ]


def test_every_second_week_keeps_its_parity_across_new_year():
    schedule = Schedule([rule(weekdays=(WED,), recurrence=hours.BIWEEKLY, valid_from=dt.date(2026, 12, 16))])
    found = [s.date() for s in starts(schedule, dt.date(2026, 12, 14), dt.date(2027, 1, 31))]
    # 30.12 is an "on" week; 13.1 and 27.1 follow, 6.1 (Epiphany) is an "off" week anyway.
    assert found == [dt.date(2026, 12, 16), dt.date(2026, 12, 30), dt.date(2027, 1, 13), dt.date(2027, 1, 27)]


def test_first_monday_of_the_month():
    schedule = Schedule([rule(weekdays=(MON,), recurrence=hours.MONTHLY, week_of_month=1)])
    found = [s.date() for s in starts(schedule, dt.date(2026, 9, 1), dt.date(2027, 2, 28))]
    assert found == [
        dt.date(2026, 9, 7),
        dt.date(2026, 10, 5),
        dt.date(2026, 11, 2),
        dt.date(2026, 12, 7),
        dt.date(2027, 1, 4),
        dt.date(2027, 2, 1),
    ]


def test_last_friday_of_the_month_skips_good_friday():
    schedule = Schedule([rule(weekdays=(FRI,), recurrence=hours.MONTHLY, week_of_month=-1)])
    found = [s.date() for s in starts(schedule, dt.date(2027, 1, 1), dt.date(2027, 4, 30))]
    # The last Friday of March 2027 is Good Friday (26.3), a holiday.
    assert found == [dt.date(2027, 1, 29), dt.date(2027, 2, 26), dt.date(2027, 4, 30)]


def test_third_thursday_of_the_month():
    schedule = Schedule([rule(weekdays=(THU,), recurrence=hours.MONTHLY, week_of_month=3)])
    assert [s.date() for s in starts(schedule, dt.date(2026, 10, 1), dt.date(2026, 11, 30))] == [
        dt.date(2026, 10, 15),
        dt.date(2026, 11, 19),
    ]


# --- Midnight ------------------------------------------------------------------------------


def test_a_slot_that_ends_at_midnight_is_open_until_the_last_minute_of_the_day():
    schedule = Schedule([rule(weekdays=(FRI,), starts="20:00", ends="00:00")])
    (opening,) = schedule.openings_on(dt.date(2026, 11, 27))
    assert opening.end == helsinki(2026, 11, 28, 0, 0)
    assert schedule.is_open_at(helsinki(2026, 11, 27, 23, 59))
    assert not schedule.is_open_at(helsinki(2026, 11, 28, 0, 0))
    assert not schedule.is_open_at(helsinki(2026, 11, 27, 19, 59))


def test_a_slot_that_starts_at_midnight_belongs_to_its_own_day():
    schedule = Schedule([rule(weekdays=(SAT,), starts="00:00", ends="02:00")])
    assert schedule.is_open_at(helsinki(2026, 11, 28, 0, 0))
    assert schedule.is_open_at(helsinki(2026, 11, 28, 1, 59))
    assert not schedule.is_open_at(helsinki(2026, 11, 28, 2, 0))
    assert not schedule.is_open_at(helsinki(2026, 11, 27, 23, 59))


def test_a_friday_night_slot_is_open_after_midnight_utc_when_it_is_still_friday_in_helsinki():
    schedule = Schedule([rule(weekdays=(FRI,), starts="20:00", ends="00:00")])
    # 27.11.2026 21:30 UTC is 23:30 on Friday in Helsinki; 22:00 UTC is already Saturday.
    assert schedule.is_open_at(utc(2026, 11, 27, 21, 30))
    assert not schedule.is_open_at(utc(2026, 11, 27, 22, 0))


def test_an_evening_slot_before_a_holiday_still_opens_and_runs_to_midnight():
    # Christmas Eve 24.12.2026 is a Thursday holiday; Wednesday 23.12 20:00–00:00 is an ordinary day.
    schedule = Schedule([rule(weekdays=(WED, THU), starts="20:00", ends="00:00")])
    assert schedule.is_open_at(helsinki(2026, 12, 23, 23, 30))
    assert not schedule.is_open_at(helsinki(2026, 12, 24, 20, 30))


def test_naive_moments_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        Schedule([rule()]).is_open_at(dt.datetime(2026, 11, 24, 12, 0))


# --- Validity -----------------------------------------------------------------------------


def test_the_first_and_last_valid_days_are_both_included():
    schedule = Schedule([rule(weekdays=(TUE,), valid_from=dt.date(2026, 11, 10), valid_until=dt.date(2026, 11, 24))])
    found = [s.date() for s in starts(schedule, dt.date(2026, 11, 1), dt.date(2026, 12, 31))]
    assert found == [dt.date(2026, 11, 10), dt.date(2026, 11, 17), dt.date(2026, 11, 24)]


def test_several_slots_a_day_come_in_time_order():
    schedule = Schedule([rule(starts="15:00", ends="17:00", key="b"), rule(starts="09:00", ends="11:00", key="a")])
    assert [o.rule_key for o in schedule.openings_on(dt.date(2026, 11, 24))] == ["a", "b"]


def test_next_openings_include_the_ongoing_one_and_count_ten():
    schedule = Schedule([rule(weekdays=(TUE, THU), starts="11:00", ends="13:00")])
    found = schedule.next_openings(helsinki(2026, 11, 24, 12, 0), 10)
    assert len(found) == 10
    assert found[0].start == helsinki(2026, 11, 24, 11, 0)
    # Christmas Eve (Thu 24.12) is skipped.
    assert helsinki(2026, 12, 24, 11, 0) not in [o.start for o in found]
    assert found == sorted(found)


def test_a_site_without_rules_has_no_published_hours():
    schedule = Schedule([])
    assert not schedule.is_published
    assert schedule.next_openings(helsinki(2026, 11, 24, 12, 0)) == []
    assert not schedule.is_open_at(helsinki(2026, 11, 24, 12, 0))


def test_a_week_runs_monday_to_sunday_with_holiday_names():
    with translation.override("fi"):
        week = Schedule([rule(weekdays=(SUN,))]).week(dt.date(2026, 12, 3))
    assert [day for day, _, _ in week][0] == dt.date(2026, 11, 30)
    assert week[-1] == (dt.date(2026, 12, 6), [], "Itsenäisyyspäivä")


# --- Validation and overlaps ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"weekdays": ()}, "weekdays"),
        ({"starts": "13:00", "ends": "11:00"}, "ends"),
        ({"starts": "11:00", "ends": "11:00"}, "ends"),
        ({"valid_from": dt.date(2026, 12, 1), "valid_until": dt.date(2026, 11, 30)}, "valid_until"),
        ({"recurrence": hours.BIWEEKLY}, "valid_from"),
        ({"recurrence": hours.MONTHLY, "week_of_month": 5}, "week_of_month"),
    ],
)
def test_an_invalid_rule_names_the_field_at_fault(fields, field):
    with pytest.raises(hours.InvalidRule) as error:
        rule(**fields).validate()
    assert error.value.field == field


def test_a_slot_ending_at_midnight_is_valid():
    rule(starts="20:00", ends="00:00").validate()
    rule(starts="00:00", ends="02:00").validate()


def test_overlap_needs_a_shared_day_and_time():
    assert rule(starts="09:00", ends="12:00").overlaps(rule(starts="11:00", ends="14:00"))
    assert not rule(starts="09:00", ends="12:00").overlaps(rule(starts="12:00", ends="14:00"))
    assert not rule(weekdays=(MON,)).overlaps(rule(weekdays=(TUE,)))
    assert rule(starts="20:00", ends="00:00").overlaps(rule(starts="23:00", ends="00:00"))
    assert not rule(starts="20:00", ends="00:00").overlaps(rule(starts="00:00", ends="02:00"))


def test_biweekly_rules_on_alternate_weeks_do_not_overlap():
    even = rule(recurrence=hours.BIWEEKLY, valid_from=dt.date(2026, 11, 2))
    odd = rule(recurrence=hours.BIWEEKLY, valid_from=dt.date(2026, 11, 9))
    same = rule(recurrence=hours.BIWEEKLY, valid_from=dt.date(2026, 11, 16))
    assert not even.overlaps(odd)
    assert even.overlaps(same)


def test_rules_valid_in_different_periods_do_not_overlap():
    autumn = rule(valid_from=dt.date(2026, 8, 1), valid_until=dt.date(2026, 12, 31))
    spring = rule(valid_from=dt.date(2027, 1, 1), valid_until=dt.date(2027, 5, 31))
    assert not autumn.overlaps(spring)
    assert autumn.overlaps(rule(valid_from=dt.date(2026, 12, 29)))
