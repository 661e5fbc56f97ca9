"""Change notifications (issue #13): finding changes and telling those who asked.

- ``detect``: a poller per partner account finds upstream changes and adds them to the store's outbox.
- ``webhooks``: delivers the outbox to configured receivers (Standard Webhooks).
- ``stream``: streams the outbox to GraphQL subscriptions.

The outbox itself (``gateway.events``, ``gateway.store``) is what they share: detection and the gateway's own
writes add to it, delivery and subscriptions only read it.
"""
