"""The area and the period a document is about, read from the URL and checked against the user's scope."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import BadRequest
from django.http import QueryDict
from django.utils import timezone

from kohtaamo.accounts import permissions
from kohtaamo.directory.models import Municipality, WellbeingServicesCounty
from kohtaamo.lib.hours import HELSINKI

MUNICIPALITIES, COUNTIES = "municipalities", "counties"

# A year is the longest period a document covers: longer ones are heavy to draw and rarely read.
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date  # inclusive

    def query(self) -> str:
        return f"from={self.date_from.isoformat()}&to={self.date_to.isoformat()}"


@dataclass(frozen=True)
class Area:
    kind: str  # MUNICIPALITIES or COUNTIES, as in the URL
    obj: Municipality | WellbeingServicesCounty

    @property
    def code(self) -> str:
        return self.obj.code

    @property
    def name(self) -> str:
        return self.obj.name

    @property
    def is_municipality(self) -> bool:
        return self.kind == MUNICIPALITIES

    def filter_kwargs(self) -> dict:
        """The area as StatsFilter arguments."""
        return {"municipality": self.code} if self.is_municipality else {"county": self.code}

    def model_kwargs(self) -> dict:
        """The area as Narrative / PublishedReport fields."""
        return {"municipality": self.obj} if self.is_municipality else {"county": self.obj}


def last_full_quarter(today: dt.date) -> Period:
    first_month = (today.month - 1) // 3 * 3 + 1
    this_quarter = dt.date(today.year, first_month, 1)
    end = this_quarter - dt.timedelta(days=1)
    start = dt.date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
    return Period(start, end)


def whole_months(date_from: dt.date, date_to: dt.date) -> Period:
    """The statistics count whole calendar months (a defence against differencing), so documents do too."""
    last_day = calendar.monthrange(date_to.year, date_to.month)[1]
    return Period(date_from.replace(day=1), date_to.replace(day=last_day))


def parse_period(params: QueryDict) -> Period:
    """`from` and `to` as ISO dates, widened to whole months; both absent means the last full quarter.

    Bad values are a 400."""
    raw_from, raw_to = params.get("from", ""), params.get("to", "")
    if not raw_from and not raw_to:
        return last_full_quarter(timezone.now().astimezone(HELSINKI).date())
    try:
        period = whole_months(dt.date.fromisoformat(raw_from), dt.date.fromisoformat(raw_to))
    except ValueError:
        raise BadRequest("from and to must be dates, e.g. from=2026-01-01&to=2026-03-31") from None
    if period.date_to < period.date_from or (period.date_to - period.date_from).days >= MAX_DAYS:
        raise BadRequest("the period must run forwards and cover at most a year")
    return period


def get_area(user, kind: str, code: str, action: str = permissions.STATS) -> Area:
    """The municipality or county, if the user may `action` there: 404 outside the scope, 403 for the wrong role."""
    model = Municipality if kind == MUNICIPALITIES else WellbeingServicesCounty
    queryset = model.objects.select_related("county") if model is Municipality else model.objects.all()
    return Area(kind, permissions.get_object(user, queryset, action, code=code))
