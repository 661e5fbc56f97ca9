"""Credit controls of a credit customer (Aliyun, CONTRACTS.md A.7.1, A.7.7, A.7.8, A.7.26).

Each is a write like any other (``gateway.writes``): an idempotency key makes a repeat a no-op, the audit log
keeps it, and a reply that is lost is settled from the upstream's own records, named on each intent
(GetCreditInfo for the threshold, the purchase ban and the shutdown policy; the write-off change records for
automatic write-off). Finance and admin keys only, like the credit line.
"""

from __future__ import annotations

import strawberry

from gateway.errors import InvalidInput
from gateway.schema.context import Context
from gateway.schema.money import ShutdownPolicyEnum
from gateway.schema.mutations_customers import CustomerResult, customer_write
from gateway.writes import SetAutomaticWriteOff, SetNewPurchaseBan, SetShutdownPolicy, SetWarningThreshold

__all__ = ["CreditMutation"]

Info = strawberry.Info[Context, None]

#: SetWarningThreshold's ``WarningValue`` range (A.7.26: ``3045`` outside it).
THRESHOLD_RANGE = range(1, 101)


def _threshold(native_id: str, percent: int) -> SetWarningThreshold:
    if percent not in THRESHOLD_RANGE:
        raise InvalidInput("the warning threshold is a percentage from 1 to 100", "percent")
    return SetWarningThreshold(native_id, percent)


@strawberry.type
class CreditMutation:
    @strawberry.mutation(
        description=(
            "Warn when a credit customer's available credit falls below `percent` (1-100) of its credit line "
            "(Aliyun SetWarningThreshold). A lost reply is settled from GetCreditInfo's threshold."
        )
    )
    async def set_warning_threshold(
        self, info: Info, customer_id: strawberry.ID, percent: int, idempotency_key: str
    ) -> CustomerResult:
        return await customer_write(info, customer_id, lambda c: _threshold(c, percent), idempotency_key)

    @strawberry.mutation(
        description=(
            "Ban a credit customer's new purchases, or lift the ban (Aliyun EditNewBuyStatus). A lost reply is "
            "settled from GetCreditInfo's purchase status."
        )
    )
    async def set_new_purchase_ban(
        self, info: Info, customer_id: strawberry.ID, banned: bool, idempotency_key: str
    ) -> CustomerResult:
        return await customer_write(info, customer_id, lambda c: SetNewPurchaseBan(c, banned), idempotency_key)

    @strawberry.mutation(
        description=(
            "Choose what happens to a credit customer's resources when its credit runs out "
            "(Aliyun EditZeroCreditShutdown). A lost reply is settled from GetCreditInfo's policy."
        )
    )
    async def set_shutdown_policy(
        self,
        info: Info,
        customer_id: strawberry.ID,
        policy: ShutdownPolicyEnum,  # type: ignore[valid-type]
        idempotency_key: str,
    ) -> CustomerResult:
        return await customer_write(info, customer_id, lambda c: SetShutdownPolicy(c, policy), idempotency_key)

    @strawberry.mutation(
        description=(
            "Switch automatic write-off of a credit customer's outstanding balance on or off "
            "(Aliyun AutomaticWriteOff). A lost reply is settled from the write-off change log."
        )
    )
    async def set_automatic_write_off(
        self, info: Info, customer_id: strawberry.ID, enabled: bool, idempotency_key: str
    ) -> CustomerResult:
        return await customer_write(info, customer_id, lambda c: SetAutomaticWriteOff(c, enabled), idempotency_key)
