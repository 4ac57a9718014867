"""Monte Carlo benchmark: PERT networks, ours (with criticality and sensitivity) vs peer.

Run from the repository root::

    .venv/bin/python -m benchmarks.montecarlo           # 1k x 10k vs peer; 10k x 10k memory
    .venv/bin/python -m benchmarks.montecarlo --quick   # 1k x 2k vs peer only

The peer's ``monte_carlo`` computes percentiles and a sensitivity ranking but no
criticality index; ours computes percentiles, criticality and sensitivity, so the ratio
is conservative. Ours runs on one thread by default; the time and ratio with
``threads=2`` are shown as well. Peak memory of the 10k x 10k
run is measured with ``tracemalloc`` (numpy reports its buffers to it) in a second, traced
run, so the timing run is not slowed by tracing; the process's peak RSS is printed too.
"""

from __future__ import annotations

import argparse
import gc
import resource
import tracemalloc

from benchmarks import _timing
from benchmarks._networks import layered_network
from benchmarks._timing import best_of, clock_name, load, machine, table
from scheduler import simulate

MIB = 1024 * 1024


def compare_with_peer(n_tasks: int, iterations: int) -> list[object]:
    import trueppm_scheduler as peer

    from tests.scheduler.oracles.peer_adapter import to_peer

    network = layered_network(n_tasks, three_point=True, mixed_links=False)
    project = to_peer(network)
    ours_s, ours = best_of(lambda: simulate(network, iterations=iterations, seed=1), 3)
    two_s, _ = best_of(lambda: simulate(network, iterations=iterations, seed=1, threads=2), 3)
    peer_s, theirs = best_of(lambda: peer.monte_carlo(project, runs=iterations, seed=1), 2)
    p80 = f"{ours.percentiles[80]} / {theirs.p80}"
    return [
        f"{n_tasks:,}", f"{iterations:,}", ours_s, two_s, peer_s, f"{peer_s / ours_s:.1f}x",
        f"{peer_s / two_s:.1f}x", p80,
    ]  # fmt: skip


def memory_run(n_tasks: int, iterations: int) -> list[object]:
    network = layered_network(n_tasks, three_point=True, mixed_links=False)
    seconds, _ = best_of(lambda: simulate(network, iterations=iterations, seed=1), 1)
    gc.collect()
    tracemalloc.start()
    simulate(network, iterations=iterations, seed=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return [f"{n_tasks:,}", f"{iterations:,}", seconds, f"{peak / MIB:.0f} MiB", f"{rss:.0f} MiB"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer iterations, no 10k run")
    parser.add_argument("--cpu", action="store_true", help="time CPU, not wall, seconds")
    args = parser.parse_args()
    if args.cpu:
        _timing.use_cpu_clock()
    iterations = 2_000 if args.quick else 10_000
    print(machine(), "-", clock_name())  # noqa: T201 - a benchmark script reports on stdout
    print(load())  # noqa: T201
    rows = [compare_with_peer(1_000, iterations)]
    headers = [
        "tasks", "iterations", "ours s", "ours 2 threads s", "peer s", "peer/ours",
        "peer/ours 2 threads", "P80 ours / peer",
    ]  # fmt: skip
    print(table(headers, rows))  # noqa: T201
    print(load())  # noqa: T201
    if not args.quick:
        rows = [memory_run(10_000, 10_000)]
        headers = ["tasks", "iterations", "ours s", "peak traced", "peak RSS (process)"]
        print(table(headers, rows))  # noqa: T201


if __name__ == "__main__":
    main()
