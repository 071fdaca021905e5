"""How a command reports a refusal: the service's message on standard error, exit code 1."""

from __future__ import annotations

import typer

from bankcrm.core.exceptions import BankcrmError


def fail(error: BankcrmError) -> typer.Exit:
    typer.echo(f"error: {error.message}", err=True)
    return typer.Exit(1)
