"""Running a write so that retrying it is safe.

For every money-moving or creating mutation:

1. The caller's ``idempotencyKey`` is looked up. The same key with the same input returns the first
   outcome without calling the upstream again; with different input it is a ``CONFLICT``.
2. Permissions and the programs' rules are checked (``gateway.rules``). A refusal here sends nothing
   and claims nothing, so the caller may correct the input and reuse the key.
3. The key is claimed in the store (the unique key decides between concurrent requests and replicas)
   and the operation is logged as PENDING before the upstream is called, under a lock per target, so
   at most one write per customer, reseller or voucher is in flight (in this process and, on PostgreSQL,
   across replicas) and reconciliation is unambiguous.
4. The upstream is called once. A definite answer is stored. An unknown outcome (timeout, connection
   lost after sending, a crash) is reconciled against the upstream's own records
   (``Provider.find_applied``): applied, and the operation succeeds with the upstream's receipt; not
   applied (and old enough for the records to have settled), and the key is released so the same key
   may try again; undecided, and it stays PENDING (``OPERATION_PENDING``) to be asked about again, on
   the caller's next try or at the next start.
5. Every attempt, whatever its outcome, goes to the audit trail.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.auth import Principal
from gateway.errors import (
    GatewayError,
    IdempotencyConflict,
    InvalidInput,
    OperationPending,
    ProviderError,
    ProviderUnavailable,
    StoredFailure,
)
from gateway.provider import Provider
from gateway.store import AuditEntry, OperationRecord, OperationStatus, Store
from gateway.writes import INTENTS, Intent, Receipt, canonical, canonical_json, intent_from_json, intent_to_json

__all__ = ["Operations", "Outcome"]

log = logging.getLogger(__name__)

#: How far back an upstream record may be stamped and still belong to an operation (clock skew).
SKEW = timedelta(minutes=5)
#: Fields of an intent that are never written to the audit trail as they are.
_SECRET_FIELDS = frozenset({"verification_code"})


@dataclass(frozen=True, slots=True)
class Outcome:
    operation_id: str
    receipt: Receipt
    replayed: bool
    reconciled: bool = False


def _receipt_json(receipt: Receipt) -> dict[str, Any]:
    return {
        "upstreamIds": list(receipt.upstream_ids),
        "requestId": receipt.request_id,
        "details": dict(receipt.details),
        "failures": [{"id": f.item_id, "code": f.upstream_code, "message": f.message} for f in receipt.failures],
    }


def _receipt(data: Mapping[str, Any]) -> Receipt:
    from gateway.models import ItemFailure

    return Receipt(
        upstream_ids=tuple(data.get("upstreamIds", ())),
        request_id=data.get("requestId"),
        details=dict(data.get("details", {})),
        failures=tuple(ItemFailure(f["id"], f["code"], f["message"]) for f in data.get("failures", ())),
    )


def _error_json(error: GatewayError) -> dict[str, Any]:
    return {"message": error.message, **error.extensions()}


class Operations:
    def __init__(
        self,
        store: Store,
        provider_of: Callable[[str], Provider],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        settle: timedelta = timedelta(seconds=5),
    ) -> None:
        self.store = store
        self._provider_of = provider_of
        self._clock = clock
        self._settle = settle
        """How long after an attempt the upstream's records are trusted to show it (eventual consistency)."""
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def run(
        self,
        principal: Principal,
        account_id: str,
        intent: Intent,
        key: str | None,
        check: Callable[[], Awaitable[None]],
    ) -> Outcome:
        """Run ``intent`` on ``account_id`` for ``principal``; ``check`` applies the rules first."""
        if not key or len(key) > 200:
            raise InvalidInput("an idempotencyKey of 1 to 200 characters is required", field="idempotencyKey")
        started = time.monotonic()
        data = {"accountId": account_id, **intent_to_json(intent)}
        digest = hashlib.sha256(f"{account_id}\n{canonical(intent)}".encode()).hexdigest()
        audit = _Audit(self.store, principal, intent.kind, account_id, data, started, self._clock)

        existing = await self.store.operation_by_key(principal.name, key)
        if existing is None:
            try:
                await check()
            except GatewayError as exc:
                await audit("REJECTED", error=exc)
                raise
        async with self._lock(account_id, intent.target):
            record = OperationRecord(
                id=str(uuid.uuid4()),
                idempotency_key=key,
                principal=principal.name,
                operation=intent.kind,
                account_id=account_id,
                input=data,
                input_hash=digest,
                status=OperationStatus.PENDING,
                started_at=self._clock(),
            )
            record, created = await self.store.claim_operation(record)
            if record.input_hash != digest:
                await audit("CONFLICT", error=IdempotencyConflict(key))
                raise IdempotencyConflict(key)
            if not created:
                return await self._replay(record, intent, audit)
            return await self._execute(record, intent, audit)

    async def run_local(
        self,
        principal: Principal,
        kind: str,
        data: Mapping[str, Any],
        key: str | None,
        action: Callable[[], Awaitable[Mapping[str, Any]]],
    ) -> tuple[Mapping[str, Any], bool]:
        """A creating write the gateway owns (no upstream): the same key and input give the first result.

        Returns the result and whether it is a replay. ``action`` raising a ``GatewayError`` claims nothing.
        """
        if not key or len(key) > 200:
            raise InvalidInput("an idempotencyKey of 1 to 200 characters is required", field="idempotencyKey")
        digest = hashlib.sha256(canonical_json(data).encode()).hexdigest()
        account_id = str(data.get("accountId", ""))
        audit = _Audit(self.store, principal, kind, account_id, data, time.monotonic(), self._clock)
        record = OperationRecord(
            id=str(uuid.uuid4()),
            idempotency_key=key,
            principal=principal.name,
            operation=kind,
            account_id=account_id,
            input=data,
            input_hash=digest,
            status=OperationStatus.PENDING,
            started_at=self._clock(),
        )
        async with self._lock(account_id, f"{kind}:{key}"):
            record, created = await self.store.claim_operation(record)
            if record.input_hash != digest:
                await audit("CONFLICT", error=IdempotencyConflict(key))
                raise IdempotencyConflict(key)
            if not created and record.status == OperationStatus.SUCCEEDED:
                await audit("REPLAYED", operation_id=record.id)
                return record.result or {}, True
            try:
                result = await action()
            except GatewayError as exc:
                await self.store.release_operation(record.id)
                await audit("REJECTED", error=exc, operation_id=record.id)
                raise
            await self.store.finish_operation(record.id, OperationStatus.SUCCEEDED, result=result, at=self._clock())
            await audit("SUCCEEDED", operation_id=record.id)
            return result, False

    async def reconcile_pending(self) -> list[tuple[str, str]]:
        """Settle the operations a crash (or an undecided attempt) left PENDING: run at start."""
        settled = []
        for record in await self.store.pending_operations():
            if record.input.get("kind") not in INTENTS:
                continue  # a gateway-owned write: nothing upstream to reconcile
            intent = intent_from_json(record.input)
            audit = _Audit(
                self.store, None, record.operation, record.account_id, record.input, time.monotonic(), self._clock
            )
            try:
                async with self._lock(record.account_id, intent.target):
                    outcome = await self._resolve(record, intent, audit)
                settled.append((record.id, "APPLIED" if outcome.reconciled else "SUCCEEDED"))
            except OperationPending:
                settled.append((record.id, "PENDING"))
            except ProviderUnavailable:
                settled.append((record.id, "NOT_APPLIED"))
            except Exception:  # one bad record must not stop the others
                log.exception("could not reconcile operation %s", record.id)
                settled.append((record.id, "ERROR"))
        return settled

    async def _replay(self, record: OperationRecord, intent: Intent, audit: _Audit) -> Outcome:
        if record.status == OperationStatus.SUCCEEDED:
            await audit("REPLAYED", operation_id=record.id, request_ids=_ids(record.result))
            return Outcome(record.id, _receipt(record.result or {}), replayed=True)
        if record.status == OperationStatus.FAILED:
            failure = StoredFailure(record.error or {})
            await audit("REPLAYED", error=failure, operation_id=record.id)
            raise failure
        return await self._resolve(record, intent, audit)  # pending: never resent before it is settled

    async def _execute(self, record: OperationRecord, intent: Intent, audit: _Audit) -> Outcome:
        provider = self._provider_of(record.account_id)
        try:
            receipt = await provider.execute(intent)
        except ProviderError as exc:
            if exc.outcome_unknown:
                log.warning("operation %s: outcome unknown (%s); reconciling", record.id, exc.code)
                return await self._resolve(record, intent, audit, cause=exc)
            if isinstance(exc, ProviderUnavailable):  # refused before applying (throttled, never sent)
                await self.store.release_operation(record.id)
                await audit("NOT_APPLIED", error=exc, operation_id=record.id)
                raise
            await self.store.finish_operation(
                record.id, OperationStatus.FAILED, error=_error_json(exc), at=self._clock()
            )
            await audit("FAILED", error=exc, operation_id=record.id)
            raise
        except GatewayError as exc:  # refused by the adapter before sending (unsupported, bad input)
            await self.store.release_operation(record.id)
            await audit("REJECTED", error=exc, operation_id=record.id)
            raise
        except Exception:
            log.exception("operation %s: unexpected failure; reconciling", record.id)
            return await self._resolve(record, intent, audit)
        await self.store.finish_operation(
            record.id, OperationStatus.SUCCEEDED, result=_receipt_json(receipt), at=self._clock()
        )
        await audit("SUCCEEDED", operation_id=record.id, request_ids=(receipt.request_id,))
        return Outcome(record.id, receipt, replayed=False)

    async def _resolve(
        self, record: OperationRecord, intent: Intent, audit: _Audit, cause: GatewayError | None = None
    ) -> Outcome:
        """Settle an operation whose outcome is unknown from the upstream's own records."""
        provider = self._provider_of(record.account_id)
        since = record.started_at - SKEW
        try:
            exclude = await self._attributed(record, since)
            found = await provider.find_applied(intent, since, exclude)
        except GatewayError as exc:
            await audit("PENDING", error=exc, operation_id=record.id)
            raise OperationPending(record.id, f"the upstream's records could not be read ({exc.code})") from exc
        if found is not None:
            await self.store.finish_operation(
                record.id, OperationStatus.SUCCEEDED, result=_receipt_json(found), at=self._clock()
            )
            await audit("RECONCILED", operation_id=record.id, request_ids=(found.request_id,))
            return Outcome(record.id, found, replayed=cause is None, reconciled=True)
        if self._clock() - record.started_at < self._settle:
            await audit("PENDING", error=cause, operation_id=record.id)
            raise OperationPending(record.id, "the upstream's records do not show it yet")
        await self.store.release_operation(record.id)
        await audit("NOT_APPLIED", error=cause, operation_id=record.id)
        raise ProviderUnavailable(
            f"{intent.kind} was not applied (the upstream's records show no trace of it); "
            "it is safe to retry with the same idempotency key",
            provider=provider.account.provider,
            partner_id=record.account_id,
            upstream_code=getattr(cause, "upstream_code", None),
            request_id=getattr(cause, "request_id", None),
        )

    async def _attributed(self, record: OperationRecord, since: datetime) -> frozenset[str]:
        """Upstream ids already claimed by other successful operations of the same kind."""
        others = await self.store.operations_since(record.account_id, record.operation, since)
        return frozenset(
            upstream_id
            for other in others
            if other.id != record.id and other.status == OperationStatus.SUCCEEDED and other.result
            for upstream_id in other.result.get("upstreamIds", ())
        )

    @contextlib.asynccontextmanager
    async def _lock(self, account_id: str, target: str) -> AsyncIterator[None]:
        """One write per target at a time: in this process, and across replicas through the store."""
        local = self._locks.setdefault((account_id, target), asyncio.Lock())
        async with local, self.store.target_lock(f"{account_id}/{target}"):
            yield


def _ids(result: Mapping[str, Any] | None) -> tuple[str | None, ...]:
    return ((result or {}).get("requestId"),)


class _Audit:
    """Writes one audit entry per attempt outcome."""

    def __init__(
        self,
        store: Store,
        principal: Principal | None,
        operation: str,
        account_id: str,
        data: Mapping[str, Any],
        started: float,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.principal = principal.name if principal else "gateway (reconciliation)"
        self.operation = operation
        self.account_id = account_id
        self.data = {k: ("***" if k in _SECRET_FIELDS and v else v) for k, v in data.items()}
        self.started = started
        self.clock = clock

    async def __call__(
        self,
        outcome: str,
        *,
        error: GatewayError | None = None,
        operation_id: str | None = None,
        request_ids: tuple[str | None, ...] = (),
    ) -> None:
        ids = tuple(i for i in (*request_ids, getattr(error, "request_id", None)) if i)
        await self.store.audit(
            AuditEntry(
                at=self.clock(),
                principal=self.principal,
                operation=self.operation,
                account_id=self.account_id,
                input=self.data,
                outcome=outcome,
                error_code=_code(error),
                request_ids=ids,
                operation_id=operation_id,
                duration_ms=int((time.monotonic() - self.started) * 1000),
            )
        )


def _code(error: GatewayError | None) -> str | None:
    if error is None:
        return None
    reason = getattr(error, "reason", None)
    return f"{error.code}:{reason.value}" if reason is not None else error.code
