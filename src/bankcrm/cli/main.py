"""The ``bankcrm`` command. Each module in this package adds its commands via ``register``.

Start-up stays light: the command modules import only what declares their commands, and
each command imports the feature it runs (``tests/cli/test_startup.py``)."""

from __future__ import annotations

import importlib
import pkgutil

import typer

import bankcrm.cli

app = typer.Typer(
    name="bankcrm",
    help="Service marketing and customer relationship management for commercial banks.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _before_every_command() -> None:
    # every command that writes goes through the audit trail, as the app's requests do;
    # installed here, before the command runs, so that `bankcrm --help` needs no database code
    from bankcrm.audit import recorder as audit_recorder

    audit_recorder.install()


for module_info in sorted(pkgutil.iter_modules(bankcrm.cli.__path__), key=lambda m: m.name):
    if module_info.name == "main" or module_info.name.startswith("_"):
        continue
    module = importlib.import_module(f"bankcrm.cli.{module_info.name}")
    module.register(app)
