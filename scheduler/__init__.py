"""TruePPM's scheduling engine: CPM and Monte Carlo over a project network.

Pure and deterministic: it imports only the standard library, numpy and networkx and reads no
clock (but for the time limit a caller may give ``solve_rcpsp``; its result then says how many
schedules it evaluated, and that budget repeats the run exactly). Build a ``Network``
(validated on construction), then call ``schedule`` or ``simulate``; ``solve_rcpsp`` schedules
jobs within limited resources (the core of leveling), ``level`` delays a network's tasks until
its resources have room (``daily_usage`` counts their load). The engine itself does no I/O; the
readers ``read_psplib`` (PSPLIB ``.sm`` files) and ``read_mspdi`` (Microsoft Project XML) turn
files into networks.
"""

from ._calendar import working_days
from ._cpm import schedule
from ._cpsat import exact_solver_available, solve_rcpsp_exact
from ._errors import CyclicDependencyError, InputProblem, ScheduleInputError, SchedulerError
from ._json import (
    network_from_dict,
    network_to_dict,
    result_to_dict,
    risks_from_dict,
    simulation_to_dict,
)
from ._leveling import (
    Assignment,
    LevelingError,
    LevelingOptions,
    LevelingResult,
    LevelingSolver,
    Overallocation,
    Resource,
    daily_usage,
    level,
    level_many,
)
from ._model import (
    MON_FRI,
    Calendar,
    ConstraintType,
    DateRules,
    Dependency,
    Distribution,
    LagUnit,
    LinkType,
    RiskEvent,
    Task,
    TaskKind,
)
from ._montecarlo import simulate
from ._mspdi import (
    ExpectedDates,
    MspdiFormatError,
    MspdiProject,
    MspdiWarning,
    read_mspdi,
    read_mspdi_tree,
)
from ._network import Network, Project
from ._psplib import PsplibFormatError, PsplibInstance, read_psplib
from ._rcpsp import (
    Overload,
    Rcpsp,
    RcpspError,
    RcpspRule,
    RcpspSchedule,
    left_justified,
    solve_rcpsp,
)
from ._result import Derivation, DerivationStep, ScheduleResult, TaskResult
from ._simresult import SimulationResult

__all__ = [
    "MON_FRI",
    "Assignment",
    "Calendar",
    "ConstraintType",
    "CyclicDependencyError",
    "DateRules",
    "Dependency",
    "Derivation",
    "DerivationStep",
    "Distribution",
    "ExpectedDates",
    "InputProblem",
    "LagUnit",
    "LevelingError",
    "LevelingOptions",
    "LevelingResult",
    "LevelingSolver",
    "LinkType",
    "MspdiFormatError",
    "MspdiProject",
    "MspdiWarning",
    "Network",
    "Overallocation",
    "Overload",
    "Project",
    "PsplibFormatError",
    "PsplibInstance",
    "Rcpsp",
    "RcpspError",
    "RcpspRule",
    "RcpspSchedule",
    "Resource",
    "RiskEvent",
    "ScheduleInputError",
    "ScheduleResult",
    "SchedulerError",
    "SimulationResult",
    "Task",
    "TaskKind",
    "TaskResult",
    "daily_usage",
    "exact_solver_available",
    "left_justified",
    "level",
    "level_many",
    "network_from_dict",
    "network_to_dict",
    "read_mspdi",
    "read_mspdi_tree",
    "read_psplib",
    "result_to_dict",
    "risks_from_dict",
    "schedule",
    "simulate",
    "simulation_to_dict",
    "solve_rcpsp",
    "solve_rcpsp_exact",
    "working_days",
]
