"""``ScheduleResult.derive``: replay how one value was computed, link by link."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from ._cpm import Solved
from ._model import ConstraintType as C
from ._passes import edge_bounds, start_to_finish, work
from ._result import Derivation, DerivationStep
from ._tasks import DONE, NEG

__all__ = ["explainer"]

_FIELDS = ("early_start", "early_finish", "late_start", "late_finish", "total_float", "free_float")
_TYPES = ("FS", "SS", "FF", "SF")


def explainer(s: Solved) -> Callable[[str, str], Derivation]:
    """A ``derive(task_id, field)`` function over a solved plan."""

    def derive(task_id: str, field: str) -> Derivation:
        if field not in _FIELDS:
            raise ValueError(f"field must be one of {', '.join(_FIELDS)}")
        if task_id not in s.plan.index:
            raise KeyError(f"no scheduled (leaf) task {task_id!r}")
        i = s.plan.index[task_id]
        steps = _Tracer(s).trace(i, field)
        return Derivation(task_id, field, steps[-1].value, tuple(steps))

    return derive


class _Tracer:
    def __init__(self, s: Solved) -> None:
        self.s = s
        self.p = s.plan
        self.span = self.p.bounds.span[:, None]

    def day(self, key: str, i: int) -> date:
        return date.fromordinal(int(self.s.days[key][i]))

    def trace(self, i: int, field: str) -> list[DerivationStep]:
        if field in ("early_start", "early_finish"):
            return self.early(i, field == "early_finish")
        if field in ("late_start", "late_finish"):
            return self.late(i, field == "late_start")
        if field == "total_float":
            steps = self.early(i, False) + self.late(i, True)
            why = "late start - early start, in working days"
            return [*steps, DerivationStep(self.p.ids[i], field, int(self.s.tf[i]), why)]
        return self.free(i)

    def _dur_step(self, i: int, key: str, field: str, why: str) -> DerivationStep:
        dur = int(self.p.bounds.dur[i])
        return DerivationStep(self.p.ids[i], field, self.day(key, i), f"{why} {dur} working day(s)")

    def early(self, i: int, finish: bool) -> list[DerivationStep]:
        steps: list[DerivationStep] = []
        seen: set[int] = set()
        node, want_finish = i, finish
        while node not in seen:
            seen.add(node)
            if want_finish:
                steps.append(self._dur_step(node, "ef", "early_finish", "early start +"))
            reason, nxt = self.early_reason(node)
            steps.append(
                DerivationStep(self.p.ids[node], "early_start", self.day("es", node), reason)
            )
            if nxt is None:
                break
            node, want_finish = nxt
        return steps[::-1]

    def early_reason(self, i: int) -> tuple[str, tuple[int, bool] | None]:
        b, task = self.p.bounds, self.p.tasks[i]
        if b.state[i] == DONE:
            return "actual start of a completed task", None
        if b.pin_start[i] != NEG:
            return f"must start on {task.constraint_date} (MSO)", None
        if b.pin_finish[i] != NEG:
            return f"must finish on {task.constraint_date} (MFO), minus the duration", None
        mine = self.s.edges[self.p.e_succ[self.s.edges] == i]
        slack = self.s.slack[np.searchsorted(self.s.edges, mine)]
        for e in mine[slack == 0].tolist():
            return self.link_text(e, True), (int(self.p.e_pred[e]), self.p.e_type[e] in (0, 2))
        return self.start_bound_reason(i), None

    def start_bound_reason(self, i: int) -> str:
        task, net = self.p.tasks[i], self.p.network
        if task.actual_start is not None:
            return "remaining work of a started task, scheduled after the status date"
        leveled = task.leveled_start
        if leveled is not None and not (
            task.constraint_type is C.SNET
            and task.constraint_date is not None
            and task.constraint_date > leveled
        ):
            return f"leveling delay: its resources have room from {leveled}"
        if task.constraint_type is C.SNET:
            return f"start no earlier than {task.constraint_date} (SNET)"
        if task.constraint_type is C.FNET:
            return f"finish no earlier than {task.constraint_date} (FNET), minus the duration"
        if net.status_date is not None and net.status_date >= net.start:
            return f"unstarted work begins after the status date {net.status_date}"
        return f"project start {net.start} (first working day on the task's calendar)"

    def link_text(self, e: int, fwd: bool) -> str:
        p = self.p
        lag = int(p.e_lag[e])
        unit = "elapsed" if p.e_elapsed[e] else "working"
        lag_text = f" with {'lag' if lag >= 0 else 'lead'} {abs(lag)} {unit} day(s)" if lag else ""
        dep = p.network.dependencies[int(p.e_link[e])]
        via = (
            ""
            if (dep.predecessor, dep.successor)
            == (p.ids[int(p.e_pred[e])], p.ids[int(p.e_succ[e])])
            else f" (link {dep.predecessor} -> {dep.successor} applied to summary children)"
        )
        kind = _TYPES[int(p.e_type[e])]
        other = p.ids[int(p.e_pred[e] if fwd else p.e_succ[e])]
        word = "predecessor" if fwd else "successor"
        cal = p.cals[int(p.cal[int(p.e_succ[e])])].id
        where = f"; the lag counts on calendar {cal}" if lag else ""
        # Where the two rule sets can differ (docs/scheduler.md, "Which rules apply").
        rules = (
            "; Microsoft Project's date rules" if p.project_rules and (lag or kind == "SF") else ""
        )
        return f"{kind} link from {word} {other}{lag_text}{via}{where}{rules}"

    def late(self, i: int, start: bool) -> list[DerivationStep]:
        steps: list[DerivationStep] = []
        seen: set[int] = set()
        node, want_start = i, start
        while node not in seen:
            seen.add(node)
            if want_start:
                steps.append(self._dur_step(node, "ls", "late_start", "late finish -"))
            reason, nxt = self.late_reason(node)
            steps.append(
                DerivationStep(self.p.ids[node], "late_finish", self.day("lf", node), reason)
            )
            if nxt is None:
                break
            node, want_start = nxt
        return steps[::-1]

    def late_reason(self, i: int) -> tuple[str, tuple[int, bool] | None]:
        p, b, task = self.p, self.p.bounds, self.p.tasks[i]
        if b.state[i] == DONE:
            return "actual finish of a completed task", None
        lf = int(self.s.times.lf[i, 0])
        edges = np.flatnonzero(p.e_bwd & (p.e_pred == i))
        if edges.size:
            bound = edge_bounds(p, self.s.times, self.span, edges, False)[:, 0]
            if b.span[i] > 0:
                bound -= 1 - (bound & 1)
            for e in edges[bound == lf].tolist():
                return self.link_text(e, False), (int(p.e_succ[e]), p.e_type[e] in (0, 1))
        caps = np.array(
            [b.hi_finish[i], start_to_finish(b.hi_start[i : i + 1], b.span[i : i + 1])[0]]
        )
        if b.span[i] > 0:
            caps -= 1 - (caps & 1)
        if lf in caps.tolist():
            if task.deadline is not None and task.constraint_type not in (C.FNLT, C.MFO):
                return f"deadline {task.deadline}", None
            return f"{task.constraint_type.value} constraint on {task.constraint_date}", None
        return f"project finish {date.fromordinal(self.s.finish_day)}", None

    def free(self, i: int) -> list[DerivationStep]:
        p, s = self.p, self.s
        steps = self.early(i, True)
        tid = p.ids[i]
        pf_slack = int(work(s.pf[i]) - work(s.times.ef[i, 0]))
        steps.append(DerivationStep(tid, "free_float", pf_slack, "room before the project finish"))
        out = s.edges[p.e_pred[s.edges] == i]
        slack = s.slack[np.searchsorted(s.edges, out)]
        for e, k in zip(out.tolist(), slack.tolist(), strict=True):
            who = p.ids[int(p.e_succ[e])]
            kind = _TYPES[int(p.e_type[e])]
            steps.append(
                DerivationStep(tid, "free_float", int(k), f"slack of {kind} link to {who}")
            )
        why = "smallest of the above, at least 0 and at most the total float"
        steps.append(DerivationStep(tid, "free_float", int(s.ff[i]), why))
        return steps
