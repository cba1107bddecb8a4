"""Which column of an imported answers table is which: the unit, the record id, the sample design, the timing,
and each question of the campaign's questionnaires (by `form.question`, by a bare question key that is unique
across the questionnaires, or by the question's text)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Sequence

from .forms import FormDefinition, Question

# Each field's accepted headers (compared after normalise_header); the first is the one templates write.
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "unit": ("unit", "unit_code", "单位代码"),
    "record_id": ("record_id", "记录编号", "问卷编号"),
    "stratum": ("stratum", "抽样层"),
    "cluster": ("cluster", "抽样群"),
    "duration_seconds": ("duration_seconds", "访问时长(秒)"),
    "interviewed_at": ("interviewed_at", "访问时间"),
}


def normalise_header(text: str) -> str:
    """Headers compare without case, surrounding space or full-width/half-width differences."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


@dataclass(frozen=True)
class QuestionColumn:
    index: int
    header: str
    form_key: str
    question: Question

    @property
    def name(self) -> str:
        return f"{self.form_key}.{self.question.key}"


@dataclass(frozen=True)
class ColumnMap:
    headers: tuple[str, ...]
    fields: dict[str, int]  # field name -> column index
    questions: tuple[QuestionColumn, ...]
    ignored: tuple[int, ...]  # columns without a header: they must stay empty


@dataclass(frozen=True)
class HeaderProblem:
    """A reason the whole file is refused: `code` is stable, `columns` names the headers (or questions) concerned."""

    code: str  # unknown_columns, ambiguous_columns, duplicate_columns, missing_unit, missing_required, no_questions
    columns: tuple[str, ...]


def column_name(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _question_lookup(forms: Sequence[FormDefinition]) -> dict[str, list[tuple[str, Question]]]:
    lookup: dict[str, list[tuple[str, Question]]] = {}
    for form in forms:
        for question in form.questions:
            lookup.setdefault(normalise_header(f"{form.key}.{question.key}"), []).append((form.key, question))
    for kind in ("key", "text"):
        seen: dict[str, list[tuple[str, Question]]] = {}
        for form in forms:
            for question in form.questions:
                seen.setdefault(normalise_header(getattr(question, kind)), []).append((form.key, question))
        for header, matches in seen.items():
            lookup.setdefault(header, matches)  # a full `form.question` name always wins
    return lookup


def map_columns(headers: Sequence[str], forms: Sequence[FormDefinition]) -> tuple[ColumnMap, list[HeaderProblem]]:
    """Name every column, or say why the file cannot be read: unknown, ambiguous or repeated columns, no unit
    column, or a required question without a column."""
    field_by_header = {normalise_header(h): field for field, names in FIELD_HEADERS.items() for h in names}
    lookup = _question_lookup(forms)
    fields: dict[str, int] = {}
    questions: list[QuestionColumn] = []
    ignored: list[int] = []
    unknown, ambiguous, repeated = [], [], []
    taken: dict[str, str] = {}  # what a column stands for -> the first header that claimed it
    for index, raw in enumerate(headers):
        header = (raw or "").strip()
        key = normalise_header(header)
        if not key:
            ignored.append(index)
            continue
        if key in field_by_header:
            meaning = field_by_header[key]
        elif len(lookup.get(key, [])) == 1:
            form_key, question = lookup[key][0]
            meaning = f"{form_key}.{question.key}"
            questions.append(QuestionColumn(index, header, form_key, question))
        elif key in lookup:
            ambiguous.append(header)
            continue
        else:
            unknown.append(header)
            continue
        if meaning in taken:
            repeated.append(f"{taken[meaning]} / {header}")
            continue
        taken[meaning] = header
        if meaning in FIELD_HEADERS:
            fields[meaning] = index
    problems = [
        HeaderProblem(code, tuple(columns))
        for code, columns in (("unknown_columns", unknown), ("ambiguous_columns", ambiguous))
        if columns
    ]
    if repeated:
        problems.append(HeaderProblem("duplicate_columns", tuple(repeated)))
    if "unit" not in fields:
        problems.append(HeaderProblem("missing_unit", FIELD_HEADERS["unit"]))
    if not questions and not unknown and not ambiguous:
        problems.append(HeaderProblem("no_questions", ()))
    covered = {(c.form_key, c.question.key) for c in questions}
    missing = [
        f"{form.key}.{q.key}"
        for form in forms
        for q in form.questions
        if q.required and (form.key, q.key) not in covered
    ]
    if missing and not unknown and not ambiguous:
        problems.append(HeaderProblem("missing_required", tuple(missing)))
    return ColumnMap(tuple(headers), fields, tuple(questions), tuple(ignored)), problems


def template_headers(forms: Sequence[FormDefinition]) -> list[str]:
    """The headers of an empty import file for these questionnaires, in the canonical `form.question` form."""
    return [names[0] for names in FIELD_HEADERS.values()] + [
        f"{form.key}.{question.key}" for form in forms for question in form.questions
    ]
