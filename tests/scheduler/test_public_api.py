"""The public surface of ``scheduler``: exactly what ``__all__`` promises, nothing private."""

import scheduler


def test_all_names_are_exported_and_public() -> None:
    for name in scheduler.__all__:
        assert hasattr(scheduler, name), name
        obj = getattr(scheduler, name)
        if hasattr(obj, "__module__"):
            assert obj.__module__.startswith("scheduler"), name
    assert sorted(scheduler.__all__) == sorted(set(scheduler.__all__))


def test_core_names_others_code_against() -> None:
    expected = {
        "TaskKind", "LinkType", "LagUnit", "ConstraintType", "Distribution", "Calendar", "Task",
        "Dependency", "RiskEvent", "Network", "Project", "schedule", "ScheduleResult",
        "TaskResult", "Derivation", "SchedulerError", "ScheduleInputError", "InputProblem",
        "CyclicDependencyError",
    }  # fmt: skip
    assert expected <= set(scheduler.__all__)
    assert scheduler.Project is scheduler.Network


def test_readers_are_public() -> None:
    readers = {
        "read_psplib", "PsplibInstance", "PsplibFormatError",
        "read_mspdi", "read_mspdi_tree", "MspdiWarning", "MspdiProject", "ExpectedDates",
        "MspdiFormatError",
    }  # fmt: skip
    assert readers <= set(scheduler.__all__)
    assert issubclass(scheduler.MspdiFormatError, ValueError)
    assert issubclass(scheduler.PsplibFormatError, ValueError)


def test_the_optional_solver_is_imported_only_when_asked() -> None:
    """OR-Tools (``trueppm[cpsat]``) is not loaded by importing or using the engine; only a
    call to the exact solver loads it (the dependency rule itself: tests/test_architecture)."""
    import subprocess
    import sys

    code = (
        "import sys, scheduler\n"
        "from datetime import date\n"
        "net = scheduler.Network(date(2027, 1, 4), [scheduler.Task('A', 2)])\n"
        "scheduler.level(net, [scheduler.Resource('R')], [scheduler.Assignment('A', 'R')])\n"
        "assert 'ortools' not in sys.modules\n"
        "p = scheduler.Rcpsp(durations=[2, 2], demands=[[1], [1]], capacity=[[1]])\n"
        "scheduler.solve_rcpsp_exact(p, seconds=1)\n"
        "assert 'ortools' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
