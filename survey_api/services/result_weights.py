"""Respondent weights of one unit's groups in a results run: raked to the unit's population margins (DOMAIN.md §3),
with the report that goes into the results document, or 1 where the unit has no margins."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..domain.rules import RuleSet
from ..domain.weighting import RakingError, rake
from ..errors import AppError


def unit_weights(rows, part, variables, unit_margins, rules: RuleSet, unit_code: str):
    """Each group's respondent weight: raked to the unit's margins where it has them, 1 otherwise."""
    count = part.stop - part.start
    if not unit_margins or not variables or count == 0:
        return np.ones(count), None
    used = [v for v in variables if v in unit_margins]
    cells = rows.cells[part]
    positions = [variables.index(v) for v in used]
    placed = np.array([all(cell[p] is not None for p in positions) for cell in cells])
    sizes = rows.respondents[part].astype(int)
    groups = {
        v: np.repeat(np.array([cell[p] for cell in cells], dtype=object)[placed], sizes[placed])
        for v, p in zip(used, positions)
    }
    try:
        respondent_weights, report = rake(
            groups, {v: unit_margins[v] for v in used}, rules.trim_lower, rules.trim_upper
        )
    except RakingError as exc:
        where = f"{exc.variable}={exc.category}" if exc.category else exc.variable
        raise AppError("margins.not_fitted", unit=unit_code, reason=f"{exc.code}: {where}") from exc
    if not report.converged:
        raise AppError("margins.not_fitted", unit=unit_code, reason=f"no convergence in {report.iterations} rounds")
    weights = np.ones(count)
    starts = np.concatenate([[0], np.cumsum(sizes[placed])[:-1]]).astype(int)
    weights[placed] = respondent_weights[starts]  # every respondent of a cell has the cell's weight
    return weights, {
        "method": "raking",
        "variables": used,
        "iterations": report.iterations,
        "max_margin_error": report.max_margin_error,
        "trimmed": report.trimmed,
        "design_effect": report.design_effect,
        "unplaced": int(sizes[~placed].sum()),  # respondents missing a profile answer keep weight 1
    }


def cell_weights(rows, part, variables, weights) -> list[dict[str, Any]]:
    seen: dict[tuple, float] = {}
    for cell, weight in zip(rows.cells[part], weights):
        if all(value is not None for value in cell):
            seen.setdefault(tuple(cell), float(weight))
    return [{"cell": dict(zip(variables, cell)), "weight": weight} for cell, weight in sorted(seen.items())]
