"""No comment in a feedback report carries a phone number, whatever residents type: numbers generated in varied
ways are stored as counted answers and read back through the report's comment groups."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey_api.domain.anonymise import digit_count
from survey_api.services.feedback import unit_comments

from ..domain.test_anonymise import FILLER, phone_numbers
from ..factories import create_campaign, store_response


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(FILLER, phone_numbers(), FILLER), min_size=5, max_size=8))
def test_no_comment_in_a_report_holds_a_phone_number(db_session, comments):
    campaign = create_campaign(forms=["satisfaction"])
    for before, number, after in comments:
        store_response(campaign, 0, {"satisfaction": {"comment": before + number + after}})
    [group] = unit_comments(campaign, campaign.links[0].unit_id, min_group=5)
    assert len(group.comments) == len(comments)
    assert all(digit_count(comment) == 0 and not re.search(r"\d", comment) for comment in group.comments)


def test_a_question_with_too_few_comments_shows_none(db_session):
    campaign = create_campaign(forms=["satisfaction"])
    for text in ["路灯坏了", "垃圾没人清", "窗口太少", "噪音扰民"]:
        store_response(campaign, 0, {"satisfaction": {"comment": text}})
    [group] = unit_comments(campaign, campaign.links[0].unit_id, min_group=5)
    assert group.count == 4 and group.comments == []
