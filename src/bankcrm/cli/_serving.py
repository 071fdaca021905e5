"""Serving the web app from the command line (``bankcrm serve`` and ``bankcrm demo``)."""

from __future__ import annotations

import socket

import typer

WORKER_HEALTHCHECK_SECONDS = 30
"""How long a worker may take to answer its supervisor's health check under load."""


def refuse_a_busy_port(host: str, port: int) -> None:
    """Stop with one line when ``host:port`` cannot be listened on, before any work is done
    (the demo takes minutes to build a bank it then could not serve)."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, protocol) as probe:
            # as the server itself will: a port left in TIME_WAIT by a stopped server is free
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        typer.echo(
            f"error: cannot serve on {host}:{port} ({error.strerror or error}); "
            "choose another port with --port, or PORT=… for make demo",
            err=True,
        )
        raise typer.Exit(1) from error


def run_server(host: str, port: int, *, workers: int = 1) -> None:
    import uvicorn

    from bankcrm.core.config import get_settings

    settings = get_settings()
    if settings.key_file_note:
        typer.echo(settings.key_file_note, err=True)
    proxies = settings.trusted_proxies.strip()
    uvicorn.run(
        "bankcrm.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # uvicorn's default trusts X-Forwarded-For from 127.0.0.1: any local process could
        # then claim any address and slip past the per-address login limits
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or "",
        # uvicorn's 5 s restarts a worker that is only busy, and its open requests are lost
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
