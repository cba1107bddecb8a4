"""The demo's assessment period as a new user meets it: after the demo answers and the campaign's published
results, the period computes complete results with a veto, an affirmation, a capped bonus and a deduction;
publishing locks it and opens a rectification task per deduction, veto and failed gate, a correction shows its
differences, and each unit's feedback report lists its deduction items."""

from __future__ import annotations

from sqlalchemy import func, select

from survey_api.extensions import db
from survey_api.models import AssessmentPeriod, PeriodEntry, RectificationTask, Unit
from survey_api.services import period_results as revisions
from survey_api.services.audit import SYSTEM
from survey_api.services.demo import load_demo
from survey_api.services.demo_answers import simulate_answers
from survey_api.services.demo_period import DEMO_PERIOD_TITLE
from survey_api.services.feedback import feedback_report
from survey_api.services.period_inputs import EntryInput, store_entries
from survey_api.services.results import compute_results, publish_run


def test_the_demo_period_from_answers_to_a_corrected_revision(db_session):
    campaign = load_demo(SYSTEM)
    load_demo(SYSTEM)  # loading again changes nothing
    period = db.session.scalar(select(AssessmentPeriod).where(AssessmentPeriod.title == DEMO_PERIOD_TITLE))
    assert db.session.scalar(select(func.count()).select_from(AssessmentPeriod)) == 1
    entries = db.session.scalar(select(func.count()).select_from(PeriodEntry).where(PeriodEntry.period_id == period.id))
    assert entries == 12 * 4 + 5

    early = revisions.compute_revision(SYSTEM, period)  # before the campaign has published results
    assert all(
        u["missing"] == [{"component": "opinion_survey", "reason": "no_published_run"}] for u in early.results["units"]
    )

    simulate_answers(SYSTEM, campaign, per_unit=210)
    run = compute_results(SYSTEM, campaign.id)
    publish_run(SYSTEM, campaign.id, run.id)
    revision = revisions.compute_revision(SYSTEM, period)
    found = {u["unit_code"]: u for u in revision.results["units"]}
    assert all(u["complete"] for u in found.values())
    assert [c["ranked"] for c in revision.results["categories"]] == [4, 4, 4]
    assert found["E02"]["grade"] != "excellent" and found["E02"]["vetoes"]
    assert found["S01"]["grade"] == "excellent" and found["S01"]["affirmations"]
    assert (found["T01"]["bonuses"]["total"], found["T01"]["bonuses"]["applied"]) == (7.0, 5.0)
    assert found["T03"]["deductions"]["applied"] == 2.0
    assert found["T01"]["coefficient"] == 1.06  # level 3
    public = {u["unit_code"]: u["composite"] for u in run.results["units"]}
    assert all(u["public_composite"] == public[code] for code, u in found.items())

    revisions.publish_revision(SYSTEM, period, revision.number)
    items = revisions.deduction_items(revision)
    e02 = items[found["E02"]["unit_id"]]
    assert {"kind": "veto", "code": "veto", "reason": "发生较大安全生产责任事故", "points": 0.0} in e02
    t03 = items[found["T03"]["unit_id"]]
    assert t03[0] == {"kind": "deduction", "code": "deduction", "reason": "信访事项办理超期3件", "points": 2.0}
    lost = [i for i in t03 if i["kind"] == "component"]
    assert lost and all(i["reason"] and i["points"] > 0 for i in lost)

    period_tasks = period_task_titles(period)
    assert period_tasks[found["E02"]["unit_id"]] == ["一票否决：发生较大安全生产责任事故"]
    assert period_tasks[found["T03"]["unit_id"]] == ["扣分：信访事项办理超期3件"]
    assert not any(t.startswith(("绩效考核得分", "党建得分")) for titles in period_tasks.values() for t in titles)
    gated = [u["unit_id"] for u in revision.results["units"] if any(c["gated"] for c in u["components"])]
    assert gated  # the demo's weakest units fail the gate
    gate_tasks = db.session.scalars(select(RectificationTask.unit_id).where(RectificationTask.kind == "gate")).all()
    assert set(gated) <= set(gate_tasks) and len(gate_tasks) == len(set(gate_tasks))  # one task per gate problem
    report = feedback_report(db.session.scalar(select(Unit).where(Unit.code == "T03")))
    shown = {(item.kind, item.title, item.points_lost) for item in report.items}
    assert ("deduction", "扣分：信访事项办理超期3件", 2.0) in shown
    assert any(kind == "component" and points > 0 for kind, _, points in shown if kind == "component")
    assert any(row["task_id"] for row in report.item_rows if row["kind"] == "deduction")

    revisions.open_correction(SYSTEM, period, "E03 绩效考核分数更正")
    store_entries(SYSTEM, period, [EntryInput("E03", "score", 100.0, "performance")])
    corrected = revisions.compute_revision(SYSTEM, period)
    assert [c["unit_code"] for c in corrected.changes] == ["E03"]
    assert corrected.changes[0]["changes"]["score"]["after"] > corrected.changes[0]["changes"]["score"]["before"]
    assert revisions.verify_revision(period.id, revision.number)["identical"]
    assert revisions.verify_revision(period.id, corrected.number)["identical"]
    revisions.publish_revision(SYSTEM, period, corrected.number)
    assert period_task_titles(period) == period_tasks  # a published correction opens no second task


def period_task_titles(period: AssessmentPeriod) -> dict[int, list[str]]:
    tasks = db.session.scalars(
        select(RectificationTask)
        .where(RectificationTask.source_ref == f"period:{period.id}")
        .order_by(RectificationTask.id)
    )
    titles: dict[int, list[str]] = {}
    for task in tasks:
        titles.setdefault(task.unit_id, []).append(task.title)
    return titles
