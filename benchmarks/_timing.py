"""Small helpers shared by the benchmark scripts: timing, tables, machine description."""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# The peer adapter lives with the oracle tests; make the repository root importable so
# ``python -m benchmarks.x`` and ``python benchmarks/x.py`` both find it.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def schedule_all(network: Any) -> Any:
    """Schedule and read every task's result, as a caller persisting them would.

    Our ``ScheduleResult.tasks`` builds each ``TaskResult`` on first access; the peer
    returns them all, so a fair comparison reads them all.
    """
    from scheduler import schedule

    result = schedule(network)
    for task in network.tasks:
        result.tasks[task.id]
    return result


#: The clock ``best_of`` reads: wall time by default; ``use_cpu_clock()`` switches to this
#: process's CPU time (all its threads), which a machine shared with other jobs disturbs less.
CLOCK: Callable[[], float] = time.perf_counter


def use_cpu_clock() -> None:
    global CLOCK
    CLOCK = time.process_time


def clock_name() -> str:
    return "CPU time of this process" if CLOCK is time.process_time else "wall time"


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Fastest time of ``repeat`` calls on ``CLOCK``, and the last call's result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = CLOCK()
        result = fn()
        best = min(best, CLOCK() - t0)
    return best, result


def machine() -> str:
    """One line naming the CPU, core count and Python/numpy versions."""
    import numpy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpu}, {cores} cores available, Python {platform.python_version()}, "
        f"numpy {numpy.__version__}"
    )


def load() -> str:
    """The 1/5/15-minute load averages, to judge how quiet the machine was."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table, so output pastes straight into the docs."""
    cells = [[str(c) for c in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:.0f}"
    return str(value)
