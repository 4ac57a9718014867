"""GraphQL types of plan imports and exports."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import strawberry

from app.models import ImportRequest
from app.models.enums import SchedulingRules
from graph.errors import Error
from graph.projects.types import SchedulingRulesEnum


@strawberry.enum(description="PENDING → DISPATCHED → DONE | DEAD (the outbox states).")
class ImportState(enum.Enum):
    PENDING = "PENDING"
    DISPATCHED = "DISPATCHED"
    DONE = "DONE"
    DEAD = "DEAD"


@strawberry.type(description="How many of each kind the import created.")
class ImportCounts:
    tasks: int
    summaries: int
    milestones: int
    dependencies: int
    calendars: int
    calendar_exceptions: int
    baselines: int
    baseline_tasks: int
    resources: int = strawberry.field(description="Added to the workspace's pool.")
    assignments: int


@strawberry.type(description="Things in the file that were not imported, by kind.")
class ImportSkipped:
    kind: str
    count: int


@strawberry.type(
    description="One thing approximated, dropped or skipped: `subject` (task, link, calendar, "
    "project, baseline), the file's own reference (a task UID, `pred->succ` UIDs, a calendar "
    "name) and what happened. `taskId` is the task the UID became, when there is one."
)
class ImportWarning:
    subject: str
    ref: str
    message: str
    task_id: strawberry.ID | None


@strawberry.type(description="What an import kept, approximated and skipped.")
class ImportReport:
    reader: str = strawberry.field(description="`mspdi`, or `mpxj` for a converted format.")
    project_name: str = strawberry.field(description="The plan's name in the file.")
    scheduling_rules: SchedulingRulesEnum = strawberry.field(  # type: ignore[valid-type]
        description="The date rules the project got: MS_PROJECT for a file from Microsoft "
        "Project (MSPDI, .mpp, .mpx), TRUEPPM for any other application's."
    )
    counts: ImportCounts
    skipped: list[ImportSkipped]
    warnings: list[ImportWarning]

    @staticmethod
    def from_json(data: dict[str, Any]) -> ImportReport:
        ids: dict[str, str] = data.get("task_ids", {})
        return ImportReport(
            reader=data.get("reader", "mspdi"),
            project_name=data.get("project_name", ""),
            # Reports written before the rules existed made TruePPM-rules projects.
            scheduling_rules=SchedulingRules(data.get("scheduling_rules", "trueppm")),
            counts=ImportCounts(
                tasks=data["counts"]["tasks"],
                summaries=data["counts"]["summaries"],
                milestones=data["counts"]["milestones"],
                dependencies=data["counts"]["dependencies"],
                calendars=data["counts"]["calendars"],
                calendar_exceptions=data["counts"]["calendar_exceptions"],
                baselines=data["counts"]["baselines"],
                baseline_tasks=data["counts"]["baseline_tasks"],
                # Reports written before resources were imported have none.
                resources=data["counts"].get("resources", 0),
                assignments=data["counts"].get("assignments", 0),
            ),
            skipped=[ImportSkipped(kind=k, count=v) for k, v in data["skipped"].items()],
            warnings=[
                ImportWarning(
                    subject=w["subject"],
                    ref=w["ref"],
                    message=w["message"],
                    task_id=strawberry.ID(ids[w["ref"]])
                    if w["subject"] == "task" and w["ref"] in ids
                    else None,
                )
                for w in data["warnings"]
            ],
        )


@strawberry.type(description="Why an import ended DEAD.")
class ImportError:
    code: str
    message: str


@strawberry.type(name="PlanImport", description="One uploaded plan file and what became of it.")
class PlanImport:
    id: strawberry.ID
    project_id: strawberry.ID
    file_name: str
    file_format: str = strawberry.field(description="`mspdi`, or `mpxj` (converted by MPXJ).")
    file_size: int
    sha256: str
    state: ImportState
    stage: str = strawberry.field(description="queued, reading, done or failed.")
    attempts: int
    created_at: dt.datetime
    ended_at: dt.datetime | None
    error: ImportError | None
    report: ImportReport | None

    @staticmethod
    def from_model(row: ImportRequest) -> PlanImport:
        return PlanImport(
            id=strawberry.ID(str(row.id)),
            project_id=strawberry.ID(str(row.project_id)),
            file_name=row.file_name,
            file_format=row.file_format,
            file_size=row.file_size,
            sha256=row.file_sha256,
            state=ImportState(row.state),
            stage=row.stage,
            attempts=row.attempts,
            created_at=row.created_at,
            ended_at=row.ended_at,
            error=ImportError(code=row.error_code, message=row.error_message or "")
            if row.error_code
            else None,
            report=ImportReport.from_json(row.report) if row.report else None,
        )


@strawberry.type
class ImportPlanPayload:
    plan_import: PlanImport = strawberry.field(name="import")
    duplicate: bool = strawberry.field(
        description="True when these exact bytes were already imported (or are being) into "
        "this project: `import` is that earlier import and nothing new was queued."
    )


@strawberry.type(description="The file cannot be imported: `code` says why.")
class ImportRefused(Error):
    reason: strawberry.Private[str]

    @strawberry.field(
        description="file_too_large, malformed_file, unsupported_format or project_not_empty."
    )
    def code(self) -> str:
        return self.reason


@strawberry.type(description="A project as a Microsoft Project XML (MSPDI) document.")
class PlanExport:
    file_name: str
    content_type: str
    xml: str
