"""What the built-in simulators share: fault injection (``adapters._simkit.faults``)."""
