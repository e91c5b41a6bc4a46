"""Opening hours as pure data: weekly rules, exceptions and Finnish public holidays.

Everything here works in Europe/Helsinki wall-clock time: a slot "Tue 11–13" is 11–13 local
time in winter and in summer alike, whatever the UTC offset. Django models turn themselves
into these dataclasses (`as_slot()`, `as_exception()`), so the rules are tested without a
database and the same code answers "open now", the week view, the API and the iCalendar feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

HELSINKI = ZoneInfo("Europe/Helsinki")
MIDNIGHT = dt.time(0, 0)
WEEKLY, BIWEEKLY, MONTHLY = "weekly", "biweekly", "monthly"
WEEKDAYS = {
    1: gettext_lazy("Monday"),
    2: gettext_lazy("Tuesday"),
    3: gettext_lazy("Wednesday"),
    4: gettext_lazy("Thursday"),
    5: gettext_lazy("Friday"),
    6: gettext_lazy("Saturday"),
    7: gettext_lazy("Sunday"),
}
WEEKDAY_ABBREVIATIONS = {
    1: pgettext_lazy("weekday", "Mon"),
    2: pgettext_lazy("weekday", "Tue"),
    3: pgettext_lazy("weekday", "Wed"),
    4: pgettext_lazy("weekday", "Thu"),
    5: pgettext_lazy("weekday", "Fri"),
    6: pgettext_lazy("weekday", "Sat"),
    7: pgettext_lazy("weekday", "Sun"),
}


class InvalidRule(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def ends_after(starts: dt.time, ends: dt.time) -> bool:
    """An end of 00:00 is midnight at the end of the day, so 20:00–00:00 is a valid slot."""
    return ends == MIDNIGHT or ends > starts


def local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=HELSINKI)


def to_helsinki(moment: dt.datetime) -> dt.datetime:
    """An aware moment in Helsinki time. A naive one is refused: astimezone() would read it in the server's zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("A moment needs a time zone or a UTC offset.")
    return moment.astimezone(HELSINKI)


def today() -> dt.date:
    """Today in Helsinki: the server may run in UTC, where the date changes two or three hours later."""
    return dt.datetime.now(HELSINKI).date()


def interval(day: dt.date, starts: dt.time, ends: dt.time) -> tuple[dt.datetime, dt.datetime]:
    end_day = day + dt.timedelta(days=1) if ends == MIDNIGHT else day
    return local(day, starts), local(end_day, ends)


_HOLIDAY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


@lru_cache(maxsize=64)
def _finnish_holidays(year: int, language: str = "fi") -> holidays.HolidayBase:
    return holidays.country_holidays("FI", years=year, language=language)


def holiday_name(day: dt.date) -> str | None:
    """The public holiday's name in the active language, or None on an ordinary day."""
    language = _HOLIDAY_LANGUAGES.get((get_language() or "fi")[:2], "fi")
    return _finnish_holidays(day.year, language).get(day)


def is_holiday(day: dt.date) -> bool:
    """Whether the day is a public holiday (the same days in every language: no need to ask for the active one)."""
    return day in _finnish_holidays(day.year)


def holiday_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """Finnish public holidays from start to end, inclusive."""
    return sorted(
        day for year in range(start.year, end.year + 1) for day in _finnish_holidays(year) if start <= day <= end
    )


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Rule:
    weekdays: tuple[int, ...]  # ISO: 1 = Monday ... 7 = Sunday
    starts: dt.time
    ends: dt.time
    recurrence: str = WEEKLY
    week_of_month: int | None = None  # 1..4, or -1 for the last, with MONTHLY
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    key: object = None

    def validate(self) -> None:
        if not self.weekdays or any(not 1 <= day <= 7 for day in self.weekdays):
            raise InvalidRule(_("Choose at least one weekday."), "weekdays")
        if not ends_after(self.starts, self.ends):
            raise InvalidRule(_("The end time is before the start time."), "ends")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise InvalidRule(_("The validity ends before it starts."), "valid_until")
        if self.recurrence == BIWEEKLY and not self.valid_from:
            raise InvalidRule(_("An every-second-week rule needs a start date to count weeks from."), "valid_from")
        if self.recurrence == MONTHLY and self.week_of_month not in (1, 2, 3, 4, -1):
            raise InvalidRule(_("Choose which weekday of the month (first … fourth, or last)."), "week_of_month")

    def describe(self) -> str:
        """E.g. "Tue, Thu 09:00–14:00", in the active language."""
        days = ", ".join(str(WEEKDAY_ABBREVIATIONS[day]) for day in sorted(self.weekdays))
        return f"{days} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_until is None or day <= self.valid_until
        )

    def occurs_on(self, day: dt.date) -> bool:
        if day.isoweekday() not in self.weekdays or not self.is_valid_on(day):
            return False
        if self.recurrence == BIWEEKLY:
            assert self.valid_from is not None
            return (monday(day) - monday(self.valid_from)).days // 7 % 2 == 0
        if self.recurrence == MONTHLY:
            if self.week_of_month == -1:
                return (day + dt.timedelta(days=7)).month != day.month
            return (day.day - 1) // 7 + 1 == self.week_of_month
        return True

    def times_overlap(self, other: Rule) -> bool:
        def minutes(time: dt.time, end: bool) -> int:
            return 24 * 60 if end and time == MIDNIGHT else time.hour * 60 + time.minute

        return minutes(self.starts, False) < minutes(other.ends, True) and minutes(other.starts, False) < minutes(
            self.ends, True
        )

    def overlaps(self, other: Rule, horizon_days: int = 800) -> bool:
        """Whether two rules ever open at the same moment (checked day by day over the horizon)."""
        if not set(self.weekdays) & set(other.weekdays) or not self.times_overlap(other):
            return False
        starts = [d for d in (self.valid_from, other.valid_from) if d]
        ends = [d for d in (self.valid_until, other.valid_until) if d]
        first = max(starts) if starts else today()
        last = min(ends) if ends else first + dt.timedelta(days=horizon_days)
        day = first
        while day <= min(last, first + dt.timedelta(days=horizon_days)):
            if self.occurs_on(day) and other.occurs_on(day):
                return True
            day += dt.timedelta(days=1)
        return False


@dataclass(frozen=True)
class Exception_:
    date: dt.date
    closed: bool
    starts: dt.time | None = None
    ends: dt.time | None = None
    note: str = ""


@dataclass(frozen=True, order=True)
class Opening:
    start: dt.datetime
    end: dt.datetime
    rule_key: object = field(default=None, compare=False)
    note: str = field(default="", compare=False)

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end


# Days whose openings a schedule keeps (Schedule.openings_on); past this many it starts over.
OPENINGS_MEMO = 64


@dataclass
class Schedule:
    rules: list[Rule]
    exceptions: list[Exception_] = field(default_factory=list)
    # openings_on() by day. A schedule is not changed once made (an edit of a site's hours makes a new one, see
    # kohtaamo/directory/schedules.py), and the encounter batch asks a kept schedule for the same day request
    # after request. Left out of pickles and comparisons.
    _openings: dict[dt.date, tuple[Opening, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getstate__(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if name != "_openings"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _openings={})

    @property
    def is_published(self) -> bool:
        return bool(self.rules or self.exceptions)

    def openings_on(self, day: dt.date) -> list[Opening]:
        """The openings that start on a local date, with exceptions and holidays applied.

        An exception replaces the rules for its whole day: a closed exception closes it, special
        hours (several allowed) are the only openings. A public holiday closes the day unless
        an exception opens it.
        """
        found = self._openings.get(day)
        if found is None:
            if len(self._openings) >= OPENINGS_MEMO:
                self._openings.clear()
            found = self._openings[day] = tuple(self._find_openings(day))
        return list(found)

    def _find_openings(self, day: dt.date) -> list[Opening]:
        todays = [exception for exception in self.exceptions if exception.date == day]
        if todays:
            if any(exception.closed for exception in todays):
                return []
            return sorted(
                Opening(*interval(day, e.starts, e.ends), note=e.note)  # type: ignore[arg-type]
                for e in todays
            )
        if is_holiday(day):
            return []
        return sorted(
            Opening(*interval(day, rule.starts, rule.ends), rule_key=rule.key)
            for rule in self.rules
            if rule.occurs_on(day)
        )

    def openings_between(self, first: dt.date, last: dt.date) -> Iterator[Opening]:
        day = first
        while day <= last:
            yield from self.openings_on(day)
            day += dt.timedelta(days=1)

    def is_open_on(self, day: dt.date) -> bool:
        """Whether the site opens at all on a local date."""
        return bool(self.openings_on(day))

    def is_open_at(self, moment: dt.datetime) -> bool:
        local_moment = to_helsinki(moment)
        # An opening that ends at midnight started the day before.
        yesterday = local_moment.date() - dt.timedelta(days=1)
        return any(o.contains(local_moment) for o in self.openings_between(yesterday, local_moment.date()))

    def next_openings(self, moment: dt.datetime, count: int = 10, horizon_days: int = 400) -> list[Opening]:
        """The next `count` openings that have not ended by `moment` (an ongoing one included)."""
        if not self.is_published:
            return []
        local_moment = to_helsinki(moment)
        found: list[Opening] = []
        first = local_moment.date() - dt.timedelta(days=1)
        for opening in self.openings_between(first, first + dt.timedelta(days=horizon_days)):
            if opening.end > local_moment:
                found.append(opening)
                if len(found) == count:
                    break
        return found

    def week(self, day: dt.date) -> list[tuple[dt.date, list[Opening], str | None]]:
        """Monday to Sunday of the week of `day`: each date, its openings and a holiday name."""
        start = monday(day)
        days = [start + dt.timedelta(days=offset) for offset in range(7)]
        return [(d, self.openings_on(d), holiday_name(d)) for d in days]


def overlapping_pairs(rules: Iterable[Rule]) -> list[tuple[Rule, Rule]]:
    rules = list(rules)
    return [(a, b) for i, a in enumerate(rules) for b in rules[i + 1 :] if a.overlaps(b)]
