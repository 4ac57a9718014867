"""Every GraphQL mutation and the webhook events it records in its own transaction.

`MUTATION_EVENTS` classifies each mutation of the schema (a new mutation fails the first test
until it is classified here). The second test runs every mutation that announces something,
one after another, against a workspace-wide endpoint subscribed to every event, and checks
the exact events each one recorded. Events that a job records after the mutation (a
recompute's `schedule.recalculated`, `forecast.completed`, `import.completed`, a sprint's
carried-over scope) are tested with their jobs (test_outbox.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from graphql import build_schema

from app.state import AppState
from app.webhooks.catalog import EVENTS
from tests.app.webhooks.helpers import create_webhook, deliveries
from tests.conftest import GraphQLClient
from tests.factories import make_user
from tests.graph.tasks.factories import make_world
from tests.test_architecture import ROOT

NONE: tuple[str, ...] = ()
MUTATION_EVENTS: dict[str, tuple[str, ...]] = {
    # Tasks, the WBS and the board.
    "createTask": ("task.created",),
    "createTasks": ("task.created", "task.created"),
    "updateTask": ("task.updated",),
    "updateTasks": ("task.updated",),
    "deleteTask": ("task.deleted",),
    "deleteTasks": ("task.deleted",),
    "moveWbsTask": ("task.moved",),
    "moveTask": ("task.moved",),
    "addTaskLabel": ("task.updated",),
    "removeTaskLabel": ("task.updated",),
    "createDependency": ("dependency.created",),
    "createDependencies": ("dependency.created",),
    "updateDependency": ("dependency.updated",),
    "deleteDependency": ("dependency.deleted",),
    "deleteDependencies": ("dependency.deleted",),
    # Projects and memberships.
    "createProject": ("project.created",),
    "updateProject": ("project.updated",),
    "deleteProject": ("project.deleted",),
    "restoreProject": ("project.updated",),
    "addProjectMember": ("member.added",),
    "changeProjectMemberRole": ("member.added",),
    "removeProjectMember": ("member.removed",),
    "addProgramMember": ("member.added",),
    "changeProgramMemberRole": ("member.added",),
    "removeProgramMember": ("member.removed",),
    "addWorkspaceMember": ("member.added",),
    "removeWorkspaceMember": ("member.removed",),
    # Planning.
    "createComment": ("comment.created",),
    "createRisk": ("risk.opened",),
    "updateRisk": ("risk.escalated",),  # raising the probability; closing: risk.closed
    "assignResource": ("task.assigned",),
    "updateAssignment": ("task.assigned",),
    "unassignResource": ("task.unassigned",),
    "addTasksToSprint": ("sprint.scope_changed",),
    "removeTasksFromSprint": ("sprint.scope_changed",),
    "startSprint": ("sprint.started",),
    "closeSprint": ("sprint.closed",),
    "captureBaseline": ("baseline.captured",),
    # Announced by the job they start (tested with the jobs).
    "runForecast": NONE,  # forecast.completed
    "importPlan": NONE,  # import.completed
    "importPlanAsNewProject": ("project.created",),  # then import.completed
    "levelResources": NONE,  # schedule.recalculated, from the recompute it requests
    "clearLeveling": NONE,  # the same
    # Nothing an integration subscribes to: configuration, accounts, and the webhooks
    # themselves (their changes belong to the security audit log).
    **dict.fromkeys(
        [
            "createWorkspace", "updateWorkspace", "createProgram", "updateProgram",
            "deleteProgram", "createBoardColumn", "updateBoardColumn", "deleteBoardColumn",
            "createLabel", "updateLabel", "deleteLabel", "createCalendar", "updateCalendar",
            "deleteCalendar", "createSprint", "updateSprint", "deleteSprint", "updateComment",
            "deleteComment", "deleteRisk", "linkRiskTask", "unlinkRiskTask", "createResource",
            "updateResource", "deleteResource", "renameBaseline", "setActiveBaseline",
            "deleteBaseline", "login", "logout", "register", "refreshToken", "exchangeSsoCode",
            "setUserActive", "createApiToken", "revokeApiToken", "createSubscriptionTicket",
            "createWebhook", "updateWebhook", "deleteWebhook", "rotateWebhookSecret",
            "testWebhook", "redeliverWebhook",
        ],
        NONE,
    ),
}  # fmt: skip


def test_every_mutation_is_classified() -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text())
    assert schema.mutation_type is not None
    assert set(MUTATION_EVENTS) == set(schema.mutation_type.fields)
    assert {e for events in MUTATION_EVENTS.values() for e in events} <= set(EVENTS)


class Runner:
    """Runs one mutation as the workspace owner and records the events it caused."""

    def __init__(self, db: AppState, gql: GraphQLClient, user: uuid.UUID, endpoint: str) -> None:
        self.db, self.gql, self.user, self.endpoint = db, gql, user, endpoint
        self.seen = 0
        self.observed: dict[str, tuple[str, ...]] = {}  # the latest call's events

    async def __call__(self, name: str, document: str, **variables: Any) -> Any:
        body = await self.gql(document, variables, user=self.user)
        assert "errors" not in body, (name, body)
        result = body["data"][name]
        assert "code" not in result, (name, result)  # an Error
        rows = await deliveries(self.db, self.endpoint)
        events = tuple(row["type"] for row in rows[self.seen :])
        assert self.observed.setdefault(name, events) == events, (name, events)  # every call
        self.observed[name] = events
        self.seen = len(rows)
        return result


ERR = "... on Error { code message }"


async def test_each_announcing_mutation_records_exactly_its_events(
    db: AppState, gql: GraphQLClient
) -> None:
    world = await make_world(db)
    owner = world.owner.id
    workspace = str(world.project.workspace_id)
    made = await create_webhook(
        gql, owner, workspaceId=workspace, url="http://127.0.0.1:9/all", events=sorted(EVENTS)
    )
    run = Runner(db, gql, owner, made["webhook"]["id"])

    project = (
        await run(
            "createProject",
            f"""mutation($w: ID!) {{ createProject(input: {{workspaceId: $w, name: "P",
            startDate: "2026-03-02"}}) {{ ... on ProjectPayload {{ project {{ id }} }}
            {ERR} }} }}""",
            w=workspace,
        )
    )["project"]["id"]
    await run(
        "updateProject",
        f"""mutation($id: ID!) {{ updateProject(id: $id, input: {{name: "P2"}}) {{
        __typename {ERR} }} }}""",
        id=project,
    )
    task = f"""mutation($p: ID!, $n: String!) {{ createTask(input: {{projectId: $p, name: $n,
        duration: 2}}) {{ ... on TaskPayload {{ task {{ id }} }} {ERR} }} }}"""
    a = (await run("createTask", task, p=project, n="A"))["task"]["id"]
    b = (await run("createTask", task, p=project, n="B"))["task"]["id"]
    bulk = await run(
        "createTasks",
        f"""mutation($p: ID!) {{ createTasks(inputs: [{{projectId: $p, name: "C"}},
        {{projectId: $p, name: "D"}}]) {{ ... on BulkTasksPayload {{ tasks {{ id }} }}
        {ERR} }} }}""",
        p=project,
    )
    c, d = (t["id"] for t in bulk["tasks"])
    await run(
        "updateTask",
        f"""mutation($id: ID!) {{ updateTask(id: $id, input: {{name: "A2"}}) {{
        __typename {ERR} }} }}""",
        id=a,
    )
    await run(
        "updateTasks",
        f"""mutation($id: ID!) {{ updateTasks(items: [{{id: $id, input: {{name: "B2"}}}}]) {{
        __typename {ERR} }} }}""",
        id=b,
    )
    await run(
        "moveWbsTask",
        f"""mutation($id: ID!, $before: ID!) {{ moveWbsTask(id: $id, beforeId: $before) {{
        __typename {ERR} }} }}""",
        id=b,
        before=a,
    )
    link = f"""mutation($a: ID!, $b: ID!) {{ createDependency(input: {{predecessorId: $a,
        successorId: $b}}) {{ ... on DependencyPayload {{ dependency {{ id }} }} {ERR} }} }}"""
    dep = (await run("createDependency", link, a=a, b=b))["dependency"]["id"]
    await run(
        "updateDependency",
        f"""mutation($id: ID!) {{ updateDependency(id: $id, input: {{lag: 2}}) {{
        __typename {ERR} }} }}""",
        id=dep,
    )
    await run(
        "deleteDependency",
        f"mutation($id: ID!) {{ deleteDependency(id: $id) {{ __typename {ERR} }} }}",
        id=dep,
    )
    many = await run(
        "createDependencies",
        f"""mutation($a: ID!, $c: ID!) {{ createDependencies(inputs: [{{predecessorId: $a,
        successorId: $c}}]) {{ ... on BulkDependenciesPayload {{ dependencies {{ id }} }}
        {ERR} }} }}""",
        a=a,
        c=c,
    )
    await run(
        "deleteDependencies",
        f"mutation($ids: [ID!]!) {{ deleteDependencies(ids: $ids) {{ __typename {ERR} }} }}",
        ids=[many["dependencies"][0]["id"]],
    )
    label = (
        await run(
            "createLabel",
            f"""mutation($p: ID!) {{ createLabel(input: {{projectId: $p, name: "L"}}) {{
            ... on LabelPayload {{ label {{ id }} }} {ERR} }} }}""",
            p=project,
        )
    )["label"]["id"]
    for name in ("addTaskLabel", "removeTaskLabel"):
        await run(
            name,
            f"""mutation($t: ID!, $l: ID!) {{ {name}(taskId: $t, labelId: $l) {{
            __typename {ERR} }} }}""",
            t=a,
            l=label,
        )
    board = await gql(
        "query($p: ID!) { board(projectId: $p) { lanes { column { id } } } }",
        {"p": project},
        user=owner,
    )
    last_column = board["data"]["board"]["lanes"][-1]["column"]["id"]
    await run(
        "moveTask",
        f"""mutation($t: ID!, $c: ID!) {{ moveTask(taskId: $t, columnId: $c) {{
        __typename {ERR} }} }}""",
        t=c,
        c=last_column,
    )
    await run(
        "createComment",
        f"""mutation($t: ID!) {{ createComment(input: {{taskId: $t, body: "hi"}}) {{
        __typename {ERR} }} }}""",
        t=a,
    )
    risk = (
        await run(
            "createRisk",
            f"""mutation($p: ID!) {{ createRisk(input: {{projectId: $p, title: "R",
            probability: 0.2, impactDays: 5}}) {{ ... on RiskPayload {{ risk {{ id }} }}
            {ERR} }} }}""",
            p=project,
        )
    )["risk"]["id"]
    risk_update = f"""mutation($id: ID!, $input: UpdateRiskInput!) {{ updateRisk(id: $id,
        input: $input) {{ __typename {ERR} }} }}"""
    await run("updateRisk", risk_update, id=risk, input={"probability": 0.6})
    escalated = run.observed.pop("updateRisk")
    await run("updateRisk", risk_update, id=risk, input={"probability": 0.1})  # lower
    assert run.observed.pop("updateRisk") == ()
    await run("updateRisk", risk_update, id=risk, input={"status": "CLOSED"})
    assert run.observed.pop("updateRisk") == ("risk.closed",)
    run.observed["updateRisk"] = escalated

    resource = (
        await run(
            "createResource",
            f"""mutation($w: ID!) {{ createResource(input: {{workspaceId: $w, name: "Ann"}}) {{
            ... on ResourcePayload {{ resource {{ id }} }} {ERR} }} }}""",
            w=workspace,
        )
    )["resource"]["id"]
    assignment = (
        await run(
            "assignResource",
            f"""mutation($t: ID!, $r: ID!) {{ assignResource(input: {{taskId: $t,
            resourceId: $r}}) {{ ... on AssignmentPayload {{ assignment {{ id }} }} {ERR} }} }}""",
            t=a,
            r=resource,
        )
    )["assignment"]["id"]
    await run(
        "updateAssignment",
        f"""mutation($id: ID!) {{ updateAssignment(id: $id, input: {{units: 0.5}}) {{
        __typename {ERR} }} }}""",
        id=assignment,
    )
    await run(
        "unassignResource",
        f"mutation($id: ID!) {{ unassignResource(id: $id) {{ __typename {ERR} }} }}",
        id=assignment,
    )

    today = dt.date.today()
    sprint = (
        await run(
            "createSprint",
            f"""mutation($p: ID!, $s: Date!, $e: Date!) {{ createSprint(input: {{projectId: $p,
            name: "S1", startDate: $s, endDate: $e}}) {{ ... on SprintPayload {{ sprint {{ id }} }}
            {ERR} }} }}""",
            p=project,
            s=today.isoformat(),
            e=(today + dt.timedelta(days=13)).isoformat(),
        )
    )["sprint"]["id"]
    for name in ("addTasksToSprint", "removeTasksFromSprint"):
        await run(
            name,
            f"""mutation($s: ID!, $t: [ID!]!) {{ {name}(sprintId: $s, taskIds: $t) {{
            __typename {ERR} }} }}""",
            s=sprint,
            t=[d],
        )
    for name in ("startSprint", "closeSprint"):
        await run(
            name, f"mutation($id: ID!) {{ {name}(id: $id) {{ __typename {ERR} }} }}", id=sprint
        )
    await run(
        "captureBaseline",
        f"""mutation($p: ID!) {{ captureBaseline(input: {{projectId: $p, name: "B1"}}) {{
        __typename {ERR} }} }}""",
        p=project,
    )

    colleague = await make_user(db)
    for name, extra in (
        ("addProjectMember", ", role: TEAM_MEMBER, userId: $u"),
        ("changeProjectMemberRole", ", role: PROJECT_MANAGER, userId: $u"),
        ("removeProjectMember", ", userId: $u"),
    ):
        await run(
            name,
            f"""mutation($p: ID!, $u: ID!) {{ {name}(projectId: $p{extra}) {{
            __typename {ERR} }} }}""",
            p=project,
            u=str(colleague.id),
        )
    program = (
        await run(
            "createProgram",
            f"""mutation($w: ID!) {{ createProgram(workspaceId: $w, name: "Prog") {{
            ... on ProgramPayload {{ program {{ id }} }} {ERR} }} }}""",
            w=workspace,
        )
    )["program"]["id"]
    for name, extra in (
        ("addProgramMember", ", role: TEAM_MEMBER, userId: $u"),
        ("changeProgramMemberRole", ", role: PROJECT_MANAGER, userId: $u"),
        ("removeProgramMember", ", userId: $u"),
    ):
        await run(
            name,
            f"""mutation($p: ID!, $u: ID!) {{ {name}(programId: $p{extra}) {{
            __typename {ERR} }} }}""",
            p=program,
            u=str(colleague.id),
        )
    newcomer = await make_user(db)
    await run(
        "addWorkspaceMember",
        f"""mutation($w: ID!, $e: String!) {{ addWorkspaceMember(workspaceId: $w, email: $e) {{
        __typename {ERR} }} }}""",
        w=workspace,
        e=newcomer.email,
    )
    await run(
        "removeWorkspaceMember",
        f"""mutation($w: ID!, $u: ID!) {{ removeWorkspaceMember(workspaceId: $w, userId: $u) {{
        __typename {ERR} }} }}""",
        w=workspace,
        u=str(newcomer.id),
    )
    await run(
        "deleteTask", f"mutation($id: ID!) {{ deleteTask(id: $id) {{ __typename {ERR} }} }}", id=c
    )
    await run(
        "deleteTasks",
        f"mutation($ids: [ID!]!) {{ deleteTasks(ids: $ids) {{ __typename {ERR} }} }}",
        ids=[d],
    )
    for name in ("deleteProject", "restoreProject"):
        await run(
            name, f"mutation($id: ID!) {{ {name}(id: $id) {{ __typename {ERR} }} }}", id=project
        )

    expected = {name: MUTATION_EVENTS[name] for name in run.observed}
    assert run.observed == expected
    announcing = {name for name, events in MUTATION_EVENTS.items() if events}
    # It needs an uploaded plan; its project comes from the same create_project service.
    assert announcing - set(run.observed) == {"importPlanAsNewProject"}
