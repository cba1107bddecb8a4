"""Campaign lifecycle and acceptance windows; receipt codes and link tokens."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey_api.domain.campaigns import Acceptance, CampaignState, acceptance, can_transition, check_window
from survey_api.domain.codes import CROCKFORD, link_token, looks_like_receipt, receipt_code

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    "current, target, allowed",
    [
        ("draft", "open", True),
        ("draft", "closed", True),
        ("open", "closed", True),
        ("open", "draft", False),
        ("closed", "open", False),
        ("closed", "draft", False),
    ],
)
def test_transitions_only_move_forward(current, target, allowed):
    assert can_transition(CampaignState(current), CampaignState(target)) is allowed


@pytest.mark.parametrize(
    "state, opens, closes, expected",
    [
        ("open", None, None, Acceptance.ACCEPTING),
        ("open", NOW - HOUR, NOW + HOUR, Acceptance.ACCEPTING),
        ("open", NOW + HOUR, None, Acceptance.NOT_YET_OPEN),
        ("open", None, NOW, Acceptance.CLOSED),  # the closing instant itself is closed
        ("draft", None, None, Acceptance.NOT_YET_OPEN),
        ("closed", NOW - HOUR, NOW + HOUR, Acceptance.CLOSED),
    ],
)
def test_a_campaign_accepts_answers_only_when_open_and_inside_its_window(state, opens, closes, expected):
    assert acceptance(CampaignState(state), opens, closes, NOW) is expected


def test_a_window_that_closes_before_it_opens_is_refused():
    assert check_window(NOW, NOW - HOUR) == "closes_before_opens"
    assert check_window(NOW, NOW) == "closes_before_opens"
    assert check_window(NOW, NOW + HOUR) is None and check_window(None, NOW) is None


@given(st.binary(min_size=5, max_size=5))
def test_receipts_are_eight_unambiguous_characters(raw):
    code = receipt_code(raw)
    assert looks_like_receipt(code)
    assert not set(code.replace("-", "")) & set("ILOU")
    assert all(c in CROCKFORD for c in code.replace("-", ""))


@given(st.binary(min_size=5, max_size=5), st.binary(min_size=5, max_size=5))
def test_different_random_bytes_give_different_receipts(a, b):
    assert (receipt_code(a) == receipt_code(b)) == (a == b)


def test_link_tokens_are_url_safe_and_long():
    token = link_token(bytes(range(16)))
    assert len(token) == 22 and "=" not in token and "/" not in token and "+" not in token
    with pytest.raises(ValueError):
        link_token(b"short")
