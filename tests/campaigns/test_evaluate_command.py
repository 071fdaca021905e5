"""``bankcrm campaigns evaluate`` on small files, and what it refuses."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bankcrm.cli.main import app


def _contacts(path: Path, delimiter: str = ",") -> Path:
    rows = [["id", "arm", "answered", "cost", "revenue", "channel"]]
    rows += [[str(i), "treatment", "Yes", "2.5", "30", "sms"] for i in range(6)]
    rows += [[str(i), "treatment", "no", "2.5", "", "app"] for i in range(6, 20)]
    rows += [[str(i), "control", "YES", "0", "30", "sms"] for i in range(20, 22)]
    rows += [[str(i), "control", "n", "0", "0", "app"] for i in range(22, 30)]
    path.write_text("\n".join(delimiter.join(row) for row in rows) + "\n", encoding="utf-8")
    return path


def _run(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["campaigns", "evaluate", *arguments])
    return result.exit_code, result.output


def test_json_report(tmp_path: Path) -> None:
    code, output = _run(
        "--contacts",
        str(_contacts(tmp_path / "c.csv")),
        "--group-col",
        "arm",
        "--response-col",
        "answered",
        "--json",
    )
    assert code == 0, output
    report = json.loads(output)
    assert report["treatment"] == {"n": 20, "responses": 6, "rate": 0.3}
    assert report["control"] == {"n": 10, "responses": 2, "rate": 0.2}
    assert report["uplift"] == 0.1
    assert report["interval"] == "newcombe"
    assert report["confidence"] == 0.95
    assert report["ci_low"] < 0.1 < report["ci_high"]
    assert 0 < report["p_value"] < 1
    assert "roi" not in report


def test_money_and_groups_on_a_semicolon_file(tmp_path: Path) -> None:
    code, output = _run(
        "--contacts",
        str(_contacts(tmp_path / "c.csv", ";")),
        "--group-col",
        "arm",
        "--response-col",
        "answered",
        "--cost-col",
        "cost",
        "--revenue-col",
        "revenue",
        "--by",
        "channel",
        "--json",
    )
    assert code == 0, output
    report = json.loads(output)
    assert report["treatment"]["cost"] == 50.0
    assert report["treatment"]["revenue"] == 180.0
    # (180/20 - 60/10) × 20 = 60; (60 - 50) / 50 = 0.2; 0.1 × 20 = 2 responses
    assert report["incremental_revenue"] == 60.0
    assert report["roi"] == 0.2
    assert report["incremental_responses"] == 2.0
    assert report["cost_per_acquisition"] == 25.0
    assert [row["value"] for row in report["by"]] == ["app", "sms"]
    assert report["by"][1]["uplift"] == 0.0
    assert "roi" in report["by"][0]


def test_readable_summary(tmp_path: Path) -> None:
    code, output = _run(
        "--contacts",
        str(_contacts(tmp_path / "c.csv")),
        "--group-col",
        "arm",
        "--response-col",
        "answered",
        "--cost-col",
        "cost",
        "--revenue-col",
        "revenue",
    )
    assert code == 0, output
    assert "uplift +10.00%" in output
    assert "ROI 20.0%" in output


def test_other_labels_are_named(tmp_path: Path) -> None:
    contacts = tmp_path / "labels.csv"
    contacts.write_text("grp,resp\nA,1\nB,0\nA,0\n", encoding="utf-8")
    code, output = _run(
        "--contacts", str(contacts), "--group-col", "grp", "--response-col", "resp", "--json"
    )
    assert code == 1
    assert "error: labels.csv, row 2, column 'grp'" in output
    assert "the groups found are 'A', 'B'" in output
    code, output = _run(
        "--contacts",
        str(contacts),
        "--group-col",
        "grp",
        "--response-col",
        "resp",
        "--treatment",
        "A",
        "--control",
        "B",
        "--json",
    )
    assert code == 0, output
    assert json.loads(output)["uplift"] == 0.5


def test_unknown_response_is_refused_with_its_row(tmp_path: Path) -> None:
    contacts = tmp_path / "answers.csv"
    contacts.write_text(
        "grp;resp\ntreatment;true\ncontrol;FALSE\ntreatment;maybe\n", encoding="utf-8"
    )
    code, output = _run("--contacts", str(contacts), "--group-col", "grp", "--response-col", "resp")
    assert code == 1
    assert "error: answers.csv, row 4, column 'resp': the response is 'maybe'" in output
    assert "header is row 1" in output


def test_empty_response_and_bad_amount(tmp_path: Path) -> None:
    contacts = tmp_path / "gaps.csv"
    contacts.write_text("grp,resp,cost,revenue\ntreatment,1,1,5\ncontrol,,0,0\n", encoding="utf-8")
    code, output = _run("--contacts", str(contacts), "--group-col", "grp", "--response-col", "resp")
    assert code == 1
    assert "row 3, column 'resp': the response is empty" in output
    contacts.write_text(
        "grp,resp,cost,revenue\ntreatment,1,¥1,5\ncontrol,0,0,0\n", encoding="utf-8"
    )
    code, output = _run(
        "--contacts",
        str(contacts),
        "--group-col",
        "grp",
        "--response-col",
        "resp",
        "--cost-col",
        "cost",
        "--revenue-col",
        "revenue",
    )
    assert code == 1
    assert "row 2, column 'cost': '¥1' is not an amount" in output


def test_degenerate_inputs_are_refused(tmp_path: Path) -> None:
    contacts = tmp_path / "treated.csv"
    contacts.write_text("grp,resp\ntreatment,1\ntreatment,0\n", encoding="utf-8")
    base = ["--contacts", str(contacts), "--group-col", "grp", "--response-col", "resp"]
    code, output = _run(*base)
    assert code == 1
    assert "error: treated.csv: the control group has no members" in output
    code, output = _run(*base, "--cost-col", "resp")
    assert code == 1
    assert "need a revenue column" in output
    code, output = _run("--contacts", str(contacts), "--group-col", "arm", "--response-col", "resp")
    assert code == 1
    assert "column 'arm': no column named 'arm'" in output
