"""PSPLIB benchmark: all 1,080 j30 + j120 networks end to end, ours vs peer.

Run from the repository root::

    .venv/bin/python -m benchmarks.psplib

Per set: time to read the ``.sm`` files, then the summed time to schedule every instance
and read every task's result, for each engine (inputs built beforehand), the ratio, and
how many instances each engine got exactly right (project length == the file's MPM-Time).
"""

from __future__ import annotations

import argparse
from typing import Any

from benchmarks import _timing
from benchmarks._timing import ROOT, clock_name, load, machine, schedule_all, table
from scheduler import PsplibInstance, read_psplib

DATA = ROOT.parent / "shared" / "data" / "psplib"


def run_set(name: str) -> list[object]:
    import trueppm_scheduler as peer

    from tests.scheduler.oracles.peer_adapter import to_peer

    paths = sorted((DATA / name).glob("*.sm"))
    t0 = _timing.CLOCK()
    instances = [read_psplib(p) for p in paths]
    read_s = _timing.CLOCK() - t0
    projects = [to_peer(inst.network) for inst in instances]

    t0 = _timing.CLOCK()
    ours = [schedule_all(inst.network) for inst in instances]
    ours_s = _timing.CLOCK() - t0
    t0 = _timing.CLOCK()
    theirs = [peer.schedule(p) for p in projects]
    peer_s = _timing.CLOCK() - t0

    ours_ok = sum(_exact(i, r) for i, r in zip(instances, ours, strict=True))
    peer_ok = sum(_exact(i, r) for i, r in zip(instances, theirs, strict=True))
    return [
        name,
        len(paths),
        read_s,
        ours_s,
        peer_s,
        f"{peer_s / ours_s:.1f}x",
        f"{ours_ok}/{len(paths)}",
        f"{peer_ok}/{len(paths)}",
    ]


def _exact(inst: PsplibInstance, result: Any) -> bool:
    return inst.project_length(result.project_finish) == inst.mpm_time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu", action="store_true", help="time CPU, not wall, seconds")
    if parser.parse_args().cpu:
        _timing.use_cpu_clock()
    if not DATA.is_dir():
        raise SystemExit(f"PSPLIB data not found at {DATA}")
    print(load())  # noqa: T201
    rows = [run_set("j30"), run_set("j120")]
    headers = [
        "set",
        "instances",
        "read s",
        "ours s",
        "peer s",
        "peer/ours",
        "ours = MPM",
        "peer = MPM",
    ]
    print(machine(), "-", clock_name())  # noqa: T201 - a benchmark script reports on stdout
    print(table(headers, rows))  # noqa: T201
    print(load())  # noqa: T201


if __name__ == "__main__":
    main()
