"""The household survey's response rates as part of a campaign's results.

Computing results takes each unit's released households by outcome as supervision counts them at that moment, with
RR1, COOP1 and REF1 (domain/fieldwork.py). Like the margins, these counts are a frozen input of the run: fieldwork
goes on after results are computed, so a run (published or not) keeps the rates as they were, verifying it computes
the rates again from its own counts, and a new run takes the visits recorded since. Units without a drawn household
sample, and campaigns that are not household surveys, have no rates (None), never zeros."""

from __future__ import annotations

from typing import Any, Mapping

from ..domain.fieldwork import counts_of_summary, rates_summary
from ..domain.identity import IdentityMode
from ..models import Campaign
from .supervision import progress

UnitRates = dict[int, dict[str, Any]]  # unit id → rates_summary


def current_rates(campaign: Campaign) -> UnitRates:
    """Each unit's fieldwork outcomes and rates now, for the units whose household sample has been drawn."""
    if campaign.identity_mode is not IdentityMode.HOUSEHOLD:
        return {}
    return {unit.unit_id: rates_summary(unit.counts) for unit in progress(campaign.id) if unit.counts}


def frozen_rates(results: Mapping[str, Any]) -> UnitRates:
    """The rates computed again from the outcome counts a result run holds."""
    return {
        unit["unit_id"]: rates_summary(counts_of_summary(unit["fieldwork"]))
        for unit in results.get("units") or []
        if unit.get("fieldwork")
    }
