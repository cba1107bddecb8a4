"""`survey-api users …` and `survey-api tokens …`: staff accounts and their API tokens from the command line."""

from __future__ import annotations

import sys

import click

from .cli import cli_actor, transaction
from .domain.access import Role
from .extensions import db

users_cli = click.Group("users", help="Staff accounts.")
tokens_cli = click.Group("tokens", help="Personal API tokens.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "unit_code", default=None, help="The unit of a unit account.")
@click.option("--display-name", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
def users_create(username, role, unit_code, display_name, password_stdin) -> None:
    """Create a staff account (the first admin, for instance)."""
    from .services.accounts import create_user

    password = _read_password(password_stdin)
    with transaction():
        user = create_user(cli_actor(), username, password, Role(role), display_name=display_name, unit_code=unit_code)
    click.echo(f"created {user.role.value} account {user.username}")


@users_cli.command("list")
def users_list() -> None:
    """List staff accounts."""
    from .services.accounts import list_users

    for user in list_users():
        unit = user.unit.code if user.unit else ""
        click.echo(f"{user.username}\t{user.role.value}\t{unit}\t{'active' if user.is_active else 'disabled'}")


def _account(username: str):
    from sqlalchemy import select

    from .models import User

    user = db.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account named {username}")
    return user


def _active_command(name: str, active: bool) -> None:
    @users_cli.command(name, help=f"{name.capitalize()} an account (its sessions and tokens stop at once).")
    @click.argument("username")
    def command(username: str) -> None:
        from .services.accounts import set_active

        with transaction():
            user = set_active(cli_actor(), _account(username), active)
        click.echo(f"{user.username} is {'active' if user.is_active else 'disabled'}")


_active_command("enable", True)
_active_command("disable", False)


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input instead of asking.")
def users_set_password(username: str, password_stdin: bool) -> None:
    """Set a new password for an account whose owner lost theirs; it also lifts a lockout."""
    from .services.accounts import reset_password

    password = _read_password(password_stdin)
    with transaction():
        reset_password(cli_actor(), _account(username), password)
    click.echo(f"password of {username} changed")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@tokens_cli.command("create")
@click.argument("username")
@click.argument("name")
@click.option("--valid-days", type=click.IntRange(1, 3650), default=None)
def tokens_create(username, name, valid_days) -> None:
    """Create an API token for an account and print it once."""
    from .services.api_tokens import create_token

    with transaction():
        issued = create_token(cli_actor(), _account(username), name, valid_days)
    click.echo(issued.secret)
