"""What a corrected revision of a period's results changed from the previous one, and each unit's deduction items
(扣分项) in a published revision: the places where it lost points, for feedback and rectification."""

from __future__ import annotations

from typing import Any

DIFF_FIELDS = ("score", "rank", "grade", "complete")


def revision_changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Per unit whose score, rank, grade or completeness changed: the old and new values (None when absent)."""
    old = {u["unit_code"]: u for u in before["units"]}
    new = {u["unit_code"]: u for u in after["units"]}
    changes = []
    for code in sorted(set(old) | set(new)):
        a, b = old.get(code, {}), new.get(code, {})
        fields = {f: {"before": a.get(f), "after": b.get(f)} for f in DIFF_FIELDS if a.get(f) != b.get(f)}
        if fields:
            unit = b or a
            changes.append(
                {"unit_id": unit["unit_id"], "unit_code": code, "unit_name": unit["unit_name"], "changes": fields}
            )
    return changes


def unit_deduction_items(result: dict[str, Any]) -> list[dict[str, Any]]:
    """A unit's deduction items: each deduction, veto, gated component and component scored below full marks,
    with a code, its parameters, the entered reason where there is one, and the points lost."""
    items: list[dict[str, Any]] = []
    for d in result["deductions"]["items"]:
        items.append({"kind": "deduction", "code": "deduction", "reason": d["reason"], "points": d["points"]})
    for v in result["vetoes"]:
        items.append({"kind": "veto", "code": "veto", "reason": v["reason"], "points": 0.0})
    for c in result["components"]:
        if c["value"] is None or not c["lost"]:
            continue
        kind = "gate" if c["gated"] else "component"
        params = {"component": c["key"], "value": c["value"], "threshold": result["gate"]["threshold"]}
        items.append({"kind": kind, "code": kind, "params": params, "reason": None, "points": c["lost"]})
    return items
