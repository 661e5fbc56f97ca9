"""Provider plug-ins, found through the entry-point group ``partner_gateway.providers``.

A package adds a cloud by declaring, in its own ``pyproject.toml``::

    [project.entry-points."partner_gateway.providers"]
    mycloud = "mycloud_adapter:plugin"

where ``plugin`` implements ``gateway.provider.ProviderPlugin`` and its ``name`` is ``"mycloud"``.
A plug-in that fails to load is reported, not fatal, unless the configuration uses it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import EntryPoint, entry_points

from gateway.provider import ProviderPlugin

__all__ = ["ENTRY_POINT_GROUP", "Registry"]

ENTRY_POINT_GROUP = "partner_gateway.providers"

log = logging.getLogger(__name__)


class Registry(Mapping[str, ProviderPlugin]):
    """The provider plug-ins available to this process, by name."""

    def __init__(self, plugins: Iterable[ProviderPlugin] = (), broken: Mapping[str, str] | None = None) -> None:
        self._plugins: dict[str, ProviderPlugin] = {}
        for plugin in plugins:
            self._plugins[plugin.name] = plugin
        self.broken: dict[str, str] = dict(broken or {})
        """Plug-ins that were declared but could not be loaded: name -> why."""

    @classmethod
    def discover(cls, group: str = ENTRY_POINT_GROUP) -> Registry:
        plugins: list[ProviderPlugin] = []
        broken: dict[str, str] = {}
        for entry_point in sorted(entry_points(group=group), key=lambda ep: ep.name):
            try:
                plugins.append(_load(entry_point))
            except Exception as exc:  # a third party's import error must not stop the gateway
                broken[entry_point.name] = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "provider plug-in %r (%s) could not be loaded: %s", entry_point.name, entry_point.value, exc
                )
        return cls(plugins, broken)

    def __getitem__(self, name: str) -> ProviderPlugin:
        return self._plugins[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._plugins)

    def __len__(self) -> int:
        return len(self._plugins)


def _load(entry_point: EntryPoint) -> ProviderPlugin:
    plugin = entry_point.load()
    if not isinstance(plugin, ProviderPlugin):
        raise TypeError(f"{entry_point.value} does not implement gateway.provider.ProviderPlugin")
    if plugin.name != entry_point.name:
        raise ValueError(f"{entry_point.value} is named {plugin.name!r}, but its entry point is {entry_point.name!r}")
    return plugin
