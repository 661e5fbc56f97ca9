"""Money: a decimal amount (a string on the wire, never a float) and its currency."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from gateway import models

__all__ = ["Balance", "Funds", "Money", "money"]

BalanceKindEnum = strawberry.enum(models.BalanceKind, name="BalanceKind")


@strawberry.type(description="An amount of money. `amount` is a decimal string, exact to the cent or finer.")
class Money:
    amount: Decimal
    currency: str


def money(value: models.Money | None) -> Money | None:
    return Money(amount=value.amount, currency=value.currency) if value is not None else None


@strawberry.type(description="One of a partner account's own money accounts at its cloud.")
class Balance:
    kind: BalanceKindEnum  # type: ignore[valid-type]
    amount: Money
    designated: Money | None = strawberry.field(description="Earmarked (专款专用): cannot be allocated.")
    credit_limit: Money | None

    @classmethod
    def from_domain(cls, balance: models.Balance) -> Balance:
        return cls(
            kind=balance.kind,
            amount=Money(amount=balance.amount.amount, currency=balance.amount.currency),
            designated=money(balance.designated),
            credit_limit=money(balance.credit_limit),
        )


@strawberry.type(
    description=(
        "The money side of a customer or reseller. Huawei (cash allocation): `available` is the balance, `debt` "
        "the arrears. Aliyun (credit lines): `creditLine` is the line, `available` what is left of it, `debt` the "
        "outstanding amount."
    )
)
class Funds:
    available: Money
    debt: Money | None
    credit_line: Money | None

    @classmethod
    def from_domain(cls, funds: models.Funds) -> Funds:
        return cls(
            available=Money(amount=funds.available.amount, currency=funds.available.currency),
            debt=money(funds.debt),
            credit_line=money(funds.credit_line),
        )
