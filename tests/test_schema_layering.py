"""The GraphQL layer goes through one door: nothing under gateway/schema/ imports the store or the operation
runner, reaches a provider, or goes around the session to the gateway."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SCHEMA = Path(__file__).resolve().parents[1] / "gateway" / "schema"
MODULES = sorted(SCHEMA.rglob("*.py"))
FORBIDDEN_MODULES = ("gateway.store", "gateway.operations", "gateway.provider", "adapters")
#: Only the context builds the session from the gateway; every resolver uses the session.
GATEWAY_ALLOWED = {"context.py"}


def _imports(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return names


def _attributes(tree: ast.AST) -> list[str]:
    return [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)]


def _gateway_parts(tree: ast.AST) -> list[str]:
    """What is reached on anything called ``gateway``: ``x.gateway.store`` gives ``store``."""
    parts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
            if name == "gateway":
                parts.append(node.attr)
    return parts


def test_there_are_schema_modules_to_check() -> None:
    assert len(MODULES) > 10
    assert any(path.name == "customers.py" for path in MODULES)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_the_schema_imports_neither_store_nor_operations_nor_providers(path: Path) -> None:
    imported = _imports(ast.parse(path.read_text(encoding="utf-8")))
    bad = [name for name in imported if name.startswith(FORBIDDEN_MODULES)]
    # gateway.provider's Capability enum is a public name of the API (the `capabilities` field): allowed.
    bad = [name for name in bad if name not in ("gateway.provider", "gateway.provider.Capability")]
    assert bad == [], f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_the_schema_calls_no_provider_and_goes_through_the_session(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    attributes = _attributes(tree)
    assert "provider" not in [
        node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ], f"{path.name} looks a provider up"
    reached = set(_gateway_parts(tree))
    assert not reached & {"store", "operations", "provider"}, f"{path.name} reaches {reached} of the gateway"
    assert "loaders" not in attributes
    if path.name not in GATEWAY_ALLOWED:
        assert "gateway" not in attributes, f"{path.name} goes around the session to the gateway"


def test_the_checks_catch_what_they_look_for() -> None:
    sneaky = ast.parse(
        "from gateway.store import AuditEntry\n"
        "import gateway.operations\n"
        "async def f(info):\n"
        "    p = info.context.gateway.provider('a')\n"
        "    return await p.list_customers(0, 1), info.context.gateway.store\n"
    )
    assert [n for n in _imports(sneaky) if n.startswith(FORBIDDEN_MODULES)] == [
        "gateway.store",
        "gateway.store.AuditEntry",
        "gateway.operations",
    ]
    assert {"gateway", "provider", "store"} <= set(_attributes(sneaky))
    assert set(_gateway_parts(sneaky)) == {"provider", "store"}
