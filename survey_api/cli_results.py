"""`survey-api rules …` and `survey-api results …`: scoring rule files, margins, campaign results and exports."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import cli_actor, transaction
from .domain.export_layout import RESULT_TABLES

rules_cli = click.Group("rules", help="Scoring rule files in rules/.")
results_cli = click.Group("results", help="Campaign results: margins, computing, publishing, verifying, exports.")


@rules_cli.command("check")
@click.argument("key", default="default")
def rules_check(key: str) -> None:
    """Check a rule file and name every problem."""
    from .services.rule_sets import check_rules, read_rules_document

    with transaction():
        rules = check_rules(read_rules_document(key), f"{key}.yaml")
    click.echo(
        f"ok  {key}: {rules.title} (min n {rules.min_n}, {rules.points.strategy} up to {rules.points.max_points})"
    )


@results_cli.command("margins")
@click.argument("campaign_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def results_margins(campaign_id: int, file: Path) -> None:
    """Replace unit margins from a CSV or XLSX table: unit_code, variable, category, share (all rows or none)."""
    from .services.campaigns import get_campaign
    from .services.margins import parse_margins_file, set_margins

    with transaction():
        margins = set_margins(cli_actor(), get_campaign(campaign_id), parse_margins_file(file.name, file.read_bytes()))
    click.echo(f"margins stored for {len(margins)} units")


@results_cli.command("compute")
@click.argument("campaign_id", type=int)
@click.option("--publish", is_flag=True, help="Publish the run as the campaign's result.")
def results_compute(campaign_id: int, publish: bool) -> None:
    """Compute a campaign's results from its included answers and store them as a run."""
    from .services.results import compute_results, publish_run

    with transaction():
        run = compute_results(cli_actor(), campaign_id)
        if publish:
            publish_run(cli_actor(), campaign_id, run.id)
    click.echo(f"run {run.id}: {run.input_counts['responses']} answers" + (", published" if publish else ""))
    for unit in run.results["units"]:
        values = "  ".join(
            f"{name} {_number(index['value'])}±{_number(index['se'] and 1.96 * index['se'])}"
            for name, index in unit["indices"].items()
        )
        click.echo(f"  {unit['unit_code']:<8} n={unit['n']:<6} {values}  points {_number(unit['points'])}")


@results_cli.command("verify")
@click.argument("campaign_id", type=int)
@click.argument("run_id", type=int)
def results_verify(campaign_id: int, run_id: int) -> None:
    """Recompute a run from its frozen rules and margins; exit 1 unless every number is identical."""
    from .services.results import verify_run

    with transaction():
        check = verify_run(campaign_id, run_id)
    if not check["identical"]:
        reason = "the counted answers changed" if not check["same_inputs"] else "the numbers differ"
        raise click.ClickException(f"run {run_id} does not recompute identically: {reason}")
    click.echo(f"run {run_id} recomputes to identical numbers")


@results_cli.command("export")
@click.argument("campaign_id", type=int)
@click.option("--what", type=click.Choice(["responses", "results"]), default="responses", show_default=True)
@click.option("--format", "file_format", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("--headers", "header_style", type=click.Choice(["keys", "zh"]), default="keys", show_default=True)
@click.option("--labels", is_flag=True, help="Responses: add the chosen option's label after each choice column.")
@click.option("--run", "run_id", type=int, default=None, help="Results: the result run id (default: the latest).")
@click.option("--table", type=click.Choice(list(RESULT_TABLES)), default="indices", show_default=True)
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


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
