from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.errors import ProviderThrottled, ProviderUnavailable
from gateway.models import Customer, Money, Secret


def test_money_is_decimal_and_currency() -> None:
    money = Money(Decimal("12.30"), "CNY")
    assert str(money) == "12.30 CNY"
    assert money == Money(Decimal("12.30"), "CNY")


@pytest.mark.parametrize(
    ("amount", "currency", "error"),
    [
        (12.3, "CNY", TypeError),
        (12, "CNY", TypeError),
        (Decimal("NaN"), "CNY", ValueError),
        (Decimal("Infinity"), "CNY", ValueError),
        (Decimal(1), "cny", ValueError),
        (Decimal(1), "YUAN", ValueError),
    ],
)
def test_money_refuses_floats_and_bad_currencies(amount: object, currency: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        Money(amount, currency)  # type: ignore[arg-type]


def test_models_are_frozen_including_their_extra_mapping() -> None:
    customer = Customer(provider="p", partner_id="a", native_id="1", name="n", extra={"k": "v"})
    with pytest.raises(AttributeError):
        customer.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        customer.extra["k"] = "changed"  # type: ignore[index]


def test_secret_hides_its_value() -> None:
    secret = Secret("sk-123456")
    assert "sk-123456" not in repr(secret)
    assert "sk-123456" not in str(secret)
    assert "sk-123456" not in f"{secret}"
    assert secret.reveal() == "sk-123456"


def test_throttling_is_a_retryable_unavailability_with_a_hint() -> None:
    error = ProviderThrottled("slow down", provider="p", retry_after=2.5, upstream_code="Throttling.User")
    assert isinstance(error, ProviderUnavailable)
    assert error.retryable
    assert error.retry_after == 2.5
    assert error.extensions() == {"code": "PROVIDER_THROTTLED", "provider": "p", "upstreamCode": "Throttling.User"}
