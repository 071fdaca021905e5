"""Audit anchor (issue 16): with the database owner's rights, someone dropped the delete
trigger, deleted the last entries of the trail and rewound ``audit_head`` to the last entry
kept; every link and the head agreed again, so ``bankcrm audit verify`` passed.

``verify`` now names a missing append-only trigger, and ``bankcrm audit anchor`` keeps the
signed head outside the database, where ``verify --anchor FILE`` finds the cut even after the
trigger is put back."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from bankcrm.audit import recorder
from bankcrm.cli.main import app as cli
from bankcrm.core.db import reset_caches
from bankcrm.core.enums import RiskLevel, Role
from bankcrm.customers.models import Customer
from tests import factories
from tests.commands import run_bankcrm
from tests.conftest import SQLITE_ONLY

SQLITE_DELETE_TRIGGER = "audit_entries_no_delete"
POSTGRES_TRIGGER = "audit_entries_append_only"


@pytest.fixture(autouse=True)
def _recorder() -> None:
    recorder.install()


def _bank(engine: Engine) -> int:
    with Session(engine) as session:
        branch = factories.branch(session)
        manager = factories.staff(session, role=Role.ACCOUNT_MANAGER, branch_id=branch.id)
        customer = factories.customer(session, branch_id=branch.id, manager_id=manager.id)
        session.commit()
        return customer.id


def _changes(engine: Engine, customer_id: int, count: int) -> int:
    """``count`` audited changes of one customer; the head's seq after them."""
    levels = list(RiskLevel)
    for number in range(count):
        with Session(engine) as session:
            recorder.act_as(session, actor_id=7, label="wang.li")
            customer = session.get_one(Customer, customer_id)
            customer.risk_level = levels[number % len(levels)]
            customer.occupation = f"occupation {number}"
            session.commit()
    return _head(engine)[0]


def _head(engine: Engine) -> tuple[int, str]:
    with engine.connect() as connection:
        row = connection.execute(text("SELECT last_seq, last_hash FROM audit_head")).one()
    return int(row.last_seq), str(row.last_hash)


def _delete_trigger(engine: Engine) -> str:
    return POSTGRES_TRIGGER if engine.dialect.name == "postgresql" else SQLITE_DELETE_TRIGGER


def _drop_delete_trigger(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"DROP TRIGGER {POSTGRES_TRIGGER} ON audit_entries"))
        else:
            connection.execute(text(f"DROP TRIGGER {SQLITE_DELETE_TRIGGER}"))


def _recreate_delete_trigger(engine: Engine) -> None:
    """Put the trigger back exactly as the migration made it, to cover the tracks."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text(
                    f"""CREATE TRIGGER {POSTGRES_TRIGGER} BEFORE UPDATE OR DELETE OR TRUNCATE
    ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()"""
                )
            )
        else:
            connection.execute(
                text(
                    f"""CREATE TRIGGER {SQLITE_DELETE_TRIGGER} BEFORE DELETE ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"""
                )
            )


def _cut_tail(engine: Engine, *, keep: int) -> None:
    """Delete every entry after ``keep`` and rewind the head to it: the chain agrees again."""
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_entries WHERE seq > :keep"), {"keep": keep})
        connection.execute(
            text(
                "UPDATE audit_head SET last_seq = :keep, last_hash = "
                "(SELECT entry_hash FROM audit_entries WHERE seq = :keep)"
            ),
            {"keep": keep},
        )


def _audit(*arguments: str) -> Result:
    return CliRunner().invoke(cli, ["audit", *arguments])


def _report(*arguments: str) -> dict[str, object]:
    result = _audit("verify", "--json", *arguments)
    report: dict[str, object] = json.loads(result.stdout)
    assert result.exit_code == (0 if report["intact"] else 1)
    return report


def test_verify_names_a_dropped_delete_trigger_though_the_rewound_chain_agrees(
    app_settings: str, engine: Engine
) -> None:
    last = _changes(engine, _bank(engine), 6)
    assert _report()["intact"]
    _drop_delete_trigger(engine)
    _cut_tail(engine, keep=last - 3)

    result = _audit("verify")
    assert result.exit_code == 1
    trigger = _delete_trigger(engine)
    assert f"the append-only trigger {trigger} is missing" in result.output
    assert "broken at" not in result.output, "the links and the head agree: only the trigger"
    report = _report()
    assert report["missing_triggers"] == [trigger]
    assert report["entries_checked"] == last - 3 and report["head_seq"] == last - 3


NEUTERED = {
    ("postgresql", "disabled"): ["ALTER TABLE audit_entries DISABLE TRIGGER USER"],
    ("postgresql", "altered"): [
        """CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"""
    ],
    ("sqlite", "disabled"): ["DROP TRIGGER audit_entries_no_update"],
    ("sqlite", "altered"): [
        "DROP TRIGGER audit_entries_no_update",
        "CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries "
        "WHEN 0 BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END",
    ],
}
"""A trigger kept in name but no longer refusing anything (SQLite cannot disable one:
dropping it is the nearest)."""


@pytest.mark.parametrize("how", ["disabled", "altered"])
def test_a_trigger_disabled_or_altered_is_named_too(
    app_settings: str, engine: Engine, how: str
) -> None:
    _changes(engine, _bank(engine), 1)
    with engine.begin() as connection:
        for statement in NEUTERED[engine.dialect.name, how]:
            connection.execute(text(statement))
    name = POSTGRES_TRIGGER if engine.dialect.name == "postgresql" else "audit_entries_no_update"
    state = "missing" if (engine.dialect.name, how) == ("sqlite", "disabled") else how
    result = _audit("verify")
    assert result.exit_code == 1
    assert f"the append-only trigger {name} is {state}" in result.output


def test_a_rewind_behind_an_anchor_fails_verify_anchor_even_with_the_trigger_back(
    app_settings: str, engine: Engine, tmp_path: Path
) -> None:
    last = _changes(engine, _bank(engine), 6)
    anchors = tmp_path / "anchors" / "bankcrm.anchors"
    anchors.parent.mkdir()
    written = _audit("anchor", "--out", str(anchors))
    assert written.exit_code == 0, written.output
    assert f"entry {last}" in written.output
    assert stat.S_IMODE(anchors.stat().st_mode) == 0o600

    _drop_delete_trigger(engine)
    _cut_tail(engine, keep=last - 3)
    _recreate_delete_trigger(engine)
    assert _report()["intact"], "without the anchor the cut cannot be seen"

    result = _audit("verify", "--anchor", str(anchors))
    assert result.exit_code == 1
    assert f"audit trail broken at entry {last - 2}: entry {last}, anchored at" in result.output
    assert f"is missing (the head is at entry {last - 3})" in result.output
    report = _report("--anchor", str(anchors))
    assert (report["broken_at"], report["anchors_checked"]) == (last - 2, 1)

    kept = anchors.read_bytes()
    refused = _audit("anchor", "--out", str(anchors))
    assert refused.exit_code == 1 and "no anchor written" in refused.output
    assert anchors.read_bytes() == kept, "a cut trail is not vouched for"


def test_a_rewritten_tail_behind_an_anchor_fails_verify_anchor(
    app_settings: str, engine: Engine, tmp_path: Path
) -> None:
    customer_id = _bank(engine)
    last = _changes(engine, customer_id, 4)
    anchors = tmp_path / "bankcrm.anchors"
    assert _audit("anchor", "--out", str(anchors)).exit_code == 0
    _drop_delete_trigger(engine)
    _cut_tail(engine, keep=last - 2)
    _recreate_delete_trigger(engine)
    _changes(engine, customer_id, 5)  # new, different entries take the anchored numbers

    result = _audit("verify", "--anchor", str(anchors))
    assert result.exit_code == 1
    assert f"entry {last} is not the entry anchored at" in result.output


@pytest.mark.parametrize("edit", ["seq", "entry_hash", "written_at", "key"])
def test_an_edited_anchor_is_refused_by_its_signature(
    app_settings: str,
    engine: Engine,
    tmp_path: Path,
    edit: str,
) -> None:
    last = _changes(engine, _bank(engine), 6)
    anchors = tmp_path / "bankcrm.anchors"
    assert _audit("anchor", "--out", str(anchors)).exit_code == 0
    _drop_delete_trigger(engine)
    _cut_tail(engine, keep=last - 3)
    _recreate_delete_trigger(engine)

    # the attacker makes the anchor agree with the cut trail
    anchor = json.loads(anchors.read_text())
    kept_seq, kept_hash = _head(engine)
    if edit == "seq":
        anchor["seq"] = kept_seq
    elif edit == "entry_hash":
        anchor["seq"], anchor["entry_hash"] = kept_seq, kept_hash
    elif edit == "written_at":
        anchor["written_at"] = "2020-01-01T00:00:00.000000+00:00"
    if edit != "key":
        anchors.write_text(json.dumps(anchor) + "\n")
    else:  # or signs a new one with a key of their own
        anchors.unlink()
        with pytest.MonkeyPatch.context() as attacker:
            attacker.setenv("BANKCRM_SECRET_KEY", "an-attackers-own-key-of-32-characters-or-more")
            reset_caches()
            assert _audit("anchor", "--out", str(anchors)).exit_code == 0
        reset_caches()

    result = _audit("verify", "--anchor", str(anchors))
    assert result.exit_code == 1
    assert f"audit anchor {anchors} line 1: the signature does not match" in result.output
    assert _report("--anchor", str(anchors))["anchors_checked"] == 0


def test_an_honest_trail_with_later_entries_passes_every_anchor(
    app_settings: str, engine: Engine, tmp_path: Path
) -> None:
    customer_id = _bank(engine)
    anchors = tmp_path / "bankcrm.anchors"
    _changes(engine, customer_id, 3)
    assert _audit("anchor", "--out", str(anchors)).exit_code == 0
    second = _changes(engine, customer_id, 2)
    assert _audit("anchor", "--out", str(anchors)).exit_code == 0
    last = _changes(engine, customer_id, 4)

    result = _audit("verify", "--anchor", str(anchors))
    assert result.exit_code == 0, result.output
    assert (
        f"head {last}" in result.output
        and f"anchored up to entry {second} (anchors checked: 2)" in result.output
    )
    report = _report("--anchor", str(anchors))
    assert report["intact"] and report["problems"] == [] and report["missing_triggers"] == []
    assert (report["anchors_checked"], report["anchored_seq"]) == (2, second)
    assert len(anchors.read_text().splitlines()) == 2


def test_an_anchor_file_that_is_not_one_fails_verify(
    app_settings: str, engine: Engine, tmp_path: Path
) -> None:
    _changes(engine, _bank(engine), 1)
    missing = tmp_path / "nowhere.anchors"
    result = _audit("verify", "--anchor", str(missing))
    assert result.exit_code == 1 and "cannot be read (No such file or directory)" in result.output
    empty = tmp_path / "empty.anchors"
    empty.write_text("")
    result = _audit("verify", "--anchor", str(empty))
    assert result.exit_code == 1 and "holds no anchor" in result.output
    notes = tmp_path / "notes.txt"
    notes.write_text("head 12 at noon\n")
    refused = _audit("anchor", "--out", str(notes))
    assert refused.exit_code == 1 and "line 1: not a JSON anchor" in refused.output
    assert notes.read_text() == "head 12 at noon\n"


@SQLITE_ONLY
def test_the_real_command_anchors_and_names_each_problem_on_a_line_of_its_own(
    app_settings: str, engine: Engine, tmp_path: Path
) -> None:
    """``bankcrm`` as the operator runs it, on the database in its working directory."""
    assert app_settings == f"sqlite:///{tmp_path / 'bankcrm.db'}"
    last = _changes(engine, _bank(engine), 5)
    written = run_bankcrm("audit", "anchor", "--out", "bank.anchors", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    _drop_delete_trigger(engine)
    _cut_tail(engine, keep=last - 2)

    checked = run_bankcrm("audit", "verify", "--anchor", "bank.anchors", cwd=tmp_path)
    assert checked.returncode == 1
    lines = checked.stderr.splitlines()
    assert len(lines) == 2, checked.stderr
    assert lines[0].startswith(f"audit trail broken at entry {last - 1}: entry {last}")
    assert lines[1].startswith(
        f"audit trail unprotected: the append-only trigger {SQLITE_DELETE_TRIGGER}"
    )
