"""`survey-api tasks …` and `survey-api outbox …`: the reminder sweep, and the outbox a mail or SMS gateway reads."""

from __future__ import annotations

import json

import click

from .cli import cli_actor, transaction

tasks_cli = click.Group("tasks", help="Rectification tasks (限期整改): reminders before and after deadlines.")
outbox_cli = click.Group("outbox", help="Reminder messages waiting for a mail or SMS gateway.")


@tasks_cli.command("remind")
def tasks_remind() -> None:
    """Generate the reminders due now (idempotent: run it daily from a timer)."""
    from .services.reminders import sweep_reminders

    with transaction():
        result = sweep_reminders(cli_actor())
    click.echo(f"{result.reminders} reminders, {result.messages} messages in the outbox")


@outbox_cli.command("list")
@click.option("--limit", default=100, show_default=True)
def outbox_list(limit: int) -> None:
    """Unsent messages as JSON lines (id, recipient, subject, body), oldest first."""
    from .services.reminders import unsent_messages

    with transaction():
        messages = unsent_messages(limit)
    for m in messages:
        line = {"id": m.id, "recipient_id": m.recipient_id, "recipient": m.recipient_name}
        click.echo(json.dumps(line | {"subject": m.subject, "body": m.body}, ensure_ascii=False))


@outbox_cli.command("mark-sent")
@click.argument("ids", type=int, nargs=-1, required=True)
def outbox_mark_sent(ids: tuple[int, ...]) -> None:
    """Mark messages delivered (all or none)."""
    from .services.reminders import mark_sent

    with transaction():
        count = mark_sent(cli_actor(), ids)
    click.echo(f"{count} messages marked sent")
