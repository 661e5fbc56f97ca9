"""What an operator sees: Prometheus metrics (``metrics``), OpenTelemetry traces and JSON logs."""
