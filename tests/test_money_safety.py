"""1,500 money and voucher operations from 8 clients side by side, with 10 % lost replies, 3 % calls
dropped unapplied and about 9 % late replies (delayed beyond the gateway's upstream timeout, applied after
the gateway gave up on them): not one duplicated or lost effect, and every operation settled.

(1,500 rather than the 2,000 of the run without late replies: settling late replies costs reads of the
upstream's records, and the run stays within its former time.)"""

from __future__ import annotations

import pytest

from bench import money_scenario

pytestmark = pytest.mark.anyio


async def test_retrying_every_operation_with_its_key_never_duplicates_an_effect() -> None:
    report = await money_scenario.run(operations=1500, ambiguous=0.10, late=0.045, seed=7)
    print("\n".join(report.lines()))
    assert report.operations == 1500
    assert report.ambiguous_injected > 100  # the faults really fired
    assert report.reconciled >= report.ambiguous_injected * 0.9  # and were settled from upstream records
    assert report.drops_injected > 20
    assert report.money_calls >= report.operations * 0.9
    assert report.late_injected >= report.money_calls * 0.05  # replies later than the upstream timeout
    # A late reply leaves its operation pending (the records show nothing yet, and it may still land) until
    # it lands and shows in the records: settled as applied, never resent, never declared not applied.
    assert report.settled_applied >= report.late_injected * 0.5
    assert report.settled_not_applied >= report.drops_injected * 0.5  # dropped calls: after the window
    assert report.pended == report.settled_applied + report.settled_not_applied
    assert report.unsettled == 0  # everything settled
    assert report.attempts > report.operations + report.resent  # some needed a retry with their key
    assert report.replays >= report.resent * 0.8  # resent completed operations came from the log
    assert report.succeeded > 1000
    assert report.mismatches == []
