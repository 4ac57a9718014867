"""Enumerations shared by models, services and the GraphQL layer."""

from __future__ import annotations

import enum


class Role(enum.IntEnum):
    """Project/program roles; the value is the level compared by permission checks."""

    VIEWER = 1
    TEAM_MEMBER = 100
    RESOURCE_MANAGER = 200
    PROJECT_MANAGER = 300
    PROJECT_ADMIN = 400


class WorkspaceRole(enum.StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"


class TaskKind(enum.StrEnum):
    TASK = "task"
    MILESTONE = "milestone"
    SUMMARY = "summary"


class LinkType(enum.StrEnum):
    FS = "FS"
    SS = "SS"
    FF = "FF"
    SF = "SF"


class LagUnit(enum.StrEnum):
    WORKING_DAYS = "working_days"
    ELAPSED_DAYS = "elapsed_days"


class ConstraintType(enum.StrEnum):
    ASAP = "ASAP"
    ALAP = "ALAP"
    SNET = "SNET"
    SNLT = "SNLT"
    FNET = "FNET"
    FNLT = "FNLT"
    MSO = "MSO"
    MFO = "MFO"


class SchedulingRules(enum.StrEnum):
    """The engine's date rules for a project (`scheduler.DateRules`): TruePPM's own, or
    Microsoft Project's, which a plan imported from Project keeps (docs/scheduler.md)."""

    TRUEPPM = "trueppm"
    MS_PROJECT = "ms_project"


class ProjectStatus(enum.StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class RiskStatus(enum.StrEnum):
    OPEN = "open"
    MITIGATING = "mitigating"
    CLOSED = "closed"


class CommentFormat(enum.StrEnum):
    PLAIN = "plain"
    MARKDOWN = "markdown"


class HistoryAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RESTORE = "restore"
    PURGE = "purge"


class ColumnCategory(enum.StrEnum):
    """The workflow stage a board column stands for."""

    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
