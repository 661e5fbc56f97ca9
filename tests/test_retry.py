from __future__ import annotations

import random

import pytest

from gateway.errors import ProviderAuthError, ProviderError, ProviderThrottled, ProviderUnavailable
from gateway.retry import RetryPolicy, call_with_retries, may_retry

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
