"""Ranks and grades within each category (DOMAIN.md §5 steps 10–11, §6): ranks by score with tie-breakers (units
still equal share a rank, 1, 1, 3 by default), grades by score bands under the top-grade quota, vetoes and
affirmations; and the bottom-ranked units of a routine quarter, listed for a reminder talk."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .period_rules import PUBLIC_COMPOSITE, PeriodRules


def quota_slots(quota: float, ranked: int) -> int:
    """Top-grade slots in a category of this many ranked units: quota × units, rounded half up."""
    return int((Decimal(str(quota)) * ranked).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rank_key(rules: PeriodRules, result: dict[str, Any]) -> tuple[float, ...]:
    """What ranks a unit, highest first: its score, then each tie-breaker (a missing value ranks last)."""
    values = {c["key"]: c["value"] for c in result["components"]}
    values[PUBLIC_COMPOSITE] = result["public_composite"]
    breakers = [values.get(b) for b in rules.tie_breakers]
    return (result["score"], *(float("-inf") if v is None else round(v, 9) for v in breakers))


def assign_ranks(rules: PeriodRules, results: list[dict[str, Any]]) -> None:
    """Rank complete units: competition ranks (1, 1, 3) or dense ranks (1, 1, 2) as the rules say."""
    keys = {id(r): rank_key(rules, r) for r in results}
    distinct = sorted(set(keys.values()), reverse=True)
    for result in results:
        key = keys[id(result)]
        if rules.rank_method == "dense":
            result["rank"] = distinct.index(key) + 1
        else:
            result["rank"] = 1 + sum(1 for other in keys.values() if other > key)
        tied_on_score = [r for r in results if r is not result and r["score"] == result["score"]]
        broken = [r for r in tied_on_score if keys[id(r)] != key]
        if broken:
            result["why"].append({"code": "rank.tie_broken", "params": {"by": list(rules.tie_breakers)}})
        if len(tied_on_score) > len(broken):
            result["why"].append({"code": "rank.shared", "params": {"rank": result["rank"]}})


def band_of(rules: PeriodRules, score: float) -> int:
    """The index of the highest grade band the score reaches (the last band has minimum 0)."""
    return next(i for i, g in enumerate(rules.grades) if score >= g.minimum)


def grade_categories(rules: PeriodRules, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rank and grade every category's complete units; return each category's summary."""
    summaries = []
    for category in sorted({r["category"] for r in results}):
        members = [r for r in results if r["category"] == category]
        ranked = [r for r in members if r["complete"]]
        assign_ranks(rules, ranked)
        slots = quota_slots(rules.quota, len(ranked))
        taken = _grade(rules, ranked, slots)
        ordered = sorted(ranked, key=lambda r: (r["rank"], r["unit_code"]))
        bottom = _bottom(ordered, rules.reminder_bottom)
        summaries.append(
            {
                "category": category,
                "units": len(members),
                "ranked": len(ranked),
                "quota_slots": slots,
                "top_grades": taken,
                "order": [r["unit_code"] for r in ordered],
                "incomplete": sorted(r["unit_code"] for r in members if not r["complete"]),
                "reminders": bottom,
            }
        )
    return summaries


def _bottom(ordered: list[dict[str, Any]], count: int) -> list[str]:
    """The units in the bottom `count` places; units tied with the last of them are listed too."""
    if count <= 0 or not ordered:
        return []
    cutoff = ordered[max(0, len(ordered) - count)]["rank"]
    return [r["unit_code"] for r in ordered if r["rank"] >= cutoff]


def _grade(rules: PeriodRules, ranked: list[dict[str, Any]], slots: int) -> int:
    """Grades by band, affirmation, veto and quota; returns how many units got the top grade."""
    grades = rules.grades
    second = 1
    for r in ranked:
        r["band"] = grades[band_of(rules, r["score"])].key
    affirmed = [r for r in ranked if r["affirmations"] and not r["vetoes"]]
    for r in affirmed:
        reasons = [a["reason"] for a in r["affirmations"]]
        r["grade"] = grades[0].key
        r["why"].append(
            {"code": "grade.affirmed", "params": {"reasons": reasons, "in_quota": rules.affirmation_in_quota}}
        )
    left = max(0, slots - len(affirmed)) if rules.affirmation_in_quota else slots
    for r in ranked:
        if r["vetoes"]:
            reasons = [v["reason"] for v in r["vetoes"]]
            if r["affirmations"]:
                r["why"].append({"code": "grade.affirmation_overridden", "params": {"reasons": reasons}})
            if rules.veto_effect == "lowest":
                r["grade"] = grades[-1].key
                r["why"].append({"code": "grade.veto_lowest", "params": {"reasons": reasons}})
            else:
                band = band_of(rules, r["score"])
                r["grade"] = grades[max(band, second)].key
                if band == 0:
                    r["why"].append({"code": "grade.veto_blocked", "params": {"reasons": reasons}})
                else:  # below the top band the veto changes nothing: the band decides
                    r["why"].append(
                        {"code": "grade.band", "params": {"grade": r["grade"], "min": grades[band].minimum}}
                    )
    candidates = sorted(
        (r for r in ranked if r["grade"] is None and band_of(rules, r["score"]) == 0), key=lambda r: r["rank"]
    )
    for rank in sorted({r["rank"] for r in candidates}):
        group = [r for r in candidates if r["rank"] == rank]
        if len(group) <= left:
            left -= len(group)
            for r in group:
                r["grade"] = grades[0].key
                r["why"].append({"code": "grade.band", "params": {"grade": grades[0].key, "min": grades[0].minimum}})
            continue
        code = "grade.tied_at_quota" if left > 0 else "grade.no_quota_slot"
        for r in group:
            r["grade"] = grades[second].key
            r["why"].append({"code": code, "params": {"slots": slots, "rank": rank}})
        left = 0
    for r in ranked:
        if r["grade"] is None:
            band = grades[band_of(rules, r["score"])]
            r["grade"] = band.key
            r["why"].append({"code": "grade.band", "params": {"grade": band.key, "min": band.minimum}})
    return sum(1 for r in ranked if r["grade"] == grades[0].key)
