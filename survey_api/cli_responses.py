"""`survey-api responses …`: importing telephone and paper answers from files, and their template."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app

from .cli import cli_actor, transaction

responses_cli = click.Group("responses", help="Respondents' answers.")

EXIT_REJECTED = 1  # nothing was imported: the file was refused, or a row was rejected (all or nothing)
EXIT_PARTIAL = 3  # --accept-valid stored the valid rows, and some rows were rejected


@responses_cli.command("import")
@click.argument("campaign_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--channel", type=click.Choice(["phone", "paper"]), default="phone", show_default=True)
@click.option("--accept-valid", is_flag=True, help="Store the valid rows even if others are rejected.")
def responses_import(campaign_id: int, file: Path, channel: str, accept_valid: bool) -> None:
    """Import answers from a CSV (UTF-8 or GBK) or XLSX FILE; print a report per rejected row.

    Exit status: 0 all rows imported (or already imported), 1 nothing imported, 3 only the valid rows imported."""
    from .models import Channel
    from .services.response_import import REJECTED, ImportRequest, import_responses

    limit = current_app.config["IMPORT_MAX_BYTES"]
    with file.open("rb") as handle:
        data = handle.read(limit + 1)
    with transaction():
        report = import_responses(
            cli_actor(), ImportRequest(campaign_id, file.name, data, Channel(channel), accept_valid)
        )
    for row in report.rows:
        if row.outcome == REJECTED:
            for problem in row.problems:
                column = f" [{problem['column']}]" if problem["column"] else ""
                click.echo(f"row {row.row}{column}: {problem['message']}", err=True)
    counts = report.counts
    click.echo(
        f"{file.name}: {counts['total']} rows, {counts['imported']} imported, "
        f"{counts['already_imported']} already imported, {counts['rejected']} rejected"
    )
    if report.is_rejected:
        click.echo("nothing was imported: fix the rows above, or use --accept-valid to import the valid rows", err=True)
        sys.exit(EXIT_REJECTED)
    if counts["rejected"]:
        sys.exit(EXIT_PARTIAL)


@responses_cli.command("template")
@click.argument("campaign_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="A .csv or .xlsx file")
def responses_template(campaign_id: int, out: Path) -> None:
    """Write an empty answers file with this campaign's import headers."""
    from .services.campaigns import get_campaign
    from .services.import_template import import_template

    file_format = "csv" if out.suffix.lower() == ".csv" else "xlsx"
    with transaction():
        body = import_template(get_campaign(campaign_id), file_format).body
    out.write_bytes(body)
    click.echo(f"wrote {out}")
