"""The one SQL aggregation behind campaign results.

Answers stay in each response's JSON document; the database turns them into scores (from the immutable form
versions) and sums them per group of respondents who share a unit, a stratum, a cluster and a weighting cell.
What comes back is a few rows per unit, never a row per respondent, whatever the campaign's size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import BigInteger, Float, case, cast, func, literal, null, select, text

from ..domain.forms import FormDefinition, Question
from ..domain.question_types import RATING_MAX, RATING_TOP_BOX_FROM
from ..extensions import db
from ..models import Response, is_counted


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


def _answer(form_key: str, question: Question):
    """The answer as stored: an option key (text) or a rating (a number); NULL when not answered."""
    path = Response.answers[form_key][question.key]
    return path.as_float() if question.type == "rating" else path.as_string()


def _score_and_top(question: Question, value):
    """The answer's score (0–100) and top-box indicator (1/0), NULL for a non-substantive or missing answer."""
    if question.type == "rating":
        score = value * (100.0 / RATING_MAX)
        top = case((value >= RATING_TOP_BOX_FROM, 1.0), (value.is_not(None), 0.0), else_=null())
        return cast(score, Float), cast(top, Float)
    scored = {o.key: float(o.score) for o in question.options if o.score is not None}
    score = case({k: cast(literal(v), Float) for k, v in scored.items()}, value=value, else_=null())
    top_values = {k: cast(literal(1.0 if k in question.top_box else 0.0), Float) for k in scored}
    return score, case(top_values, value=value, else_=null())


def _own_mean(columns, weights):
    """A respondent's own weighted mean over the items they have a value for (NULL when none)."""
    numerator = sum(func.coalesce(c, 0.0) * w for c, w in zip(columns, weights))
    denominator = sum(case((c.is_(None), 0.0), else_=w) for c, w in zip(columns, weights))
    return numerator / func.nullif(denominator, 0.0)


def aggregate(campaign_id: int, items: dict[str, list[ScoredItem]], cell_questions: list[tuple[str, str]]) -> GroupRows:
    """Sum the included responses of a campaign per unit, stratum, cluster and weighting cell."""
    cell_columns = [Response.answers[f][q].as_string().label(f"cell_{i}") for i, (f, q) in enumerate(cell_questions)]
    answers = [
        _answer(item.form_key, item.question).label(f"v_{name}_{j}")
        for name, index_items in items.items()
        for j, item in enumerate(index_items)
    ]
    # Each answer is read from the JSON document once (OFFSET 0 keeps this layer from being folded into the next).
    raw = (
        select(Response.id, Response.unit_id, Response.stratum, Response.cluster, *cell_columns, *answers)
        .where(Response.campaign_id == campaign_id, is_counted())
        .offset(0)
        .subquery("raw")
    )
    per_item = []
    for name, index_items in items.items():
        for j, item in enumerate(index_items):
            value = raw.c[f"v_{name}_{j}"]
            score, top = _score_and_top(item.question, value)
            per_item += [score.label(f"s_{name}_{j}"), top.label(f"t_{name}_{j}"), value.label(f"a_{name}_{j}")]
    scored = select(
        raw.c.id,
        raw.c.unit_id,
        raw.c.stratum,
        raw.c.cluster,
        *(raw.c[f"cell_{i}"] for i in range(len(cell_questions))),
        *per_item,
    )
    scored = scored.offset(0).subquery("scored")
    own = []
    for name, index_items in items.items():
        weights = [literal(item.weight, Float) for item in index_items]
        s = [scored.c[f"s_{name}_{j}"] for j in range(len(index_items))]
        t = [scored.c[f"t_{name}_{j}"] for j in range(len(index_items))]
        own += [_own_mean(s, weights).label(f"r_{name}"), _own_mean(t, weights).label(f"rr_{name}")]
    middle = select(scored, *own).offset(0).subquery("own")
    keys = [
        middle.c.unit_id,
        middle.c.stratum,
        middle.c.cluster,
        *(middle.c[f"cell_{i}"] for i in range(len(cell_questions))),
    ]
    sums = [func.count(), func.sum(middle.c.id), func.sum(cast(middle.c.id, BigInteger) * middle.c.id)]
    layout: list[tuple[str, str, int | None]] = []
    for name, index_items in items.items():
        for j in range(len(index_items)):
            s, t, a = middle.c[f"s_{name}_{j}"], middle.c[f"t_{name}_{j}"], middle.c[f"a_{name}_{j}"]
            sums += [func.count(a), func.count(s), func.sum(s), func.sum(s * s), func.sum(t)]
            layout += [
                (name, field, j) for field in ("answered", "score_n", "score_total", "score_squares", "top_total")
            ]
        for prefix, stat in (("r", "respondent"), ("rr", "rate")):
            column = middle.c[f"{prefix}_{name}"]
            sums += [func.count(column), func.sum(column), func.sum(column * column)]
            layout += [(name, f"{stat}_{field}", None) for field in ("n", "total", "squares")]
    statement = select(*keys, *sums).group_by(*keys).order_by(*keys)
    if db.session.get_bind().dialect.name == "postgresql":
        # Compiling this wide statement to machine code costs seconds and saves nothing on one pass over the rows.
        db.session.execute(text("SET LOCAL jit = off"))
    rows = db.session.execute(statement).all()
    return _to_arrays(rows, len(cell_questions), items, layout)


def _to_arrays(rows, cell_count: int, items, layout) -> GroupRows:
    width = 3 + cell_count
    numbers = np.array([row[width:] for row in rows], dtype=float).reshape(len(rows), 3 + len(layout))
    numbers = np.nan_to_num(numbers)  # SUM over no values is NULL: nothing to add
    stats: dict[str, dict[str, np.ndarray]] = {
        name: {
            field: np.zeros((len(rows), len(index_items)))
            for field in ("answered", "score_n", "score_total", "score_squares", "top_total")
        }
        for name, index_items in items.items()
    }
    for column, (name, field, j) in enumerate(layout, start=3):
        if j is None:
            stats[name][field] = numbers[:, column]
        else:
            stats[name][field][:, j] = numbers[:, column]
    return GroupRows(
        unit_id=np.array([row[0] for row in rows], dtype=int),
        stratum=[row[1] for row in rows],
        cluster=[row[2] for row in rows],
        cells=[tuple(row[3:width]) for row in rows],
        respondents=numbers[:, 0],
        id_sums=[(int(row[width + 1]), int(row[width + 2])) for row in rows],
        index_stats=stats,
    )


def scored_items(definitions: list[FormDefinition]) -> dict[str, list[ScoredItem]]:
    """The scored questions of each index form of a campaign, by index name."""
    return {
        d.index: [ScoredItem(d.key, q, q.weight) for q in d.scored_questions]
        for d in definitions
        if d.kind == "index" and d.index and d.scored_questions
    }
