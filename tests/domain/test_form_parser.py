"""Parsing questionnaire definitions: valid files load, every mistake is named by file, question and field."""

from __future__ import annotations

import copy

import pytest
import yaml

from survey_api.domain.form_parser import parse_form
from survey_api.domain.forms import FormDefinitionError

SCALE = [
    {"key": "very_satisfied", "label": "很满意", "score": 100},
    {"key": "satisfied", "label": "满意", "score": 80},
    {"key": "fairly_satisfied", "label": "基本满意", "score": 60},
    {"key": "not_very_satisfied", "label": "不太满意", "score": 30},
    {"key": "dissatisfied", "label": "不满意", "score": 0},
    {"key": "dont_know", "label": "说不清", "substantive": False},
]


def minimal_form(**changes):
    form = {
        "format_version": 1,
        "key": "satisfaction",
        "kind": "index",
        "index": "satisfaction",
        "title": "满意度",
        "scales": {"s5": {"options": SCALE}},
        "questions": [
            {"key": "q1", "type": "single_choice", "scale": "s5", "text": "总体满意吗？", "weight": 2},
            {
                "key": "q2",
                "type": "multiple_choice",
                "text": "改进哪些？",
                "max_choices": 2,
                "required": False,
                "options": [{"key": "a", "label": "甲"}, {"key": "b", "label": "乙"}, {"key": "c", "label": "丙"}],
            },
            {"key": "q3", "type": "rating", "scored": True, "text": "打几分？"},
            {"key": "q4", "type": "text", "text": "建议", "max_length": 50},
        ],
    }
    form.update(changes)
    return copy.deepcopy(form)


def problems_of(data) -> list[str]:
    with pytest.raises(FormDefinitionError) as caught:
        parse_form(data, "bad.yaml")
    return [str(p) for p in caught.value.problems]


def test_a_valid_form_parses_with_scores_weights_and_defaults():
    form = parse_form(minimal_form(), "satisfaction.yaml")
    q1, q2, q3, q4 = form.questions
    assert form.index == "satisfaction" and form.kind == "index"
    assert q1.is_scored and q1.weight == 2.0 and q1.required
    assert q1.option("dont_know").is_substantive is False and q1.option("dont_know").score is None
    assert q1.top_box == {"very_satisfied", "satisfied", "fairly_satisfied"}  # the three best by default
    assert not q2.is_scored and q2.max_choices == 2
    assert q3.is_scored
    assert q4.required is False and q4.max_length == 50  # free text is optional unless a file says otherwise
    assert [q.key for q in form.scored_questions] == ["q1", "q3"]


def test_errors_name_the_file_the_question_and_the_field():
    data = minimal_form()
    data["questions"][0]["weight"] = -1
    data["questions"][1]["options"][1]["key"] = "Bad Key"
    found = problems_of(data)
    assert "bad.yaml, question 'q1', field 'weight': must be a number, 0 or more" in found
    assert any("question 'q2', field 'options[1].key'" in p for p in found)


def test_every_problem_is_reported_not_just_the_first():
    data = minimal_form(format_version=9, title="")
    data["questions"][2]["type"] = "slider"
    found = problems_of(data)
    assert len(found) >= 3
    assert any("field 'format_version'" in p for p in found)
    assert any("field 'title'" in p for p in found)
    assert any("question 'q3', field 'type'" in p for p in found)


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d["questions"].append(copy.deepcopy(d["questions"][0])), "duplicate question key"),
        (lambda d: d["questions"][0].update(scale="nope"), "unknown scale 'nope'"),
        (lambda d: d["questions"][0].update(colour="red"), "unknown fields for a single_choice question: colour"),
        (lambda d: d.update(index=None), "an index form must name its index"),
        (lambda d: d.update(questions=[]), "must be a non-empty list"),
        (lambda d: d["questions"][1].update(max_choices=7), "must be a whole number from 1 to 3"),
        (lambda d: d["questions"][3].update(max_length=0), "must be a whole number from 1 to 2000"),
        (lambda d: d["questions"][0].update(top_box=["dont_know"]), "'dont_know' is not a scored option"),
        (lambda d: d["scales"]["s5"]["options"][0].update(score=120), "must be a number from 0 to 100"),
        (lambda d: d["scales"]["s5"]["options"][5].update(score=10), "cannot carry a score"),
        (lambda d: d["scales"]["s5"]["options"][1].pop("score"), "every substantive option needs one"),
        (lambda d: d["questions"][1]["options"][0].update(score=5), "does not take scores"),
        (lambda d: d.update(surprise=1), "unknown fields: surprise"),
    ],
)
def test_each_kind_of_mistake_is_explained(mutate, expected):
    data = minimal_form()
    mutate(data)
    assert any(expected in p for p in problems_of(data)), problems_of(data)


def test_a_file_that_is_not_a_mapping_is_refused():
    assert problems_of(["just", "a", "list"]) == [
        "bad.yaml: the file must hold a mapping with format_version, key, title and questions"
    ]


def test_an_index_form_needs_a_scored_question():
    data = minimal_form()
    data["questions"] = [data["questions"][3]]
    assert any("needs at least one scored question" in p for p in problems_of(data))


def test_a_profile_form_has_no_index_and_needs_no_scores():
    data = minimal_form(kind="profile", index=None, key="profile")
    data["questions"] = [
        {
            "key": "sex",
            "type": "single_choice",
            "profile": "sex",
            "text": "性别",
            "options": [{"key": "male", "label": "男"}, {"key": "female", "label": "女"}],
        }
    ]
    form = parse_form(data, "profile.yaml")
    assert form.kind == "profile" and form.questions[0].profile == "sex" and not form.questions[0].is_scored


def test_the_shipped_ballots_parse_and_a_ballot_must_be_graded_items_with_an_overall_grade(forms_dir):
    for key in ("team_ballot", "cadre_ballot"):
        ballot = parse_form(yaml.safe_load((forms_dir / f"{key}.yaml").read_text(encoding="utf-8")), key)
        assert ballot.kind == "ballot" and ballot.question("overall") is not None
        assert all(q.is_scored and not q.required for q in ballot.questions)
    broken = minimal_form(kind="ballot", index=None)
    with pytest.raises(FormDefinitionError) as caught:
        parse_form(broken, "ballot.yaml")
    text = str(caught.value)
    assert "every ballot item is a scored single choice" in text and "don't-know" in text
    assert "overall grade" in text
