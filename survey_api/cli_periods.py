"""`survey-api periods …`: computing, publishing, verifying and exporting an assessment period's unit results."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import cli_actor, transaction

periods_cli = click.Group("periods", help="Assessment periods: unit results, ranks and grades.")


@periods_cli.command("list")
def periods_list() -> None:
    """Every period with its state."""
    from .services.periods import list_periods

    with transaction():
        for period in list_periods():
            click.echo(f"{period.id:>4}  {period.state.value:<10}  {period.kind:<8}  {period.title}")


@periods_cli.command("compute")
@click.argument("period_id", type=int)
@click.option("--publish", is_flag=True, help="Publish the new revision and lock the period.")
def periods_compute(period_id: int, publish: bool) -> None:
    """Compute the period's results now as a new revision and print the ranking per category."""
    from .services.period_labels import explain
    from .services.period_results import compute_revision, publish_revision
    from .services.periods import get_period

    with transaction():
        period = get_period(period_id)
        revision = compute_revision(cli_actor(), period)
        if publish:
            publish_revision(cli_actor(), period, revision.number)
        click.echo(f"revision {revision.number}" + (" published" if publish else ""))
        for unit in revision.results["units"]:
            score = "—" if unit["score"] is None else f"{unit['score']:.2f}"
            why = " ".join(explain(w) for w in unit["why"] if not w["code"].startswith("grade.band"))
            click.echo(
                f"  {unit['category']:<8} {unit['rank'] or '—':>3} {unit['unit_code']:<8} {score:>7} "
                f"{unit['grade'] or '—':<10} {why}"
            )


@periods_cli.command("publish")
@click.argument("period_id", type=int)
@click.argument("number", type=int)
def periods_publish(period_id: int, number: int) -> None:
    """Publish a revision and lock the period."""
    from .services.period_results import publish_revision
    from .services.periods import get_period

    with transaction():
        publish_revision(cli_actor(), get_period(period_id), number)
    click.echo(f"revision {number} published; the period is locked")


@periods_cli.command("verify")
@click.argument("period_id", type=int)
@click.argument("number", type=int)
def periods_verify(period_id: int, number: int) -> None:
    """Recompute a revision from its frozen rules and inputs and say whether every number is identical."""
    from .services.period_results import verify_revision

    with transaction():
        check = verify_revision(period_id, number)
    click.echo("identical" if check["identical"] else "DIFFERENT")
    if not check["identical"]:
        raise SystemExit(1)


@periods_cli.command("export")
@click.argument("period_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--revision", "number", type=int, default=None, help="The revision number (default: the latest).")
def periods_export(period_id: int, file: Path, number: int | None) -> None:
    """Write the ranking as XLSX or PDF (by the file's extension)."""
    from .services.period_files import FILE_FORMATS, results_file
    from .services.period_results import get_revision
    from .services.periods import get_period

    file_format = file.suffix.lstrip(".").lower()
    if file_format not in FILE_FORMATS:
        raise click.BadParameter(f"the file must end in one of {sorted(FILE_FORMATS)}")
    with transaction():
        body = results_file(get_period(period_id), get_revision(period_id, number), None, file_format)
    file.write_bytes(body.body)
    click.echo(f"written {file}")
