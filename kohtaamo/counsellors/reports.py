"""Aggregate reports of the counsellors' path, with small counts hidden so that no counsellor can be picked out."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kohtaamo.counsellors import rota
from kohtaamo.counsellors.models import Basis, HoursEntry, NextStep

SUPPRESSION_THRESHOLD = 5


def suppress(count: int | None, *, threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """The one adapter to the suppression rule: point it at kohtaamo.stats.suppression when that lands."""
    if count is None:
        return "–"
    if 0 < count < threshold:
        return f"<{threshold}"
    return str(count)


@dataclass
class Row:
    label: object
    value: str


def _hidden_unless_enough(people: int, value: str) -> str:
    # A sum or a median over fewer people than the threshold could be read back to one of them.
    return value if people >= SUPPRESSION_THRESHOLD else f"<{SUPPRESSION_THRESHOLD}"


def path_report(*, profiles, today: dt.date | None = None) -> dict[str, list[Row]]:
    today = today or timezone.localdate()
    profiles = profiles.active() if hasattr(profiles, "active") else profiles
    current = profiles.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
    bases = Counter(
        current.filter(
            Q(participations__starts_on__lte=today),
            Q(participations__ends_on__isnull=True) | Q(participations__ends_on__gte=today),
        ).values_list("participations__basis", flat=True)
    )
    by_basis = [Row(str(label), suppress(bases.get(value, 0))) for value, label in Basis.choices]

    onboarding = profiles.annotate(
        items=Count("onboarding_items"),
        done=Count("onboarding_items", filter=Q(onboarding_items__done_on__isnull=False)),
    ).filter(items__gt=0)
    completed = sum(1 for p in onboarding if p.items == p.done)
    in_progress = sum(1 for p in onboarding if p.items != p.done)

    since = today - dt.timedelta(days=90)
    supervised = current.filter(supervision_sessions__date__gte=since).distinct().count()
    people = current.count()

    approved = HoursEntry.objects.filter(profile__in=profiles, approved_at__isnull=False)
    own_hours = float(approved.aggregate(total=Sum("hours"))["total"] or 0)
    with_user = [profile.user for profile in profiles.select_related("user") if profile.user_id]
    shift_hours = sum(rota.rota_hours(user) for user in with_user)
    contributors = len({p.pk for p in profiles if p.user_id} | set(approved.values_list("profile_id", flat=True)))

    outcomes = Counter(profiles.exclude(next_step_outcome="").values_list("next_step_outcome", flat=True))
    moved_on = outcomes.get(NextStep.STUDIES, 0) + outcomes.get(NextStep.WORK, 0)
    durations = [
        (p.next_step_outcome_on - p.started_on).days
        for p in profiles.filter(next_step_outcome__in=[NextStep.STUDIES, NextStep.WORK, NextStep.OTHER])
    ]
    median_days = str(round(statistics.median(durations))) if durations else "–"

    return {
        "by_basis": by_basis,
        "onboarding": [
            Row(_("onboarding completed"), suppress(completed)),
            Row(_("onboarding in progress"), suppress(in_progress)),
        ],
        "supervision": [
            Row(_("counsellors now"), suppress(people)),
            Row(_("in supervision in the last 90 days"), suppress(supervised)),
        ],
        "hours": [
            Row(_("hours on the rota"), _hidden_unless_enough(contributors, f"{shift_hours:.0f}")),
            Row(_("own hours approved"), _hidden_unless_enough(contributors, f"{own_hours:.0f}")),
        ],
        "next_steps": [Row(str(label), suppress(outcomes.get(value, 0))) for value, label in NextStep.choices]
        + [Row(_("moved on to studies or work"), suppress(moved_on))],
        "time_to_next_step": [
            Row(_("median days from start to the next step"), _hidden_unless_enough(len(durations), median_days))
        ],
    }
