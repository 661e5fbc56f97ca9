"""The randomized money run (issue #6), printing its figures.

.venv/bin/python bench/writes.py [--operations N] [--ambiguous P] [--seed S]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import money_scenario


async def main(operations: int, ambiguous: float, seed: int) -> None:
    report = await money_scenario.run(operations=operations, ambiguous=ambiguous, seed=seed)
    for line in report.lines():
        print(line)
    for mismatch in report.mismatches[:20]:
        print("  MISMATCH", mismatch)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=2000)
    parser.add_argument("--ambiguous", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    asyncio.run(main(options.operations, options.ambiguous, options.seed))
