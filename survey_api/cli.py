"""The `survey-api` command group: each command parses its arguments and calls one service."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from .domain.campaigns import CampaignState
from .domain.forms import FormDefinitionError
from .domain.identity import IdentityMode
from .errors import AppError
from .extensions import db


def cli_actor():
    """Commands are recorded in the audit trail under the operating-system user who ran them."""
    import getpass

    from .services.audit import Actor

    return Actor(user_id=None, name=f"cli:{getpass.getuser()}"[:64], role="system", via="cli")


@contextmanager
def transaction() -> Iterator[None]:
    """Run a command's services in one transaction; turn catalogue errors into a clear message and exit code 1."""
    try:
        yield
        db.session.commit()
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} [{error.code}]" + (f" {error.details}" if error.details else ""))
    except BaseException:
        db.session.rollback()
        raise


def _datetime(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise click.BadParameter("give a timezone, e.g. 2026-12-01T08:00:00+08:00")
    return parsed


forms_cli = click.Group("forms", help="Questionnaire files in forms/.")
units_cli = click.Group("units", help="Evaluated units.")
campaigns_cli = click.Group("campaigns", help="Survey campaigns.")
demo_cli = click.Group("demo", help="Demo data.")


@forms_cli.command("check")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None)
def forms_check(directory: Path | None) -> None:
    """Validate every form file; name the file, question and field of each problem."""
    from .services.forms_catalogue import check_forms

    directory = directory or Path(current_app.config["FORMS_DIR"])
    outcome = check_forms(directory)
    failed = False
    for path, result in outcome.items():
        if isinstance(result, FormDefinitionError):
            failed = True
            for problem in result.problems:
                click.echo(f"ERROR {problem}", err=True)
        else:
            click.echo(f"ok    {path.name}: {result.title} ({len(result.questions)} questions)")
    if not outcome:
        raise click.ClickException(f"no form files in {directory}")
    if failed:
        sys.exit(1)


@units_cli.command("create")
@click.argument("code")
@click.argument("name")
@click.argument("category")
@click.option("--parent-area", default=None)
def units_create(code: str, name: str, category: str, parent_area: str | None) -> None:
    """Add a unit."""
    from .services.units import create_unit

    with transaction():
        unit = create_unit(cli_actor(), code.strip(), name.strip(), category.strip(), parent_area)
    click.echo(f"created unit {unit.code} {unit.name}")


@units_cli.command("list")
def units_list() -> None:
    """List units."""
    from .services.units import list_units

    for unit in list_units():
        click.echo(f"{unit.code}\t{unit.name}\t{unit.category}\t{unit.parent_area or ''}")


@campaigns_cli.command("create")
@click.option("--title", required=True)
@click.option("--period", required=True)
@click.option("--form", "form_keys", multiple=True, required=True, help="A questionnaire key; repeat for several.")
@click.option("--unit", "unit_codes", multiple=True, help="A unit code; repeat for several.")
@click.option("--all-units", is_flag=True, help="Include every unit.")
@click.option("--opens-at", default=None, help="ISO time with zone")
@click.option("--closes-at", default=None, help="ISO time with zone")
@click.option("--series", default=None, help="Campaigns of one series are compared in results.")
@click.option("--rules", "rule_set_key", default="default", show_default=True, help="A scoring rule file in rules/.")
@click.option(
    "--identity-mode",
    type=click.Choice([m.value for m in IdentityMode]),
    default=IdentityMode.DEVICE.value,
    show_default=True,
    help="How a second answer from one respondent is recognised.",
)
@click.option("--allow-replacement", is_flag=True, help="Respondents may replace their answer while it is open.")
def campaigns_create(
    title,
    period,
    form_keys,
    unit_codes,
    all_units,
    opens_at,
    closes_at,
    series,
    rule_set_key,
    identity_mode,
    allow_replacement,
) -> None:
    """Create a draft campaign."""
    from .services.campaigns import NewCampaign, create_campaign
    from .services.units import list_units

    with transaction():
        codes = [u.code for u in list_units()] if all_units else list(unit_codes)
        if not codes:
            raise click.UsageError("name units with --unit or use --all-units")
        campaign = create_campaign(
            cli_actor(),
            NewCampaign(
                title=title,
                period=period,
                form_keys=list(form_keys),
                unit_codes=codes,
                opens_at=_datetime(opens_at),
                closes_at=_datetime(closes_at),
                series=series,
                rule_set_key=rule_set_key,
                identity_mode=IdentityMode(identity_mode),
                allow_replacement=allow_replacement,
            ),
        )
    click.echo(f"created campaign {campaign.id} ({campaign.state.value}) with {len(campaign.links)} units")


@campaigns_cli.command("list")
def campaigns_list() -> None:
    """List campaigns."""
    from .services.campaigns import list_campaigns

    for campaign in list_campaigns():
        click.echo(
            f"{campaign.id}\t{campaign.state.value}\t{campaign.identity_mode.value}\t{campaign.period}\t{campaign.title}"
        )


def _transition_command(name: str, target: CampaignState) -> None:
    @campaigns_cli.command(name, help=f"Move a campaign to {target.value}.")
    @click.argument("campaign_id", type=int)
    def command(campaign_id: int) -> None:
        from .services.campaigns import transition

        with transaction():
            campaign = transition(cli_actor(), campaign_id, target)
        click.echo(f"campaign {campaign.id} is {campaign.state.value}")


_transition_command("open", CampaignState.OPEN)
_transition_command("close", CampaignState.CLOSED)


@campaigns_cli.command("links")
@click.argument("campaign_id", type=int)
def campaigns_links(campaign_id: int) -> None:
    """Print each unit's public URL."""
    from .services.campaigns import get_campaign

    with transaction():
        _print_links(get_campaign(campaign_id))


@campaigns_cli.command("posters")
@click.argument("campaign_id", type=int)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def campaigns_posters(campaign_id: int, out: Path) -> None:
    """Write every unit's A4 poster to one PDF."""
    from .services.campaign_files import campaign_posters
    from .services.campaigns import get_campaign

    with transaction():
        campaign = get_campaign(campaign_id)
        pack = campaign_posters(campaign)
        count = len(campaign.links)
    out.write_bytes(pack.body)
    click.echo(f"wrote {count} posters to {out}")


@campaigns_cli.command("invite")
@click.argument("campaign_id", type=int)
@click.argument("unit_code")
@click.option("--count", type=int, required=True, help="How many one-time codes to create.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV file to write.")
def campaigns_invite(campaign_id: int, unit_code: str, count: int, out: Path) -> None:
    """Create one-time invitation codes for a unit; they are written once to a CSV for printing."""
    import csv

    from .services.invitations import create_invitations

    with transaction():
        issued = create_invitations(cli_actor(), campaign_id, unit_code, count)
        with out.open("w", newline="", encoding="utf-8-sig") as target:
            writer = csv.writer(target)
            writer.writerow(["unit_code", "code", "url"])
            writer.writerows((i.unit_code, i.code, i.url) for i in issued)
    click.echo(f"wrote {len(issued)} invitation codes to {out}; only their hashes are stored, keep this file safe")


def _print_links(campaign) -> None:
    from .services.links import campaign_links, public_url

    click.echo(f"{campaign.title} ({campaign.state.value})")
    for link in campaign_links(campaign):
        click.echo(f"  {link.unit.code}  {link.unit.name:<12}  {public_url(link.link_token)}")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the demo district (idempotent) and print each unit's public URL."""
    from .services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo

    with transaction():
        campaign = load_demo(cli_actor())
        _print_links(campaign)
    click.echo(f"\nDemo accounts (password {DEMO_PASSWORD}), console at /console/login:")
    for username, display_name, role, unit_code in DEMO_ACCOUNTS:
        click.echo(f"  {username:<10} {role.value:<12} {display_name}" + (f" ({unit_code})" if unit_code else ""))


@demo_cli.command("answers")
@click.option("--per-unit", default=250, show_default=True, help="Simulated answers per unit.")
def demo_answers(per_unit: int) -> None:
    """Add simulated paper answers to the demo campaign (idempotent), so its results can be computed."""
    from .services.demo import load_demo
    from .services.demo_answers import simulate_answers

    with transaction():
        campaign = load_demo(cli_actor())
        inserted = simulate_answers(cli_actor(), campaign, per_unit)
    click.echo(f"{inserted} simulated answers added; compute results with: survey-api results compute {campaign.id}")
    click.echo("then publish them (--publish) and compute the demo assessment period: survey-api periods list")


def register_cli(app: Flask) -> None:
    from .cli_accounts import tokens_cli, users_cli
    from .cli_households import households_cli
    from .cli_periods import periods_cli
    from .cli_quality import quality_cli
    from .cli_rectification import outbox_cli, tasks_cli
    from .cli_responses import responses_cli
    from .cli_results import results_cli, rules_cli

    groups = (
        forms_cli,
        units_cli,
        campaigns_cli,
        demo_cli,
        users_cli,
        tokens_cli,
        results_cli,
        rules_cli,
        responses_cli,
        quality_cli,
        periods_cli,
        households_cli,
        tasks_cli,
        outbox_cli,
    )
    for group in groups:
        app.cli.add_command(group)


def main() -> None:
    from . import create_app

    FlaskGroup(create_app=lambda: create_app(), help="survey-api operator commands.")(prog_name="survey-api")
