"""The demo program as data: two projects of a campus build, their WBS, links and calendars.

Pure (no I/O): `demo_plan()` returns the same plan every time, so loading it is repeatable.
Tasks are named by a key unique within the plan; links refer to keys, a cross-project link
to keys of both projects.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

FLOORS = 7

# Public holidays of 2026 (a US-style set) and the office's year-end shutdown.
HOLIDAYS = [
    (date(2026, 1, 1), date(2026, 1, 1), "New Year's Day"),
    (date(2026, 1, 19), date(2026, 1, 19), "Martin Luther King Jr. Day"),
    (date(2026, 2, 16), date(2026, 2, 16), "Presidents' Day"),
    (date(2026, 5, 25), date(2026, 5, 25), "Memorial Day"),
    (date(2026, 7, 3), date(2026, 7, 3), "Independence Day (observed)"),
    (date(2026, 9, 7), date(2026, 9, 7), "Labor Day"),
    (date(2026, 11, 26), date(2026, 11, 27), "Thanksgiving"),
    (date(2026, 12, 25), date(2026, 12, 25), "Christmas Day"),
    (date(2027, 1, 1), date(2027, 1, 1), "New Year's Day"),
]
SHUTDOWN = [(date(2026, 12, 21), date(2027, 1, 1), "Year-end shutdown")]


@dataclass(frozen=True)
class TaskSpec:
    key: str
    name: str
    parent: str | None = None
    duration: int = 1
    kind: str = "task"  # "task", "milestone" or "summary" (a summary gets children)
    estimate: tuple[float, float, float] | None = None  # optimistic, most likely, pessimistic
    points: int | None = None  # story points, for sprint planning


@dataclass(frozen=True)
class LinkSpec:
    predecessor: str
    successor: str
    type: str = "FS"
    lag: int = 0


@dataclass(frozen=True)
class SprintSpec:
    name: str
    goal: str
    start: date
    end: date
    tasks: list[str]
    active: bool = False  # started by the demo (one active sprint per project)


@dataclass(frozen=True)
class RiskSpec:
    title: str
    probability: float
    impact_days: float
    impact_cost: int
    tasks: list[str]  # keys of the tasks it would delay
    response: str = ""
    trigger: str = ""
    status: str = "open"


@dataclass(frozen=True)
class ProjectSpec:
    key: str
    name: str
    description: str
    start: date
    calendar_name: str
    holidays: list[tuple[date, date, str]]
    tasks: list[TaskSpec] = field(default_factory=list)
    links: list[LinkSpec] = field(default_factory=list)
    sprints: list[SprintSpec] = field(default_factory=list)
    risks: list[RiskSpec] = field(default_factory=list)
    labels: dict[str, list[str]] = field(default_factory=dict)  # label name -> task keys
    comments: list[tuple[str, str]] = field(default_factory=list)  # task key, markdown body


@dataclass(frozen=True)
class ProgramSpec:
    name: str
    description: str
    projects: list[ProjectSpec]
    cross_links: list[LinkSpec]  # predecessor in one project, successor in another


class _Builder:
    def __init__(self, project: ProjectSpec) -> None:
        self.project = project

    def phase(self, key: str, name: str, parent: str | None = None) -> str:
        self.project.tasks.append(TaskSpec(key, name, parent, kind="summary"))
        return key

    def task(
        self,
        key: str,
        name: str,
        parent: str,
        duration: int,
        spread: bool = False,
        points: int | None = None,
    ) -> str:
        estimate = (round(duration * 0.8, 1), float(duration), round(duration * 1.5, 1))
        self.project.tasks.append(
            TaskSpec(
                key, name, parent, duration, estimate=estimate if spread else None, points=points
            )
        )
        return key

    def milestone(self, key: str, name: str, parent: str) -> str:
        self.project.tasks.append(TaskSpec(key, name, parent, 0, kind="milestone"))
        return key

    def chain(self, *keys: str, lag: int = 0) -> None:
        for a, b in itertools.pairwise(keys):
            self.link(a, b, lag=lag)

    def link(self, a: str, b: str, type: str = "FS", lag: int = 0) -> None:
        self.project.links.append(LinkSpec(a, b, type, lag))


def _building() -> ProjectSpec:
    p = ProjectSpec(
        "building",
        "Campus Building",
        "A six-storey teaching building: design, procurement, construction, commissioning.",
        date(2026, 3, 2),
        "Site calendar",
        HOLIDAYS,
    )
    b = _Builder(p)
    init = b.phase("init", "Initiation")
    b.chain(
        b.milestone("kickoff", "Project kickoff", init),
        b.task("survey", "Site survey", init, 5),
        b.task("geotech", "Geotechnical study", init, 10, spread=True),
        b.task("permits", "Building permits", init, 15, spread=True),
        b.milestone("init-done", "Initiation complete", init),
    )
    design = b.phase("design", "Design")
    b.chain(
        "init-done",
        b.task("concept", "Concept design", design, 15),
        b.task("schematic", "Schematic design", design, 20, spread=True),
        b.task("dd", "Design development", design, 25, spread=True),
        b.task("cd", "Construction documents", design, 20),
        b.milestone("design-ok", "Design approval", design),
    )
    proc = b.phase("proc", "Procurement")
    b.chain(
        "design-ok",
        b.task("tender", "Tender package", proc, 10),
        b.task("bidding", "Bidding", proc, 15),
        b.milestone("award", "Contract award", proc),
    )
    for key, name, days in (("steel", "Steel", 30), ("facade", "Facade", 35), ("mep", "MEP", 40)):
        b.link("award", b.task(f"order-{key}", f"{name} order and delivery", proc, days, True))
    build = b.phase("build", "Construction")
    site = b.phase("site", "Sitework", build)
    b.chain(
        "award",
        b.task("mobilise", "Mobilisation", site, 5),
        b.task("excavate", "Excavation", site, 12, spread=True),
        b.task("utilities", "Site utilities", site, 8),
    )
    found = b.phase("found", "Foundations", build)
    b.chain(
        "utilities",
        b.task("piling", "Piling", found, 15, spread=True),
        b.task("caps", "Pile caps", found, 8),
        b.task("beams", "Ground beams", found, 6),
        b.task("slab0", "Slab on grade", found, 7),
    )
    structure = b.phase("structure", "Structure", build)
    envelope = b.phase("envelope", "Envelope", build)
    mep = b.phase("mep", "Mechanical, electrical, plumbing", build)
    interiors = b.phase("interiors", "Interiors", build)
    b.link("order-steel", "col1")
    b.link("slab0", "col1")
    b.link("order-facade", "facade1")
    b.link("order-mep", "hvac1")
    for n in range(1, FLOORS + 1):
        b.chain(
            b.task(f"col{n}", f"Level {n} columns", structure, 5, spread=True),
            b.task(f"slab{n}", f"Level {n} slab", structure, 6, spread=True),
        )
        if n < FLOORS:
            b.link(f"slab{n}", f"col{n + 1}")
        b.link(f"slab{n}", b.task(f"facade{n}", f"Level {n} facade", envelope, 6), lag=5)
        b.link(f"facade{n}", b.task(f"glazing{n}", f"Level {n} glazing", envelope, 4))
        if n > 1:
            b.link(f"facade{n - 1}", f"facade{n}")
        b.link(f"slab{n}", b.task(f"elec{n}", f"Level {n} electrical rough-in", mep, 5))
        b.link(f"elec{n}", b.task(f"hvac{n}", f"Level {n} HVAC ducts", mep, 6), "SS", 2)
        b.link(f"hvac{n}", b.task(f"plumb{n}", f"Level {n} plumbing", mep, 4))
        b.link(f"glazing{n}", b.task(f"part{n}", f"Level {n} partitions", interiors, 5))
        b.link(f"plumb{n}", f"part{n}")
        b.link(f"part{n}", b.task(f"finish{n}", f"Level {n} finishes", interiors, 8, True))
    b.link(f"slab{FLOORS}", b.task("roof", "Roof and plant deck", envelope, 10))
    comm = b.phase("comm", "Commissioning")
    test = b.task("systems", "Systems testing", comm, 10, spread=True)
    b.link("roof", test)
    for n in range(1, FLOORS + 1):
        b.link(f"finish{n}", test)
    b.chain(
        test,
        b.task("snag", "Snagging", comm, 8),
        b.task("occupancy", "Occupancy permit", comm, 5, spread=True),
        b.milestone("handover", "Building handover", comm),
    )
    return p


def _it() -> ProjectSpec:
    p = ProjectSpec(
        "it",
        "Campus IT and Move-in",
        "Network, data centre, floor fit-out, migration and the move of 900 staff.",
        date(2026, 4, 6),
        "Office calendar",
        [h for h in HOLIDAYS if not SHUTDOWN[0][0] <= h[0] <= SHUTDOWN[0][1]] + SHUTDOWN,
    )
    b = _Builder(p)
    plan = b.phase("plan", "Planning")
    b.chain(
        b.milestone("it-kickoff", "IT kickoff", plan),
        b.task("reqs", "Requirements", plan, 10, points=8),
        b.task("netdesign", "Network design", plan, 15, spread=True, points=13),
        b.task("secdesign", "Security design", plan, 10, points=8),
        b.milestone("signoff", "Design sign-off", plan),
    )
    buy = b.phase("buy", "Procurement")
    orders = {
        "switches": ("Switches", 25),
        "wifi": ("Wireless access points", 20),
        "servers": ("Servers and storage", 30),
        "av": ("Audio-visual equipment", 25),
        "devices": ("End-user devices", 20),
    }
    for key, (name, days) in orders.items():
        b.link("signoff", b.task(f"buy-{key}", f"{name} order", buy, days, spread=True))
    dc = b.phase("dc", "Data centre")
    b.chain(
        b.task("dc-room", "Server room fit-out", dc, 10),
        b.task("racks", "Racks and power", dc, 5),
        b.task("srv-install", "Server installation", dc, 8, spread=True),
        b.task("core", "Core network", dc, 6),
        b.milestone("dc-ok", "Data centre acceptance", dc),
    )
    b.link("buy-servers", "srv-install")
    b.link("buy-switches", "core")
    floors = b.phase("floors", "Floor fit-out")
    for n in range(1, FLOORS + 1):
        floor = b.phase(f"floor{n}", f"Floor {n}", floors)
        b.chain(
            b.task(f"cable{n}", f"Floor {n} structured cabling", floor, 6, True, 8),
            b.task(f"sw{n}", f"Floor {n} switches", floor, 2, points=3),
            b.task(f"ap{n}", f"Floor {n} wireless", floor, 3, points=3),
            b.task(f"avroom{n}", f"Floor {n} meeting-room AV", floor, 4, points=5),
            b.task(f"ftest{n}", f"Floor {n} network test", floor, 2, points=2),
        )
        access = b.task(f"access{n}", f"Floor {n} access control", floor, 3, points=3)
        b.link(f"cable{n}", access)
        b.link(access, b.task(f"cctv{n}", f"Floor {n} CCTV", floor, 2, points=2))
        b.link("core", f"sw{n}")
        b.link("buy-wifi", f"ap{n}")
        b.link("buy-av", f"avroom{n}")
    mig = b.phase("mig", "Migration")
    rehearse = b.task("rehearse", "Migration rehearsal", mig, 5)
    for n in range(1, FLOORS + 1):
        b.link(f"ftest{n}", rehearse)
    b.link("dc-ok", rehearse)
    b.chain(
        rehearse,
        b.task("cutover-plan", "Cutover plan", mig, 3),
        b.task("migrate", "Data migration", mig, 4, spread=True),
        b.milestone("golive", "Applications go-live", mig),
    )
    move = b.phase("move", "Move-in")
    b.link("buy-devices", "training")
    b.chain(
        "golive",
        b.task("training", "Staff training", move, 10),
        b.task("wave1", "Move wave 1", move, 5),
        b.task("wave2", "Move wave 2", move, 5),
        b.task("wave3", "Move wave 3", move, 5),
        b.task("hypercare", "Hypercare", move, 10),
        b.milestone("moved", "Move-in complete", move),
    )
    p.sprints.extend(
        [
            SprintSpec(
                "Sprint 1",
                "Requirements signed off by every department",
                date(2026, 4, 6),
                date(2026, 4, 17),
                ["reqs", "netdesign"],
                active=True,
            ),
            SprintSpec(
                "Sprint 2",
                "Network and security designs ready for sign-off",
                date(2026, 4, 20),
                date(2026, 5, 1),
                ["secdesign"],
            ),
            SprintSpec(
                "Sprint 3",
                "Floor 1 cabled and secured",
                date(2026, 5, 4),
                date(2026, 5, 15),
                ["cable1", "access1", "cctv1"],
            ),
        ]
    )
    return p


def _building_register(p: ProjectSpec) -> None:
    p.risks.extend(
        [
            RiskSpec(
                "Unexpected ground conditions",
                0.3,
                10,
                180_000,
                ["piling"],
                response="Extra boreholes before piling; a second rig on standby.",
                trigger="Borehole logs differ from the site survey.",
            ),
            RiskSpec(
                "Late steel delivery",
                0.2,
                5,
                40_000,
                ["roof"],
                response="Order early; weekly check of the mill's schedule.",
                status="mitigating",
            ),
            RiskSpec("Crane strike", 0.05, 15, 60_000, ["roof"], status="closed"),
        ]
    )
    p.labels.update({"Structure": ["piling", "roof"], "Inspection": ["roof"]})
    p.comments.append(
        (
            "piling",
            "Survey says **clay** down to 12 m; see the [report](https://example.com/survey).",
        )
    )


def _it_register(p: ProjectSpec) -> None:
    p.risks.append(
        RiskSpec(
            "Network equipment lead time",
            0.4,
            8,
            25_000,
            ["dc-room"],
            response="Reserve stock with two vendors.",
            trigger="Vendor confirms more than six weeks.",
        )
    )
    p.labels.update({"Move": ["wave1"], "Infrastructure": ["dc-room"]})
    p.comments.append(("wave1", "Wave 1 is the *finance* floor: no moves during month end."))


def demo_plan() -> ProgramSpec:
    building, it = _building(), _it()
    _building_register(building)
    _it_register(it)
    cross = [LinkSpec(f"part{n}", f"cable{n}") for n in range(1, FLOORS + 1)]
    cross += [
        LinkSpec("roof", "dc-room"),  # the server room sits under the plant deck
        LinkSpec("handover", "wave1"),
    ]
    return ProgramSpec(
        "Riverside Campus",
        "A new teaching building and everything needed to move 900 staff into it.",
        [building, it],
        cross,
    )
