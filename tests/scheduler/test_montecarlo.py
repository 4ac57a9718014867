"""Monte Carlo: reproducibility, exactness on deterministic networks, distributions, risks."""

from datetime import date

import pytest

from scheduler import (
    Dependency,
    Distribution,
    LinkType,
    Network,
    RiskEvent,
    ScheduleInputError,
    Task,
    schedule,
    simulate,
)

START = date(2024, 1, 1)


def estimated(dist: Distribution = Distribution.PERT) -> Network:
    tasks = [
        Task("A", 4, optimistic=2, most_likely=4, pessimistic=10, distribution=dist),
        Task("B", 3, optimistic=2, most_likely=3, pessimistic=5, distribution=dist),
        Task("C", 5),
    ]
    return Network(START, tasks, [Dependency("A", "B"), Dependency("B", "C")])


def test_same_seed_same_result_across_runs_and_chunk_sizes() -> None:
    net = estimated()
    a = simulate(net, iterations=2000, seed=7)
    b = simulate(net, iterations=2000, seed=7, chunk_size=333)
    c = simulate(net, iterations=2000, seed=7, chunk_size=2000)
    d = simulate(net, iterations=2000, seed=7, chunk_size=100, threads=3)
    e = simulate(net, iterations=2000, seed=7, threads=1)
    assert a == b == c == d == e
    assert simulate(net, iterations=2000, seed=8) != a


def test_deterministic_network_simulates_to_its_cpm_finish() -> None:
    tasks = [Task("A", 3), Task("B", 2), Task("M", 0), Task("C", 4)]
    links = [
        Dependency("A", "B", LinkType.SS, 1),
        Dependency("B", "M"),
        Dependency("A", "C", LinkType.FF, -1),
    ]
    net = Network(START, tasks, links)
    finish = schedule(net).project_finish
    sim = simulate(net, iterations=50, chunk_size=7)
    assert sim.percentiles == {50.0: finish, 80.0: finish, 95.0: finish}
    assert sim.deterministic_finish == sim.mean_finish == finish
    assert sim.std == 0.0
    assert sim.histogram == [(finish, 50)]
    assert sim.cdf == [(finish, 1.0)]


@pytest.mark.parametrize(
    ("dist", "mean"),
    [
        (Distribution.TRIANGULAR, (2 + 4 + 10) / 3),
        (Distribution.PERT, (2 + 16 + 10) / 6),
        (Distribution.UNIFORM, 6.0),
        (Distribution.LOGNORMAL, (2 + 16 + 10) / 6),
    ],
)
def test_distribution_means_and_bounds(dist: Distribution, mean: float) -> None:
    net = Network(
        START, [Task("A", 4, optimistic=2, most_likely=4, pessimistic=10, distribution=dist)]
    )
    sim = simulate(net, iterations=20_000, seed=1, percentiles=(0, 100))
    # Rounding to whole days is unbiased, so the sampled mean stays near the analytic one.
    assert sim.mean == pytest.approx(mean, abs=0.1)
    assert sim.percentiles[0.0] >= date(2024, 1, 2)
    if dist is not Distribution.LOGNORMAL:
        assert sim.percentiles[100.0] <= date(2024, 1, 12)


def test_single_chain_is_always_critical() -> None:
    sim = simulate(estimated(), iterations=500)
    assert sim.criticality == {"A": 1.0, "B": 1.0, "C": 1.0}


def test_sensitivity_ranks_the_widest_task_first() -> None:
    sim = simulate(estimated(), iterations=3000)
    assert [t for t, _ in sim.sensitivity] == ["A", "B"]
    assert 0.8 < sim.sensitivity[0][1] <= 1.0


def test_parallel_branches_share_criticality() -> None:
    tasks = [
        Task("A", 5, optimistic=4, most_likely=5, pessimistic=6, distribution=Distribution.UNIFORM),
        Task("B", 5, optimistic=4, most_likely=5, pessimistic=6, distribution=Distribution.UNIFORM),
    ]
    sim = simulate(Network(START, tasks), iterations=4000)
    # Rounded to 4, 5, 6 days with odds 1/4, 1/2, 1/4: A is critical unless B is longer,
    # ties counting for both: 1 - (1 - 0.375) / 2 = 0.6875.
    assert sim.criticality["A"] == pytest.approx(0.6875, abs=0.03)


def test_risk_events_shift_the_percentiles() -> None:
    net = estimated()
    base = simulate(net, iterations=3000)
    risky = simulate(net, iterations=3000, risks=[RiskEvent("R", 0.5, 10, ("C",))])
    assert risky.percentiles[80.0] > base.percentiles[80.0]
    assert risky.mean == pytest.approx(base.mean + 5, abs=0.5)


def test_correlation_widens_the_spread() -> None:
    tasks = [Task(f"T{i}", 5, optimistic=3, most_likely=5, pessimistic=9) for i in range(10)]
    links = [Dependency(f"T{i}", f"T{i + 1}") for i in range(9)]
    net = Network(START, tasks, links)
    free = simulate(net, iterations=3000)
    tied = simulate(net, iterations=3000, correlation=0.8)
    assert tied.std > 1.8 * free.std


def test_progress_callback_and_argument_checks() -> None:
    calls: list[tuple[int, int]] = []
    simulate(estimated(), iterations=25, chunk_size=10, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(10, 25), (20, 25), (25, 25)]
    with pytest.raises(ScheduleInputError) as info:
        simulate(estimated(), iterations=0, risks=[RiskEvent("R", 2.0, 1, ("nope",))])
    assert len(info.value.problems) == 3
    with pytest.raises(ScheduleInputError, match="threads"):
        simulate(estimated(), iterations=10, threads=0)


def test_to_dict_is_json_ready() -> None:
    import json

    out = simulate(estimated(), iterations=100).to_dict()
    assert set(out["percentiles"]) == {"P50", "P80", "P95"}
    json.dumps(out)
