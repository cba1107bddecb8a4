"""`survey-api quality …`: the sweep that decides the duplicate and burst rules, and a campaign's thresholds."""

from __future__ import annotations

import json

import click

from .cli import cli_actor, transaction

quality_cli = click.Group("quality", help="Quality flags: the sweep and each campaign's thresholds.")


@quality_cli.command("sweep")
@click.argument("campaign_id", type=int, required=False)
def quality_sweep(campaign_id: int | None) -> None:
    """Flag duplicate answers and bursts in one campaign, or in every open campaign (idempotent: run it from a
    timer every few minutes)."""
    from .services.campaigns import get_campaign
    from .services.clock import utcnow
    from .services.quality import sweep_all

    with transaction():
        campaigns = [get_campaign(campaign_id)] if campaign_id is not None else None
        reports = sweep_all(utcnow(), campaigns)
    for report in reports:
        click.echo(
            f"campaign {report.campaign_id}: {report.examined} answers examined, {report.new_flags} new flags, "
            f"{report.put_under_review} put under review"
        )
    if not reports:
        click.echo("no open campaign")


@quality_cli.command("rules")
@click.argument("campaign_id", type=int)
@click.option("--set", "settings", multiple=True, metavar="NAME=VALUE", help="Change one threshold (repeatable).")
def quality_rules(campaign_id: int, settings: tuple[str, ...]) -> None:
    """Show a campaign's thresholds, or change some with --set min_seconds=60 --set burst_min_count=40."""
    from .services.campaigns import get_campaign
    from .services.quality import set_rules, stored_rules

    document = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        try:
            document[name.strip()] = json.loads(value)
        except ValueError:
            raise click.BadParameter(f"{setting}: use NAME=VALUE with a number, true, false or null") from None
    with transaction():
        campaign = get_campaign(campaign_id)
        rules = set_rules(cli_actor(), campaign, document) if document else stored_rules(campaign)
    for name, value in rules.document().items():
        click.echo(f"{name:<32} {value}")
