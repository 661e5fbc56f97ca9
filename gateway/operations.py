"""Running a write so that retrying it is safe.

For every money-moving or creating mutation:

1. ``authorize`` runs first, on every call: may this principal do this, here, to this target? A replay is
   answered only after the same authorization a new call gets.
2. The caller's ``idempotencyKey`` is looked up in the caller's own namespace (keys belong to their
   principal: another principal's key is just another key). The same key with the same input (amounts
   compared by value) returns the first outcome without calling the upstream again; with different input
   it is an ``IDEMPOTENCY_CONFLICT``.
3. For a new key, the programs' rules are checked (``check``). A refusal here sends nothing and claims
   nothing, so the caller may correct the input and reuse the key.
4. The key is claimed in the store (the unique key decides between concurrent requests and replicas)
   and the operation is logged as PENDING before the upstream is called, under a lock per target, so
   at most one write per customer, reseller or voucher is in flight (in this process and, on PostgreSQL,
   across replicas) and reconciliation is unambiguous.
5. The upstream is called once. A definite answer is stored. An unknown outcome (timeout, connection
   lost after sending, a crash) is reconciled against the upstream's own records
   (``Provider.find_applied``): applied, and the operation succeeds with the upstream's receipt. Records
   that show nothing are not proof while the request may still land: the operation stays PENDING
   (``OPERATION_PENDING``, retry later with the same key) until the records show it, or until the settle
   window, longer than any request can take to land, has passed since the attempt; only then is it
   declared not applied and the key released for a resend. Pending operations are asked about again on
   the caller's next try, by a sweep while the gateway runs, and at the next start.
6. Every attempt, whatever its outcome, goes to the audit trail.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import replace
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
from gateway.events import Event, new_event
from gateway.masking import mask_contact
from gateway.observability.metrics import OPERATIONS_PENDING
from gateway.provider import Provider
from gateway.records import AuditEntry, Outcome
from gateway.store import OperationRecord, OperationStatus, Store
from gateway.upstream.flight import fresh_reads
from gateway.writes import INTENTS, Intent, Receipt, canonical, canonical_json, intent_from_json, intent_to_json

__all__ = ["Operations", "Outcome"]

log = logging.getLogger(__name__)

#: How far back an upstream record may be stamped and still belong to an operation (clock skew).
SKEW = timedelta(minutes=5)
#: How long settling a write waits for its customer's owner (``operation.settled``) before sending it without.
OWNER_LOOKUP_SECONDS = 5.0


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
        settle: timedelta = timedelta(seconds=120),
        attempt: timedelta = timedelta(seconds=60),
        on_applied: Callable[[OperationRecord, Intent, Receipt], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.on_applied = on_applied
        """Called once when an operation is first known applied (its reply, or its records, however late:
        a retry, the sweep, a restart), e.g. to give a created customer its owner."""
        self._provider_of = provider_of
        self._clock = clock
        self._settle = settle
        """How long after an attempt its request may still land upstream and show in the records: until
        then, records that show nothing prove nothing (it must exceed the upstream timeout: ``config``)."""
        self._attempt = attempt
        """How long one attempt may go on sending (the adapter retries a refused request): it is cut off
        then, so its last request went out at most this long after it started."""
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def run(
        self,
        principal: Principal,
        account_id: str,
        intent: Intent,
        key: str | None,
        *,
        authorize: Callable[[], Awaitable[object]],
        check: Callable[[], Awaitable[None]],
    ) -> Outcome:
        """Run ``intent`` on ``account_id`` for ``principal``.

        ``authorize`` decides whether the principal may do this at all (every call, replays included);
        ``check`` applies the programs' rules to a new attempt."""
        try:
            return await self._run(principal, account_id, intent, key, authorize=authorize, check=check)
        finally:
            await self._note_pending()

    async def _run(
        self,
        principal: Principal,
        account_id: str,
        intent: Intent,
        key: str | None,
        *,
        authorize: Callable[[], Awaitable[object]],
        check: Callable[[], Awaitable[None]],
    ) -> Outcome:
        _check_key(key)
        assert key is not None
        started = time.monotonic()
        data = {"accountId": account_id, **intent_to_json(intent)}
        digest = hashlib.sha256(f"{account_id}\n{canonical(intent)}".encode()).hexdigest()
        audit = _Audit(self.store, principal, intent.kind, account_id, data, started, self._clock)

        checked = False
        try:
            await authorize()
            if await self.store.operation_by_key(principal.name, key) is None:
                await check()
                checked = True
        except GatewayError as exc:
            await audit("REJECTED", error=exc)
            raise
        async with self._lock(account_id, intent.target):
            while True:
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
                if created:
                    try:
                        if not checked:  # a resend after "not applied": the rules as they stand now
                            await check()
                            checked = True
                        await self._clear_target(record, intent)
                    except GatewayError as exc:
                        await self.store.release_operation(record.id)
                        await audit("REJECTED", error=exc)
                        raise
                    return await self._execute(record, intent, audit)
                outcome = await self._replay(record, intent, audit)
                if outcome is not None:
                    return outcome
                # The earlier attempt is settled as not applied and its key released: this call is the retry.

    async def run_local(
        self,
        principal: Principal,
        kind: str,
        data: Mapping[str, Any],
        key: str | None,
        action: Callable[[], Awaitable[Mapping[str, Any]]],
        *,
        authorize: Callable[[], Awaitable[object]],
    ) -> tuple[Mapping[str, Any], bool]:
        """A creating write the gateway owns (no upstream): the same key and input give the first result.

        Returns the result and whether it is a replay. ``authorize`` runs on every call (replays too);
        ``action`` raising a ``GatewayError`` claims nothing.
        """
        _check_key(key)
        assert key is not None
        digest = hashlib.sha256(canonical_json(data).encode()).hexdigest()
        account_id = str(data.get("accountId", ""))
        audit = _Audit(self.store, principal, kind, account_id, data, time.monotonic(), self._clock)
        try:
            await authorize()
        except GatewayError as exc:
            await audit("REJECTED", error=exc)
            raise
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
                    current = await self.store.get_operation(record.id)  # settled meanwhile by its caller?
                    if current is None or current.status != OperationStatus.PENDING:
                        continue
                    outcome = await self._resolve(current, intent, audit)
                settled.append((record.id, "NOT_APPLIED" if outcome is None else "APPLIED"))
            except OperationPending:
                settled.append((record.id, "PENDING"))
            except Exception:  # one bad record must not stop the others
                log.exception("could not reconcile operation %s", record.id)
                settled.append((record.id, "ERROR"))
        await self._note_pending()
        return settled

    async def _note_pending(self) -> None:
        """``partner_gateway_operations_pending``: the upstream writes whose outcome is not known yet (at the
        start, after each sweep and each write; every replica counts the same shared store)."""
        try:
            pending = await self.store.pending_operations()
        except GatewayError:  # the store is down: the gauge keeps its last value
            return
        OPERATIONS_PENDING.set(sum(1 for record in pending if record.input.get("kind") in INTENTS))

    async def audit(
        self,
        principal: Principal | None,
        operation: str,
        account_id: str | None,
        data: Mapping[str, Any],
        outcome: str,
        started: float,
        *,
        error: GatewayError | None = None,
        operation_id: str | None = None,
        actor: str = "gateway",
    ) -> None:
        """One audit entry for a gateway-owned write's attempt, in the same trail and form as the upstream
        writes' (``started``: its ``time.monotonic()``; ``actor`` names who acted when no principal did)."""
        entry = _Audit(self.store, principal, operation, account_id, data, started, self._clock, actor=actor)
        await entry(outcome, error=error, operation_id=operation_id)

    async def sweep(self, interval: float) -> None:
        """Settle pending operations every ``interval`` seconds while the gateway runs (a client that gave
        up still gets its operation settled, and the audit trail says how)."""
        while True:
            await asyncio.sleep(interval)
            try:
                for operation_id, outcome in await self.reconcile_pending():
                    if outcome != "PENDING":
                        log.info("pending operation %s settled: %s", operation_id, outcome)
            except Exception:  # the sweep must outlive a failing store or upstream
                log.exception("the sweep of pending operations failed; trying again in %g s", interval)

    async def _applied(self, record: OperationRecord, intent: Intent, receipt: Receipt) -> None:
        if self.on_applied is None:
            return
        try:
            await self.on_applied(record, intent, receipt)
        except GatewayError as exc:  # the write stands; what follows from it can be redone by hand
            log.warning("operation %s: applied, but what follows from it failed (%s)", record.id, exc.code)

    async def _clear_target(self, record: OperationRecord, intent: Intent) -> None:
        """Settle other writes to the same target whose outcome is unknown before a new one goes out.

        While one may still land, a second write to the same target would make the upstream's records
        ambiguous (which of two equal transfers is whose?), so the new write waits: ``OPERATION_PENDING``."""
        for other in await self.store.pending_operations(record.account_id):
            if other.id == record.id or other.input.get("kind") not in INTENTS:
                continue
            other_intent = intent_from_json(other.input)
            if other_intent.target != intent.target:
                continue
            audit = _Audit(
                self.store,
                None,
                other.operation,
                other.account_id,
                other.input,
                time.monotonic(),
                self._clock,
                actor=f"gateway (settling before {record.id})",
            )
            try:
                await self._resolve(other, other_intent, audit)
            except OperationPending as exc:
                # Another principal's operation is not the caller's to know: it sees its own (released) id.
                mine = other.principal == record.principal
                raise OperationPending(
                    other.id if mine else record.id,
                    f"an earlier write to the same target{f' ({other.operation})' if mine else ''} is not settled "
                    "yet, so this one waits for it",
                    retry_after=exc.retry_after,
                ) from None

    async def _replay(self, record: OperationRecord, intent: Intent, audit: _Audit) -> Outcome | None:
        """The stored outcome; for a pending one, what the records now say (None: settled as not applied)."""
        if record.status == OperationStatus.SUCCEEDED:
            await audit("REPLAYED", operation_id=record.id, request_ids=_ids(record.result))
            result = record.result or {}
            return Outcome(record.id, _receipt(result), replayed=True, reconciled=bool(result.get("reconciled")))
        if record.status == OperationStatus.FAILED:
            failure = StoredFailure(record.error or {})
            await audit("REPLAYED", error=failure, operation_id=record.id)
            raise failure
        return await self._resolve(record, intent, audit)  # pending: never resent before it is settled

    async def _execute(self, record: OperationRecord, intent: Intent, audit: _Audit) -> Outcome:
        provider = self._provider_of(record.account_id)
        try:
            async with asyncio.timeout(self._attempt.total_seconds()):
                receipt = await provider.execute(intent)
        except TimeoutError:  # cut off: a request may have gone out and may still land
            cut = ProviderUnavailable(
                f"{intent.kind} did not finish within {self._attempt.total_seconds():g} s",
                provider=provider.account.provider,
                partner_id=record.account_id,
                outcome_unknown=True,
            )
            log.warning("operation %s: attempt cut off; reconciling", record.id)
            return _or_not_applied(await self._unknown(record, intent, audit, cut), record, intent, cut)
        except ProviderError as exc:
            if exc.outcome_unknown:
                log.warning("operation %s: outcome unknown (%s); reconciling", record.id, exc.code)
                return _or_not_applied(await self._unknown(record, intent, audit, exc), record, intent, exc)
            if isinstance(exc, ProviderUnavailable):  # refused before applying (throttled, never sent)
                await self.store.release_operation(record.id)
                await audit("NOT_APPLIED", error=exc, operation_id=record.id)
                raise
            await self.store.finish_operation(
                record.id,
                OperationStatus.FAILED,
                error=_error_json(exc),
                at=self._clock(),
                input=mask_contact(record.input),
            )
            await audit("FAILED", error=exc, operation_id=record.id)
            raise
        except GatewayError as exc:  # refused by the adapter before sending (unsupported, bad input)
            await self.store.release_operation(record.id)
            await audit("REJECTED", error=exc, operation_id=record.id)
            raise
        except Exception:
            log.exception("operation %s: unexpected failure; reconciling", record.id)
            return _or_not_applied(await self._unknown(record, intent, audit, None), record, intent, None)
        await self.store.finish_operation(
            record.id,
            OperationStatus.SUCCEEDED,
            result=_receipt_json(receipt),
            at=self._clock(),
            input=mask_contact(record.input),
        )
        await audit("SUCCEEDED", operation_id=record.id, request_ids=(receipt.request_id,))
        await self._applied(record, intent, receipt)
        return Outcome(record.id, receipt, replayed=False)

    async def _unknown(
        self, record: OperationRecord, intent: Intent, audit: _Audit, cause: GatewayError | None
    ) -> Outcome | None:
        """The attempt ended without a definite answer: note when (its last request had gone out by then,
        so the settle window runs from here), then ask the records."""
        ended = self._clock()
        await self.store.finish_operation(record.id, OperationStatus.PENDING, at=ended)
        return await self._resolve(replace(record, finished_at=ended), intent, audit, cause=cause)

    async def _resolve(
        self, record: OperationRecord, intent: Intent, audit: _Audit, cause: GatewayError | None = None
    ) -> Outcome | None:
        """Settle an operation whose outcome is unknown from the upstream's own records.

        Returns the outcome when the records show it; None when the settle window has passed with no trace
        of it (then the key is released); raises ``OperationPending`` while it is undecided."""
        provider = self._provider_of(record.account_id)
        since = record.started_at - SKEW
        try:
            exclude = await self._attributed(record, since)
            with fresh_reads():  # records read now, not shared from a call sent before the write could land
                found = await provider.find_applied(intent, since, exclude)
        except GatewayError as exc:
            await audit("PENDING", error=exc, operation_id=record.id)
            raise OperationPending(
                record.id, f"the upstream's records could not be read ({exc.code})", retry_after=5.0
            ) from exc
        if found is not None:
            await self.store.finish_operation(
                record.id,
                OperationStatus.SUCCEEDED,
                result={**_receipt_json(found), "reconciled": True},
                at=self._clock(),
                input=mask_contact(record.input),
                events=[await self._settled(record, intent, "APPLIED", found)],
            )
            await audit("RECONCILED", operation_id=record.id, request_ids=(found.request_id,))
            await self._applied(record, intent, found)
            return Outcome(record.id, found, replayed=cause is None, reconciled=True)
        # The last request went out when the attempt ended (or, if the gateway did not see it end, at the
        # latest when it would have been cut off); it may land until the settle window after that.
        last_send = record.finished_at or record.started_at + self._attempt
        waited, window = self._clock() - last_send, self._settle
        if waited < window:
            # Absence of evidence is not evidence: the request may still land until the window has passed.
            await audit("PENDING", error=cause, operation_id=record.id)
            left = (window - waited).total_seconds()
            raise OperationPending(
                record.id,
                f"the upstream's records do not show it yet, and the request may still land for {left:.0f} s",
                retry_after=max(1.0, min(5.0, left)),
            )
        await self.store.release_operation(record.id, events=[await self._settled(record, intent, "NOT_APPLIED")])
        await audit("NOT_APPLIED", error=cause, operation_id=record.id)
        return None

    async def _settled(
        self, record: OperationRecord, intent: Intent, outcome: str, receipt: Receipt | None = None
    ) -> Event:
        """``operation.settled``: a write whose outcome was unknown is now known applied or not applied, kept
        with the record of that outcome. Its id follows from the operation's, so a settlement recorded twice
        (two replicas' sweeps) is one event. Owned by the customer's owner where it can be known: the write's own
        ``owner``, the gateway's assignment of the customer, or the owner the upstream lists (one read, bounded;
        None if it fails)."""
        customer_id = getattr(intent, "customer_id", None)
        owner = getattr(intent, "owner", None)
        if owner is None and isinstance(customer_id, str):
            owner = (await self.store.assignments(record.account_id)).get(customer_id)
            if owner is None:
                try:
                    async with asyncio.timeout(OWNER_LOOKUP_SECONDS):
                        found = await self._provider_of(record.account_id).get_customers([customer_id])
                    owner = found[customer_id].owner if customer_id in found else None
                except (GatewayError, TimeoutError):
                    owner = None
        data: dict[str, Any] = {"operationId": record.id, "kind": record.operation, "outcome": outcome}
        if isinstance(customer_id, str):
            data["customerId"] = customer_id
        if receipt is not None:
            data["upstreamIds"] = list(receipt.upstream_ids)
        digest = hashlib.sha256(f"operation.settled\n{record.id}".encode()).hexdigest()[:32]
        return new_event(
            "operation.settled",
            f"operation/{record.id}",
            data,
            account_id=record.account_id,
            owner=owner if isinstance(owner, str) else None,
            at=self._clock(),
            id=f"evt_{digest}",
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


def _or_not_applied(
    outcome: Outcome | None, record: OperationRecord, intent: Intent, cause: GatewayError | None
) -> Outcome:
    """The first attempt's outcome; it outlasted the settle window unseen only if the call itself took
    longer than the window, and then it is safe to say so."""
    if outcome is not None:
        return outcome
    raise ProviderUnavailable(
        f"{intent.kind} was not applied (the upstream's records show no trace of it after the settle window); "
        "it is safe to retry with the same idempotency key",
        provider=getattr(cause, "provider", "unknown"),
        partner_id=record.account_id,
        upstream_code=getattr(cause, "upstream_code", None),
        request_id=getattr(cause, "request_id", None),
    )


def _check_key(key: str | None) -> None:
    if not key or len(key) > 200:
        raise InvalidInput("an idempotencyKey of 1 to 200 characters is required", field="idempotencyKey")


def _ids(result: Mapping[str, Any] | None) -> tuple[str | None, ...]:
    return ((result or {}).get("requestId"),)


class _Audit:
    """Writes one audit entry per attempt outcome."""

    def __init__(
        self,
        store: Store,
        principal: Principal | None,
        operation: str,
        account_id: str | None,
        data: Mapping[str, Any],
        started: float,
        clock: Callable[[], datetime],
        *,
        actor: str = "gateway (reconciliation)",
    ) -> None:
        self.store = store
        self.principal = principal.name if principal else actor
        self.operation = operation
        self.account_id = account_id
        self.data = mask_contact(data)
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
