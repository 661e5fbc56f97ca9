"""The one error tree: every error the gateway raises on purpose is defined in ``gateway.errors``."""

from __future__ import annotations

import importlib
import pkgutil

import adapters
import gateway
from gateway import errors
from gateway.errors import GatewayError, StoredFailure


def _all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def _import_everything() -> None:
    for package in (gateway, adapters):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not module.name.endswith("__main__"):
                importlib.import_module(module.name)


def test_every_gateway_error_is_defined_in_gateway_errors() -> None:
    _import_everything()
    subclasses = _all_subclasses(GatewayError)
    assert len(subclasses) > 15
    elsewhere = sorted(f"{c.__module__}.{c.__qualname__}" for c in subclasses if c.__module__ != "gateway.errors")
    assert elsewhere == []


def test_error_codes_are_unique_and_listed_in_the_tree() -> None:
    _import_everything()
    classes = [c for c in _all_subclasses(GatewayError) if c is not StoredFailure]  # it carries a stored code
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes)), sorted(codes)
    assert "INTERNAL" not in codes
    for cls in classes:
        assert cls.__name__ in (errors.__doc__ or ""), f"{cls.__name__} is missing from the tree in the docstring"
