from __future__ import annotations

from pathlib import Path

import pytest

from bankcrm.ingest.synth import generate_bank

BANK_AS_OF = "2026-09-30"
EARLIER = "2026-03-31"


@pytest.fixture(scope="session")
def generated_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated 800-customer bank as of 2026-09-30, written once per session (read-only)."""
    directory = tmp_path_factory.mktemp("bank800")
    generate_bank(directory, customers=800, seed=5)
    return directory
