"""``core`` is the ground floor: none of its modules imports a feature (or anything of
bankcrm outside ``core``), at the top of the module or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import bankcrm.core

CORE = Path(bankcrm.core.__file__).resolve().parent


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def _outside_core(name: str) -> bool:
    parts = name.split(".")
    return parts[0] == "bankcrm" and (len(parts) < 2 or parts[1] != "core")


def test_core_imports_no_feature() -> None:
    modules = sorted(CORE.rglob("*.py"))
    assert modules, f"no modules found under {CORE}"
    offenders = [
        f"bankcrm/core/{module.relative_to(CORE)}:{line} imports {name}"
        for module in modules
        for line, name in _imported(ast.parse(module.read_text(encoding="utf-8")))
        if _outside_core(name)
    ]
    assert not offenders, "core must not import features:\n" + "\n".join(offenders)


def test_the_check_sees_a_feature_import() -> None:
    tree = ast.parse(
        "import bankcrm.credit.grades\n"
        "def f():\n    from bankcrm.staff import service\n"
        "from bankcrm.core import clock\n"
    )
    assert [name for _, name in _imported(tree) if _outside_core(name)] == [
        "bankcrm.credit.grades",
        "bankcrm.staff.service",
    ]
