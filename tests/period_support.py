"""Test data for assessment periods: units, a published campaign run with given composites, a period with its
entered inputs, all written through the services like real callers."""

from __future__ import annotations

from sqlalchemy import select

from survey_api.extensions import db
from survey_api.models import ResultRun, Unit
from survey_api.services.audit import SYSTEM
from survey_api.services.clock import utcnow
from survey_api.services.period_inputs import EntryInput, store_entries
from survey_api.services.periods import NewPeriod, create_period

from .exports_support import add_run
from .factories import create_campaign, create_unit


def published_run(campaign, public: dict[str, tuple[float | None, float | None]]) -> ResultRun:
    """A published run of the campaign saying, per unit code, its 民评 composite and satisfaction index (a None
    composite: insufficient sample)."""
    units = []
    for link in campaign.links:
        composite, satisfaction = public.get(link.unit.code, (None, None))
        units.append(
            {
                "unit_id": link.unit_id,
                "unit_code": link.unit.code,
                "composite": composite,
                "ranked": composite is not None,
                "indices": {"satisfaction": {"value": satisfaction}},
            }
        )
    run = add_run(campaign, {"units": units})
    run.published_at = utcnow()
    db.session.commit()
    return run


def make_period(
    rows: dict[str, dict], category_of=lambda code: "街道", kind: str = "annual", title: str = "2026年度考核"
):
    """A period over units named by the rows' keys; each row holds performance, leader, party, team (entered
    here: the team component's source becomes `entered`), public and satisfaction."""
    existing = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(list(rows))))}
    units = [
        existing.get(code) or create_unit(code=code, name=f"单位{code}", category=category_of(code)) for code in rows
    ]
    campaign = create_campaign(units)
    published_run(campaign, {code: (r.get("public", 90.0), r.get("satisfaction", 90.0)) for code, r in rows.items()})
    from survey_api.services.periods import default_rules

    rules = default_rules(kind)
    for component in rules["components"]:
        if component["source"] == "meeting":
            component["source"] = "entered"
    period = create_period(SYSTEM, NewPeriod(title, kind, tuple(rows), campaign.id, (), rules))
    entries = []
    names = {
        "performance": "performance",
        "leader": "leader_evaluation",
        "party": "party_building",
        "team": "team_evaluation",
    }
    wanted = {c["key"] for c in rules["components"]}
    for code, row in rows.items():
        for field, component in names.items():
            if component in wanted and row.get(field, 90.0) is not None:
                entries.append(EntryInput(code, "score", row.get(field, 90.0), component))
        for kind_, points, reason in row.get("adjustments", ()):
            entries.append(EntryInput(code, kind_, points, reason=reason, attachment="文件〔2026〕1号"))
    store_entries(SYSTEM, period, entries)
    db.session.commit()
    return period
