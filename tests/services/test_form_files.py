"""Every questionnaire shipped in forms/ loads, and the index questionnaires have the shape DOMAIN.md asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_api.config import PROJECT_ROOT
from survey_api.domain.forms import FormDefinitionError
from survey_api.services.forms_catalogue import check_forms, form_files, read_form_file

FORMS = PROJECT_ROOT / "forms"


@pytest.mark.parametrize("path", form_files(FORMS), ids=lambda p: p.name)
def test_every_form_file_loads(path: Path):
    definition = read_form_file(path)
    assert definition.key == path.stem and definition.format_version == 1


@pytest.mark.parametrize("key", ["happiness", "satisfaction", "security"])
def test_index_questionnaires_have_8_to_15_questions_scored_on_0_to_100(key):
    form = read_form_file(FORMS / f"{key}.yaml")
    assert form.kind == "index" and form.index == key
    assert 8 <= len(form.questions) <= 15
    assert len(form.scored_questions) >= 8
    for question in form.scored_questions:
        if question.type == "single_choice":
            assert [o.score for o in question.options if o.is_substantive][0] == 100
            assert any(not o.is_substantive for o in question.options), f"{question.key} needs a don't-know option"
    assert {q.type for q in form.questions} >= {"single_choice", "text"}


def test_the_profile_questions_used_for_weighting_exist():
    form = read_form_file(FORMS / "profile.yaml")
    assert {q.profile for q in form.questions} >= {"sex", "age_group", "residence_years"}


def test_check_forms_reports_a_broken_file_by_name(tmp_path):
    (tmp_path / "good.yaml").write_text(
        (FORMS / "profile.yaml").read_text(encoding="utf-8").replace("key: profile", "key: good"), encoding="utf-8"
    )
    (tmp_path / "broken.yaml").write_text("format_version: 1\nkey: broken\ntitle: [unclosed\n", encoding="utf-8")
    (tmp_path / "renamed.yaml").write_text((FORMS / "profile.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    outcome = {p.name: r for p, r in check_forms(tmp_path).items()}
    assert not isinstance(outcome["good.yaml"], FormDefinitionError)
    assert "broken.yaml: not valid YAML (line " in str(outcome["broken.yaml"])
    assert "renamed.yaml, field 'key': must match the file name 'renamed'" in str(outcome["renamed.yaml"])


def test_a_campaign_cannot_take_a_ballot(db_session):
    from survey_api.errors import AppError

    from ..factories import create_campaign

    with pytest.raises(AppError) as caught:
        create_campaign(forms=["satisfaction", "team_ballot"])
    assert caught.value.code == "form.invalid" and "team_ballot is a ballot" in caught.value.details[0]
