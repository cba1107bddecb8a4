"""`survey-api results …`: exports of a campaign's responses and results to a file."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import cli_actor, transaction

results_cli = click.Group("results", help="Survey results and exports.")


@results_cli.command("export")
@click.argument("campaign_id", type=int)
@click.option("--what", type=click.Choice(["responses", "results"]), default="responses", show_default=True)
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("--headers", "header_style", type=click.Choice(["keys", "zh"]), default="keys", show_default=True)
@click.option("--labels", is_flag=True, help="Responses: add the chosen option's label after each choice column.")
@click.option("--run", "run_id", type=int, default=None, help="Results: the result run id (default: the latest).")
@click.option("--table", type=click.Choice(["indices", "questions"]), default="indices", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def results_export(campaign_id, what, file_format, header_style, labels, run_id, table, out: Path) -> None:
    """Write a campaign's responses or results to a file, streamed (memory stays flat)."""
    from .services.exports import export_responses, export_results

    with transaction():  # the audit record is committed before the file is written
        if what == "responses":
            export = export_responses(cli_actor(), campaign_id, file_format, header_style, labels)
        else:
            export = export_results(cli_actor(), campaign_id, file_format, header_style, run_id=run_id, table=table)
    partial = out.with_name(out.name + ".part")
    try:
        with transaction(), partial.open("wb") as target:
            for chunk in export.chunks:
                target.write(chunk)
    except BaseException:
        partial.unlink(missing_ok=True)  # a failed export never leaves a file that looks complete
        raise
    partial.replace(out)
    click.echo(f"wrote {export.rows} rows to {out}")
