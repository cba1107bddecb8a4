"""Questionnaire definitions: the parsed, validated shape of a file in forms/."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping

SUPPORTED_FORMAT_VERSIONS = frozenset({1})
FORM_KINDS = frozenset({"index", "profile", "ballot", "pulse"})  # pulse: a short follow-up after a rectification
BALLOT_OVERALL_QUESTION = "overall"  # a ballot's overall grade: the rates and flags of DOMAIN.md §4 come from it
INDEX_NAMES = frozenset({"happiness", "satisfaction", "security"})
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    score: float | None = None
    is_substantive: bool = True


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    text: str
    required: bool
    weight: float = 1.0
    topic: str | None = None
    help: str | None = None
    profile: str | None = None
    options: tuple[Option, ...] = ()
    top_box: frozenset[str] = frozenset()
    max_choices: int | None = None
    max_length: int | None = None
    min_label: str | None = None
    max_label: str | None = None
    is_scored: bool = False

    def option(self, key: str) -> Option | None:
        """The option with this key, or None."""
        return self._options_by_key.get(key)

    @cached_property
    def _options_by_key(self) -> dict[str, Option]:
        return {o.key: o for o in self.options}


@dataclass(frozen=True)
class FormDefinition:
    key: str
    format_version: int
    kind: str
    title: str
    questions: tuple[Question, ...]
    index: str | None = None
    intro: str | None = None
    min_seconds: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def question(self, key: str) -> Question | None:
        """The question with this key, or None."""
        return self._questions_by_key.get(key)

    @cached_property
    def _questions_by_key(self) -> dict[str, Question]:
        return {q.key: q for q in self.questions}

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.is_scored)


@dataclass(frozen=True)
class DefinitionProblem:
    """One thing wrong in a form file, located by file, question and field."""

    source: str
    question: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.source]
        if self.question:
            where.append(f"question {self.question!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}"


class FormDefinitionError(ValueError):
    """Raised when a form file does not describe a valid questionnaire; carries every problem found."""

    def __init__(self, problems: list[DefinitionProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
