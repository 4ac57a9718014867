"""TruePPM's scheduling engine: CPM and Monte Carlo over a project network.

Pure and deterministic: it imports only the standard library, numpy and networkx, does no I/O
and reads no clock. Build a ``Network`` (validated on construction), then call ``schedule`` or
``simulate``.
"""

from ._cpm import schedule
from ._errors import CyclicDependencyError, InputProblem, ScheduleInputError, SchedulerError
from ._json import (
    network_from_dict,
    network_to_dict,
    result_to_dict,
    risks_from_dict,
    simulation_to_dict,
)
from ._model import (
    MON_FRI,
    Calendar,
    ConstraintType,
    Dependency,
    Distribution,
    LagUnit,
    LinkType,
    RiskEvent,
    Task,
    TaskKind,
)
from ._montecarlo import simulate
from ._network import Network, Project
from ._result import Derivation, DerivationStep, ScheduleResult, TaskResult
from ._simresult import SimulationResult

__all__ = [
    "MON_FRI",
    "Calendar",
    "ConstraintType",
    "CyclicDependencyError",
    "Dependency",
    "Derivation",
    "DerivationStep",
    "Distribution",
    "InputProblem",
    "LagUnit",
    "LinkType",
    "Network",
    "Project",
    "RiskEvent",
    "ScheduleInputError",
    "ScheduleResult",
    "SchedulerError",
    "SimulationResult",
    "Task",
    "TaskKind",
    "TaskResult",
    "network_from_dict",
    "network_to_dict",
    "result_to_dict",
    "risks_from_dict",
    "schedule",
    "simulate",
    "simulation_to_dict",
]
