"""Supervision figures: progress and response rates per unit and community, quota cells against targets from
the margins, enumerators' unusual patterns, and seeded back-checks recorded with their result."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey_api.domain.fieldwork import HouseholdState, Outcome
from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import BackCheck
from survey_api.services.audit import SYSTEM
from survey_api.services.fieldwork import VisitRecord, assign_in_batches, households_of, record_visit
from survey_api.services.margins import MarginRow, set_margins
from survey_api.services.supervision import (
    enumerator_work,
    progress,
    quota_cells,
    record_back_check,
    select_back_checks,
)

from ..factories import full_answers
from ..household_support import drawn, enumerators, household_campaign, now


@pytest.fixture
def worked(db_session):
    """Five interviews (four within minutes, one very short), one refusal, by one enumerator."""
    campaign, unit = household_campaign(count=60)
    design = drawn(campaign, unit)
    (user,) = enumerators("sup")
    assign_in_batches(SYSTEM, campaign.id, None, [user.username])
    set_margins(
        SYSTEM,
        campaign,
        [
            MarginRow(unit.code, "sex", "male", 0.5),
            MarginRow(unit.code, "sex", "female", 0.5),
            *(MarginRow(unit.code, "age_group", key, 0.2) for key in ("age_18_29", "age_30_39", "age_40_49")),
            MarginRow(unit.code, "age_group", "age_50_59", 0.2),
            MarginRow(unit.code, "age_group", "age_60_plus", 0.2),
        ],
    )
    mine = households_of(user)
    start = now() - timedelta(hours=3)
    times = [start, start + timedelta(minutes=2), start + timedelta(minutes=4), start + timedelta(minutes=6)]
    times.append(start + timedelta(hours=2))
    for index, at in enumerate(times):
        answers = full_answers(campaign)
        record_visit(
            user,
            VisitRecord(uuid.uuid4().hex, mine[index].id, Outcome.COMPLETED, at, answers, 30 if index == 4 else 600),
        )
    record_visit(user, VisitRecord(uuid.uuid4().hex, mine[5].id, Outcome.REFUSED, now()))
    db.session.commit()
    return campaign, unit, design, user, mine


def test_progress_counts_units_and_communities_with_response_rates(worked):
    campaign, unit, design, _, _ = worked
    (unit_progress,) = progress(campaign.id)
    assert unit_progress.frame == 60 and unit_progress.interviews_needed == design.interviews_needed
    rates = unit_progress.rates
    assert rates.completed == 5 and rates.refused == 1
    released = design.released + 1  # the refusal released one reserve household
    assert unit_progress.released == released
    assert rates.rr1 == pytest.approx(5 / released)
    assert sum(c.counts.get(HouseholdState.COMPLETED, 0) for c in unit_progress.communities) == 5


def test_quota_cells_count_interviews_against_targets_from_the_margins(worked):
    campaign, unit, design, _, _ = worked
    cells = quota_cells(campaign.id)[unit.id]
    assert len(cells) == 10  # 2 sexes × 5 age groups, filled or not
    answers = full_answers(campaign)["profile"]
    filled = [c for c in cells if c.completed]
    assert [(c.sex, c.age, c.completed) for c in filled] == [(answers["sex"], answers["age_group"], 5)]
    assert all(c.target == round(design.interviews_needed * 0.5 * 0.2) for c in cells)


def test_enumerator_patterns_flag_bunched_and_very_short_interviews(worked):
    campaign, _, _, user, _ = worked
    (work,) = [w for w in enumerator_work(campaign.id) if w.username == user.username]
    assert (work.visits, work.completed, work.refused) == (6, 5, 1)
    assert work.burst_interviews == 4 and work.short_interviews == 1


def test_back_checks_are_a_seeded_share_of_completed_households_recorded_with_their_result(worked):
    campaign, _, _, _, mine = worked
    assert select_back_checks(SYSTEM, campaign.id, 0.4, seed=99) == 2
    checks = db.session.scalars(select(BackCheck).order_by(BackCheck.household_id)).all()
    assert {c.household_id for c in checks} <= {h.id for h in mine[:5]} and all(c.seed == 99 for c in checks)
    assert select_back_checks(SYSTEM, campaign.id, 0.4, seed=99) == 2  # among those not yet selected
    record_back_check(SYSTEM, checks[0].id, "not_confirmed", "住户说没有人来访")
    assert checks[0].result == "not_confirmed" and checks[0].checked_at is not None
    with pytest.raises(AppError) as refused:
        record_back_check(SYSTEM, checks[1].id, "maybe", None)
    assert refused.value.code == "request.invalid" and checks[1].result is None
