"""CPM benchmark: random layered networks (~3 links/task, holiday calendar), ours vs peer.

Run from the repository root::

    .venv/bin/python -m benchmarks.cpm            # 1k and 10k ours vs peer, 100k ours alone
    .venv/bin/python -m benchmarks.cpm --quick    # skip 100k, fewer repeats

Prints a Markdown table of best-of-N wall times (building the input is excluded). Our
``schedule()`` builds each task's ``TaskResult`` lazily on first access, while the peer
returns every task's dates, so the ratio is taken against "schedule + read every task's
result"; the bare ``schedule()`` time is shown too, and "validated" adds building (and so
validating) the ``Network`` from its task and link lists. The last column says whether the
two engines agree on every task's early/late dates, floats and critical flag.
"""

from __future__ import annotations

import argparse

from benchmarks import _timing
from benchmarks._networks import layered_network
from benchmarks._timing import best_of, clock_name, load, machine, schedule_all, table
from scheduler import Network, schedule


def validated(network: Network) -> object:
    """Build (validate) the network again from its parts, schedule it and read every result."""
    again = Network(
        network.start, list(network.tasks), list(network.dependencies),
        dict(network.calendars), network.default_calendar, network.status_date,
    )  # fmt: skip
    return schedule_all(again)


def compare_with_peer(n_tasks: int, repeat: int, *, lags: bool = False) -> list[object]:
    import trueppm_scheduler as peer

    from tests.scheduler.oracles.peer_adapter import our_dates, peer_dates, to_peer

    network = layered_network(n_tasks, elapsed_lags=lags)
    project = to_peer(network)
    bare_s, _ = best_of(lambda: schedule(network), repeat)
    ours_s, ours = best_of(lambda: schedule_all(network), repeat)
    full_s, _ = best_of(lambda: validated(network), repeat)
    peer_s, theirs = best_of(lambda: peer.schedule(project), max(1, repeat // 2))
    a, b = our_dates(ours), peer_dates(theirs)
    mismatches = sum(1 for tid in a if a[tid] != b[tid])
    agree = "yes" if mismatches == 0 else f"no ({mismatches} tasks differ)"
    kind = "FS/SS/FF + elapsed lags" if lags else "FS/SS/FF"
    links = f"{len(network.dependencies):,}"
    ratio = f"{peer_s / ours_s:.1f}x"
    return [f"{n_tasks:,}", links, kind, bare_s, ours_s, full_s, peer_s, ratio, agree]


def ours_alone(n_tasks: int, repeat: int) -> list[object]:
    """Ours timed; the peer only asked once, to record that it refuses this size."""
    import trueppm_scheduler as peer

    from tests.scheduler.oracles.peer_adapter import to_peer

    network = layered_network(n_tasks)
    bare_s, _ = best_of(lambda: schedule(network), repeat)
    ours_s, _ = best_of(lambda: schedule_all(network), repeat)
    full_s, _ = best_of(lambda: validated(network), repeat)
    try:
        peer.schedule(to_peer(network))
        verdict = "ran (not timed)"
    except peer.SchedulerError as exc:
        verdict = f"refused: {type(exc).__name__}"
        print(f"peer at {n_tasks:,} tasks: {exc}")  # noqa: T201
    links = f"{len(network.dependencies):,}"
    return [f"{n_tasks:,}", links, "FS/SS/FF", bare_s, ours_s, full_s, verdict, "-", "-"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip 100k, fewer repeats")
    parser.add_argument("--cpu", action="store_true", help="time CPU, not wall, seconds")
    args = parser.parse_args()
    if args.cpu:
        _timing.use_cpu_clock()
    repeat = 2 if args.quick else 5
    print(load())  # noqa: T201
    rows = [compare_with_peer(1_000, repeat), compare_with_peer(10_000, repeat)]
    rows.append(compare_with_peer(10_000, repeat, lags=True))
    if not args.quick:
        rows.append(ours_alone(100_000, 3))
    headers = [
        "tasks", "links", "link types", "ours schedule() s", "ours + all results s",
        "ours validated + all results s", "peer s", "peer/ours", "identical results",
    ]  # fmt: skip
    print(machine(), "-", clock_name())  # noqa: T201 - a benchmark script reports on stdout
    print(table(headers, rows))  # noqa: T201
    print(load())  # noqa: T201


if __name__ == "__main__":
    main()
