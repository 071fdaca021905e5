"""One clock: only ``core/clock.py`` reads the time of day, so that moving it in a test moves
it for the whole application."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

import bankcrm
from bankcrm.core import clock

SOURCE = Path(bankcrm.__file__).resolve().parent
CLOCK = SOURCE / "core" / "clock.py"

READS_THE_CLOCK = {
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "datetime.date.today",
    "time.time",
    "time.time_ns",
    "pandas.Timestamp.now",
    "pandas.Timestamp.utcnow",
    "pandas.Timestamp.today",
    "sqlalchemy.func.now",
    "sqlalchemy.func.current_date",
    "sqlalchemy.func.current_timestamp",
}
"""Calls that read the time of day, by the full name of what is called."""
READS_THE_CLOCK_WITHOUT_ARGUMENTS = {
    "time.localtime",
    "time.gmtime",
    "time.ctime",
    "time.asctime",
}
READS_THE_CLOCK_WITH_WORD = {
    "numpy.datetime64",
    "pandas.Timestamp",
    "pandas.to_datetime",
}
"""Constructors that read the clock when given "now" or "today"."""


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """Local name → the full dotted name it stands for, from the module's imports."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _full_name(node: ast.expr, imported: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    head = imported.get(node.id, node.id)
    return ".".join([head, *reversed(parts)])


def clock_readings(source: str) -> list[tuple[int, str]]:
    """Every call in a module's source that reads the time of day: line and full name."""
    tree = ast.parse(source)
    imported = _imported_names(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _full_name(node.func, imported)
        if name is None:
            continue
        words = {
            argument.value
            for argument in node.args
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str)
        }
        if (
            name in READS_THE_CLOCK
            or (name in READS_THE_CLOCK_WITHOUT_ARGUMENTS and not node.args)
            or (name in READS_THE_CLOCK_WITH_WORD and words & {"now", "today"})
        ):
            found.append((node.lineno, name))
    return found


def test_only_the_clock_module_reads_the_time() -> None:
    offenders = [
        f"{path.relative_to(SOURCE)}:{line} {name}()"
        for path in sorted(SOURCE.rglob("*.py"))
        if path != CLOCK
        for line, name in clock_readings(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "read the time through bankcrm.core.clock instead"


@pytest.mark.parametrize(
    "source",
    [
        "from datetime import datetime\nstamp = datetime.now()\n",
        "from datetime import datetime, UTC\nstamp = datetime.now(UTC)\n",
        "import datetime as dt\nstamp = dt.datetime.utcnow()\n",
        "from datetime import date as day\nstamp = day.today()\n",
        "import time\nstamp = time.time()\n",
        "from time import localtime\nstamp = localtime()\n",
        "import pandas as pd\nstamp = pd.Timestamp('now')\n",
        "import numpy as np\nstamp = np.datetime64('today')\n",
        "from sqlalchemy import func\nstamp = func.now()\n",
    ],
)
def test_the_check_finds_a_new_reading(source: str) -> None:
    assert [line for line, _ in clock_readings(source)] == [2]


def test_the_check_passes_what_does_not_read_the_clock() -> None:
    source = (
        "import time\nfrom datetime import datetime\nfrom bankcrm.core import clock\n"
        "a = time.localtime(0)\nb = datetime(2026, 1, 1)\nc = clock.utcnow()\n"
        "d = time.perf_counter()\ne = datetime.fromisoformat('2026-01-01')\n"
    )
    assert clock_readings(source) == []


def test_the_bank_day_follows_the_moved_clock(
    time_machine: time_machine.TimeMachineFixture,
) -> None:
    # 16:30 UTC is already the next morning in Shanghai, the bank's default zone
    time_machine.move_to(datetime(2031, 3, 4, 16, 30, tzinfo=UTC), tick=False)
    assert clock.utcnow() == datetime(2031, 3, 4, 16, 30, tzinfo=UTC)
    assert clock.bank_today() == date(2031, 3, 5)
    assert clock.bank_day_start(date(2031, 3, 5)) == datetime(2031, 3, 4, 16, tzinfo=UTC)
    assert clock.epoch_seconds() == datetime(2031, 3, 4, 16, 30, tzinfo=UTC).timestamp()
    assert clock.bank_now().utcoffset() == timedelta(hours=8)
