"""Small-count suppression: the one gate every statistic passes through before anyone sees it.

HTML, JSON, CSV, XLSX, PDF and PPTX all show `Cell`s made here, never raw counts. The method
(docs/privacy.md says the same for readers outside the code):

1. Primary suppression: a count from 1 to THRESHOLD − 1 is hidden and shows as "<5" (the threshold).
   Zero is shown: "nobody" is not a person.
2. Secondary suppression (`protect`): in a table whose rows add up to its total, a lone hidden cell
   could be recovered as total − shown rows. So more cells are hidden, smallest first, until at least
   two are hidden and the hidden ones hold at least THRESHOLD together. With `groups` (sites within
   their municipality) the same rule holds inside each group, so a published municipality figure
   cannot reveal a hidden site either.
3. Differencing: periods are whole calendar months (queries.StatsFilter snaps them), so two periods
   never differ by a day; and every shown count is rounded to ROUNDING_BASE (default 5), so the
   difference of two overlapping figures (a county minus its other municipalities, a period minus
   a shorter one, one partner's sessions against all) is only known to within a few units.
   Totals are rounded on their own, so rows may not add up exactly to the total.

Derived ratios are computed from the shown (rounded) values and only when both are shown.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

from django.conf import settings

# The threshold at import time; functions read the setting on each call so tests may change it.
THRESHOLD: int = settings.STATS_SUPPRESSION_THRESHOLD


def threshold() -> int:
    return settings.STATS_SUPPRESSION_THRESHOLD


def rounding_base() -> int:
    return settings.STATS_ROUNDING_BASE


@dataclass(frozen=True)
class Cell:
    value: int | None  # None when suppressed
    suppressed: bool
    limit: int = field(default_factory=threshold, compare=False, repr=False)

    def __str__(self) -> str:
        return f"<{self.limit}" if self.suppressed else str(self.value)

    @property
    def shown(self) -> bool:
        return not self.suppressed


def rounded(count: int) -> int:
    """The count as shown: to the nearest multiple of the rounding base, never rounded down to zero."""
    base = rounding_base()
    if base <= 1 or count == 0:
        return count
    return max(base, (count + base // 2) // base * base)


def is_small(count: int) -> bool:
    return 0 < count < threshold()


def cell(count: int, *, hide: bool = False) -> Cell:
    """One published count: hidden when small (or when `hide` says so), else rounded."""
    if hide or is_small(count):
        return Cell(None, True)
    return Cell(rounded(count), False)


def _secondary(counts: Mapping[Hashable, int], hidden: set[Hashable]) -> set[Hashable]:
    """Grow the hidden set of one additive group until no hidden cell can be recovered from the total."""
    limit = threshold()
    hidden = set(hidden)
    candidates = sorted((key for key in counts if key not in hidden and counts[key] > 0), key=lambda k: counts[k])
    while hidden and (len(hidden) < 2 or sum(counts[k] for k in hidden) < limit) and candidates:
        hidden.add(candidates.pop(0))
    return hidden


def protect(
    counts: Mapping[Hashable, int],
    *,
    total: int,
    additive: bool,
    groups: Mapping[Hashable, Hashable] | None = None,
) -> tuple[dict[Hashable, Cell], Cell]:
    """Cells for a table's rows and its total, with primary and (for additive tables) secondary suppression.

    `additive`: the rows add up to the total (sites, months, coping answers). Multi-valued rows
    (matters, referrals) don't: an encounter may have several, so their total is the encounters' count
    and one row cannot be worked out from it.
    `groups`: row key -> group key, for rows that also add up to a published figure per group.
    """
    hidden = {key for key, count in counts.items() if is_small(count)}
    if additive:
        if groups:
            members: dict[Hashable, dict[Hashable, int]] = {}
            for key, count in counts.items():
                members.setdefault(groups.get(key), {})[key] = count
            for group in members.values():
                hidden |= _secondary(group, hidden & group.keys())
        hidden = _secondary(counts, hidden)
        # Still a lone hidden cell (nothing left to hide beside it): the total must go too.
        hide_total = len(hidden) == 1 or (hidden and sum(counts[k] for k in hidden) < threshold())
    else:
        hide_total = False
    cells = {key: cell(count, hide=key in hidden) for key, count in counts.items()}
    return cells, cell(total, hide=bool(hide_total))


def ratio(numerator: Cell, denominator: Cell, *, digits: int = 1) -> float | None:
    """A derived figure from shown cells only; None (shown as hidden) when either is hidden or zero."""
    if numerator.suppressed or denominator.suppressed or not denominator.value:
        return None
    return round(numerator.value / denominator.value, digits)


def change(current: Cell, previous: Cell) -> float | None:
    """Percentage change from the previous period, from shown cells only."""
    if current.suppressed or previous.suppressed or not previous.value:
        return None
    return round(100 * (current.value - previous.value) / previous.value)
