"""Change notifications (issue #13): what the gateway does with the events of its outbox (``gateway.events``)."""
