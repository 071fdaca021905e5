"""``bankcrm serve``: the web app and API."""

from __future__ import annotations

import typer

from bankcrm.cli._serving import refuse_a_busy_port, run_server


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
) -> None:
    """Serve the web app and the REST API (BANKCRM_DATABASE_URL, default ./bankcrm.db)."""
    refuse_a_busy_port(host, port)
    from bankcrm.core.config import get_settings

    if get_settings().jobs.run_in_serve:
        from bankcrm.jobs import scheduler

        # in this (the supervising) process only: one schedule however many workers serve
        scheduler.build(get_settings(), background=True).start()
    run_server(host, port, workers=workers)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
