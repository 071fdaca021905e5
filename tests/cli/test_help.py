from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from typer.main import get_command
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.core.db import make_engine, reset_caches


def _command_paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    subcommands = getattr(command, "commands", {})
    for name, subcommand in subcommands.items():
        paths.extend(_command_paths(subcommand, (*prefix, name)))
    return paths


def test_every_command_answers_help() -> None:
    runner = CliRunner()
    paths = _command_paths(get_command(app))
    assert len(paths) > 1
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output


def test_the_foundation_commands_exist() -> None:
    names = set(getattr(get_command(app), "commands", {}))
    assert {"db", "synth", "import", "users", "serve", "demo"} <= names


def test_synth_then_import_twice_changes_no_row_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'bank.db'}"
    monkeypatch.setenv("BANKCRM_DATABASE_URL", url)
    reset_caches()
    runner = CliRunner()
    out = tmp_path / "files"
    made = runner.invoke(app, ["synth", "--customers", "2000", "--seed", "1", "--out", str(out)])
    assert made.exit_code == 0, made.output
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(app, ["import", str(out)])
    assert first.exit_code == 0, first.output
    engine = make_engine(url)
    before = _counts(engine)
    second = runner.invoke(app, ["import", str(out)])
    assert second.exit_code == 0, second.output
    after = _counts(engine)
    # each import is one more link of the audit trail; every record table stays as it was
    assert after.pop("audit_entries") == before.pop("audit_entries") + 1
    assert after == before
    assert before["customers"] == 2000
    engine.dispose()
    reset_caches()


def test_a_rejected_import_exits_1_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANKCRM_DATABASE_URL", f"sqlite:///{tmp_path / 'bank.db'}")
    reset_caches()
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "branches.csv").write_text("id,name\nB1,\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(tmp_path / "files")])
    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    reset_caches()


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
            for table in inspect(connection).get_table_names()
        }
