"""The one SQL statement behind campaign results, and the numpy sums that turn its output into group statistics.

Answers stay in each response's JSON document. The database reads every scored answer once and turns it into a
one-character code (which option, or which rating; '-' when not answered), so each counted response becomes a line
of Q characters; per group of respondents who share a unit, a stratum, a cluster and a weighting cell it returns
the count, the id sums and the lines concatenated. Building a line needs nothing else of the row, so PostgreSQL
builds them in parallel workers. numpy then reads all lines as one (N × Q) byte matrix, maps codes to scores through
per-question tables and sums per group (np.bincount): no Python object per response or answer, and what the rest of
the product receives is a few rows per unit (`GroupRows`), whatever the campaign's size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import BigInteger, case, cast, func, literal, select, text

from ..domain.forms import FormDefinition, Question
from ..domain.question_types import RATING_MAX, RATING_MIN, RATING_TOP_BOX_FROM
from ..extensions import db
from ..models import Response, is_counted

RATING_VALUES = range(RATING_MIN, RATING_MAX + 1)
# Codes are consecutive characters from '?': answered with a value the question does not know, '@': not answered,
# 'A' + i: option i (or rating i).
UNKNOWN, MISSING = "?", "@"
BASE_CODE = ord(UNKNOWN)
FIRST_CODE = ord("A")
STAT_FIELDS = ("answered", "score_n", "score_total", "score_squares", "top_total")  # per group and question


@dataclass(frozen=True)
class ScoredItem:
    """One scored question of one index form, as the SQL reads it."""

    form_key: str
    question: Question
    weight: float  # λ


@dataclass(frozen=True)
class GroupRows:
    """The aggregation's output: one entry per group, sorted by unit."""

    unit_id: np.ndarray  # (G,)
    stratum: list[str | None]
    cluster: list[str | None]
    cells: list[tuple[str | None, ...]]  # the weighting variables' categories
    respondents: np.ndarray  # (G,)
    id_sums: list[tuple[int, int]]  # (Σ response id, Σ id²) per group: a fingerprint of which responses counted
    # per index: (G, Q) arrays answered, score_n, score_total, score_squares, top_total, and (G,) respondent stats
    index_stats: dict[str, dict[str, np.ndarray]]


@dataclass(frozen=True)
class CodeTable:
    """What each code of one question means: one row per code (code − BASE_CODE), columns as in STAT_FIELDS,
    plus the score times the question's weight λ, the top box times λ and λ for a substantive answer."""

    size: int
    columns: np.ndarray  # (size, 5): answered, scored, score, score², top
    own: np.ndarray  # (3, size): λ·score, λ·top, λ·scored

    @classmethod
    def of(cls, question: Question, weight: float) -> CodeTable:
        meanings = _meanings(question)
        size = FIRST_CODE - BASE_CODE + len(meanings)
        answered, scored, score, top = (np.zeros(size) for _ in range(4))
        answered[ord(UNKNOWN) - BASE_CODE] = 1.0
        for code, (score_value, in_top) in meanings.items():
            row = ord(code) - BASE_CODE
            answered[row] = 1.0
            if score_value is not None:
                scored[row], score[row], top[row] = 1.0, score_value, float(in_top)
        columns = np.stack([answered, scored, score, score * score, top], axis=1)
        return cls(size, columns, np.stack([score * weight, top * weight, scored * weight]))


def _values(question: Question) -> list:
    """The stored values a question can hold, in code order."""
    return list(RATING_VALUES) if question.type == "rating" else [o.key for o in question.options]


def _meanings(question: Question) -> dict[str, tuple[float | None, bool]]:
    """Each code's (score, in the top box); the score is None for an answer that is not substantive."""
    if question.type == "rating":
        return {chr(FIRST_CODE + v): (v * 100.0 / RATING_MAX, v >= RATING_TOP_BOX_FROM) for v in RATING_VALUES}
    return {
        chr(FIRST_CODE + i): (None if o.score is None else float(o.score), o.key in question.top_box)
        for i, o in enumerate(question.options)
    }


def _answer(form_key: str, question: Question):
    """The answer as stored: an option key (text) or a rating (a number); NULL when not answered."""
    path = Response.answers[form_key][question.key]
    return path.as_float() if question.type == "rating" else path.as_string()


def _code(form_key: str, question: Question):
    """One character for the answer; the answer is read once unless it is missing or unknown."""
    values = _values(question)
    if FIRST_CODE + len(values) > ord("~"):
        raise ValueError(f"question {question.key} has more options than one character can code")
    value = _answer(form_key, question)
    known = case({v: literal(chr(FIRST_CODE + i)) for i, v in enumerate(values)}, value=value, else_=None)
    other = case((value.is_(None), literal(MISSING)), else_=literal(UNKNOWN))
    return func.coalesce(known, other)


def lines_statement(campaign_id: int, items: dict[str, list[ScoredItem]], cell_questions, dialect: str):
    """Per group of counted responses (unit, stratum, cluster, cells, in that order): the respondent count, Σ id,
    Σ id² and every respondent's line of answer codes, concatenated. Each line is built in a subquery the
    outer query cannot fold into its aggregate (OFFSET 0), so PostgreSQL builds the lines in its parallel workers
    and only concatenates them per group in the leader."""
    codes = [_code(item.form_key, item.question) for index_items in items.values() for item in index_items]
    codes = codes or [literal("")]
    if dialect == "postgresql":
        line, lines_of = func.concat(*codes), func.string_agg
    else:
        line, lines_of = codes[0], func.group_concat
        for code in codes[1:]:
            line = line.op("||")(code)
    cells = [Response.answers[f][q].as_string().label(f"cell_{i}") for i, (f, q) in enumerate(cell_questions)]
    raw = (
        select(Response.id, Response.unit_id, Response.stratum, Response.cluster, *cells, line.label("line"))
        .where(Response.campaign_id == campaign_id, is_counted())
        .offset(0)
        .subquery("raw")
    )
    keys = [raw.c.unit_id, raw.c.stratum, raw.c.cluster, *(raw.c[f"cell_{i}"] for i in range(len(cell_questions)))]
    sums = [func.count(), func.sum(raw.c.id), func.sum(cast(raw.c.id, BigInteger) * raw.c.id)]
    return select(*keys, *sums, lines_of(raw.c.line, literal(""))).group_by(*keys).order_by(*keys)


def aggregate(campaign_id: int, items: dict[str, list[ScoredItem]], cell_questions: list[tuple[str, str]]) -> GroupRows:
    """Sum the included responses of a campaign per unit, stratum, cluster and weighting cell."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        # Compiling the statement to machine code costs more than it saves on one pass over the rows.
        db.session.execute(text("SET LOCAL jit = off"))
    rows = db.session.execute(lines_statement(campaign_id, items, cell_questions, dialect)).all()
    question_count = sum(len(index_items) for index_items in items.values())
    return group_statistics(Lines.of(rows, len(cell_questions), question_count), items)


@dataclass(frozen=True)
class Lines:
    """The statement's output: per group its keys, counts and id sums; per respondent the group and the codes."""

    unit_id: np.ndarray  # (G,)
    stratum: list[str | None]
    cluster: list[str | None]
    cells: list[tuple[str | None, ...]]
    respondents: np.ndarray  # (G,)
    id_sums: list[tuple[int, int]]
    group: np.ndarray  # (N,) each respondent's group
    codes: np.ndarray  # (N, Q) uint8, each respondent's answer codes (one line of Q characters each)

    @classmethod
    def of(cls, rows, cell_count: int, question_count: int) -> Lines:
        width = 3 + cell_count
        respondents = np.array([row[width] for row in rows], dtype=np.int64)
        joined = "".join(row[width + 3] for row in rows).encode("ascii")
        codes = np.frombuffer(joined, dtype=np.uint8).reshape(int(respondents.sum()), question_count)
        return cls(
            unit_id=np.array([row[0] for row in rows], dtype=np.int64),
            stratum=[row[1] for row in rows],
            cluster=[row[2] for row in rows],
            cells=[tuple(row[3:width]) for row in rows],
            respondents=respondents,
            id_sums=[(int(row[width + 1]), int(row[width + 2])) for row in rows],
            group=np.repeat(np.arange(len(rows)), respondents),
            codes=codes,
        )


def group_statistics(lines: Lines, items: dict[str, list[ScoredItem]]) -> GroupRows:
    """The sufficient statistics of every index per group, from the coded answers of each respondent."""
    group_count = len(lines.unit_id)
    stats: dict[str, dict[str, np.ndarray]] = {}
    by_question = np.ascontiguousarray(lines.codes.T)  # one contiguous row of codes per question
    column = 0
    for name, index_items in items.items():
        fields = {field: np.zeros((group_count, len(index_items))) for field in STAT_FIELDS}
        own = np.zeros((3, len(lines.group)))  # each respondent's Σλ·score, Σλ·top and Σλ over the items scored
        for j, item in enumerate(index_items):
            table = CodeTable.of(item.question, item.weight)
            codes = by_question[column].astype(np.intp) - BASE_CODE
            column += 1
            counts = np.bincount(lines.group * table.size + codes, minlength=group_count * table.size)
            sums = counts.reshape(group_count, table.size) @ table.columns  # exact: counts times small numbers
            for k, field in enumerate(STAT_FIELDS):
                fields[field][:, j] = sums[:, k]
            own += table.own[:, codes]  # item by item, in the order of the index's questions
        has_own = own[2] > 0
        for prefix, totals in (("respondent", own[0]), ("rate", own[1])):
            value = np.divide(totals, own[2], out=np.zeros_like(totals), where=has_own)
            fields[f"{prefix}_n"] = np.bincount(lines.group, weights=has_own, minlength=group_count)
            fields[f"{prefix}_total"] = np.bincount(lines.group, weights=value, minlength=group_count)
            fields[f"{prefix}_squares"] = np.bincount(lines.group, weights=value * value, minlength=group_count)
        stats[name] = fields
    return GroupRows(
        unit_id=lines.unit_id,
        stratum=lines.stratum,
        cluster=lines.cluster,
        cells=lines.cells,
        respondents=lines.respondents.astype(float),
        id_sums=lines.id_sums,
        index_stats=stats,
    )


def scored_items(definitions: list[FormDefinition]) -> dict[str, list[ScoredItem]]:
    """The scored questions of each index form of a campaign, by index name."""
    return {
        d.index: [ScoredItem(d.key, q, q.weight) for q in d.scored_questions]
        for d in definitions
        if d.kind == "index" and d.index and d.scored_questions
    }
