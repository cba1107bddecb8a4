"""Campaign results: every unit's three indices with their precision, the 民评 composite and points, category
averages, each unit's weakest questions and the change since the previous campaign of the series.

Computing results stores a run holding the rules, the margins, the household survey's outcome counts and a
fingerprint of the counted responses next to the numbers; recomputing a run from its own snapshot over unchanged
data gives identical numbers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select

from ..domain.estimates import Estimate
from ..domain.rules import RuleSet
from ..domain.scoring import GroupedAnswers, IndexResult, grouped_index_results
from ..domain.unit_ranking import category_averages, rank_units, weakest_questions
from ..errors import AppError
from ..extensions import db
from ..models import Campaign, ResultRun, RuleSetVersion
from .audit import Actor, record
from .campaigns import campaign_definitions, get_campaign
from .clock import utcnow
from .margins import Margins, margins_of, weighting_questions
from .rectification import tasks_from_published_run
from .result_fieldwork import UnitRates, current_rates, frozen_rates
from .result_history import previous_comparison
from .result_weights import cell_weights, unit_weights
from .results_query import GroupRows, ScoredItem, aggregate, scored_items
from .rule_sets import check_rules, rules_of, store_rules_file

DIGITS = 9  # stored precision: far below any reported figure, and above the noise of summation order


@dataclass(frozen=True)
class Computed:
    document: dict[str, Any]
    input_counts: dict[str, Any]
    inputs_digest: str


def compute_results(actor: Actor, campaign_id: int) -> ResultRun:
    """Compute the campaign's results now and store them as a new run."""
    campaign = get_campaign(campaign_id)
    if campaign.rule_set_version_id is None:  # campaigns created before rule sets existed get the default
        campaign.rule_set_version_id = store_rules_file(actor).id
    rule_version = db.session.get(RuleSetVersion, campaign.rule_set_version_id)
    rules = rules_of(rule_version)
    margins = margins_of(campaign.id) if rules.weighting == "raking" else {}
    computed = compute(campaign, rules, margins, current_rates(campaign))
    run = ResultRun(
        campaign_id=campaign.id,
        rule_set_version_id=rule_version.id,
        rules_snapshot=rule_version.document,
        margins_snapshot={str(unit): shares for unit, shares in margins.items()},
        input_counts=computed.input_counts,
        inputs_digest=computed.inputs_digest,
        results=computed.document,
        computed_at=utcnow(),
        computed_by=actor.user_id,
    )
    db.session.add(run)
    db.session.flush()
    record(
        actor,
        "results.compute",
        "result_run",
        run.id,
        {"campaign": campaign.id, "rules": f"{rule_version.key} v{rule_version.version}", **computed.input_counts},
    )
    return run


def recompute(run: ResultRun) -> Computed:
    """The run computed again from its own frozen rules, margins and fieldwork counts over the responses counted
    now."""
    rules = check_rules(run.rules_snapshot, f"run {run.id}")
    margins = {int(unit): shares for unit, shares in run.margins_snapshot.items()}
    return compute(get_campaign(run.campaign_id), rules, margins, frozen_rates(run.results))


def compute(campaign: Campaign, rules: RuleSet, margins: Margins, fieldwork: UnitRates | None = None) -> Computed:
    """Every number of a campaign's results, from the included responses, the rules, the margins and the household
    survey's outcome counts."""
    definitions = campaign_definitions(campaign)
    items = scored_items(definitions)
    profile = weighting_questions(definitions)
    variables = sorted({v for by_variable in margins.values() for v in by_variable if v in profile})
    rows = aggregate(campaign.id, items, [profile[v][:2] for v in variables])
    if len(rows.unit_id) == 0:
        raise AppError("results.no_responses")
    strata, clusters = _design_codes(rows)
    links = sorted(campaign.links, key=lambda link: link.unit.code)
    parts = [_unit_part(rows, link.unit_id) for link in links]
    domain = np.full(len(rows.unit_id), -1, dtype=np.int64)  # each group's position in `links`
    weights = np.ones(len(rows.unit_id))
    weightings = []
    for position, (link, part) in enumerate(zip(links, parts)):
        domain[part] = position
        weights[part], weighting = unit_weights(rows, part, variables, margins.get(link.unit_id), rules, link.unit.code)
        weightings.append(weighting)
    by_index = {  # every unit's result of each index, from one vectorised computation per index
        name: grouped_index_results(
            _grouped(rows, name, weights, strata, clusters),
            domain,
            len(links),
            np.array([i.weight for i in index_items]),
            rules.min_n,
        )
        for name, index_items in items.items()
    }
    units = []
    fingerprints = []
    for position, (link, part, weighting) in enumerate(zip(links, parts, weightings)):
        indices = {name: _index_document(by_index[name][position], index_items) for name, index_items in items.items()}
        count = int(rows.respondents[part].sum())
        id_sum = sum(s for s, _ in rows.id_sums[part])
        id_squares = sum(q for _, q in rows.id_sums[part])
        fingerprints.append([link.unit_id, count, id_sum, id_squares])
        units.append(
            {
                "unit_id": link.unit_id,
                "unit_code": link.unit.code,
                "unit_name": link.unit.name,
                "category": link.unit.category,
                "n": count,
                "weighting": weighting,
                "cell_weights": cell_weights(rows, part, variables, weights[part]) if weighting else [],
                "indices": indices,
                "weakest_questions": weakest_questions(indices),
                "fieldwork": (fieldwork or {}).get(link.unit_id),  # response rates; None without a household sample
            }
        )
    rank_units(units, rules)
    document = {
        "campaign": {"id": campaign.id, "title": campaign.title, "period": campaign.period, "series": campaign.series},
        "indices": list(items),
        "weighting_variables": variables,
        "rules": {"key": rules.key, "title": rules.title, "min_n": rules.min_n},
        "units": units,
        "categories": category_averages(units, list(items)),
        "previous": previous_comparison(campaign, units, list(items)),
    }
    counts = {"responses": int(rows.respondents.sum()), "units": {u["unit_code"]: u["n"] for u in units}}
    digest = hashlib.sha256(json.dumps(fingerprints, separators=(",", ":")).encode()).hexdigest()
    return Computed(_rounded(document), counts, digest)


def _design_codes(rows: GroupRows) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes for strata and for clusters (unique across strata; -1 where no cluster is recorded)."""
    stratum_codes: dict[str | None, int] = {}
    cluster_codes: dict[tuple[str | None, str], int] = {}
    strata = np.array([stratum_codes.setdefault(s, len(stratum_codes)) for s in rows.stratum], dtype=int)
    clusters = np.array(
        [
            -1 if c is None else cluster_codes.setdefault((s, c), len(cluster_codes))
            for s, c in zip(rows.stratum, rows.cluster)
        ],
        dtype=int,
    )
    return strata, clusters


def _unit_part(rows: GroupRows, unit_id: int) -> slice:
    start, stop = np.searchsorted(rows.unit_id, [unit_id, unit_id + 1])
    return slice(int(start), int(stop))


def _grouped(rows: GroupRows, name: str, weights, strata, clusters) -> GroupedAnswers:
    return GroupedAnswers(weight=weights, stratum=strata, cluster=clusters, **rows.index_stats[name])


def _estimate(estimate: Estimate) -> dict[str, Any]:
    return {
        "value": estimate.value,
        "n": estimate.n,
        "n_effective": estimate.n_effective,
        "se": estimate.se,
        "ci_low": estimate.ci_low,
        "ci_high": estimate.ci_high,
    }


def _index_document(result: IndexResult, items: list[ScoredItem]) -> dict[str, Any]:
    low, high = result.interval()
    return {
        "value": result.value,
        "rate": result.rate,
        "n": result.n,
        "n_effective": result.respondent_scores.n_effective,
        "se": result.respondent_scores.se,
        "ci_low": low,
        "ci_high": high,
        "rate_se": result.respondent_rates.se,
        "sufficient": result.is_sufficient,
        "questions": [
            {
                "form": item.form_key,
                "question": item.question.key,
                "text": item.question.text,
                "weight": item.weight,
                "score": _estimate(r.score),
                "top_box_rate": _estimate(r.top_box_rate),
                "dont_know_share": r.dont_know_share,
            }
            for item, r in zip(items, result.items)
        ],
    }


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return None if np.isnan(value) else round(value, DIGITS)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def get_run(campaign_id: int, run_id: int | None = None) -> ResultRun:
    """A run of the campaign by id, or its latest run."""
    get_campaign(campaign_id)
    query = select(ResultRun).where(ResultRun.campaign_id == campaign_id)
    if run_id is not None:
        run = db.session.scalar(query.where(ResultRun.id == run_id))
        if run is None:
            raise AppError("results.run_not_found")
        return run
    run = latest_run(campaign_id)
    if run is None:
        raise AppError("results.not_found")
    return run


def latest_run(campaign_id: int) -> ResultRun | None:
    """The most recently computed run of a campaign, or None."""
    query = select(ResultRun).where(ResultRun.campaign_id == campaign_id).order_by(ResultRun.id.desc()).limit(1)
    return db.session.scalar(query)


def list_runs(campaign_id: int) -> list[ResultRun]:
    get_campaign(campaign_id)
    return list(
        db.session.scalars(select(ResultRun).where(ResultRun.campaign_id == campaign_id).order_by(ResultRun.id.desc()))
    )


def publish_run(actor: Actor, campaign_id: int, run_id: int) -> ResultRun:
    """Mark a run as the campaign's published result, with a rectification task per unit's 扣分项; publishing
    again changes nothing (and never duplicates a task)."""
    run = get_run(campaign_id, run_id)
    if run.published_at is None:
        run.published_at = utcnow()
        record(actor, "results.publish", "result_run", run.id, {"campaign": campaign_id})
        tasks_from_published_run(actor, run)
    return run


def verify_run(campaign_id: int, run_id: int) -> dict[str, Any]:
    """Recompute a run from its snapshot and say whether the inputs and every number are unchanged."""
    run = get_run(campaign_id, run_id)
    again = recompute(run)
    same_inputs = again.inputs_digest == run.inputs_digest
    return {
        "run_id": run.id,
        "same_inputs": same_inputs,
        "identical": same_inputs and _comparable(again.document) == _comparable(run.results),
        "input_counts": {"stored": run.input_counts, "now": again.input_counts},
    }


def _comparable(document: dict[str, Any]) -> dict[str, Any]:
    """A results document without what legitimately changes later (the comparison with other campaigns); a unit
    without rates compares the same whether its run predates them (no key) or not (None)."""
    units = [
        {k: v for k, v in u.items() if k != "change" and not (k == "fieldwork" and v is None)}
        for u in document["units"]
    ]
    return {**{k: v for k, v in document.items() if k != "previous"}, "units": units}
