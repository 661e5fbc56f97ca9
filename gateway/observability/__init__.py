"""What an operator sees of the gateway.

- ``metrics``: the Prometheus metrics, defined once, served at ``/metrics``;
- ``tracing``: the OpenTelemetry tracer (an exporter only when the ``OTEL_*`` variables ask for one);
- ``requests``: what one GraphQL request ran, answered and sent upstream, noted as it goes;
- ``middleware``: around ``/graphql``, the request id, the request's span, its metrics and its access line;
- ``logconfig``: JSON or text log lines, each carrying the request id and trace id of its request.

The upstream requests' side is ``gateway.upstream.observed``, the top layer of each account's stack.
"""
