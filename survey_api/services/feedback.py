"""A unit's feedback report (反馈报告) from the latest published results that include it: its rank in its category,
each index against the category average and the previous period, its 扣分项 with the points lost (from the survey
and from any registered provider, e.g. assessment periods), and residents' comments, anonymised and grouped by
question. Groups too small to hide a respondent are left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flask import current_app
from sqlalchemy import select

from ..domain.anonymise import shown_groups
from ..domain.rectification import DeductionItem, survey_items
from ..errors import AppError
from ..extensions import db
from ..models import Campaign, CampaignUnit, RectificationTask, Response, ResultRun, Unit, is_counted
from .campaigns import campaign_definitions

MAX_COMMENTS_PER_QUESTION = 200

# Further sources of 扣分项 (deductions, vetoes, components of an assessment period): each is called with the
# unit's id and returns its items. Registered once at start-up by the module that owns the source.
DeductionProvider = Callable[[int], list[DeductionItem]]
DEDUCTION_PROVIDERS: list[DeductionProvider] = []


def register_deduction_provider(provider: DeductionProvider) -> None:
    """Show the provider's 扣分项 in every unit's feedback report."""
    if provider not in DEDUCTION_PROVIDERS:
        DEDUCTION_PROVIDERS.append(provider)


@dataclass
class IndexLine:
    name: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    sufficient: bool
    category_average: float | None
    previous: float | None
    change: float | None
    questions: list[dict[str, Any]]


@dataclass
class CommentGroup:
    question: str
    count: int
    comments: list[str]  # empty when the group is too small to show


@dataclass
class FeedbackReport:
    unit: Unit
    campaign: Campaign
    run: ResultRun
    n: int
    min_n: int
    rank: int | None
    ranked_in_category: int
    composite: float | None
    points: float | None
    gate: dict[str, Any]
    indices: list[IndexLine]
    items: list[DeductionItem]
    tasks: dict[str, RectificationTask]
    comments: list[CommentGroup] = field(default_factory=list)
    comments_hidden: bool = False
    min_comments: int = 5
    previous_period: str | None = None

    @property
    def item_rows(self) -> list[dict[str, Any]]:
        """Each 扣分项 with the number of its rectification task (None where there is none)."""
        return [
            vars(item) | {"task_id": self.tasks[item.key].id if item.key in self.tasks else None} for item in self.items
        ]


def latest_published_run(unit_id: int) -> ResultRun | None:
    """The most recently published run of a campaign the unit takes part in."""
    statement = (
        select(ResultRun)
        .join(CampaignUnit, CampaignUnit.campaign_id == ResultRun.campaign_id)
        .where(CampaignUnit.unit_id == unit_id, ResultRun.published_at.is_not(None))
        .order_by(ResultRun.published_at.desc(), ResultRun.id.desc())
        .limit(1)
    )
    return db.session.scalar(statement)


def feedback_report(unit: Unit) -> FeedbackReport:
    """The unit's feedback report; feedback.not_published until results including it are published."""
    run = latest_published_run(unit.id)
    entry = next((u for u in run.results["units"] if u["unit_id"] == unit.id), None) if run else None
    if run is None or entry is None:
        raise AppError("feedback.not_published")
    document = run.results
    min_n = document["rules"]["min_n"]
    min_comments = current_app.config["FEEDBACK_MIN_COMMENTS"]
    averages = next((c["averages"] for c in document["categories"] if c["category"] == entry["category"]), {})
    change = entry.get("change") or {}
    indices = []
    for name in document["indices"]:
        index = entry["indices"][name]
        shown = bool(index["sufficient"])
        delta = change.get(name)
        indices.append(
            IndexLine(
                name=name,
                value=index["value"] if shown else None,
                ci_low=index["ci_low"] if shown else None,
                ci_high=index["ci_high"] if shown else None,
                sufficient=shown,
                category_average=averages.get(name),
                previous=index["value"] - delta if shown and delta is not None else None,
                change=delta if shown else None,
                questions=[q for q in index["questions"] if shown and q["score"]["n"] >= min_comments],
            )
        )
    items = survey_items(entry, run.rules_snapshot)
    for provider in DEDUCTION_PROVIDERS:
        items += provider(unit.id)
    campaign = db.session.get(Campaign, run.campaign_id)
    report = FeedbackReport(
        unit=unit,
        campaign=campaign,
        run=run,
        n=entry["n"],
        min_n=min_n,
        rank=entry.get("rank_in_category"),
        ranked_in_category=sum(1 for u in document["units"] if u["category"] == entry["category"] and u["ranked"]),
        composite=entry.get("composite"),
        points=entry.get("points"),
        gate=entry.get("gate") or {},
        indices=indices,
        items=items,
        tasks=_tasks_by_item(unit.id),
        min_comments=min_comments,
        previous_period=(document.get("previous") or {}).get("period"),
    )
    report.comments_hidden = entry["n"] < min_n
    if not report.comments_hidden:
        report.comments = unit_comments(campaign, unit.id, min_comments)
    return report


def _tasks_by_item(unit_id: int) -> dict[str, RectificationTask]:
    tasks = db.session.scalars(select(RectificationTask).where(RectificationTask.unit_id == unit_id))
    return {task.item_key: task for task in tasks}


def unit_comments(campaign: Campaign, unit_id: int, min_group: int) -> list[CommentGroup]:
    """Counted free-text answers of the unit, anonymised and grouped by question; small groups show no text."""
    questions = [
        (form.key, q.key, q.text) for form in campaign_definitions(campaign) for q in form.questions if q.type == "text"
    ]
    if not questions:
        return []
    rows = db.session.scalars(
        select(Response.answers)
        .where(Response.campaign_id == campaign.id, Response.unit_id == unit_id, is_counted())
        .order_by(Response.id)
    )
    grouped: dict[str, list[str]] = {f"{form}.{key}": [] for form, key, _ in questions}
    for answers in rows:
        for form, key, _ in questions:
            text = (answers.get(form) or {}).get(key)
            if isinstance(text, str) and text.strip():
                grouped[f"{form}.{key}"].append(text)
    shown = shown_groups(grouped, min_group)
    return [
        CommentGroup(text, len(grouped[f"{form}.{key}"]), shown.get(f"{form}.{key}", [])[:MAX_COMMENTS_PER_QUESTION])
        for form, key, text in questions
        if grouped[f"{form}.{key}"]
    ]
