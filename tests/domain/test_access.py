"""The permission table and the sign-in rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_api.domain.access import (
    PERMISSIONS,
    READ_ACTIONS,
    Role,
    check_password_policy,
    is_allowed,
    lockout_seconds,
    may_see_unit,
)


def test_the_auditor_may_read_everything_readable_and_change_nothing():
    auditor_actions = {action for action, roles in PERMISSIONS.items() if Role.AUDITOR in roles}
    assert auditor_actions == READ_ACTIONS | {"account.self"}  # its own password and tokens, nothing else


def test_only_admins_manage_accounts():
    assert PERMISSIONS["user.write"] == {Role.ADMIN}


def test_an_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        is_allowed(Role.ADMIN, "campaign.delete")


@given(st.sampled_from(list(Role)), st.integers(1, 50), st.integers(1, 50))
def test_only_unit_staff_are_limited_to_their_unit(role, own, other):
    assert may_see_unit(role, own, other) == (role is not Role.UNIT or own == other)


@given(st.integers(0, 200))
def test_lockout_grows_with_failures_and_is_capped(failures):
    assert lockout_seconds(failures) <= lockout_seconds(failures + 1) <= 3600
    assert (lockout_seconds(failures) == 0) == (failures < 5)


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short", "too_short"),
        ("kaohe-2026-office", "contains_username"),
        ("aaaaaaaaaaaa", "too_simple"),
        ("Good-pass-2026", None),
    ],
)
def test_password_policy(password, problem):
    assert check_password_policy(password, "kaohe") == problem
