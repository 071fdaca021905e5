"""``bankcrm users``: staff logins."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer

from bankcrm.core.enums import Role
from bankcrm.core.exceptions import BankcrmError

users_app = typer.Typer(help="Staff users and their logins.", no_args_is_help=True)


@users_app.command("create")
def create(
    username: str = typer.Argument(..., help="Login name."),
    role: Role = typer.Option(..., help="What the user does."),
    full_name: str = typer.Option(..., help="Name shown in the app."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="At least 12 characters, not easily guessed.",
    ),
    branch: str | None = typer.Option(None, help="External id of the user's branch."),
) -> None:
    """Create a staff user who can log in."""
    from bankcrm.core.db import session_scope
    from bankcrm.staff import service

    try:
        with session_scope() as session:
            branch_id = (
                service.branch_id_for(session, branch_external_id=branch) if branch else None
            )
            user = service.create_user(
                session,
                username=username,
                full_name=full_name,
                role=role,
                password=password,
                branch_id=branch_id,
            )
            typer.echo(f"created {user.username} ({user.role.value})")
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error


@users_app.command("set-password")
def set_password(
    username: str = typer.Argument(..., help="Login name."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="At least 12 characters, not easily guessed.",
    ),
) -> None:
    """Set a user's password: every session of theirs ends, and every wait on their name."""
    from bankcrm.core.db import session_scope
    from bankcrm.staff import service

    try:
        with session_scope() as session:
            service.set_password(session, username=username, password=password)
        typer.echo(f"password set for {username}")
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error


@users_app.command("set-role")
def set_role(
    username: str = typer.Argument(..., help="Login name."),
    role: Role = typer.Argument(..., help="The new role."),
) -> None:
    """Give a user another role; every session and token of theirs ends at once."""
    from bankcrm.core.db import session_scope
    from bankcrm.staff import service

    with _reporting_errors(), session_scope() as session:
        service.set_role(session, username=username, role=role)
    typer.echo(f"{username} is now {role.value}; their sessions have ended")


@users_app.command("disable")
def disable(username: str = typer.Argument(..., help="Login name.")) -> None:
    """Stop a user from logging in; every session and token of theirs ends at once."""
    from bankcrm.core.db import session_scope
    from bankcrm.staff import service

    with _reporting_errors(), session_scope() as session:
        service.set_active(session, username=username, active=False)
    typer.echo(f"{username} is disabled; their sessions have ended")


@users_app.command("enable")
def enable(username: str = typer.Argument(..., help="Login name.")) -> None:
    """Let a disabled user log in again."""
    from bankcrm.core.db import session_scope
    from bankcrm.staff import service

    with _reporting_errors(), session_scope() as session:
        service.set_active(session, username=username, active=True)
    typer.echo(f"{username} may log in again")


@users_app.command("unlock")
def unlock(username: str = typer.Argument(..., help="Login name.")) -> None:
    """Lift the waits that failed logins put on a username, from every address."""
    from bankcrm.core.db import session_scope
    from bankcrm.staff import service

    with _reporting_errors(), session_scope() as session:
        freed = service.unlock(session, username=username)
    typer.echo(f"{username}: {freed} address(es) may try again now")


@contextmanager
def _reporting_errors() -> Iterator[None]:
    try:
        yield
    except BankcrmError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(1) from error


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
