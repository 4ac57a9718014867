"""GraphQL types of the risk register."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import strawberry
from strawberry.dataloader import DataLoader

from app.models import Risk as RiskModel
from app.models.enums import RiskStatus
from app.risks.repository import linked_task_ids
from graph.context import Info

strawberry.enum(RiskStatus)


def _task_ids_loader(info: Info) -> DataLoader[uuid.UUID, list[uuid.UUID]]:
    cache = info.context.loaders
    if "risk_task_ids" not in cache:
        context = info.context

        async def load(keys: list[uuid.UUID]) -> list[list[uuid.UUID]]:
            async with context.session() as session:
                found = await linked_task_ids(session, keys)
            return [found[k] for k in keys]

        cache["risk_task_ids"] = DataLoader(load_fn=load)
    loader: DataLoader[uuid.UUID, list[uuid.UUID]] = cache["risk_task_ids"]
    return loader


@strawberry.type(
    description="A risk: with `probability` it delays each linked task by `impactDays` "
    "working days and costs `impactCost`. Open and mitigating risks feed forecasts."
)
class Risk:
    model: strawberry.Private[RiskModel]
    id: strawberry.ID
    project_id: strawberry.ID
    title: str
    description: str
    probability: float = strawberry.field(description="0 to 1.")
    impact_days: float = strawberry.field(description="Working days added to each linked task.")
    impact_cost: Decimal
    status: RiskStatus
    owner_id: strawberry.ID | None
    response: str = strawberry.field(description="The planned response (mitigation, etc.).")
    trigger: str = strawberry.field(description="What signals that the risk is happening.")
    server_version: int
    is_deleted: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(cls, risk: RiskModel) -> Risk:
        return cls(
            model=risk,
            id=strawberry.ID(str(risk.id)),
            project_id=strawberry.ID(str(risk.project_id)),
            title=risk.title,
            description=risk.description,
            probability=risk.probability,
            impact_days=risk.impact_days,
            impact_cost=risk.impact_cost,
            status=RiskStatus(risk.status),
            owner_id=strawberry.ID(str(risk.owner_id)) if risk.owner_id else None,
            response=risk.response,
            trigger=risk.trigger,
            server_version=risk.server_version,
            is_deleted=risk.is_deleted,
            created_at=risk.created_at,
            updated_at=risk.updated_at,
        )

    @strawberry.field(description="Expected delay: probability x impactDays.")
    def exposure_days(self) -> float:
        return self.probability * self.impact_days

    @strawberry.field(description="Expected cost: probability x impactCost.")
    def exposure_cost(self) -> Decimal:
        exposure = Decimal(str(self.probability)) * self.impact_cost
        return exposure.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @strawberry.field(description="Live tasks this risk threatens, oldest link first.")
    async def task_ids(self, info: Info) -> list[strawberry.ID]:
        if self.model.is_deleted:
            return []
        found = await _task_ids_loader(info).load(self.model.id)
        return [strawberry.ID(str(t)) for t in found]


@strawberry.type
class RiskPayload:
    risk: Risk
