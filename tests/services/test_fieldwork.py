"""Assignments and visits: batches and reassignment, outcomes with revisits and replacements from the reserve,
interviews stored once under the household's key, and refusals for households not one's own."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_api.domain.fieldwork import HouseholdState, Outcome
from survey_api.errors import AppError
from survey_api.extensions import db
from survey_api.models import Channel, Household, Response, Visit
from survey_api.services.audit import SYSTEM
from survey_api.services.fieldwork import VisitRecord, assign_in_batches, households_of, reassign, record_visit

from ..factories import full_answers
from ..household_support import drawn, enumerators, household_campaign, now


def visit(user, household, outcome: Outcome, answers=None, submission_id=None, at=None):
    return record_visit(
        user,
        VisitRecord(submission_id or uuid.uuid4().hex, household.id, outcome, at or now(), answers, 600),
    )


@pytest.fixture
def fieldwork(db_session):
    campaign, unit = household_campaign(count=60)
    drawn(campaign, unit, max_visits=2)
    first, second = enumerators("field-a", "field-b")
    counts = assign_in_batches(SYSTEM, campaign.id, None, [first.username, second.username])
    db.session.commit()
    return campaign, unit, first, second, counts


def test_released_households_are_shared_in_batches(fieldwork):
    campaign, _, first, second, counts = fieldwork
    released = db.session.scalar(
        select(func.count()).where(Household.campaign_id == campaign.id, Household.state == HouseholdState.PENDING)
    )
    assert sum(counts.values()) == released and abs(counts[first.username] - counts[second.username]) <= 1
    assert all(h.enumerator_id == first.id for h in households_of(first))


def test_an_interview_is_stored_once_under_the_household_key(fieldwork):
    campaign, _, first, _, _ = fieldwork
    household = households_of(first)[0]
    submission_id = uuid.uuid4().hex
    receipt = visit(first, household, Outcome.COMPLETED, full_answers(campaign), submission_id)
    again = visit(first, household, Outcome.COMPLETED, full_answers(campaign), submission_id)
    assert receipt.is_new and not again.is_new and again.receipt_code == receipt.receipt_code
    response = db.session.scalar(select(Response).where(Response.submission_id == submission_id))
    assert response.channel is Channel.HOUSEHOLD and response.identity_key == household.identity_key
    assert response.stratum == household.stratum and response.cluster is None
    assert db.session.scalar(select(func.count()).where(Visit.household_id == household.id)) == 1
    assert household.state is HouseholdState.COMPLETED
    with pytest.raises(AppError) as finished:
        visit(first, household, Outcome.COMPLETED, full_answers(campaign))
    assert finished.value.code == "household.finished"


def test_a_resend_with_other_content_is_a_conflict(fieldwork):
    _, _, first, _, _ = fieldwork
    household = households_of(first)[0]
    submission_id = uuid.uuid4().hex
    visit(first, household, Outcome.NOBODY_HOME, submission_id=submission_id)
    with pytest.raises(AppError) as conflict:
        visit(first, household, Outcome.REFUSED, submission_id=submission_id)
    assert conflict.value.code == "visit.conflict"


def test_nobody_home_at_every_allowed_visit_releases_a_replacement_of_the_same_stratum(fieldwork):
    _, _, first, _, _ = fieldwork
    household = households_of(first)[0]
    before = len(households_of(first))
    visit(first, household, Outcome.NOBODY_HOME)
    assert household.state is HouseholdState.PENDING and len(households_of(first)) == before
    visit(first, household, Outcome.NOBODY_HOME)  # max_visits = 2
    assert household.state is HouseholdState.NON_CONTACT
    replacement = db.session.scalar(select(Household).where(Household.replaces_id == household.id))
    assert replacement.stratum == household.stratum and replacement.reserve_rank == 1
    assert replacement.state is HouseholdState.PENDING and replacement.enumerator_id == first.id
    assert len(households_of(first)) == before + 1


def test_refused_and_vacant_households_are_replaced_in_reserve_order(fieldwork):
    _, _, first, _, _ = fieldwork
    same_stratum = [h for h in households_of(first) if h.stratum == households_of(first)[0].stratum][:2]
    visit(first, same_stratum[0], Outcome.REFUSED)
    visit(first, same_stratum[1], Outcome.VACANT)
    ranks = db.session.scalars(
        select(Household.reserve_rank).where(Household.replaces_id.in_([h.id for h in same_stratum]))
    ).all()
    assert sorted(ranks) == [1, 2]
    assert same_stratum[1].state is HouseholdState.NOT_ELIGIBLE


def test_an_enumerator_cannot_visit_a_household_not_assigned_to_them(fieldwork):
    campaign, _, first, second, _ = fieldwork
    theirs = households_of(second)[0]
    with pytest.raises(AppError) as refused:
        visit(first, theirs, Outcome.COMPLETED, full_answers(campaign))
    assert refused.value.code == "household.not_assigned"
    assert db.session.scalar(select(func.count()).where(Response.campaign_id == campaign.id)) == 0
    reserve = db.session.scalar(select(Household).where(Household.state == HouseholdState.RESERVE))
    with pytest.raises(AppError) as hidden:
        visit(first, reserve, Outcome.REFUSED)
    assert hidden.value.code == "household.not_found"


def test_after_a_reassignment_only_earlier_visits_of_the_former_enumerator_count(fieldwork):
    campaign, _, first, second, _ = fieldwork
    household = households_of(first)[0]
    earlier = now() - timedelta(minutes=5)
    assert reassign(SYSTEM, campaign.id, first.username, second.username, household.community) >= 1
    assert household.enumerator_id == second.id
    visit(first, household, Outcome.NOBODY_HOME, at=earlier)  # recorded offline before the reassignment
    with pytest.raises(AppError) as refused:
        visit(first, household, Outcome.NOBODY_HOME, at=now() + timedelta(seconds=5))
    assert refused.value.code == "household.not_assigned"


def test_assigning_to_someone_who_is_not_an_enumerator_is_refused(fieldwork):
    campaign, _, _, _, _ = fieldwork
    with pytest.raises(AppError) as refused:
        assign_in_batches(SYSTEM, campaign.id, None, ["nobody-such"])
    assert refused.value.code == "assignment.invalid"
