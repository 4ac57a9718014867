"""ORM models: one module per aggregate, all on one declarative base."""

from app.models.api_token import ApiToken, ApiTokenAuditEntry
from app.models.audit import SecurityAuditEntry
from app.models.base import Base, Ltree, Versioned
from app.models.baseline import Baseline, BaselineTask
from app.models.board import BoardColumn, Label, TaskLabel
from app.models.calendar import Calendar, CalendarException
from app.models.comment import Comment
from app.models.forecast import ForecastRun, ProjectForecastSnapshot
from app.models.history import HistoryEntry
from app.models.interchange import ImportRequest
from app.models.project import Program, ProgramMember, Project, ProjectMember
from app.models.resource import Assignment, Resource
from app.models.retention import RetentionPurgeRun
from app.models.risk import Risk, RiskTask
from app.models.scheduling import ScheduleRequest, TaskRun
from app.models.sprint import Sprint, SprintCloseRequest, SprintTaskLog
from app.models.sso import SsoAttempt, SsoIdentity
from app.models.sync import ProjectSyncFloor, SyncBatch
from app.models.task import Dependency, Task
from app.models.user import RefreshToken, User
from app.models.webhook import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.models.workspace import Workspace, WorkspaceMember

__all__ = [
    "ApiToken",
    "ApiTokenAuditEntry",
    "Assignment",
    "Base",
    "Baseline",
    "BaselineTask",
    "BoardColumn",
    "Calendar",
    "CalendarException",
    "Comment",
    "Dependency",
    "ForecastRun",
    "HistoryEntry",
    "ImportRequest",
    "Label",
    "Ltree",
    "Program",
    "ProgramMember",
    "Project",
    "ProjectForecastSnapshot",
    "ProjectMember",
    "ProjectSyncFloor",
    "RefreshToken",
    "Resource",
    "RetentionPurgeRun",
    "Risk",
    "RiskTask",
    "ScheduleRequest",
    "SecurityAuditEntry",
    "Sprint",
    "SprintCloseRequest",
    "SprintTaskLog",
    "SsoAttempt",
    "SsoIdentity",
    "SyncBatch",
    "Task",
    "TaskLabel",
    "TaskRun",
    "User",
    "Versioned",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Workspace",
    "WorkspaceMember",
]
