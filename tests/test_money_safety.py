"""2,000 money and voucher operations with 10 % lost replies: not one duplicated or lost effect."""

from __future__ import annotations

import pytest

from bench import money_scenario

pytestmark = pytest.mark.anyio


async def test_retrying_every_operation_with_its_key_never_duplicates_an_effect() -> None:
    report = await money_scenario.run(operations=2000, ambiguous=0.10, seed=7)
    print("\n".join(report.lines()))
    assert report.operations == 2000
    assert report.ambiguous_injected > 100  # the faults really fired
    assert report.reconciled >= report.ambiguous_injected * 0.9  # and were settled from upstream records
    assert report.drops_injected > 20
    assert report.attempts > report.operations + report.resent  # some needed a retry with their key
    assert report.replays >= report.resent * 0.8  # resent completed operations came from the log
    assert report.succeeded > 1000
    assert report.mismatches == []
