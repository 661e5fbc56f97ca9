from __future__ import annotations

import random
from dataclasses import replace
from typing import Any

import pytest
from prometheus_client import REGISTRY

from adapters._simkit.faults import Fault, FaultKind
from gateway.app import create_app
from gateway.config import GatewayConfig, UpstreamConfig, demo_config
from gateway.deadline import started
from gateway.errors import (
    ProviderAuthError,
    ProviderError,
    ProviderThrottled,
    ProviderUnavailable,
    UpstreamLimited,
)
from gateway.registry import Registry
from gateway.retry import RetryBudget, RetryPolicy, call_with_retries, may_retry
from gateway.testing import running
from tests.support.mutations_demo import HUAWEI, KEYS, Counted

pytestmark = pytest.mark.anyio

POLICY = RetryPolicy(attempts=4, base_delay=0.1, max_delay=1.0, max_total=30.0)


def unavailable(outcome_unknown: bool) -> ProviderUnavailable:
    return ProviderUnavailable("timed out", provider="p", outcome_unknown=outcome_unknown)


class Flaky:
    """Fails with the given errors in turn, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def run(flaky: Flaky, *, idempotent: bool) -> tuple[str, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    result = await call_with_retries(flaky, idempotent=idempotent, policy=POLICY, sleep=sleep, rng=random.Random(7))
    return result, slept


async def test_a_read_is_retried_after_timeouts_and_5xx() -> None:
    flaky = Flaky(unavailable(True), unavailable(True), unavailable(False))
    result, slept = await run(flaky, idempotent=True)
    assert result == "ok"
    assert flaky.calls == 4
    assert len(slept) == 3
    assert all(0 <= s <= POLICY.max_delay for s in slept)


async def test_a_write_with_an_unknown_outcome_is_never_resent() -> None:
    flaky = Flaky(unavailable(True))
    with pytest.raises(ProviderUnavailable):
        await run(flaky, idempotent=False)
    assert flaky.calls == 1


async def test_a_write_refused_before_applying_is_retried() -> None:
    throttled = ProviderThrottled("slow down", provider="p", retry_after=2.0)
    flaky = Flaky(throttled, unavailable(False))
    result, slept = await run(flaky, idempotent=False)
    assert result == "ok"
    assert flaky.calls == 3
    assert slept[0] >= 2.0  # the upstream's hint is honoured


async def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    errors = [unavailable(True) for _ in range(10)]
    flaky = Flaky(*errors)
    with pytest.raises(ProviderUnavailable) as caught:
        await run(flaky, idempotent=True)
    assert flaky.calls == POLICY.attempts
    assert caught.value is errors[POLICY.attempts - 1]


@pytest.mark.parametrize(
    "error",
    [ProviderAuthError("bad key", provider="p"), ProviderError("no such customer", provider="p"), ValueError("bug")],
)
async def test_business_auth_and_programming_errors_are_not_retried(error: Exception) -> None:
    assert not may_retry(error, idempotent=True)
    flaky = Flaky(error)
    with pytest.raises(type(error)):
        await run(flaky, idempotent=True)
    assert flaky.calls == 1


# --- the request's deadline, the account's retry budget, refusals the gateway made itself -------------------


async def test_a_wait_that_would_end_past_the_deadline_is_not_slept_and_the_last_error_is_raised() -> None:
    throttled = ProviderThrottled("slow down", provider="p", retry_after=2.0)
    flaky = Flaky(throttled, unavailable(False))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    with started(0.5), pytest.raises(ProviderThrottled) as caught:
        await call_with_retries(flaky, idempotent=True, policy=POLICY, sleep=sleep, rng=random.Random(7))
    assert caught.value is throttled  # the real error, not a retry error or a deadline of our own
    assert (flaky.calls, slept) == (1, [])
    # Without a deadline the same hint is waited for, and the call succeeds.
    again = Flaky(ProviderThrottled("slow down", provider="p", retry_after=2.0))
    result, slept = await run(again, idempotent=True)
    assert (result, slept[0]) == ("ok", 2.0)


async def test_waits_that_fit_in_the_deadline_are_slept() -> None:
    flaky = Flaky(unavailable(True), unavailable(True))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    with started(5.0):
        result = await call_with_retries(flaky, idempotent=True, policy=POLICY, sleep=sleep, rng=random.Random(7))
    assert result == "ok"
    assert len(slept) == 2
    assert sum(slept) < 5.0


@pytest.mark.parametrize(
    "refusal",
    [
        ProviderUnavailable("circuit open", provider="p", retry_after=5.0, held_back=True),
        UpstreamLimited("no token", limit="rate", provider="p", retry_after=0.1),
    ],
    ids=["circuit-open", "limited"],
)
async def test_a_call_the_gateway_held_back_is_not_retried(refusal: ProviderError) -> None:
    assert refusal.retryable  # a client may try again later (nothing was applied) ...
    assert not may_retry(refusal, idempotent=True)  # ... but the retry loop does not, at once
    flaky = Flaky(refusal)
    with pytest.raises(type(refusal)):
        await run(flaky, idempotent=True)
    assert flaky.calls == 1


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def retries_of(account: str, outcome: str) -> float:
    labels = {"account": account, "outcome": outcome}
    value = REGISTRY.get_sample_value("partner_gateway_upstream_retries_total", labels)
    return value or 0.0


async def outage(calls: int, policy: RetryPolicy, clock: Clock | None = None) -> tuple[int, list[Exception]]:
    """``calls`` reads against an upstream that fails every request (a 100 % 5xx outage), one every 0.1 s of
    ``clock``: the requests it received, and the error each call ended with."""
    sent = 0
    raised: list[Exception] = []

    async def failing() -> str:
        nonlocal sent
        sent += 1
        raise ProviderUnavailable("HTTP 503", provider="p", http_status=503)

    async def sleep(seconds: float) -> None:
        pass

    for _ in range(calls):
        with pytest.raises(ProviderUnavailable) as caught:
            await call_with_retries(failing, idempotent=True, policy=policy, sleep=sleep, rng=random.Random(1))
        raised.append(caught.value)
        if clock is not None:
            clock.now += 0.1
    return sent, raised


async def test_the_retry_budget_keeps_an_outage_from_being_multiplied_by_the_attempts() -> None:
    clock = Clock()
    budget = RetryBudget("acme-budget", ratio=0.2, min_per_second=0.0, window=10.0, clock=clock)
    denied_before, sent_before = retries_of("acme-budget", "denied"), retries_of("acme-budget", "sent")
    sent, raised = await outage(50, RetryPolicy(attempts=3, budget=budget), clock)
    unbudgeted, _ = await outage(50, RetryPolicy(attempts=3))
    assert unbudgeted == 150  # every call three times
    assert 50 < sent <= 50 + 0.2 * 50  # the first attempts, and a fifth as many retries
    assert all(isinstance(error, ProviderUnavailable) for error in raised)  # the upstream's own error
    assert retries_of("acme-budget", "sent") - sent_before == sent - 50
    assert retries_of("acme-budget", "denied") - denied_before > 0


async def test_the_budget_has_a_floor_and_forgets_calls_older_than_its_window() -> None:
    clock = Clock()
    budget = RetryBudget("acme-floor", ratio=0.0, min_per_second=0.5, window=10.0, clock=clock)
    policy = RetryPolicy(attempts=2, budget=budget)
    sent, _ = await outage(20, policy)  # at one instant: the floor allows 0.5 * 10 retries
    assert sent == 20 + 5
    clock.now += 10.0  # the window has moved on: its retries no longer count
    sent, _ = await outage(20, policy)
    assert sent == 20 + 5


HUAWEI_PAGE = '{ customers(first: 5, filter: {provider: "huaweicloud"}) { totalCount } }'


async def huawei_outage(policy: UpstreamConfig, requests: int) -> tuple[int, list[dict[str, Any]]]:
    """``requests`` queries, one after another (identical reads at once would be sent once: single flight),
    against the demo's Huawei simulator failing every request with a 503: the requests the simulator
    received, and the answers."""
    registry = Registry.discover()
    demo = demo_config(registry)
    simulator = demo.simulated[HUAWEI]
    simulator.faults.add(Fault(FaultKind.SERVER_ERROR, "*", 503.0))  # type: ignore[attr-defined]
    counted = Counted(simulator, huawei=True)
    [entry] = [replace(entry, upstream=policy) for entry in demo.accounts if entry.account.id == HUAWEI]
    config = GatewayConfig(accounts=(entry,), simulated={HUAWEI: counted}, api_keys=KEYS)
    async with running(create_app(config, registry)) as client:
        answers = [
            await client.post("/graphql", json={"query": HUAWEI_PAGE}, headers={"authorization": "Bearer k-admin"})
            for _ in range(requests)
        ]
    return sum(counted.counts.values()), [answer.json() for answer in answers]


async def test_through_the_graph_an_account_retries_within_its_budget_during_a_5xx_outage() -> None:
    # The breaker is set aside (it would stop the outage's calls itself) to see the budget alone.
    no_breaker = {"breaker_failures": 10_000, "breaker_min_calls": 100_000}
    budgeted = UpstreamConfig(retry_budget_ratio=0.2, retry_budget_min_per_second=0.0, **no_breaker)
    single = UpstreamConfig(retry_attempts=1, **no_breaker)
    firsts, _ = await huawei_outage(single, 10)
    sent, answers = await huawei_outage(budgeted, 10)
    # retry_attempts = 3: unbudgeted, the outage would get 3 * firsts requests (the unit test above shows it)
    assert firsts < sent <= firsts + 0.2 * firsts
    codes = {error["extensions"]["code"] for body in answers for error in body["errors"]}
    assert codes == {"PROVIDER_UNAVAILABLE"}  # each call ends with the upstream's own error
