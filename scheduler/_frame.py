"""The integer type Monte Carlo's passes run in: int16 when every time provably fits, else int32.

Times are absolute (twice the working days since 0001-01-01, about a million), so int16 needs
an origin: every finite bound is shifted by the same even number (parity carries the time of
day), and ``project_finish`` adds it back. Half-width integers halve the memory the passes,
the sampled spans and the criticality test move, which is most of a chunk's time.

Why the range holds: every time a pass computes is an anchor (a finite bound of some task:
earliest start, constraint, deadline, actual start) moved along a path of the network, each
step adding or removing at most one span, one lag and a rounding to 08:00/17:00. A forward
path has at most ``levels`` tasks, and a backward one starts from the project finish (itself
a forward path) or from an anchor, so no time lies further than ``(levels + 2) * step`` from
the anchors, ``step`` being the widest span plus the widest lag plus the roundings. Links that
go through real dates (elapsed lags, several calendars, and under Microsoft Project's rules
lagged links into milestones) work on absolute times, so such networks keep int32 without an
origin.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ._compile import Plan
from ._tasks import NEG, POS, TaskBounds

__all__ = ["Frame", "time_frame"]

_INT16_ROOM = 32_000  # below 2**15 - 1, with room for a rounding or two


@dataclass(frozen=True, slots=True)
class Frame:
    """``plan`` with its row bounds shifted by ``-origin``; passes on it run in ``dtype``."""

    plan: Plan
    dtype: type[np.signedinteger]
    origin: int


def time_frame(plan: Plan, widest_span: int) -> Frame:
    """The narrowest frame the passes can run in, given the widest span any task may take."""
    wide = Frame(plan, np.int32, 0)
    lay = plan.layout
    converted = any(side is not None for side in lay.forward.special + lay.backward.special)
    if len(plan.cals) != 1 or converted:
        return wide
    anchors = _anchors(lay.bounds)
    if anchors.size == 0:
        return wide
    lo, hi = int(anchors.min()), int(anchors.max())
    lag = 2 * int(np.abs(plan.e_lag).max(initial=0))
    levels = len(lay.cuts) - 1
    reach = (levels + 2) * (max(widest_span, 0) + lag + 4)
    origin = lo - (lo & 1)  # even, so a time's parity (08:00 or 17:00) is unchanged
    if reach >= _INT16_ROOM or hi - origin + reach >= _INT16_ROOM:
        return wide
    moved = dataclasses.replace(lay, bounds=_shifted(lay.bounds, origin))
    return Frame(dataclasses.replace(plan, layout=moved), np.int16, origin)


def _anchors(b: TaskBounds) -> np.ndarray:
    """Every finite time among the bounds."""
    parts = [b.start_time]
    parts += [
        v[v != NEG] for v in (b.lo_start, b.lo_finish, b.pin_start, b.pin_finish, b.act_start)
    ]
    parts += [v[v != POS] for v in (b.hi_start, b.hi_finish)]
    return np.concatenate(parts)


def _shifted(b: TaskBounds, origin: int) -> TaskBounds:
    """The bounds with every finite time moved by ``-origin`` (NEG and POS stay as they are)."""

    def move(v: np.ndarray, sentinel: int) -> np.ndarray:
        return np.where(v == sentinel, v, v - origin)

    return dataclasses.replace(
        b,
        lo_start=move(b.lo_start, NEG),
        start_time=b.start_time - origin,
        lo_finish=move(b.lo_finish, NEG),
        pin_start=move(b.pin_start, NEG),
        pin_finish=move(b.pin_finish, NEG),
        act_start=move(b.act_start, NEG),
        hi_start=move(b.hi_start, POS),
        hi_finish=move(b.hi_finish, POS),
    )
