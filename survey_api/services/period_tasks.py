"""Assessment periods as a source of 扣分项 (DOMAIN.md §5 step 12): publishing a revision opens a rectification
task per deduction, veto and failed gate of each unit, and every unit's feedback report lists the items of its
latest published period, components that fell short of full marks included."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..domain.rectification import DeductionItem
from ..extensions import db
from ..models import AssessmentPeriod, PeriodRevision, PeriodUnit, RectificationTask
from .audit import Actor
from .feedback import register_deduction_provider
from .rectification import create_tasks_from_items

# Kinds that call for rectification; a component below full marks is shown in the report but is no task of its
# own (its causes are the survey's weak questions and the entered deductions, which have tasks).
TASK_KINDS = frozenset({"deduction", "veto", "gate"})

# Task titles are document text of the district, in Chinese like the printed sheets.
COMPONENT_NAMES_ZH = {
    "performance": "绩效考核",
    "team_evaluation": "班子民主测评",
    "leader_evaluation": "领导评价",
    "opinion_survey": "民意调查",
    "public_eval": "民评",
    "party_building": "党建",
}


def period_item(period_id: int, item: dict[str, Any]) -> DeductionItem:
    """One deduction item of a revision (services.period_results.deduction_items) as a 扣分项 whose key stays the
    same in every revision of the period, so a corrected revision opens no second task for the same item."""
    kind, params = item["kind"], item.get("params") or {}
    component = COMPONENT_NAMES_ZH.get(params.get("component", ""), params.get("component", ""))
    if kind == "deduction":
        title, subject = f"扣分：{item['reason']}", item["reason"]
    elif kind == "veto":
        title, subject = f"一票否决：{item['reason']}", item["reason"]
    elif kind == "gate":
        title, subject = f"群众满意度未达到要求，{component}不计", params["component"]
    else:
        title, subject = f"{component}得分 {params['value']:.2f}", params["component"]
    return DeductionItem(
        kind=kind,
        key=f"period:{period_id}:{kind}:{subject}"[:200],
        title=title,
        reason=item["reason"] or "",
        points_lost=item.get("points"),
    )


def revision_items(period_id: int, revision: PeriodRevision) -> dict[int, list[DeductionItem]]:
    from .period_results import deduction_items

    return {
        unit_id: [period_item(period_id, item) for item in items]
        for unit_id, items in deduction_items(revision).items()
    }


def tasks_from_published_revision(
    actor: Actor, period: AssessmentPeriod, revision: PeriodRevision
) -> list[RectificationTask]:
    """A task per deduction, veto and failed gate of each unit (source `period:{id}`); publishing a correction
    opens tasks only for items that are new, and a failed gate that already has a task opens none."""
    created = []
    gated = set(db.session.scalars(select(RectificationTask.unit_id).where(RectificationTask.kind == "gate")))
    for unit_id, items in revision_items(period.id, revision).items():
        # One satisfaction problem is one task: a unit whose campaign result already opened a gate task gets no
        # second one from the period's gate.
        wanted = [i for i in items if i.kind in TASK_KINDS and not (i.kind == "gate" and unit_id in gated)]
        created += create_tasks_from_items(
            db.session,
            unit_id=unit_id,
            source_kind="period",
            source_ref=f"period:{period.id}",
            items=wanted,
            actor=actor,
        )
    return created


def latest_period_items(unit_id: int) -> list[DeductionItem]:
    """The unit's 扣分项 in the latest published revision of the latest period that assesses it."""
    revision = db.session.scalar(
        select(PeriodRevision)
        .join(PeriodUnit, PeriodUnit.period_id == PeriodRevision.period_id)
        .where(PeriodUnit.unit_id == unit_id, PeriodRevision.published_at.is_not(None))
        .order_by(PeriodRevision.published_at.desc(), PeriodRevision.id.desc())
        .limit(1)
    )
    if revision is None:
        return []
    return revision_items(revision.period_id, revision).get(unit_id, [])


register_deduction_provider(latest_period_items)
