from __future__ import annotations

from pathlib import Path

import pytest

from bankcrm.ingest.synth import generate_bank


@pytest.fixture(scope="session")
def small_bank_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated 300-customer bank, written once per test session (read-only for tests)."""
    directory = tmp_path_factory.mktemp("bank300")
    generate_bank(directory, customers=300, seed=11)
    return directory
