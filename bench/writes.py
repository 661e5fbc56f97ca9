"""The randomized money run (issues #6 and #9), printing its figures.

.venv/bin/python bench/writes.py [--operations N] [--ambiguous P] [--late P] [--clients N] [--seed S]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import money_scenario


async def main(options: argparse.Namespace) -> None:
    report = await money_scenario.run(
        operations=options.operations,
        ambiguous=options.ambiguous,
        late=options.late,
        clients=options.clients,
        seed=options.seed,
    )
    for line in report.lines():
        print(line)
    for mismatch in report.mismatches[:20]:
        print("  MISMATCH", mismatch)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=1500)
    parser.add_argument("--ambiguous", type=float, default=0.10, help="chance that a money call's reply is lost")
    parser.add_argument(
        "--late",
        type=float,
        default=0.045,
        help=f"chance of each delay of {money_scenario.LATE_MS} ms (beyond the upstream timeout) on a money call",
    )
    parser.add_argument("--clients", type=int, default=8, help="clients sending operations side by side")
    parser.add_argument("--seed", type=int, default=7)
    asyncio.run(main(parser.parse_args()))
