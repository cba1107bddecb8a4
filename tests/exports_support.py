"""Test data for exports: responses written straight to the table (any status, channel or sample design) and a
result run document of the shape the scoring service stores."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from survey_api.domain.question_types import RATING_MAX, RATING_TOP_BOX_FROM
from survey_api.domain.scoring import index_result
from survey_api.extensions import db
from survey_api.models import Campaign, Channel, Response, ResponseStatus, ResultRun, RuleSetVersion
from survey_api.services.campaigns import campaign_definitions

from .factories import store_response

SUBMITTED = datetime(2026, 3, 1, 2, 30, tzinfo=timezone.utc)  # 10:30 in Asia/Shanghai


def add_response(
    campaign: Campaign,
    answers: dict,
    unit_index: int = 0,
    status: ResponseStatus = ResponseStatus.INCLUDED,
    channel: Channel = Channel.QR,
    **fields,
) -> Response:
    """A stored response at a fixed time (so exported times can be checked), otherwise as the factory makes it."""
    fields.setdefault("submitted_at", SUBMITTED)
    return store_response(campaign, unit_index, answers, status=status, channel=channel, **fields)


def add_run(campaign: Campaign, results: dict) -> ResultRun:
    rules = db.session.query(RuleSetVersion).filter_by(key="export-test").one_or_none()
    if rules is None:
        rules = RuleSetVersion(key="export-test", version=1, title="t", checksum="0" * 64, document={})
        db.session.add(rules)
        db.session.flush()
    run = ResultRun(
        campaign_id=campaign.id,
        rule_set_version_id=rules.id,
        rules_snapshot={},
        margins_snapshot={},
        input_counts={},
        inputs_digest="0" * 64,
        results=results,
        computed_at=SUBMITTED,
    )
    db.session.add(run)
    db.session.flush()
    return run


def _estimate(e) -> dict:
    return {
        "value": e.value,
        "n": e.n,
        "n_effective": e.n_effective,
        "se": e.se,
        "ci_low": e.ci_low,
        "ci_high": e.ci_high,
    }


def score_units(campaign: Campaign, rows: list[dict], min_n: int = 1) -> dict:
    """A result document computed with the domain rules from response rows {unit_code, unit_name, status, weight,
    "form.question": option key}: a small stand-in for the scoring service, used both to build a run and to
    recompute it from an exported file."""
    forms = [f for f in campaign_definitions(campaign) if f.index]
    units = []
    for link in campaign.links:
        counted = [r for r in rows if r["unit_code"] == link.unit.code and r["status"] == "included"]
        weights = np.array([float(r["weight"]) if r.get("weight") not in (None, "") else 1.0 for r in counted])
        indices = {}
        for form in forms:
            questions = form.scored_questions
            scores = np.full((len(counted), len(questions)), np.nan)
            top = np.full_like(scores, np.nan)
            answered = np.zeros(scores.shape, dtype=bool)
            for i, row in enumerate(counted):
                for j, q in enumerate(questions):
                    key = row.get(f"{form.key}.{q.key}")
                    if q.type == "rating" and key not in (None, ""):
                        answered[i, j] = True
                        scores[i, j] = int(key) * 100 / RATING_MAX
                        top[i, j] = 1.0 if int(key) >= RATING_TOP_BOX_FROM else 0.0
                        continue
                    option = q.option(key) if key not in (None, "") else None
                    if option is None:
                        continue
                    answered[i, j] = True
                    if option.score is not None:
                        scores[i, j] = option.score
                        top[i, j] = 1.0 if option.key in q.top_box else 0.0
            result = index_result(scores, top, answered, weights, np.array([q.weight for q in questions]), min_n)
            indices[form.index] = {
                "value": result.value,
                "rate": result.rate,
                **{k: v for k, v in _estimate(result.respondent_scores).items() if k != "value"},
                "sufficient": result.is_sufficient,
                "questions": [
                    {
                        "form": form.key,
                        "question": q.key,
                        "text": q.text,
                        "score": _estimate(item.score),
                        "top_box_rate": _estimate(item.top_box_rate),
                        "dont_know_share": item.dont_know_share,
                    }
                    for q, item in zip(questions, result.items)
                ],
            }
        units.append(
            {
                "unit_id": link.unit_id,
                "unit_code": link.unit.code,
                "unit_name": link.unit.name,
                "category": link.unit.category,
                "n": len(counted),
                "cell_weights": [],
                "indices": indices,
                "composite": None,
                "points": None,
                "rank_in_category": None,
                "gate": {"passed": None, "threshold": 60},
            }
        )
    return {
        "campaign": {"id": campaign.id, "title": campaign.title, "period": campaign.period},
        "indices": [f.index for f in forms],
        "weighting_variables": [],
        "units": units,
        "categories": [],
    }
