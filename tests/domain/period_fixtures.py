"""Rule sets and unit inputs for the unit-results tests: the shipped defaults, changed field by field."""

from __future__ import annotations

import copy

import yaml

from survey_api.config import PROJECT_ROOT
from survey_api.domain.period_rules import parse_period_rules
from survey_api.domain.unit_results import Adjustment, PublicEval, UnitInput

ANNUAL = yaml.safe_load((PROJECT_ROOT / "rules" / "periods" / "annual.yaml").read_text(encoding="utf-8"))
ROUTINE = yaml.safe_load((PROJECT_ROOT / "rules" / "periods" / "routine.yaml").read_text(encoding="utf-8"))


def annual(**changes):
    data = copy.deepcopy(ANNUAL)
    data.update(changes)
    return parse_period_rules(data)


def unit(
    code,
    category="街道",
    performance=90.0,
    team=90.0,
    leader=90.0,
    party=90.0,
    public=90.0,
    satisfaction=90.0,
    level=1,
    adjustments=(),
):
    return UnitInput(
        unit_id=hash(code) % 10_000,
        code=code,
        name=f"单位{code}",
        category=category,
        level=level,
        scores={
            "performance": performance,
            "team_evaluation": team,
            "leader_evaluation": leader,
            "party_building": party,
        },
        public=PublicEval(public, satisfaction),
        adjustments=tuple(Adjustment(*a) for a in adjustments),
    )
