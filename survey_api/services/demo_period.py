"""The demo district's annual assessment period: its twelve units at their difficulty levels, the shipped rule set
(the team evaluation entered here, as the demo holds no evaluation meetings), entered scores, a bonus beyond the
cap, a deduction, one veto and one affirmation. The public evaluation comes from the demo campaign once its results
are computed and published. Loading it twice changes nothing."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import AssessmentPeriod, Campaign
from .audit import Actor
from .period_inputs import EntryInput, store_entries
from .periods import NewPeriod, PeriodSetup, create_period, default_rules, update_setup

DEMO_PERIOD_TITLE = "示范区2026年度领导班子综合考核"
# unit: (level, performance, team evaluation, leader evaluation, party building)
DEMO_SCORES = {
    "T01": (3, 97.0, 94.0, 95.0, 96.0),
    "T02": (3, 95.0, 92.0, 93.0, 94.0),
    "T03": (2, 93.0, 90.0, 92.0, 91.0),
    "T04": (2, 95.0, 92.0, 93.0, 94.0),
    "E01": (2, 98.0, 95.0, 96.0, 97.0),
    "E02": (2, 99.0, 96.0, 97.0, 96.0),
    "E03": (1, 92.0, 90.0, 91.0, 92.0),
    "E04": (1, 94.0, 91.0, 92.0, 93.0),
    "S01": (1, 91.0, 90.0, 90.0, 92.0),
    "S02": (1, 96.0, 93.0, 94.0, 95.0),
    "S03": (1, 94.0, 92.0, 92.0, 93.0),
    "S04": (1, 94.0, 92.0, 92.0, 93.0),
}
DEMO_ADJUSTMENTS = [
    EntryInput("T01", "bonus", 4.0, reason="承办全市基层治理现场会", attachment="示范区委办〔2026〕12号"),
    EntryInput("T01", "bonus", 3.0, reason="获评省级文明街道", attachment="省文明委〔2026〕5号"),
    EntryInput("T03", "deduction", 2.0, reason="信访事项办理超期3件", attachment="区信访局通报〔2026〕8号"),
    EntryInput("E02", "veto", 0.0, reason="发生较大安全生产责任事故", attachment="区应急局认定书〔2026〕3号"),
    EntryInput("S01", "affirmation", 0.0, reason="获省真抓实干督查激励", attachment="省政府办公厅通报〔2026〕21号"),
]
DEMO_GATE = 48  # the simulated answers are spread widely; a lower gate lets it bite on a few units, not half
COMPONENTS = ("performance", "team_evaluation", "leader_evaluation", "party_building")


def load_demo_period(actor: Actor, campaign: Campaign) -> AssessmentPeriod:
    """The demo period over the demo campaign's units, created with its inputs if missing."""
    period = db.session.scalar(select(AssessmentPeriod).where(AssessmentPeriod.title == DEMO_PERIOD_TITLE))
    if period is not None:
        return period
    rules = default_rules("annual")
    for component in rules["components"]:
        if component["source"] == "meeting":
            component["source"] = "entered"
    rules["gate"]["threshold"] = DEMO_GATE
    codes = tuple(sorted(DEMO_SCORES))
    period = create_period(actor, NewPeriod(DEMO_PERIOD_TITLE, "annual", codes, campaign.id, (), rules))
    levels = {code: scores[0] for code, scores in DEMO_SCORES.items()}
    update_setup(actor, period, PeriodSetup(levels, campaign.id, ()))
    entries = [
        EntryInput(code, "score", value, component)
        for code, scores in DEMO_SCORES.items()
        for component, value in zip(COMPONENTS, scores[1:])
    ]
    store_entries(actor, period, entries + DEMO_ADJUSTMENTS)
    return period
