"""One request's door to the gateway: every read and write a GraphQL resolver makes, for one principal.

The GraphQL layer is types plus one call per resolver into a ``Session``; it imports nothing of the
store, the operation runner or the providers. Here, once, it is decided what the principal may see and
do, for reads, writes and replays alike:

- reads (``gateway.session._reads``) are narrowed to the principal: a sales key sees its own customers
  and what hangs off them; a missing object and another owner's look alike;
- upstream writes (``gateway.session._writes``) are authorized on every call and checked by the
  programs' rules when new, then run at most once by ``gateway.operations``;
- consumption (``gateway.session._consumption``) covers a sales key's own customers only;
- the gateway's own writes, projects (``gateway.session._projects``), customer assignments and webhook
  redeliveries (``gateway.session._webhooks``), go through the same door into the same audit trail;
- what the gateway keeps of its own doings as it stands now (``gateway.session._trail``): the writes still
  pending, the latest change events.

Nested lookups are batched per partner account and request (``gateway.batching``); a write clears what
the request has read, so a payload shows the state after its own mutation.
"""

from __future__ import annotations

from gateway.session._base import Key
from gateway.session._consumption import ConsumptionReads
from gateway.session._projects import Projects
from gateway.session._reads import ProviderInfo
from gateway.session._trail import PendingOperation, Trail
from gateway.session._webhooks import WebhookDeliveries

__all__ = ["Key", "PendingOperation", "ProviderInfo", "Session"]


class Session(Projects, WebhookDeliveries, ConsumptionReads, Trail):
    """One request's view of the gateway for one principal: ``Session(gateway, principal)``."""
