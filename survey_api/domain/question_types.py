"""The registry of question types: each parses its own fields and validates one answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Mapping

from .forms import KEY_PATTERN, Option, Question

RATING_MIN, RATING_MAX = 0, 10
# On a scored 0–10 rating the three best values (8, 9, 10) are the top box, as the three best options are on a scale.
RATING_TOP_BOX_FROM = 8
DEFAULT_TEXT_LENGTH = 300
MAX_TEXT_LENGTH = 2000


class AnswerProblem(Exception):
    """An answer that does not fit its question; `code` is stable, `params` fill the message."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CheckedAnswer:
    """An answer that passed validation, in canonical form, with its score when the question is scored."""

    value: Any
    score: float | None
    is_substantive: bool | None


Report = Callable[[str, str], None]  # (field, message)


class QuestionType:
    name: ClassVar[str]
    extra_fields: ClassVar[frozenset[str]] = frozenset()
    default_required: ClassVar[bool] = True

    def parse(
        self, raw: Mapping[str, Any], base: dict[str, Any], scales: Mapping[str, Any], report: Report
    ) -> Question:
        """Build the Question from the common fields in `base` and this type's own fields in `raw`."""
        return Question(**base)

    def check(self, question: Question, value: Any) -> CheckedAnswer:
        """Validate one non-empty answer; raise AnswerProblem if it does not fit."""
        raise NotImplementedError

    def is_empty(self, value: Any) -> bool:
        """Whether a value counts as no answer at all."""
        return value is None or value == "" or value == []


def parse_options(raw_options: Any, report: Report, allow_scores: bool) -> tuple[Option, ...]:
    """Parse a list of option mappings, reporting every malformed entry."""
    if not isinstance(raw_options, list) or len(raw_options) < 2:
        report("options", "must be a list of at least two options")
        return ()
    options: list[Option] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_options):
        where = f"options[{i}]"
        if not isinstance(raw, Mapping):
            report(where, "must be a mapping with key and label")
            continue
        unknown = set(raw) - {"key", "label", "score", "substantive"}
        if unknown:
            report(where, f"unknown fields: {', '.join(sorted(map(str, unknown)))}")
        key, label = raw.get("key"), raw.get("label")
        if not isinstance(key, str) or not KEY_PATTERN.match(key):
            report(f"{where}.key", "must be lower-case letters, digits or _ and start with a letter")
            continue
        if key in seen:
            report(f"{where}.key", f"duplicate option key {key!r}")
        seen.add(key)
        if not isinstance(label, str) or not label.strip():
            report(f"{where}.label", "must be a non-empty text")
        substantive = raw.get("substantive", True)
        if not isinstance(substantive, bool):
            report(f"{where}.substantive", "must be true or false")
            substantive = True
        score = raw.get("score")
        if score is not None:
            if not allow_scores:
                report(f"{where}.score", "this question type does not take scores")
                score = None
            elif isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100:
                report(f"{where}.score", "must be a number from 0 to 100")
                score = None
            elif not substantive:
                report(f"{where}.score", "a non-substantive option (don't know) cannot carry a score")
                score = None
        options.append(
            Option(
                key=key,
                label=str(label or "").strip(),
                score=None if score is None else float(score),
                is_substantive=substantive,
            )
        )
    return tuple(options)


class SingleChoice(QuestionType):
    name = "single_choice"
    extra_fields = frozenset({"options", "scale", "top_box"})

    def parse(self, raw, base, scales, report):
        top_box_raw = raw.get("top_box")
        if "scale" in raw:
            if "options" in raw:
                report("scale", "give either scale or options, not both")
            scale = scales.get(raw["scale"]) if isinstance(raw["scale"], str) else None
            if scale is None:
                report("scale", f"unknown scale {raw['scale']!r}")
                return Question(**base)
            options, scale_top_box = scale
            top_box_raw = top_box_raw if top_box_raw is not None else scale_top_box
        else:
            options = parse_options(raw.get("options"), report, allow_scores=True)
        scored = [o for o in options if o.score is not None]
        substantive = [o for o in options if o.is_substantive]
        is_scored = bool(scored)
        if is_scored and len(scored) != len(substantive):
            report("options", "when any option has a score, every substantive option needs one")
        top_box = resolve_top_box(options, top_box_raw, report) if is_scored else frozenset()
        return Question(**base, options=options, is_scored=is_scored, top_box=top_box)

    def check(self, question, value):
        if not isinstance(value, str):
            raise AnswerProblem("wrong_type", expected="option")
        option = question.option(value)
        if option is None:
            raise AnswerProblem("unknown_option", value=value[:40])
        return CheckedAnswer(value=option.key, score=option.score, is_substantive=option.is_substantive)


def resolve_top_box(options: tuple[Option, ...], raw: Any, report: Report) -> frozenset[str]:
    """The top-box option keys: as listed, or by default the three best-scoring options."""
    if raw is None:
        ranked = sorted((o for o in options if o.score is not None), key=lambda o: -(o.score or 0))
        return frozenset(o.key for o in ranked[:3])
    if not isinstance(raw, list) or not raw:
        report("top_box", "must be a non-empty list of option keys")
        return frozenset()
    keys = {o.key: o for o in options}
    for key in raw:
        if key not in keys or keys[key].score is None:
            report("top_box", f"{key!r} is not a scored option of this question")
    return frozenset(k for k in raw if isinstance(k, str))


class MultipleChoice(QuestionType):
    name = "multiple_choice"
    extra_fields = frozenset({"options", "max_choices"})

    def parse(self, raw, base, scales, report):
        options = parse_options(raw.get("options"), report, allow_scores=False)
        max_choices = raw.get("max_choices", len(options))
        if (
            isinstance(max_choices, bool)
            or not isinstance(max_choices, int)
            or not 1 <= max_choices <= max(len(options), 1)
        ):
            report("max_choices", f"must be a whole number from 1 to {len(options)}")
            max_choices = len(options)
        return Question(**base, options=options, max_choices=max_choices)

    def check(self, question, value):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise AnswerProblem("wrong_type", expected="options")
        chosen = list(dict.fromkeys(value))
        for key in chosen:
            if question.option(key) is None:
                raise AnswerProblem("unknown_option", value=key[:40])
        if question.max_choices is not None and len(chosen) > question.max_choices:
            raise AnswerProblem("too_many", maximum=question.max_choices)
        order = [o.key for o in question.options]
        return CheckedAnswer(value=sorted(chosen, key=order.index), score=None, is_substantive=None)


CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Typed text in canonical form: line endings as \\n, invisible control characters (NUL included, which no
    database stores in JSON) removed, surrounding space trimmed."""
    return CONTROL_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


class FreeText(QuestionType):
    name = "text"
    extra_fields = frozenset({"max_length"})
    default_required = False

    def parse(self, raw, base, scales, report):
        max_length = raw.get("max_length", DEFAULT_TEXT_LENGTH)
        if isinstance(max_length, bool) or not isinstance(max_length, int) or not 1 <= max_length <= MAX_TEXT_LENGTH:
            report("max_length", f"must be a whole number from 1 to {MAX_TEXT_LENGTH}")
            max_length = DEFAULT_TEXT_LENGTH
        return Question(**base, max_length=max_length)

    def is_empty(self, value):
        return value is None or (isinstance(value, str) and not clean_text(value))

    def check(self, question, value):
        if not isinstance(value, str):
            raise AnswerProblem("wrong_type", expected="text")
        text = clean_text(value)
        if question.max_length is not None and len(text) > question.max_length:
            raise AnswerProblem("too_long", maximum=question.max_length, length=len(text))
        return CheckedAnswer(value=text, score=None, is_substantive=None)


class Rating(QuestionType):
    """A 0–10 rating; when scored, 10 maps to 100 points."""

    name = "rating"
    extra_fields = frozenset({"min_label", "max_label", "scored"})

    def parse(self, raw, base, scales, report):
        scored = raw.get("scored", False)
        if not isinstance(scored, bool):
            report("scored", "must be true or false")
            scored = False
        labels = {}
        for name in ("min_label", "max_label"):
            label = raw.get(name)
            if label is not None and not isinstance(label, str):
                report(name, "must be a text")
                label = None
            labels[name] = label
        return Question(**base, is_scored=scored, **labels)

    def check(self, question, value):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise AnswerProblem("wrong_type", expected="whole number")
        if not RATING_MIN <= value <= RATING_MAX:
            raise AnswerProblem("out_of_range", minimum=RATING_MIN, maximum=RATING_MAX)
        score = value * 100 / RATING_MAX if question.is_scored else None
        return CheckedAnswer(value=value, score=score, is_substantive=True if question.is_scored else None)


QUESTION_TYPES: dict[str, QuestionType] = {t.name: t for t in (SingleChoice(), MultipleChoice(), FreeText(), Rating())}
