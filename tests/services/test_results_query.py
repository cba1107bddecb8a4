"""The results statement and its numpy sums give, per group of respondents, exactly the statistics that summing
each respondent's answers one by one gives: missing answers, don't know, values a question does not know, empty
strata and clusters and weighting cells included, on SQLite and on PostgreSQL."""

from __future__ import annotations

import random

import numpy as np
import pytest

from survey_api.domain.question_types import RATING_TOP_BOX_FROM
from survey_api.services.campaigns import campaign_definitions
from survey_api.services.margins import weighting_questions
from survey_api.services.results_query import aggregate, scored_items

from ..factories import create_campaign, create_unit, store_response
from .test_results import random_answers


def reference_item(question, value):
    """(answered, score or None, top or None) of one stored answer, read the way DOMAIN.md defines it."""
    if value is None:
        return 0.0, None, None
    if question.type == "rating":
        return 1.0, value * 10.0, float(value >= RATING_TOP_BOX_FROM)
    option = {o.key: o for o in question.options}.get(value)
    if option is None or option.score is None:
        return 1.0, None, None
    return 1.0, float(option.score), float(value in question.top_box)


def reference_groups(stored, items, cell_questions):
    groups: dict[tuple, dict] = {}
    for response_id, unit_id, stratum, cluster, answers in stored:
        cells = tuple(answers.get(f, {}).get(q) for f, q in cell_questions)
        group = groups.setdefault((unit_id, stratum, cluster, cells), {"n": 0, "ids": 0, "squares": 0, "rows": []})
        group["n"] += 1
        group["ids"] += response_id
        group["squares"] += response_id * response_id
        group["rows"].append(answers)
    expected = {}
    for key, group in groups.items():
        per_index = {}
        for name, index_items in items.items():
            stats = {f: np.zeros(len(index_items)) for f in ("answered", "score_n", "score_total", "score_squares")}
            stats["top_total"] = np.zeros(len(index_items))
            own = {"respondent": [], "rate": []}
            for answers in group["rows"]:
                numerator = rate_numerator = weight = 0.0
                for j, item in enumerate(index_items):
                    value = answers.get(item.form_key, {}).get(item.question.key)
                    answered, score, top = reference_item(item.question, value)
                    stats["answered"][j] += answered
                    if score is not None:
                        stats["score_n"][j] += 1
                        stats["score_total"][j] += score
                        stats["score_squares"][j] += score * score
                        stats["top_total"][j] += top
                        numerator += item.weight * score
                        rate_numerator += item.weight * top
                        weight += item.weight
                if weight > 0:
                    own["respondent"].append(numerator / weight)
                    own["rate"].append(rate_numerator / weight)
            for prefix, values in own.items():
                stats[f"{prefix}_n"] = float(len(values))
                stats[f"{prefix}_total"] = sum(values)
                stats[f"{prefix}_squares"] = sum(v * v for v in values)
            per_index[name] = stats
        expected[key] = (group["n"], (group["ids"], group["squares"]), per_index)
    return expected


def test_group_statistics_equal_the_sums_of_each_respondents_answers(db_session):
    rng = random.Random(11)
    campaign = create_campaign([create_unit(), create_unit(), create_unit()])
    definitions = campaign_definitions(campaign)
    items = scored_items(definitions)
    profile = weighting_questions(definitions)
    cell_questions = [profile[v][:2] for v in ("age_group", "sex")]
    stored = []
    for _ in range(80):
        unit = rng.randrange(3)
        answers = random_answers(definitions, rng, dont_know_share=0.2)
        for form in answers.values():  # some questions left unanswered, some profiles incomplete
            for key in list(form):
                if rng.random() < 0.08:
                    del form[key]
        if rng.random() < 0.1:  # a value the question does not know still counts as answered, never as scored
            first = items["satisfaction"][0]
            answers[first.form_key][first.question.key] = "no_such_option"
        stratum = rng.choice([None, "东区", "西区"])
        cluster = rng.choice([None, "一村", "二村", "a\\b\tc"])
        response = store_response(campaign, unit, answers, stratum=stratum, cluster=cluster)
        stored.append((response.id, response.unit_id, stratum, cluster, answers))

    rows = aggregate(campaign.id, items, cell_questions)

    expected = reference_groups(stored, items, cell_questions)
    assert list(rows.unit_id) == sorted(rows.unit_id)
    got_keys = list(zip(rows.unit_id.tolist(), rows.stratum, rows.cluster, rows.cells))
    assert sorted(got_keys, key=repr) == sorted(expected, key=repr)
    for g, key in enumerate(got_keys):
        n, id_sums, per_index = expected[key]
        assert rows.respondents[g] == n and rows.id_sums[g] == id_sums
        for name, stats in per_index.items():
            for field, value in stats.items():
                assert rows.index_stats[name][field][g] == pytest.approx(value, abs=1e-9), (key, name, field)


def test_a_campaign_with_no_counted_response_has_no_groups(db_session):
    campaign = create_campaign()
    rows = aggregate(campaign.id, scored_items(campaign_definitions(campaign)), [])
    assert len(rows.unit_id) == 0 and rows.respondents.shape == (0,)
