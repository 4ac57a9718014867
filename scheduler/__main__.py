"""Command line: ``python -m scheduler schedule plan.json`` or
``python -m scheduler simulate plan.json --iterations N --seed S``; prints JSON.

The only module of the package that does I/O: it reads the file, calls the pure engine and
prints. Bad input goes to stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from ._cpm import schedule
from ._errors import SchedulerError
from ._json import network_from_dict, risks_from_dict
from ._montecarlo import simulate


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m scheduler", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("schedule", "simulate"):
        cmd = sub.add_parser(name)
        cmd.add_argument("plan", help="network in the JSON format of docs/scheduler.md")
        if name == "schedule":
            cmd.add_argument("--critical-threshold", type=int, default=0)
        else:
            cmd.add_argument("--iterations", type=int, default=10_000)
            cmd.add_argument("--seed", type=int, default=0)
            cmd.add_argument("--correlation", type=float, default=None)
            cmd.add_argument("--percentiles", type=float, nargs="+", default=[50, 80, 95])
    args = parser.parse_args(argv)
    try:
        with open(args.plan, encoding="utf-8") as handle:
            data = json.load(handle)
        network = network_from_dict(data)
        if args.command == "schedule":
            out = schedule(network, critical_threshold=args.critical_threshold).to_dict()
        else:
            out = simulate(
                network, iterations=args.iterations, seed=args.seed,
                percentiles=args.percentiles, risks=risks_from_dict(data),
                correlation=args.correlation,
            ).to_dict()  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, SchedulerError) as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - the CLI's job is to print
        return 2
    print(json.dumps(out, indent=2))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
