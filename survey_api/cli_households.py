"""`survey-api households …`: the household survey from the command line (frame import, sample draw, batch
assignment, supervision summary), and `survey-api demo households` for the demo's household survey."""

from __future__ import annotations

from pathlib import Path

import click

from .cli import cli_actor, demo_cli, transaction
from .domain.sampling import Allocation, SizeTarget

households_cli = click.Group("households", help="Household survey: frame, sample, assignments, progress.")


@households_cli.command("import-frame")
@click.argument("campaign_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_frame_command(campaign_id: int, file: Path) -> None:
    """Import a sampling frame (CSV or XLSX): all rows or none, every problem listed by row."""
    from .services.household_frame import import_frame

    with transaction():
        report = import_frame(cli_actor(), campaign_id, file.name, file.read_bytes())
        if report.is_rejected:
            for row in report.problems:
                for problem in row.problems:
                    click.echo(f"row {row.row}, {problem['column']}: {problem['message']}", err=True)
            raise click.ClickException(f"{len(report.problems)} rows have problems; nothing was imported")
    click.echo(f"{report.imported} households imported")


@households_cli.command("draw")
@click.argument("campaign_id", type=int)
@click.argument("unit_codes", nargs=-1, required=True)
@click.option("--margin", default=3.4, show_default=True, help="Half-width of the 95% interval, in points.")
@click.option("--sigma", default=20.0, show_default=True)
@click.option("--design-effect", default=1.5, show_default=True)
@click.option("--response-rate", default=0.8, show_default=True)
@click.option("--allocation", type=click.Choice([a.value for a in Allocation]), default="proportional")
@click.option("--reserve-share", default=0.5, show_default=True)
@click.option("--max-visits", default=3, show_default=True)
@click.option("--seed", type=int, default=None, help="Default: a random seed, recorded and printed.")
def draw_command(campaign_id: int, unit_codes: tuple[str, ...], **options) -> None:
    """Draw the sample of each unit named (its seed is recorded)."""
    from .services.household_sample import DesignRequest, draw_sample

    target = SizeTarget(
        sigma=options["sigma"],
        margin=options["margin"],
        design_effect=options["design_effect"],
        response_rate=options["response_rate"],
    )
    with transaction():
        for code in unit_codes:
            design = draw_sample(
                cli_actor(),
                campaign_id,
                DesignRequest(
                    code,
                    target,
                    Allocation(options["allocation"]),
                    options["reserve_share"],
                    options["max_visits"],
                    options["seed"],
                ),
            )
            click.echo(
                f"{code}: frame {design.frame_size}, {design.interviews_needed} interviews needed, "
                f"{design.released} released, seed {design.seed}"
            )


@households_cli.command("assign")
@click.argument("campaign_id", type=int)
@click.argument("enumerators", nargs=-1, required=True)
@click.option("--unit", "unit_code", default=None, help="Only this unit's households.")
def assign_command(campaign_id: int, enumerators: tuple[str, ...], unit_code: str | None) -> None:
    """Share the unassigned released households among the enumerators, in batches by community."""
    from .services.fieldwork import assign_in_batches
    from .services.household_sample import campaign_unit

    with transaction():
        unit_id = campaign_unit(campaign_id, unit_code).id if unit_code else None
        counts = assign_in_batches(cli_actor(), campaign_id, unit_id, list(enumerators))
    for name, count in counts.items():
        click.echo(f"{name}: {count}")


@households_cli.command("progress")
@click.argument("campaign_id", type=int)
def progress_command(campaign_id: int) -> None:
    """Per unit: released, completed, refused and the AAPOR response rate RR1."""
    from .services.supervision import progress

    for unit in progress(campaign_id):
        rates = unit.rates
        rr1 = "–" if rates.rr1 is None else f"{100 * rates.rr1:.1f}%"
        click.echo(
            f"{unit.label}: frame {unit.frame}, released {unit.released}, completed {rates.completed}, "
            f"refused {rates.refused}, RR1 {rr1}"
        )


@demo_cli.command("households")
@click.option("--frame", "frame_path", type=click.Path(dir_okay=False, path_type=Path), default=None)
@click.option("--count", default=5000, show_default=True, help="Households in the generated frame.")
def demo_households(frame_path: Path | None, count: int) -> None:
    """Create the demo's household-survey campaign and enumerators; write a generated frame CSV to --frame."""
    from .services.demo_households import ENUMERATORS, frame_csv, load_household_demo

    with transaction():
        campaign = load_household_demo(cli_actor())
    click.echo(f"household survey campaign {campaign.id}: {campaign.title}")
    click.echo("enumerators: " + ", ".join(name for name, _ in ENUMERATORS))
    if frame_path is not None:
        frame_path.write_bytes(frame_csv(count))
        click.echo(f"frame of {count} households written to {frame_path}")
        click.echo(f"import it with: survey-api households import-frame {campaign.id} {frame_path}")
