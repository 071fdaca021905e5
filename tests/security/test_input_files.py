"""Files from outside are read in their encoding, within size limits, or refused in one line
(finding L2: a GBK file ended in a ``UnicodeDecodeError`` traceback, a 50 MB field in an
``ArrowInvalid`` traceback, and ``restore`` read a 1 GiB manifest whole).

Chinese core systems export GB18030: ``bankcrm import --encoding gb18030`` reads it. A file
that is not text in the encoding named, a field over the limit, a manifest over its limit: one
line naming the file (and row and column), nothing imported."""

from __future__ import annotations

import subprocess
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bankcrm.backup import archive
from bankcrm.churn.labelled import read_labelled
from bankcrm.clv.purchases import read_purchases
from bankcrm.core.config import get_settings
from bankcrm.core.exceptions import ImportRejected, ValidationFailed
from bankcrm.ingest.service import import_directory
from bankcrm.quality.instrument import shipped_instrument
from bankcrm.quality.servqual import read_responses_csv
from tests.commands import BANKCRM, run_bankcrm, user_environment
from tests.conftest import SQLITE_ONLY

PINYIN = ["Li Na", "Wang Fang", "Zhang Wei", "Liu Yang", "Chen Jing", "Yang Li"]
CHINESE = ["王小明", "李娜", "欧阳震华", "赵·买买提", "钱多多", "孙悟空"]
BEYOND_GBK = "张𡈼"
"""𡈼 (CJK extension B) has a four-byte GB18030 code and none in GBK."""
FIRST_CHINESE_ROW = len(PINYIN) + 1


def names(*, beyond_gbk: bool = True) -> list[str]:
    """Customer names: pinyin first, so that the first bytes that are not UTF-8 are in row 7."""
    return PINYIN + CHINESE + ([BEYOND_GBK] if beyond_gbk else [])


def write_bank(
    directory: Path, encoding: str, customers: list[str], *, preferences: str = "微信"
) -> Path:
    """Branches and customers, as a core system exports them in ``encoding``; customer 9 has
    ``preferences`` (a free text the store keeps at any length)."""
    directory.mkdir()
    (directory / "branches.csv").write_bytes(
        "id,name,city\nBR001,Shanghai Pudong,Shanghai\nBR002,Hangzhou Xihu,Hangzhou\n".encode(
            encoding
        )
    )
    rows = "".join(
        f"C{number:03d},individual,{name},BR00{1 + number % 2},"
        f"{preferences if number == 9 else ''}\n"
        for number, name in enumerate(customers, start=1)
    )
    (directory / "customers.csv").write_bytes(
        f"id,customer_type,name,branch_id,preferences\n{rows}".encode(encoding)
    )
    return directory


def stored_names(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.execute(text("SELECT name FROM customers ORDER BY external_id")).scalars()
        )


def import_command(
    directory: Path, database_url: str, *options: str
) -> subprocess.CompletedProcess[str]:
    """``bankcrm import`` as a user runs it, into the test's database."""
    return subprocess.run(
        [BANKCRM, "import", str(directory), *options],
        cwd=directory.parent,
        env={**user_environment(), "BANKCRM_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def assert_one_line_refusal(result: subprocess.CompletedProcess[str], *parts: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for part in parts:
        assert part in lines[0]


def test_gb18030_export_imports_with_the_encoding_named(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    bank = write_bank(tmp_path / "bank", "gb18030", names())
    result = import_command(bank, database_url, "--encoding", "gb18030")
    assert result.returncode == 0, result.stderr
    assert stored_names(engine) == names()


def test_gb18030_export_without_the_encoding_is_refused_in_one_line(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    bank = write_bank(tmp_path / "bank", "gb18030", names())
    result = import_command(bank, database_url)
    assert_one_line_refusal(
        result,
        f"customers.csv, row {FIRST_CHINESE_ROW}, column 'name'",
        "not utf-8 text",
        "--encoding gb18030",
    )
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM branches")).scalar_one() == 0
    assert stored_names(engine) == []


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("encoding", "beyond_gbk"), [("gbk", False), ("utf-8-sig", True), ("utf-8", True)]
)
def test_gbk_and_utf8_with_a_byte_order_mark_import(
    database_url: str, engine: Engine, tmp_path: Path, encoding: str, beyond_gbk: bool
) -> None:
    customers = names(beyond_gbk=beyond_gbk)
    bank = write_bank(tmp_path / "bank", encoding, customers)
    import_directory(database_url, bank, encoding=encoding)
    assert stored_names(engine) == customers


@SQLITE_ONLY
def test_bytes_that_are_not_text_in_the_encoding_named_are_refused(
    database_url: str, engine: Engine, tmp_path: Path
) -> None:
    bank = write_bank(tmp_path / "bank", "gb18030", names())
    customers = bank / "customers.csv"
    # a GBK export with a stray byte: 0xFF starts no character in GB18030
    customers.write_bytes(customers.read_bytes().replace("钱多多".encode("gb18030"), b"\xff\xff"))
    with pytest.raises(ImportRejected) as rejected:
        import_directory(database_url, bank, encoding="gb18030")
    refused = rejected.value
    assert (refused.file, refused.row, refused.column) == ("customers.csv", 11, "name")
    assert "ff ff" in refused.reason
    assert "not gb18030 text" in refused.reason
    assert stored_names(engine) == []


@SQLITE_ONLY
def test_an_unknown_encoding_is_refused_before_anything_is_read(
    database_url: str, tmp_path: Path
) -> None:
    bank = write_bank(tmp_path / "bank", "utf-8", names())
    for encoding in ("klingon", "hex"):
        with pytest.raises(ImportRejected, match="not a text encoding"):
            import_directory(database_url, bank, encoding=encoding)


@SQLITE_ONLY
@pytest.mark.parametrize(
    "megabytes",
    [
        2,  # within one block of the CSV reader: the batch check names it
        50,  # longer than a block: the reader fails, the file is walked for the row
    ],
)
def test_a_field_over_the_limit_is_refused_naming_file_row_and_column(
    database_url: str, engine: Engine, tmp_path: Path, megabytes: int
) -> None:
    long_text = "王" * (megabytes * 1_000_000 // 3)
    bank = write_bank(tmp_path / "bank", "utf-8", names(), preferences=long_text)
    with pytest.raises(ImportRejected) as rejected:
        import_directory(database_url, bank)
    refused = rejected.value
    assert (refused.file, refused.row, refused.column) == ("customers.csv", 9, "preferences")
    assert f"longer than {1 << 20:,} bytes" in refused.reason
    assert stored_names(engine) == []


@SQLITE_ONLY
def test_the_field_limit_is_a_setting(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "import_max_field_bytes", 4_096)
    bank = write_bank(tmp_path / "bank", "utf-8", names(), preferences="偏" * 1_400)
    with pytest.raises(ImportRejected) as rejected:
        import_directory(database_url, bank)
    refused = rejected.value
    assert (refused.file, refused.row, refused.column) == ("customers.csv", 9, "preferences")
    assert "longer than 4,096 bytes" in refused.reason


def gb18030_table(tmp_path: Path, header: str, rows: list[str]) -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes("\n".join([header, *rows, ""]).encode("gb18030"))
    return path


def test_transaction_file_for_clv_in_gb18030_is_refused_naming_the_row(tmp_path: Path) -> None:
    rows = [f"{name},2024-03-0{1 + number % 9},{number}.50" for number, name in enumerate(names())]
    path = gb18030_table(tmp_path, "customer,day,amount", rows)
    with pytest.raises(ImportRejected) as rejected:
        read_purchases(path, customer_column="customer", date_column="day", amount_column="amount")
    refused = rejected.value
    assert (refused.file, refused.row, refused.column) == (
        "export.csv",
        FIRST_CHINESE_ROW,
        "customer",
    )
    assert "not utf-8 text" in refused.reason


def test_labelled_file_for_churn_in_gb18030_is_refused_naming_the_row(tmp_path: Path) -> None:
    rows = [
        f"{number},{name},{'yes' if number % 2 else 'no'}" for number, name in enumerate(names())
    ]
    path = gb18030_table(tmp_path, "id,city,churned", rows)
    with pytest.raises(ImportRejected) as rejected:
        read_labelled(path, label_column="churned", positive="yes", exclude=("id",))
    refused = rejected.value
    assert (refused.row, refused.column) == (FIRST_CHINESE_ROW, "city")
    assert "not utf-8 text" in refused.reason


def test_survey_file_for_quality_analyze_in_gb18030_is_refused_naming_the_row(
    tmp_path: Path,
) -> None:
    instrument = shipped_instrument("kiosk_kservqual")
    header = ",".join(f"{scale}{n}" for n in range(1, 25) for scale in "EP") + ",branch"
    answers = ",".join(["7,6"] * 24)
    path = gb18030_table(tmp_path, header, [f"{answers},{name}" for name in names()])
    with pytest.raises(ImportRejected) as rejected:
        read_responses_csv(path, instrument, group_column="branch")
    refused = rejected.value
    assert (refused.row, refused.column) == (FIRST_CHINESE_ROW, "branch")
    assert "not utf-8 text" in refused.reason


def write_archive(path: Path, manifest_bytes: int) -> Path:
    """An archive whose manifest is ``manifest_bytes`` of valid JSON (mostly blanks), small on
    disk once deflated."""
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as written,
        written.open(archive.MANIFEST_MEMBER, "w") as member,
    ):
        member.write(b'{"format_version": 1')
        blanks = manifest_bytes - 21
        while blanks > 0:
            member.write(b" " * min(blanks, 1 << 20))
            blanks -= 1 << 20
        member.write(b"}")
    return path


def test_restore_refuses_an_oversize_manifest_in_one_line(tmp_path: Path) -> None:
    bundle = write_archive(tmp_path / "bank.zip", 24 << 20)
    assert bundle.stat().st_size < 1 << 20
    for options in (["--check"], []):
        result = run_bankcrm("restore", str(bundle), *options, cwd=tmp_path, timeout=300)
        assert_one_line_refusal(
            result, "bank.zip", archive.MANIFEST_MEMBER, f"{archive.MANIFEST_MAX_BYTES:,} bytes"
        )


def test_restore_reads_no_more_of_a_manifest_than_its_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MANIFEST_MAX_BYTES", 64 << 10)
    bundle = write_archive(tmp_path / "bank.zip", 16 << 20)
    tracemalloc.start()
    try:
        with pytest.raises(ValidationFailed, match="larger than the 65,536 bytes"):
            archive.ArchiveReader(bundle)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 << 20
