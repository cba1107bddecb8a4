"""Turn the mapping read from a form file into a FormDefinition, naming every problem precisely."""

from __future__ import annotations

from typing import Any, Mapping

from .forms import (
    BALLOT_OVERALL_QUESTION,
    FORM_KINDS,
    INDEX_NAMES,
    KEY_PATTERN,
    SUPPORTED_FORMAT_VERSIONS,
    DefinitionProblem,
    FormDefinition,
    FormDefinitionError,
    Option,
    Question,
)
from .question_types import QUESTION_TYPES, parse_options

FORM_FIELDS = frozenset(
    {"format_version", "key", "kind", "index", "title", "intro", "scales", "questions", "min_seconds"}
)
QUESTION_FIELDS = frozenset({"key", "type", "text", "required", "weight", "topic", "help", "profile"})
MAX_QUESTIONS = 60


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.items: list[DefinitionProblem] = []

    def add(self, message: str, field: str | None = None, question: str | None = None) -> None:
        self.items.append(DefinitionProblem(self.source, question, field, message))

    def for_question(self, question: str | None):
        return lambda field, message: self.add(message, field=field, question=question)


def parse_form(data: Any, source: str) -> FormDefinition:
    """Validate a form mapping; raise FormDefinitionError listing every problem, or return the definition."""
    problems = _Problems(source)
    if not isinstance(data, Mapping):
        problems.add("the file must hold a mapping with format_version, key, title and questions")
        raise FormDefinitionError(problems.items)
    unknown = set(data) - FORM_FIELDS
    if unknown:
        problems.add(f"unknown fields: {', '.join(sorted(map(str, unknown)))}")
    version = data.get("format_version")
    if version not in SUPPORTED_FORMAT_VERSIONS:
        problems.add(f"must be one of {sorted(SUPPORTED_FORMAT_VERSIONS)}", field="format_version")
    key = data.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.add("must be lower-case letters, digits or _ and start with a letter", field="key")
    kind = data.get("kind", "index")
    if kind not in FORM_KINDS:
        problems.add(f"must be one of {sorted(FORM_KINDS)}", field="kind")
    index = data.get("index")
    if kind == "index" and index not in INDEX_NAMES:
        problems.add(f"an index form must name its index, one of {sorted(INDEX_NAMES)}", field="index")
    if kind != "index" and index is not None:
        problems.add("only an index form names an index", field="index")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.add("must be a non-empty text", field="title")
    intro = data.get("intro")
    if intro is not None and not isinstance(intro, str):
        problems.add("must be a text", field="intro")
    min_seconds = data.get("min_seconds")
    if min_seconds is not None and (
        isinstance(min_seconds, bool) or not isinstance(min_seconds, int) or min_seconds < 0
    ):
        problems.add("must be a whole number of seconds, 0 or more", field="min_seconds")
    scales = _parse_scales(data.get("scales", {}), problems)
    questions = _parse_questions(data.get("questions"), scales, problems)
    if kind == "index" and questions and not any(q.is_scored for q in questions):
        problems.add("an index form needs at least one scored question", field="questions")
    if kind == "ballot":
        _check_ballot(questions, problems)
    if problems.items:
        raise FormDefinitionError(problems.items)
    return FormDefinition(
        key=key,
        format_version=version,
        kind=kind,
        title=title.strip(),
        questions=questions,
        index=index,
        intro=intro,
        min_seconds=min_seconds,
        raw=data,
    )


def _parse_scales(raw: Any, problems: _Problems) -> dict[str, tuple[tuple[Option, ...], Any]]:
    if not isinstance(raw, Mapping):
        problems.add("must map scale names to option lists", field="scales")
        return {}
    scales = {}
    for name, body in raw.items():
        report = lambda field, message, name=name: problems.add(message, field=f"scales.{name}.{field}")  # noqa: E731
        if isinstance(body, Mapping):
            unknown = set(body) - {"options", "top_box"}
            if unknown:
                report("", f"unknown fields: {', '.join(sorted(map(str, unknown)))}")
            options, top_box = parse_options(body.get("options"), report, allow_scores=True), body.get("top_box")
        else:
            options, top_box = parse_options(body, report, allow_scores=True), None
        scales[name] = (options, top_box)
    return scales


def _parse_questions(raw: Any, scales: Mapping[str, Any], problems: _Problems) -> tuple[Question, ...]:
    if not isinstance(raw, list) or not raw:
        problems.add("must be a non-empty list", field="questions")
        return ()
    if len(raw) > MAX_QUESTIONS:
        problems.add(f"at most {MAX_QUESTIONS} questions per form", field="questions")
    questions: list[Question] = []
    seen: set[str] = set()
    for position, item in enumerate(raw, start=1):
        label = f"#{position}"
        if not isinstance(item, Mapping):
            problems.add("must be a mapping", question=label)
            continue
        key = item.get("key")
        if isinstance(key, str) and KEY_PATTERN.match(key):
            label = key
            if key in seen:
                problems.add("duplicate question key", field="key", question=label)
            seen.add(key)
        else:
            problems.add("must be lower-case letters, digits or _ and start with a letter", field="key", question=label)
        question = _parse_question(item, label, scales, problems)
        if question is not None:
            questions.append(question)
    return tuple(questions)


def _parse_question(
    item: Mapping[str, Any], label: str, scales: Mapping[str, Any], problems: _Problems
) -> Question | None:
    report = problems.for_question(label)
    qtype = QUESTION_TYPES.get(item.get("type"))  # type: ignore[arg-type]
    if qtype is None:
        report("type", f"must be one of {sorted(QUESTION_TYPES)}")
        return None
    unknown = set(item) - QUESTION_FIELDS - qtype.extra_fields
    if unknown:
        report(None, f"unknown fields for a {qtype.name} question: {', '.join(sorted(map(str, unknown)))}")
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        report("text", "must be a non-empty text")
    required = item.get("required", qtype.default_required)
    if not isinstance(required, bool):
        report("required", "must be true or false")
        required = qtype.default_required
    weight = item.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        report("weight", "must be a number, 0 or more")
        weight = 1
    optional_texts = {}
    for name in ("topic", "help", "profile"):
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            report(name, "must be a text")
            value = None
        optional_texts[name] = value
    base = dict(
        key=label,
        type=qtype.name,
        text=str(text or "").strip(),
        required=required,
        weight=float(weight),
        **optional_texts,
    )
    return qtype.parse(item, base, scales, report)


def _check_ballot(questions, problems) -> None:
    """A ballot grades every item on a scored scale, and its overall grade is the question keyed "overall"."""
    for q in questions:
        if q.type != "single_choice" or not q.is_scored:
            problems.add("every ballot item is a scored single choice", question=q.key)
        elif any(not o.is_substantive for o in q.options):
            problems.add("a ballot item has no don't-know option: a blank is the abstention", question=q.key)
    if questions and not any(q.key == BALLOT_OVERALL_QUESTION for q in questions):
        problems.add(
            f"a ballot needs an overall grade, the question keyed {BALLOT_OVERALL_QUESTION!r}", field="questions"
        )
