"""Built-in provider adapters: each sub-package is a plug-in registered by entry point."""
