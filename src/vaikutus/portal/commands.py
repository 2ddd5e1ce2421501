"""CLI commands of the portal: serve it, and manage the internal view's users."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

users_app = typer.Typer(help="Manage the internal view's users (analysts, researchers, administrators).",
                        no_args_is_help=True)


def serve(warehouse: Path, host: str = "127.0.0.1", port: int = 8000, users: Path | None = None) -> None:
    """Serve the portal for a warehouse (used by ``vaikutus serve`` and ``vaikutus demo``)."""
    import uvicorn

    from vaikutus.portal.app import create_app

    app = create_app(warehouse, users=users)
    typer.echo(f"portal: http://{host}:{port}/  (Ctrl+C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_command(
        warehouse: Path = typer.Option(..., "--warehouse", exists=True, dir_okay=False,
                                       help="Warehouse (DuckDB file) with indicator values."),
        host: str = typer.Option("127.0.0.1", help="Address to listen on (default: this machine only)."),
        port: int = typer.Option(8000, help="Port to listen on."),
        users: Path | None = typer.Option(None, help="User database (default: next to the warehouse)."),
    ) -> None:
        """Serve the public portal and the internal view."""
        serve(warehouse, host, port, users)

    @users_app.command("add")
    def add_user(
        username: str = typer.Argument(..., help="Login name."),
        role: str = typer.Option(..., help="analyst, researcher or admin."),
        area: int | None = typer.Option(None, help="Employment area code (1-46) of an analyst."),
        warehouse: Path = typer.Option(..., "--warehouse", help="Warehouse whose portal the user logs in to."),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
    ) -> None:
        """Add a user or reset their password (prompted for, at least 12 characters)."""
        from vaikutus.portal.app import default_users_path
        from vaikutus.portal.auth import AuthError, UserStore

        password = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt(
            "Password", hide_input=True, confirmation_prompt=True
        )
        try:
            user = UserStore(default_users_path(warehouse)).add_user(username, password, role, area)
        except AuthError as exc:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2) from exc
        where = f" for employment area {user.employment_area}" if user.employment_area else ""
        typer.echo(f"user {user.username} ({user.role}{where}) saved")

    @users_app.command("list")
    def list_users(warehouse: Path = typer.Option(..., "--warehouse", help="Warehouse of the portal.")) -> None:
        """List the users of a portal."""
        from vaikutus.portal.app import default_users_path
        from vaikutus.portal.auth import UserStore

        for user in UserStore(default_users_path(warehouse)).users():
            typer.echo(f"{user.username}\t{user.role}\t{user.employment_area or ''}")

    app.add_typer(users_app, name="users")
