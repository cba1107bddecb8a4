"""Test data for feedback reports and rectification tasks: a campaign over two units with answers (and comments
that name phone numbers, people and addresses), scored with a small min_n so a few answers suffice, published."""

from __future__ import annotations

import random

from survey_api.extensions import db
from survey_api.services.audit import SYSTEM
from survey_api.services.campaigns import campaign_definitions
from survey_api.services.results import compute_results, publish_run
from survey_api.services.rule_sets import choose_rule_set, read_rules_document, store_rules

from .factories import create_campaign, random_answers, store_response

COMMENTS = [
    "路灯坏了三个月没人修，电话13812345678打了没人接",
    "我叫张三，住幸福路12号3栋2单元501室，楼下垃圾没人清",
    "王书记态度很好，办事效率高",
    "希望多开几个便民窗口",
    "身份证号11010519491231002X的业务办了两次都没办成",
    "找李主任反映过噪音问题，没有下文",
]


def published_campaign(units, per_unit: int = 12, min_n: int = 10, comments: list[str] | None = None):
    """An open campaign over the units with per_unit answers each, every answer commenting, results published."""
    campaign = create_campaign(units)
    document = read_rules_document("default") | {"key": "small", "min_n": min_n, "weighting": {"method": "none"}}
    choose_rule_set(SYSTEM, campaign, store_rules(SYSTEM, document, "tests"))
    definitions = campaign_definitions(campaign)
    rng = random.Random(7)
    comments = COMMENTS if comments is None else comments
    for position in range(len(units)):
        for number in range(per_unit):
            answers = random_answers(definitions, rng)
            if comments:
                answers["satisfaction"]["comment"] = comments[number % len(comments)]
            store_response(campaign, position, answers)
    run = compute_results(SYSTEM, campaign.id)
    publish_run(SYSTEM, campaign.id, run.id)
    db.session.commit()
    return campaign, run
