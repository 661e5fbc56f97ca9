"""Money: a decimal amount (a string on the wire, never a float) and its currency, shown at the currency's
scale (``gateway.currency``: two places for CNY and USD), except price quotes, shown at the upstream's."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry

from gateway import models
from gateway.currency import at_scale

__all__ = ["Balance", "CreditControls", "CreditRecord", "Funds", "LedgerEntry", "Money", "QuotaMovement", "money"]

BalanceKindEnum = strawberry.enum(models.BalanceKind, name="BalanceKind")
LedgerKindEnum = strawberry.enum(models.LedgerKind, name="LedgerKind")
ShutdownPolicyEnum = strawberry.enum(
    models.ShutdownPolicy,
    name="ShutdownPolicy",
    description="What happens to a credit customer's resources when its available credit runs out (Aliyun).",
)
CreditRecordKindEnum = strawberry.enum(
    models.CreditRecordKind,
    name="CreditRecordKind",
    description=(
        "A credit customer's histories (Aliyun): credit-line changes, purchase bans, shutdown policies, "
        "automatic write-off settings, reversed deductions."
    ),
)
QuotaMovementKindEnum = strawberry.enum(
    models.QuotaMovementKind,
    name="QuotaMovementKind",
    description="GRANT: voucher quota given to a tier-2 reseller. RECLAIM: its unused part taken back.",
)


@strawberry.type(
    description=(
        "An amount of money. `amount` is a decimal string with at least its currency's decimal places "
        "(ISO 4217: two for CNY and USD), more only where the upstream gave more; a price quote's is the upstream's."
    )
)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, value: models.Money) -> Money:
        """Money at its currency's scale."""
        return cls(amount=at_scale(value.amount, value.currency), currency=value.currency)

    @classmethod
    def exact(cls, value: models.Money) -> Money:
        """Money exactly as the upstream gave it (price quotes)."""
        return cls(amount=value.amount, currency=value.currency)


def money(value: models.Money | None) -> Money | None:
    return Money.of(value) if value is not None else None


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
            amount=Money.of(balance.amount),
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
    controls: CreditControls | None = strawberry.field(
        description="How a credit customer is held in check (Aliyun); null where the cloud has no credit controls."
    )

    @classmethod
    def from_domain(cls, funds: models.Funds) -> Funds:
        return cls(
            available=Money.of(funds.available),
            debt=money(funds.debt),
            credit_line=money(funds.credit_line),
            controls=CreditControls.from_domain(funds.controls) if funds.controls is not None else None,
        )


@strawberry.type(
    description="A credit customer's controls (Aliyun GetCreditInfo); a field the cloud did not report is null."
)
class CreditControls:
    warning_threshold: int | None = strawberry.field(
        description=(
            "Percent of the credit line (1-100): when the available credit falls below it, the partner is warned."
        )
    )
    new_purchases_banned: bool | None = strawberry.field(description="Whether the customer may not buy anything new.")
    shutdown_policy: ShutdownPolicyEnum | None = strawberry.field(  # type: ignore[valid-type]
        description="What happens to the customer's resources when its available credit runs out."
    )
    pay_as_you_go_frozen: bool | None = strawberry.field(
        description="Whether pay-as-you-go use is frozen (`setCustomerFrozen`)."
    )

    @classmethod
    def from_domain(cls, controls: models.CreditControls) -> CreditControls:
        return cls(
            warning_threshold=controls.warning_threshold,
            new_purchases_banned=controls.new_purchases_banned,
            shutdown_policy=controls.shutdown_policy,
            pay_as_you_go_frozen=controls.pay_as_you_go_frozen,
        )


@strawberry.type(description="One entry of a credit customer's histories (Aliyun), newest first.")
class CreditRecord:
    kind: CreditRecordKindEnum = strawberry.field(description="Which history it belongs to.")  # type: ignore[valid-type]
    occurred_at: datetime | None = strawberry.field(description="When the change was made, as the cloud records it.")
    description: str | None = strawberry.field(description="The cloud's own description of the change.")
    before: str | None = strawberry.field(description="The value before the change, as the cloud gives it.")
    after: str | None = strawberry.field(description="The value after the change, as the cloud gives it.")
    amount: Money | None = strawberry.field(description="The money the change moved, if any.")
    operator: str | None = strawberry.field(description="Who made the change (an upstream account id or channel).")
    native_id: str | None = strawberry.field(description="The cloud's id of the record, where it has one.")

    @classmethod
    def from_domain(cls, record: models.CreditRecord) -> CreditRecord:
        return cls(
            kind=record.kind,
            occurred_at=record.occurred_at,
            description=record.description,
            before=record.before,
            after=record.after,
            amount=money(record.amount),
            operator=record.operator,
            native_id=record.native_id,
        )


@strawberry.type(description="One movement in the upstream's own records: an allocation, a reclaim, ...")
class LedgerEntry:
    native_id: str
    kind: LedgerKindEnum  # type: ignore[valid-type]
    amount: Money
    occurred_at: datetime | None
    counterparty_id: str | None = strawberry.field(description="The customer or reseller on the other side.")
    transaction_id: str | None = strawberry.field(description="What the allocating call returned.")
    balance_after: Money | None

    @classmethod
    def from_domain(cls, entry: models.LedgerEntry) -> LedgerEntry:
        return cls(
            native_id=entry.native_id,
            kind=entry.kind,
            amount=Money.of(entry.amount),
            occurred_at=entry.occurred_at,
            counterparty_id=entry.counterparty_id,
            transaction_id=entry.transaction_id,
            balance_after=money(entry.balance_after),
        )


@strawberry.type(
    description="One grant or reclaim of voucher quota between the partner and a tier-2 reseller, as the upstream "
    "records it (Huawei list_coupon_quotas_records), refused attempts included."
)
class QuotaMovement:
    native_id: str = strawberry.field(description="The upstream's record id.")
    kind: QuotaMovementKindEnum = strawberry.field(description="A grant or a reclaim.")  # type: ignore[valid-type]
    amount: Money = strawberry.field(description="Granted, or given back by the reclaim.")
    succeeded: bool = strawberry.field(description="False for an attempt the upstream refused and recorded.")
    occurred_at: datetime | None = strawberry.field(description="When it happened.")
    reseller_id: str | None = strawberry.field(description="The tier-2 reseller's upstream id.")
    quota_id: str | None = strawberry.field(description="The reseller's quota (a grant creates it).")
    parent_quota_id: str | None = strawberry.field(description="The partner's own quota it was carved from.")
    operator: str | None = strawberry.field(description="The upstream account that acted.")
    remark: str | None = strawberry.field(description="The upstream's remark on the record.")

    @classmethod
    def from_domain(cls, movement: models.QuotaMovement) -> QuotaMovement:
        return cls(
            native_id=movement.native_id,
            kind=movement.kind,
            amount=Money.of(movement.amount),
            succeeded=movement.succeeded,
            occurred_at=movement.occurred_at,
            reseller_id=movement.reseller_id,
            quota_id=movement.quota_id,
            parent_quota_id=movement.parent_quota_id,
            operator=movement.operator,
            remark=movement.remark,
        )
