"""Start-up of the ``bankcrm`` command stays light (issue 22): declaring the commands imports
no feature module and no heavy library; each command imports what it runs when it runs.

Each check runs in a fresh interpreter, as what this test process already imported says
nothing about what the command imports. ``sqlalchemy`` is not on the list: the enums the
options are declared with (``bankcrm.core.enums``) map themselves to database types."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.main import get_command

from bankcrm.cli.main import app
from bankcrm.quality.instrument import SHIPPED_INSTRUMENTS
from bankcrm.quality.servqual import DEFAULT_CONFIDENCE
from tests.commands import run_bankcrm

HEAVY = frozenset(
    {
        "alembic",
        "duckdb",
        "fastapi",
        "ibis",
        "jinja2",
        "numpy",
        "openpyxl",
        "pandas",
        "pyarrow",
        "pydantic",
        "pyspark",
        "reportlab",
        "scipy",
        "sklearn",
        "starlette",
        "uvicorn",
    }
)
"""Libraries the start-up must not import."""

LIGHT_BANKCRM = frozenset(
    {
        "bankcrm",
        "bankcrm.core",
        "bankcrm.core.enums",
        "bankcrm.core.exceptions",
        "bankcrm.core.files",
    }
)
"""The modules of bankcrm outside ``bankcrm.cli`` that declaring the commands may import."""


def _modules_after(code: str) -> list[str]:
    """The modules loaded once ``code`` has run in a fresh interpreter."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    return list(json.loads(done.stdout.splitlines()[-1]))


def _unwanted(modules: list[str]) -> list[str]:
    return sorted(
        name
        for name in modules
        if name.split(".")[0] in HEAVY
        or (
            name.startswith("bankcrm")
            and not name.startswith("bankcrm.cli")
            and name not in LIGHT_BANKCRM
        )
    )


def test_importing_the_command_imports_no_feature_and_no_heavy_library() -> None:
    modules = _modules_after("import bankcrm.cli.main")
    assert "bankcrm.cli.users" in modules
    assert _unwanted(modules) == []


def test_printing_the_help_imports_no_feature_and_no_heavy_library() -> None:
    modules = _modules_after(
        "from typer.main import get_command\n"
        "from bankcrm.cli.main import app\n"
        "get_command(app).main(['--help'], prog_name='bankcrm', standalone_mode=False)"
    )
    assert _unwanted(modules) == []


def test_the_help_lists_every_command(tmp_path: Path) -> None:
    names = set(getattr(get_command(app), "commands", {}))
    assert {"audit", "campaigns", "quality", "users", "serve", "demo"} <= names
    shown = run_bankcrm("--help", cwd=tmp_path, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert names <= set(shown.stdout.split())


def test_a_command_writes_through_the_audit_trail(tmp_path: Path) -> None:
    """The trail is installed before a command runs, now that start-up no longer does it."""
    script = f"""
import os
os.environ["BANKCRM_DATABASE_URL"] = "sqlite:///{tmp_path / "bank.db"}"
from sqlalchemy import create_engine, text
from typer.testing import CliRunner
from bankcrm.cli.main import app
runner = CliRunner()
assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
created = runner.invoke(
    app,
    ["users", "create", "alice", "--role", "admin", "--full-name", "Alice",
     "--password", "a long unusual passphrase 7"],
)
assert created.exit_code == 0, created.output
with create_engine(os.environ["BANKCRM_DATABASE_URL"]).connect() as connection:
    query = "select count(*) from audit_entries where entity = 'staff_users'"
    print(connection.scalar(text(query)))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.splitlines()[-1]) >= 1


def test_the_defaults_named_in_the_command_agree_with_the_feature() -> None:
    """``quality analyze`` names these without importing the modules that define them."""
    quality = getattr(get_command(app), "commands", {})["quality"]
    analyze = quality.commands["analyze"]
    params = {param.name: param for param in analyze.params}
    assert params["confidence"].default == DEFAULT_CONFIDENCE
    assert params["instrument_name"].help.endswith(f"one: {', '.join(SHIPPED_INSTRUMENTS)}.")
