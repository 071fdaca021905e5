"""Child process: the ``bankcrm`` command with these arguments, as its console script runs it."""

from __future__ import annotations

import sys

from bankcrm.cli.main import app

sys.exit(app(prog_name="bankcrm"))
