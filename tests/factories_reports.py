"""Builders for the reports tests: a quarter of encounters full of small counts, and session costs."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from kohtaamo.directory.models import Site
from kohtaamo.encounters.models import Coping, Term, TermKind, Wish
from kohtaamo.lib.hours import HELSINKI
from kohtaamo.reports.models import SessionSeriesCost
from kohtaamo.stats.rollups import refresh
from tests import factories_encounters as fe

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
Q1_QUERY = "from=2026-01-01&to=2026-03-31"

# Encounters per month of Q1: February's and March's are small (and hidden together), January's is shown.
MONTHS = {1: 12, 2: 3, 3: 8}
# Every matter, referral, information need and coping answer below is counted 1 to 4 times.
TOPICS = ["housing"] * 4 + ["benefits"] * 3 + ["e_services"] * 2 + ["forms"]
SMALL_COUNTS = {1, 2, 3, 4}


def small_counts_quarter(site: Site) -> None:
    """Q1 2026 at `site`: 23 encounters and 23 visitors in 3 sessions, with small counts in every breakdown."""
    kela = Term.objects.get(kind=TermKind.REFERRAL, code="kela")
    need = Term.objects.get(kind=TermKind.MORE_INFO, code="housing")
    safety = Term.objects.get(kind=TermKind.WISH_THEME, code="safety")
    index = 0
    for month, count in MONTHS.items():
        starts = dt.datetime(2026, month, 14, 9, tzinfo=HELSINKI)
        session = fe.session(site, starts_at=starts, visitor_count=count)
        for _ in range(count):
            encounter = fe.encounter(
                session,
                topics=[TOPICS[index % len(TOPICS)]] if index < len(TOPICS) else ["other"],
                coping=Coping.BETTER if index < 3 else None,
            )
            if index < 2:
                encounter.referrals.add(kela)
            if index < 1:
                encounter.more_info.add(need)
            index += 1
        if month == 1:
            wish = Wish.objects.create(client_uuid=uuid.uuid4(), session=session, site=site, text="Lisää penkkejä")
            wish.themes.add(safety)
    # The documents read the rollups, as in production, where refresh_stats runs on a timer.
    refresh()


def cost(site: Site, **fields) -> SessionSeriesCost:
    """Seed 004's example: eight sessions of community counselling bought from A-kilta for 3,200 €."""
    fields.setdefault("description", "Yhteisöneuvonta ostopalveluna")
    fields.setdefault("date_from", Q1[0])
    fields.setdefault("date_to", Q1[1])
    fields.setdefault("sessions", 8)
    fields.setdefault("amount", Decimal("3200.00"))
    return SessionSeriesCost.objects.create(site=site, **fields)
