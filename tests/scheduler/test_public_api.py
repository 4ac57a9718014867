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


def test_engine_imports_only_stdlib_numpy_networkx() -> None:
    import ast
    import pathlib
    import sys

    allowed = set(sys.stdlib_module_names) | {"numpy", "networkx", "scheduler"}
    root = pathlib.Path(scheduler.__file__).parent
    for path in root.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
