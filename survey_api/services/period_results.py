"""Computing, publishing and correcting a period's results. Each computation is a revision that keeps the frozen
rule set and inputs next to its numbers; publishing locks the period; a correction reopens it with a reason and
its next revision shows what changed from the last published one. Recomputing a revision from its own snapshot
gives identical numbers."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..domain.revision_diff import revision_changes, unit_deduction_items
from ..domain.unit_results import compute_period
from ..errors import AppError
from ..extensions import db
from ..models import AssessmentPeriod, PeriodRevision, PeriodState
from .audit import Actor, record
from .clock import utcnow
from .period_labels import component_label
from .period_sources import gather_inputs, unit_inputs
from .period_tasks import tasks_from_published_revision
from .periods import check_period_rules, ensure_editable


def digest(rules: dict[str, Any], inputs: dict[str, Any]) -> str:
    """A fingerprint of the rule set and inputs: a revision over other rules or inputs has another one."""
    text = json.dumps({"rules": rules, "inputs": inputs}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def results_of(rules_document: dict[str, Any], inputs: dict[str, Any]) -> dict[str, Any]:
    """The results document computed from a rule set and an inputs snapshot."""
    rules = check_period_rules(rules_document)
    return compute_period(rules, unit_inputs(inputs))


def compute_revision(actor: Actor, period: AssessmentPeriod) -> PeriodRevision:
    """Compute the period's results now from its rules and current inputs, and store them as a new revision."""
    ensure_editable(period)
    if not period.units:
        raise AppError("period.no_units")
    rules = copy.deepcopy(period.rules)
    inputs = gather_inputs(period)
    results = results_of(rules, inputs)
    previous = last_published(period.id)
    number = (
        db.session.scalar(select(func.max(PeriodRevision.number)).where(PeriodRevision.period_id == period.id)) or 0
    ) + 1
    revision = PeriodRevision(
        period_id=period.id,
        number=number,
        reason=period.correction_reason if period.state is PeriodState.CORRECTING else None,
        rules_snapshot=rules,
        inputs_snapshot=inputs,
        inputs_digest=digest(rules, inputs),
        results=results,
        changes=revision_changes(previous.results, results) if previous else None,
        computed_at=utcnow(),
        computed_by=actor.user_id,
    )
    db.session.add(revision)
    db.session.flush()
    incomplete = [u["unit_code"] for u in results["units"] if not u["complete"]]
    record(
        actor,
        "period.compute",
        "period_revision",
        revision.id,
        {"period": period.id, "number": number, "incomplete": incomplete},
    )
    return revision


def publish_revision(actor: Actor, period: AssessmentPeriod, number: int) -> PeriodRevision:
    """Publish a revision and lock the period; refused when rules or inputs changed since it was computed."""
    revision = get_revision(period.id, number)
    if revision.published_at is not None:
        return revision
    ensure_editable(period)
    if digest(period.rules, gather_inputs(period)) != revision.inputs_digest:
        raise AppError("period.stale")
    revision.published_at = utcnow()
    period.state = PeriodState.PUBLISHED
    period.correction_reason = None
    tasks_from_published_revision(actor, period, revision)
    record(
        actor,
        "period.publish",
        "period_revision",
        revision.id,
        {"period": period.id, "number": number, "reason": revision.reason},
    )
    return revision


def open_correction(actor: Actor, period: AssessmentPeriod, reason: str) -> AssessmentPeriod:
    """Reopen a published period for a correction; the reason is kept on the next revision and in the audit."""
    if period.state is not PeriodState.PUBLISHED:
        raise AppError("period.not_published")
    if not (reason or "").strip():
        raise AppError("period.reason_required")
    period.state = PeriodState.CORRECTING
    period.correction_reason = reason.strip()
    record(actor, "period.correct", "assessment_period", period.id, {"reason": period.correction_reason})
    return period


def get_revision(period_id: int, number: int | None = None) -> PeriodRevision:
    """A revision by number, or the latest one."""
    query = select(PeriodRevision).where(PeriodRevision.period_id == period_id)
    query = query.where(PeriodRevision.number == number) if number is not None else query
    revision = db.session.scalar(query.order_by(PeriodRevision.number.desc()).limit(1))
    if revision is None:
        raise AppError("period.revision_not_found" if number is not None else "period.not_computed")
    return revision


def last_published(period_id: int) -> PeriodRevision | None:
    query = select(PeriodRevision).where(
        PeriodRevision.period_id == period_id, PeriodRevision.published_at.is_not(None)
    )
    return db.session.scalar(query.order_by(PeriodRevision.number.desc()).limit(1))


def list_revisions(period_id: int) -> list[PeriodRevision]:
    query = select(PeriodRevision).where(PeriodRevision.period_id == period_id)
    return list(db.session.scalars(query.order_by(PeriodRevision.number.desc())))


def verify_revision(period_id: int, number: int) -> dict[str, Any]:
    """Recompute a revision from its own frozen rules and inputs: are all its numbers identical?"""
    revision = get_revision(period_id, number)
    again = results_of(revision.rules_snapshot, revision.inputs_snapshot)
    return {"number": revision.number, "identical": again == revision.results}


def visible_revision(period_id: int, own_unit_id: int | None, number: int | None = None) -> PeriodRevision:
    """The revision a reader may see: a unit user only ever sees the last published one."""
    if own_unit_id is None:
        return get_revision(period_id, number)
    revision = last_published(period_id)
    if revision is None or (number is not None and number != revision.number):
        raise AppError("period.not_computed" if revision is None else "period.revision_not_found")
    return revision


def visible_results(revision: PeriodRevision, own_unit_id: int | None) -> dict[str, Any]:
    """The results a reader may see: a unit user gets its own unit's entry and its category's size only."""
    if own_unit_id is None:
        return revision.results
    units = [u for u in revision.results["units"] if u["unit_id"] == own_unit_id]
    categories = [
        {k: c[k] for k in ("category", "units", "ranked", "quota_slots")}
        for c in revision.results["categories"]
        if units and c["category"] == units[0]["category"]
    ]
    return {"units": units, "categories": categories}


def revision_summary(revision: PeriodRevision, own_unit_id: int | None) -> dict[str, Any]:
    """A revision's number, reason, times and changes; a unit user sees the changes of its own unit only."""
    changes = revision.changes
    if own_unit_id is not None and changes is not None:
        changes = [c for c in changes if c["unit_id"] == own_unit_id]
    return {
        "number": revision.number,
        "reason": revision.reason,
        "inputs_digest": revision.inputs_digest,
        "computed_at": revision.computed_at,
        "published_at": revision.published_at,
        "changes": changes,
    }


def deduction_items(revision: PeriodRevision) -> dict[int, list[dict[str, Any]]]:
    """Each unit's deduction items (扣分项) in this revision: kind (deduction, veto, gate or component), a reason
    text, the points lost and the code and parameters behind the text. For the rectification tasks."""
    return {
        unit["unit_id"]: [{**item, "reason": item["reason"] or item_text(item)} for item in unit_deduction_items(unit)]
        for unit in revision.results["units"]
    }


def item_text(item: dict[str, Any]) -> str:
    """A deduction item's reason in the current language, for items whose reason is computed, not entered."""
    params = item["params"]
    if item["kind"] == "gate":
        return _(
            "Satisfaction below the gate of %(threshold)s: the %(component)s component counts as zero.",
            threshold=params["threshold"],
            component=component_label(params["component"]),
        )
    return _(
        "The %(component)s component scored %(value).2f of 100.",
        component=component_label(params["component"]),
        value=params["value"],
    )
