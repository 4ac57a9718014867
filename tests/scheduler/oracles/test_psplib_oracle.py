"""PSPLIB j30/j120 as a CPM oracle: every instance's length equals its stated MPM-Time.

The file's ``MPM-Time`` is the resource-free critical-path length computed by the
instance generator, so it checks the forward pass. The backward pass is checked against
an independent integer CPM written here (one PSPLIB period = one day on the seven-day
calendar the reader uses): total float per job, and a connected chain of zero-float,
tight links from the dummy source to the dummy sink.
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from graphlib import TopologicalSorter
from itertools import pairwise
from pathlib import Path

import pytest
from _data import files, require

from scheduler import PsplibInstance, ScheduleResult, read_psplib, schedule

INSTANCES = files("psplib", "j*/*.sm")


@lru_cache(maxsize=4)
def solved(path: Path) -> tuple[PsplibInstance, ScheduleResult]:
    """Read and schedule once; the three tests below look at the same result. Their
    parametrization is module-scoped, so pytest runs them one instance at a time and this
    small cache hits (by test function, every instance would be solved three times)."""
    inst = read_psplib(path)
    return inst, schedule(inst.network)


def test_reference_data_present() -> None:
    """All 1,080 instances are there (fails in CI when the data folder is missing)."""
    root = require("psplib")
    assert len(list(root.glob("j30/*.sm"))) == 480
    assert len(list(root.glob("j120/*.sm"))) == 600


def reference_floats(inst: PsplibInstance) -> tuple[dict[int, int], dict[int, int], int]:
    """Early start and total float per job by a textbook integer CPM, and the length."""
    preds: dict[int, list[int]] = {job: [] for job in inst.durations}
    for job, succs in inst.successors.items():
        for s in succs:
            preds[s].append(job)
    order = list(TopologicalSorter(preds).static_order())
    es: dict[int, int] = {}
    for job in order:
        es[job] = max((es[p] + inst.durations[p] for p in preds[job]), default=0)
    length = max(es[j] + inst.durations[j] for j in order)
    lf: dict[int, int] = {}
    for job in reversed(order):
        lf[job] = min((lf[s] - inst.durations[s] for s in inst.successors[job]), default=length)
    floats = {j: lf[j] - inst.durations[j] - es[j] for j in order}
    return es, floats, length


@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: Path(p).stem, scope="module")
def test_project_length_and_float_match_oracle(path: Path) -> None:
    inst, result = solved(path)

    assert inst.project_length(result.project_finish) == inst.mpm_time

    es, floats, length = reference_floats(inst)
    assert length == inst.mpm_time, "the reference CPM itself disagrees with the file"
    start = inst.network.start
    for job, duration in inst.durations.items():
        r = result.tasks[str(job)]
        assert r.total_float == floats[job], f"job {job} total float"
        if duration > 0:  # a milestone's date is its predecessor's finish day, not an offset
            assert r.early_start == start + timedelta(days=es[job]), f"job {job} early start"
            assert r.is_critical == (floats[job] == 0), f"job {job} critical flag"


@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: Path(p).stem, scope="module")
def test_zero_float_chain_connects_source_to_sink(path: Path) -> None:
    inst, result = solved(path)
    source, sink = str(min(inst.durations)), str(max(inst.durations))
    critical = {tid for tid, r in result.tasks.items() if r.total_float == 0}
    assert {source, sink} <= critical

    def offset(job: int) -> int:
        """Engine start of a job in periods; a milestone sits at the end of its driver's day."""
        r = result.tasks[str(job)]
        days = (r.early_start - inst.network.start).days
        return days + 1 if inst.durations[job] == 0 and str(job) != source else days

    def tight(pred: int, succ: int) -> bool:
        return offset(pred) + inst.durations[pred] == offset(succ)

    reached, frontier = {source}, [int(source)]
    while frontier:
        job = frontier.pop()
        for succ in inst.successors[job]:
            if str(succ) in critical and str(succ) not in reached and tight(job, succ):
                reached.add(str(succ))
                frontier.append(succ)
    assert sink in reached, "no chain of zero-float tight links from source to sink"


@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: Path(p).stem, scope="module")
def test_reported_critical_path_runs_source_to_sink(path: Path) -> None:
    """The engine's own primary critical path is a chain of links with zero float."""
    inst, result = solved(path)
    chain = [int(t) for t in result.critical_path]
    assert chain[0] == min(inst.durations), chain
    assert chain[-1] == max(inst.durations), chain
    for pred, succ in pairwise(chain):
        assert succ in inst.successors[pred], f"{pred}->{succ} is not a link"
    assert all(result.tasks[str(j)].total_float == 0 for j in chain)
