"""Change detection: a poller per partner account that compares what the upstream says now with what the store
remembers, and adds what changed to the outbox (``gateway.events``).

Every ``[events] poll_seconds`` each account is read through its provider, so the account's upstream stack
(``gateway.upstream``: its concurrency cap, rate limit, breaker, timeouts and metrics) holds polling as it holds
requests, and each poll runs under a deadline (``gateway.deadline``) shorter than its lease. Five kinds of thing
are read, each compared with its snapshot (``Store.snapshots``: one row per account, kind and key):

- ``customers`` (every page): a new customer gives ``customer.created``; an invitation that turns expired
  ``customer.invitation_expired``; an invitee that registers ``customer.invitation_accepted`` (the same row
  turning associated, or an invitation row replaced by the account it became, matched by its filing id or its
  e-mail, which the snapshot keeps as a hash only); a customer the upstream lists as frozen, or no longer,
  ``customer.frozen`` / ``customer.unfrozen``. A list is several calls, not one moment: an invitee that registers
  between them is in neither part, so an invitation gone with no account to match is kept for one more listing,
  in which its account is matched to it.
- ``vouchers`` (every page): a new one gives ``voucher.issued``; one still usable whose validity ends within
  ``voucher_expiring_days`` gives ``voucher.expiring``, once.
- ``reseller_funds`` (tier-2 resellers' money): ``reseller.funds_changed`` when it moved, with before and after.
- ``consumption``: ``consumption.month_closed`` once per account and month when a new billing month (UTC+8) has
  begun, with the closed month's totals per currency and source (``Provider.consumption``).
- ``funds`` of the listed customers, read last: ``customer.balance_low`` when the available money falls under
  the customer's warning threshold (its percentage of the credit line, where the upstream has one) or under
  ``[events] balance_floor``; ``customer.frozen`` / ``customer.unfrozen`` where the upstream reports the freeze
  with the funds (a pay-as-you-go freeze) rather than on the customer. A provider reports a freeze in one of the
  two places, so one freeze is one event. Some upstreams take a call per customer, which the account's rate
  limit spreads out: on a large account the poll's deadline may come before every customer is read. So funds
  come after the other kinds (a few calls each, never starved by them), and each poll starts where the last one
  was cut off (round robin: every customer is read within a few polls). A customer whose funds are first read
  after the baseline is compared with nothing only if it is new since the last poll (a new account low from the
  start); one listed before, whose funds were not read until now, takes this reading as its baseline.

The first poll of a kind is its baseline: what already exists gives no event. A read that fails skips its kind
for the round (no false event from a partial answer; logged and counted in ``partner_gateway_poll_skipped_kinds``);
one customer whose funds could not be read keeps its snapshot. The new snapshots and the events are saved in one
transaction that also renews the poller's lease (``Store.save_snapshots``): a process killed between reading and
saving saved nothing, and its successor finds the same changes again. Each event's id is a hash of the account,
the event type, the key, the snapshot version it creates and the new state, so a change found twice (a retried
poll, two pollers) is stored once.

Exactly one replica polls an account: the poller takes the account's lease (``Store.take_lease``, for three poll
intervals) before each poll and saves only while it still holds it; a replica that dies is replaced once its
lease lapses, and one that stops gives its leases up at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from gateway import deadline
from gateway.config_tables import EventsConfig
from gateway.consumption import current_month, shift_month
from gateway.errors import GatewayError, StoreUnavailable, UnsupportedByProvider
from gateway.events import Event, new_event
from gateway.models import Customer, CustomerStatus, Funds, Money, Page, Voucher, VoucherStatus
from gateway.observability.metrics import POLL_DURATION, POLL_SKIPPED_KINDS, POLLS
from gateway.provider import Capability, Provider
from gateway.store import LeaseLost, Snapshot, SnapshotChange, SnapshotConflict, Store
from gateway.upstream.flight import fresh_reads

if TYPE_CHECKING:
    from gateway.service import Gateway

__all__ = ["KINDS", "Detector", "PollResult", "lease_name"]

log = logging.getLogger(__name__)

CUSTOMERS, FUNDS, VOUCHERS = "customers", "funds", "vouchers"
RESELLER_FUNDS, CONSUMPTION = "reseller_funds", "consumption"
#: The kinds of thing a poll reads, in the order it reads them (funds last: see the module's doc).
KINDS = (CUSTOMERS, VOUCHERS, RESELLER_FUNDS, CONSUMPTION, FUNDS)
#: The key of a kind's marker row: present once the kind's baseline is taken.
_BASELINE = ""
#: The consumption kind's one row.
_MONTH = "month"
#: The state of a new customer's funds not read yet: its first reading is compared as a new customer's.
_UNREAD = {"unread": True}
#: Marks an invitation gone from the list with no account matched to it yet (kept for one more listing).
_VANISHED = "vanished"
#: The state of a new account reported at its next listing (``_defer_registrations``).
_DEFERRED = {"deferred": True}
#: Rows per listing call (the providers' largest window).
_PAGE = 100
#: Listing pages read at most per poll and list (a guard against an upstream whose total never ends).
_MAX_PAGES = 1000
_INVITED = (CustomerStatus.INVITED.value, CustomerStatus.INVITATION_EXPIRED.value)
_USABLE = (VoucherStatus.AVAILABLE, VoucherStatus.NOT_ACTIVATED)

T = TypeVar("T")


def lease_name(account_id: str) -> str:
    """The store lease whose holder polls ``account_id``."""
    return f"detect/{account_id}"


@dataclass(frozen=True, slots=True)
class Seen:
    """One thing as a poll found it: the ``state`` compared and remembered, and what its events carry."""

    state: dict[str, Any]
    subject: str
    owner: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Reading:
    """One kind as a poll read it: ``seen`` by key; ``unknown`` keys could not be read (left as remembered);
    ``quiet`` keys are read for the first time since a baseline they missed: remembered, no event."""

    seen: dict[str, Seen] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    quiet: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll of one account did."""

    outcome: str
    """ok, partial, not_holder, lost_lease, conflict or error (``partner_gateway_polls_total``)."""
    events: tuple[Event, ...] = ()
    """The events this poll added to the outbox."""
    skipped: tuple[str, ...] = ()
    """Kinds whose read failed this round."""


class _Skip(Exception):
    """A kind does not apply to this account (the provider has no such read): not a failure."""


class Detector:
    """The pollers of every configured account, for one gateway replica (``holder``)."""

    def __init__(
        self,
        gateway: Gateway,
        config: EventsConfig,
        *,
        holder: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._gateway = gateway
        self._store: Store = gateway.store
        self.config = config
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        """This replica's name in the leases it holds."""
        self.clock = clock
        self.lease = timedelta(seconds=3 * config.poll_seconds)
        """How long a lease lasts unless renewed: a dead holder is replaced after this."""
        self.poll_deadline = 2 * config.poll_seconds
        """Each poll's upstream reads end by then (seconds), well inside its lease."""
        self._held: set[str] = set()
        self._funds_from: dict[str, str] = {}
        """Per account, the customer whose funds the last poll could not read first: the next one starts there."""

    # --- running ---------------------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll every account every ``poll_seconds`` until cancelled; then give the leases up."""
        try:
            async with asyncio.TaskGroup() as group:
                for account in self._gateway.accounts:
                    group.create_task(self._loop(account.id))
        finally:
            await asyncio.shield(self.release())

    async def _loop(self, account_id: str) -> None:
        """One poll per interval, the first one interval after the start (a replica starting does not add a
        burst of reads to the requests it is starting to serve)."""
        interval = self.config.poll_seconds
        while True:
            await asyncio.sleep(interval)
            started = time.monotonic()
            try:
                await self.poll(account_id)
            except Exception:  # a poller outlives any one failure: the next poll tries again
                log.exception("change detection: the poll of %s failed unexpectedly", account_id)
            interval = max(0.0, self.config.poll_seconds - (time.monotonic() - started))

    async def release(self) -> None:
        """Give up the leases this replica holds, so another replica polls those accounts at once."""
        for name in sorted(self._held):
            with contextlib.suppress(StoreUnavailable):
                await self._store.release_lease(name, self.holder)
        self._held.clear()

    # --- one poll --------------------------------------------------------------------------------------

    async def poll(self, account_id: str) -> PollResult:
        """Poll one account once, if this replica holds (or takes) its lease."""
        name = lease_name(account_id)
        now = self.clock()
        try:
            held = await self._store.take_lease(name, self.holder, now, now + self.lease)
        except StoreUnavailable as exc:
            log.warning("change detection: the lease of %s could not be taken: %s", account_id, exc.message)
            return _counted(account_id, PollResult("error"))
        if not held:
            self._held.discard(name)
            return _counted(account_id, PollResult("not_holder"))
        self._held.add(name)
        started = time.monotonic()
        try:
            return _counted(account_id, await self._poll(account_id, name))
        finally:
            POLL_DURATION.labels(account_id).observe(time.monotonic() - started)

    async def _poll(self, account_id: str, name: str) -> PollResult:
        provider = self._gateway.provider(account_id)
        try:
            remembered = await self._store.snapshots(account_id)
        except StoreUnavailable as exc:
            log.warning("change detection: %s's snapshots could not be read: %s", account_id, exc.message)
            return PollResult("error")
        now = self.clock()
        readings, skipped = await self._read(provider, remembered, now)
        changes: list[SnapshotChange] = []
        events: list[Event] = []
        for kind, reading in readings.items():
            kind_changes, kind_events = _compare(account_id, kind, reading, remembered, now)
            changes += kind_changes
            events += kind_events
        saved = self.clock()
        try:
            added = await self._store.save_snapshots(
                account_id, changes, events, lease=(name, self.holder), now=saved, lease_until=saved + self.lease
            )
        except LeaseLost:
            self._held.discard(name)
            log.warning("change detection: lost the lease of %s during a poll; another replica polls it", account_id)
            return PollResult("lost_lease", skipped=tuple(skipped))
        except SnapshotConflict as exc:
            log.warning("change detection: %s; saved nothing, the next poll reads again", exc)
            return PollResult("conflict", skipped=tuple(skipped))
        except StoreUnavailable as exc:
            log.warning("change detection: the poll of %s could not be saved: %s", account_id, exc.message)
            return PollResult("error", skipped=tuple(skipped))
        for event in added:
            log.info("change detection: %s %s (%s)", event.type, event.subject, event.id)
        return PollResult("partial" if skipped else "ok", tuple(added), tuple(skipped))

    async def _read(
        self, provider: Provider, remembered: Mapping[tuple[str, str], Snapshot], now: datetime
    ) -> tuple[dict[str, Reading], list[str]]:
        """Every kind that applies to the account, read under one deadline; the kinds whose read failed."""
        account_id = provider.account.id
        readings: dict[str, Reading] = {}
        skipped: list[str] = []

        async def attempt(kind: str, read: Callable[[], Awaitable[Reading]]) -> None:
            try:
                readings[kind] = await read()
            except _Skip:
                return
            except GatewayError as exc:
                skipped.append(kind)
                POLL_SKIPPED_KINDS.labels(account_id, kind).inc()
                log.warning("change detection: %s of %s skipped this round: %s (%s)", kind, account_id, exc, exc.code)

        # Fresh reads: a poll compares what the upstream says now with its snapshots, so it takes no cached answer
        # (a customer's funds are cached for requests: gateway.upstream.flight).
        with deadline.started(self.poll_deadline), fresh_reads():
            customers: list[Customer] | None = None

            async def read_customers() -> Reading:
                nonlocal customers
                customers = await self._customers(provider)
                return _defer_registrations(_customer_reading(account_id, customers), remembered)

            await attempt(CUSTOMERS, read_customers)
            owners = {c.native_id: c.owner for c in customers or ()}
            if CUSTOMERS in skipped:
                # Funds are read for the listed customers, and a voucher's event names its customer's owner (whom
                # a salesperson's subscription is filtered by): without the list, both wait for the next poll.
                for kind in (VOUCHERS, FUNDS):
                    skipped.append(kind)
                    POLL_SKIPPED_KINDS.labels(account_id, kind).inc()
            else:
                await attempt(VOUCHERS, lambda: self._vouchers(provider, owners, remembered, now))
            await attempt(RESELLER_FUNDS, lambda: self._reseller_funds(provider))
            await attempt(CONSUMPTION, lambda: self._consumption(provider, remembered, now))
            if customers is not None:  # last: a call per customer may take what is left of the deadline
                listed, deferred = customers, readings.get(CUSTOMERS, Reading()).quiet
                await attempt(FUNDS, lambda: self._funds(provider, listed, remembered, deferred))
        return readings, skipped

    # --- the reads ---------------------------------------------------------------------------------------

    async def _customers(self, provider: Provider) -> list[Customer]:
        _needs(provider, Capability.LIST_CUSTOMERS)
        customers = await _every(provider.list_customers)
        assigned = await self._store.assignments(provider.account.id)
        return [_with_owner(c, assigned.get(c.native_id)) for c in customers]

    async def _funds(
        self,
        provider: Provider,
        customers: Sequence[Customer],
        remembered: Mapping[tuple[str, str], Snapshot],
        deferred: set[str],
    ) -> Reading:
        """The listed customers' funds; those of a ``deferred`` new account are compared at its next listing,
        with it."""
        _needs(provider, Capability.CUSTOMER_FUNDS)
        account_id = provider.account.id
        wanted = self._in_turn(account_id, [c for c in customers if c.status.value not in _INVITED])
        found = await provider.customer_funds([c.native_id for c in wanted])
        listed_before = {key for kind, key in remembered if kind == CUSTOMERS and key != _BASELINE}
        watched = (CUSTOMERS, _BASELINE) in remembered  # else every customer is new to this poll, none to the account
        reading = Reading()
        cut_off: str | None = None
        for customer in wanted:
            native = customer.native_id
            funds = found.get(native)
            subject = f"customer/{account_id}/{native}"
            if funds is None:
                continue  # the upstream keeps no funds for it
            before = remembered.get((FUNDS, native))
            if native in deferred and before is None:
                reading.seen[native] = Seen(dict(_UNREAD), subject, customer.owner)
                continue
            if not isinstance(funds, Funds):
                cut_off = cut_off or native
                if watched and before is None and native not in listed_before:
                    # New since the last poll: remembered as unread, so that its first reading is still a new one's.
                    reading.seen[native] = Seen(dict(_UNREAD), subject, customer.owner)
                else:
                    reading.unknown.add(native)
                continue
            if before is None and native in listed_before:
                reading.quiet.add(native)  # listed before, its funds never read: this reading is its baseline
            low, threshold = self._low(funds)
            frozen = funds.controls.pay_as_you_go_frozen if funds.controls is not None else None
            state = {"available": _amount(funds.available), "low": low, "frozen": frozen}
            data: dict[str, Any] = {
                "customerId": customer.native_id,
                "customerName": customer.name,
                "available": _money(funds.available),
            }
            if funds.credit_line is not None:
                data["creditLine"] = _money(funds.credit_line)
            if threshold is not None:
                data["threshold"] = _money(threshold)
            reading.seen[native] = Seen(state, subject, customer.owner, data)
        if cut_off is None:
            self._funds_from.pop(account_id, None)
        else:
            self._funds_from[account_id] = cut_off
        return reading

    def _in_turn(self, account_id: str, customers: list[Customer]) -> list[Customer]:
        """``customers`` starting with the first one whose funds the last poll could not read (round robin)."""
        start = self._funds_from.get(account_id)
        for index, customer in enumerate(customers):
            if customer.native_id == start:
                return customers[index:] + customers[:index]
        return customers

    def _low(self, funds: Funds) -> tuple[bool, Money | None]:
        """Whether the available money is under the customer's warning threshold or the configured floor, and
        the higher of the two lines it is held to."""
        available = funds.available
        lines: list[Decimal] = []
        controls = funds.controls
        if (
            controls is not None
            and controls.warning_threshold is not None
            and funds.credit_line is not None
            and funds.credit_line.currency == available.currency
            and funds.credit_line.amount > 0
        ):
            lines.append(funds.credit_line.amount * Decimal(controls.warning_threshold) / Decimal(100))
        if self.config.balance_floor is not None:
            lines.append(self.config.balance_floor)
        if not lines:
            return False, None
        line = max(lines)
        return available.amount < line, Money(line.quantize(Decimal("0.01")), available.currency)

    async def _vouchers(
        self,
        provider: Provider,
        owners: Mapping[str, str | None],
        remembered: Mapping[tuple[str, str], Snapshot],
        now: datetime,
    ) -> Reading:
        _needs(provider, Capability.LIST_VOUCHERS)
        account_id = provider.account.id
        horizon = now + timedelta(days=self.config.voucher_expiring_days)
        reading = Reading()
        for voucher in await _every(provider.list_vouchers):
            before = remembered.get((VOUCHERS, voucher.native_id))
            expiring = bool(before is not None and before.state.get("expiring")) or _expiring(voucher, now, horizon)
            state = {
                "status": voucher.status.value,
                "validUntil": voucher.valid_until.isoformat() if voucher.valid_until else None,
                "expiring": expiring,
            }
            data = {
                "voucherId": voucher.native_id,
                "customerId": voucher.customer_id,
                "faceValue": _money(voucher.face_value),
                "remaining": _money(voucher.remaining),
                "status": voucher.status.value,
                "validUntil": state["validUntil"],
            }
            owner = owners.get(voucher.customer_id) if voucher.customer_id else None
            reading.seen[voucher.native_id] = Seen(state, f"voucher/{account_id}/{voucher.native_id}", owner, data)
        return reading

    async def _reseller_funds(self, provider: Provider) -> Reading:
        _needs(provider, Capability.LIST_RESELLERS, Capability.RESELLER_FUNDS)
        account_id = provider.account.id
        try:
            resellers = await _every(provider.list_resellers)
            found = await provider.reseller_funds([r.native_id for r in resellers]) if resellers else {}
        except UnsupportedByProvider:  # e.g. a role without tier-2 resellers
            raise _Skip from None
        reading = Reading()
        for reseller in resellers:
            funds = found.get(reseller.native_id)
            if funds is None:
                continue
            if not isinstance(funds, Funds):
                reading.unknown.add(reseller.native_id)
                continue
            state = {
                "available": _amount(funds.available),
                "debt": _amount(funds.debt) if funds.debt is not None else None,
                "creditLine": _amount(funds.credit_line) if funds.credit_line is not None else None,
            }
            data = {
                "resellerId": reseller.native_id,
                "resellerName": reseller.name,
                "available": _money(funds.available),
            }
            if funds.debt is not None:
                data["debt"] = _money(funds.debt)
            if funds.credit_line is not None:
                data["creditLine"] = _money(funds.credit_line)
            subject = f"reseller/{account_id}/{reseller.native_id}"
            reading.seen[reseller.native_id] = Seen(state, subject, reseller.owner, data)
        return reading

    async def _consumption(
        self, provider: Provider, remembered: Mapping[tuple[str, str], Snapshot], now: datetime
    ) -> Reading:
        _needs(provider, Capability.CONSUMPTION)
        account_id = provider.account.id
        month = current_month(now)
        before = remembered.get((CONSUMPTION, _MONTH))
        data: dict[str, Any] = {}
        closed = shift_month(month, -1)
        if before is not None and before.state.get("month") != month:
            lines = await provider.consumption(closed)
            totals: dict[tuple[str, str], Decimal] = {}
            for line in lines:
                key = (line.amount.currency, line.source.value)
                totals[key] = totals.get(key, Decimal(0)) + line.amount.amount
            data = {
                "month": closed,
                "totals": [
                    {"amount": str(amount), "currency": currency, "source": source}
                    for (currency, source), amount in sorted(totals.items())
                ],
                "customers": len({line.customer_id for line in lines}),
            }
        seen = Seen({"month": month}, f"consumption/{account_id}/{closed}", None, data)
        return Reading(seen={_MONTH: seen})


# --- comparing ------------------------------------------------------------------------------------------


def _compare(
    account_id: str,
    kind: str,
    reading: Reading,
    remembered: Mapping[tuple[str, str], Snapshot],
    now: datetime,
) -> tuple[list[SnapshotChange], list[Event]]:
    """The snapshot changes and the events of one kind: none but the snapshots on its baseline."""
    before = {key: snap for (k, key), snap in remembered.items() if k == kind and key != _BASELINE}
    changes: list[SnapshotChange] = []
    events: list[Event] = []
    baseline = (kind, _BASELINE) not in remembered
    if baseline:
        changes.append(SnapshotChange(kind, _BASELINE, {"since": now.isoformat()}, None))
    found = _EVENTS[kind](before, reading.seen) if not baseline else {}
    for key, seen in reading.seen.items():
        old = before.get(key)
        if old is not None and dict(old.state) == seen.state:
            continue
        changes.append(SnapshotChange(kind, key, seen.state, old.version if old is not None else None))
        version = old.version + 1 if old is not None else 1
        for event_type, extra in found.get(key, ()) if key not in reading.quiet else ():
            digest = hashlib.sha256(
                "\n".join((account_id, event_type, key, str(version), _canonical(seen.state))).encode()
            ).hexdigest()[:32]
            events.append(
                new_event(
                    event_type,
                    seen.subject,
                    {**seen.data, **extra},
                    account_id=account_id,
                    owner=seen.owner,
                    at=now,
                    id=f"evt_{digest}",
                )
            )
    for key, old in before.items():  # gone upstream: forgotten (no event), unless it could not be read
        if key in reading.seen or key in reading.unknown:
            continue
        if kind == CUSTOMERS and key not in found and _vanishing(old.state):
            # An invitation gone with no account matched to it (yet): its invitee may have registered while the
            # list was read, the account to be listed next time. Kept for one more listing.
            changes.append(SnapshotChange(kind, key, {**old.state, _VANISHED: True}, old.version))
        else:
            changes.append(SnapshotChange(kind, key, None, old.version))
    return changes, events


Found = dict[str, list[tuple[str, dict[str, Any]]]]
"""Events by key of the things seen. A key gone from the list that has an entry (no events) was accounted for:
an invitation matched to the account it became, forgotten at once."""


def _customer_events(before: Mapping[str, Snapshot], seen: Mapping[str, Seen]) -> Found:
    found: Found = {}
    gone = {key: snap.state for key, snap in before.items() if key not in seen and snap.state.get("status") in _INVITED}
    for key, now in seen.items():
        old = before.get(key)
        if old is not None and old.state == _DEFERRED:
            old = None  # new, reported now
        events = found.setdefault(key, [])
        if old is None:
            invitation = _invitation_of(now.state, gone) if now.state.get("status") not in _INVITED else None
            if invitation is not None:
                found[invitation] = []  # accounted for: forgotten now
                invited = gone.pop(invitation).get("invitation")
                events.append(("customer.invitation_accepted", {"invitationId": invited} if invited else {}))
            else:
                events.append(("customer.created", {}))
            continue
        was, status = old.state.get("status"), now.state.get("status")
        if was == CustomerStatus.INVITED.value and status == CustomerStatus.INVITATION_EXPIRED.value:
            events.append(("customer.invitation_expired", {}))
        if was in _INVITED and status not in _INVITED:
            events.append(("customer.invitation_accepted", {}))
        events += _freeze(old.state.get("frozen"), now.state.get("frozen"))
    return found


def _defer_registrations(reading: Reading, remembered: Mapping[tuple[str, str], Snapshot]) -> Reading:
    """A list is several calls, read at once: the invitations may be read before an invitee registers and the
    accounts after it, so that its new account is listed while its invitation still is. Such an account (new,
    an invitation of its filing or e-mail still pending, none gone from the list) is reported at its next listing,
    where its invitation is gone and matched to it: ``customer.invitation_accepted``, not ``customer.created``.
    Until then it is remembered as deferred (``quiet``: no event), once."""
    before = {key: snap.state for (kind, key), snap in remembered.items() if kind == CUSTOMERS and key != _BASELINE}
    gone = {key: state for key, state in before.items() if key not in reading.seen and state.get("status") in _INVITED}
    pending = {
        key: state
        for key, state in before.items()
        if state.get("status") == CustomerStatus.INVITED.value
        and key in reading.seen
        and reading.seen[key].state.get("status") == CustomerStatus.INVITED.value
    }
    for key, seen in list(reading.seen.items()):
        if key in before or not pending or seen.state.get("status") in _INVITED:
            continue
        if _invitation_of(seen.state, gone) is None and _invitation_of(seen.state, pending) is not None:
            reading.seen[key] = replace(seen, state=dict(_DEFERRED))
            reading.quiet.add(key)
    return reading


def _vanishing(state: Mapping[str, Any]) -> bool:
    """An invitation's snapshot not yet marked as gone from the list."""
    return state.get("status") in _INVITED and not state.get(_VANISHED)


def _invitation_of(state: Mapping[str, Any], gone: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The key of the invitation row (gone from the list this poll) that the new account ``state`` came from."""
    for field_name in ("filing", "contact"):
        value = state.get(field_name)
        if value:
            for key, old in gone.items():
                if old.get(field_name) == value:
                    return key
    return None


def _funds_events(before: Mapping[str, Snapshot], seen: Mapping[str, Seen]) -> Found:
    found: Found = {}
    for key, now in seen.items():
        old = before.get(key)
        events = found.setdefault(key, [])
        if now.state.get("low") and not (old is not None and old.state.get("low")):
            events.append(("customer.balance_low", {}))
        if old is not None:
            events += _freeze(old.state.get("frozen"), now.state.get("frozen"))
    return found


def _freeze(was: object, now: object) -> list[tuple[str, dict[str, Any]]]:
    if was is False and now is True:
        return [("customer.frozen", {})]
    if was is True and now is False:
        return [("customer.unfrozen", {})]
    return []


def _voucher_events(before: Mapping[str, Snapshot], seen: Mapping[str, Seen]) -> Found:
    found: Found = {}
    for key, now in seen.items():
        old = before.get(key)
        events = found.setdefault(key, [])
        if old is None:
            events.append(("voucher.issued", {}))
        if now.state.get("expiring") and not (old is not None and old.state.get("expiring")):
            events.append(("voucher.expiring", {}))
    return found


def _reseller_events(before: Mapping[str, Snapshot], seen: Mapping[str, Seen]) -> Found:
    found: Found = {}
    for key, now in seen.items():
        old = before.get(key)
        if old is not None and dict(old.state) != now.state:
            previous = {name: old.state.get(name) for name in ("available", "debt", "creditLine")}
            found[key] = [("reseller.funds_changed", {"previous": previous})]
    return found


def _consumption_events(before: Mapping[str, Snapshot], seen: Mapping[str, Seen]) -> Found:
    old, now = before.get(_MONTH), seen.get(_MONTH)
    if old is None or now is None or old.state.get("month") == now.state.get("month"):
        return {}
    return {_MONTH: [("consumption.month_closed", {})]}


_EVENTS: Mapping[str, Callable[[Mapping[str, Snapshot], Mapping[str, Seen]], Found]] = {
    CUSTOMERS: _customer_events,
    FUNDS: _funds_events,
    VOUCHERS: _voucher_events,
    RESELLER_FUNDS: _reseller_events,
    CONSUMPTION: _consumption_events,
}


# --- helpers ---------------------------------------------------------------------------------------------


def _customer_reading(account_id: str, customers: Iterable[Customer]) -> Reading:
    reading = Reading()
    for customer in customers:
        frozen = customer.status is CustomerStatus.FROZEN
        status = CustomerStatus.ASSOCIATED if frozen else customer.status
        filing = customer.extra.get("Cid")
        state: dict[str, Any] = {"status": status.value, "frozen": frozen}
        if filing:
            state["filing"] = str(filing)
        if customer.invitation_id:
            state["invitation"] = customer.invitation_id
        if customer.email:  # kept as a hash: enough to match an invitation to its account, and no address
            state["contact"] = hashlib.sha256(customer.email.strip().lower().encode()).hexdigest()[:24]
        data = {"customerId": customer.native_id, "customerName": customer.name, "status": customer.status.value}
        if customer.invitation_id:
            data["invitationId"] = customer.invitation_id
        subject = f"customer/{account_id}/{customer.native_id}"
        reading.seen[customer.native_id] = Seen(state, subject, customer.owner, data)
    return reading


def _with_owner(customer: Customer, assigned: str | None) -> Customer:
    """The gateway's own assignment over the upstream's owner (as the graph shows it)."""
    if assigned is None or assigned == customer.owner:
        return customer
    return replace(customer, owner=assigned)


def _expiring(voucher: Voucher, now: datetime, horizon: datetime) -> bool:
    until = voucher.valid_until
    return voucher.status in _USABLE and until is not None and now <= until <= horizon


async def _every(read: Callable[[int, int], Awaitable[Page[T]]]) -> list[T]:
    """Every item of a listing, page after page."""
    items: list[T] = []
    for _ in range(_MAX_PAGES):
        page = await read(len(items), _PAGE)
        items += page.items
        if not page.items or len(items) >= page.total:
            break
    return items


def _needs(provider: Provider, *capabilities: Capability) -> None:
    if not set(capabilities) <= provider.capabilities:
        raise _Skip


def _amount(money: Money) -> str:
    return f"{money.amount} {money.currency}"


def _money(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency}


def _canonical(state: Mapping[str, Any]) -> str:
    return json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)


def _counted(account_id: str, result: PollResult) -> PollResult:
    POLLS.labels(account_id, result.outcome).inc()
    return result
