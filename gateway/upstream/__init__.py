"""What stands between the gateway and a cloud: one ``httpx`` transport stack per partner account.

``stack.build_transport`` layers, outermost first (``client.send`` enters at the top):

1. ``observed``: metrics, a span and a log line per upstream request (everything below it is seen, a
   circuit-open refusal and a cached answer too);
2. ``flight``: short-lived caching of slow-changing reads and of customers' funds (``[upstream]
   funds_cache_seconds``), and single flight (identical reads in flight are sent once and shared by their
   callers), in this process or, with ``[redis]``, across replicas; a write drops the account's cache;
3. ``breaker``: the account's circuit breaker (opens on consecutive failures or an error rate; while open,
   refuses at once with ``ProviderUnavailable`` and a retry hint; half-open probes);
4. ``limits``: the account's concurrency cap and rate limit (a call waits for a slot or a token, never past
   its request's deadline);
5. ``gateway.deadline``: the request's deadline (a call not sent past it; cut off in flight at it);
6. the network (or, in the embedded demo, the in-process simulator behind ``gateway.inprocess``).

Adapters tag each request with what it is (``call.tag``): the operation's upstream name, whether it is a read
(safe to repeat or share), and how long its answer may be cached. No layer knows a cloud.
"""
