"""The gateway knows no cloud: what a cloud is comes from its plug-in (issue 9).

Every module under ``gateway/`` is parsed; no string the code works with and no module-level name may name a
cloud. Documentation may: docstrings, and the ``description=`` of strawberry types and fields, which front-end
developers read in the schema.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

GATEWAY = Path(__file__).resolve().parents[1] / "gateway"
CLOUD = re.compile(r"aliyun|huawei", re.IGNORECASE)


def _modules() -> list[Path]:
    return sorted(GATEWAY.rglob("*.py"))


def _documentation(tree: ast.Module) -> set[int]:
    """The ids of string constants that document: docstrings (and attribute docstrings, any bare string
    statement) and everything inside a strawberry call's ``description=`` keyword."""
    strawberry_names = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "strawberry"
        for alias in node.names
    }
    documented: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            documented.add(id(node.value))
        elif isinstance(node, ast.Call) and _is_strawberry(node.func, strawberry_names):
            for keyword in node.keywords:
                if keyword.arg == "description":
                    documented.update(id(inner) for inner in ast.walk(keyword.value))
    return documented


def _is_strawberry(func: ast.expr, imported: set[str]) -> bool:
    while isinstance(func, ast.Attribute):
        func = func.value
    return isinstance(func, ast.Name) and (func.id == "strawberry" or func.id in imported)


def _cloud_strings(tree: ast.Module) -> Iterator[tuple[int, str]]:
    documented = _documentation(tree)
    for node in ast.walk(tree):
        is_string = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_string and id(node) not in documented and CLOUD.search(node.value):
            yield node.lineno, node.value


def _module_names(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.lineno, node.name
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                yield node.lineno, alias.asname or alias.name
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        yield node.lineno, name.id


def _offences(source: str, where: str) -> list[str]:
    tree = ast.parse(source)
    strings = [f"{where}:{line}: string {text!r}" for line, text in _cloud_strings(tree)]
    names = [f"{where}:{line}: name {name}" for line, name in _module_names(tree) if CLOUD.search(name)]
    return strings + names


def test_no_module_in_the_gateway_names_a_cloud() -> None:
    offences = [
        offence
        for path in _modules()
        for offence in _offences(path.read_text(encoding="utf-8"), str(path.relative_to(GATEWAY.parent)))
    ]
    assert offences == []


def test_every_gateway_module_is_checked() -> None:
    names = {path.relative_to(GATEWAY).as_posix() for path in _modules()}
    assert {"rules.py", "projects.py", "cli.py", "config.py", "models/_core.py", "schema/partners.py"} <= names


@pytest.mark.parametrize(
    "source",
    [
        'CURRENCIES = {"aliyun": {"CNY"}}',
        'if provider == "huaweicloud":\n    pass',
        'message = f"consignment (Aliyun) or resale ({kind})"',
        'import strawberry\nstrawberry.field(name="aliyunOnly")',
        "ALIYUN_ROLES = frozenset()",
        "def huawei_tier1() -> None:\n    pass",
        "from somewhere import Aliyun",
        "def f() -> None:\n    print('huaweicloud')",
    ],
)
def test_the_check_finds_a_cloud_in_code(source: str) -> None:
    assert _offences(source, "example.py") != []


@pytest.mark.parametrize(
    "source",
    [
        '"""A module about the Aliyun and Huawei partner programs."""',
        'def f() -> None:\n    """Aliyun only."""',
        'class A:\n    x: int = 0\n    """Huawei calls this domain_id."""',
        'import strawberry\nstrawberry.field(description="Huawei only.")',
        'from strawberry import field\nfield(description=("Aliyun " "agency"))',
        "# a comment naming Aliyun is no string\nx = 1",
    ],
)
def test_the_check_lets_documentation_name_a_cloud(source: str) -> None:
    assert _offences(source, "example.py") == []
