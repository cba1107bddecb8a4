"""Words for the codes of a period's results: component names, why an input is missing, and each explanation
(the domain returns codes and parameters; pages, files and feedback translate them here)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

COMPONENT_LABELS = {
    "performance": _l("Performance"),
    "team_evaluation": _l("Team democratic evaluation"),
    "leader_evaluation": _l("Leader evaluation"),
    "opinion_survey": _l("Opinion survey"),
    "public_eval": _l("Public evaluation"),
    "party_building": _l("Party building"),
    "public_composite": _l("Public evaluation composite"),
}

MISSING_LABELS = {
    "not_entered": _l("not entered yet"),
    "no_campaign": _l("the period names no campaign"),
    "no_published_run": _l("the campaign has no published results"),
    "not_in_campaign": _l("the unit is not in the campaign"),
    "insufficient_sample": _l("too few valid answers in the campaign"),
    "no_meeting": _l("no evaluation meeting of the unit is listed"),
    "meeting_not_closed": _l("the evaluation meeting is not closed"),
    "meeting_without_team": _l("the evaluation meeting has no team ballot"),
    "meeting_void": _l("the meeting's round is void (more ballots than slips)"),
    "meeting_no_quorum": _l("the meeting did not reach its quorum"),
    "meeting_hidden": _l("the meeting has too few valid ballots to show"),
}

WHY_TEXTS = {
    "gate.failed": _l(
        "Satisfaction %(satisfaction)s is below the gate of %(threshold)s, so these components count as zero: "
        "%(zeroed)s."
    ),
    "bonus.capped": _l("Bonuses of %(total)s points are capped at %(cap)s."),
    "deduction.capped": _l("Deductions of %(total)s points are capped at %(cap)s."),
    "result.incomplete": _l("Not ranked or graded: %(components)s missing."),
    "rank.tie_broken": _l("Equal score with another unit; the tie was broken by %(by)s."),
    "rank.shared": _l("Shares rank %(rank)s with a unit of equal score and tie-breakers."),
    "grade.band": _l("Grade by score band (at least %(min)s)."),
    "grade.affirmed": _l("Top grade by affirmation: %(reasons)s."),
    "grade.affirmation_overridden": _l("The affirmation does not count because of a veto: %(reasons)s."),
    "grade.veto_blocked": _l("Top grade blocked by veto: %(reasons)s."),
    "grade.veto_lowest": _l("Lowest grade by veto: %(reasons)s."),
    "grade.no_quota_slot": _l("In the top band, but the %(slots)s top-grade places of the category are taken."),
    "grade.tied_at_quota": _l(
        "In the top band and tied at rank %(rank)s for the last top-grade place, so no tied unit gets it."
    ),
}


def component_label(key: str) -> str:
    return str(COMPONENT_LABELS.get(key, key))


def missing_label(reason: str) -> str:
    return str(MISSING_LABELS.get(reason, reason))


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{round(value, 2):g}"
    if isinstance(value, list):
        return "、".join(component_label(v) if isinstance(v, str) else _shown(v) for v in value)
    return "—" if value is None else str(value)


def explain(why: dict[str, Any]) -> str:
    """One explanation of a unit's result as a sentence in the current language."""
    template = WHY_TEXTS.get(why["code"])
    if template is None:
        return why["code"]
    return str(template) % {k: _shown(v) for k, v in why["params"].items()}


def presented(results: dict[str, Any], rules: dict[str, Any]) -> dict[str, Any]:
    """The results with each grade's label (from the rule set) and each explanation as text: what the API, the
    console and the files all show."""
    labels = {g["key"]: g["label"] for g in rules.get("grades", [])}
    units = [
        {
            **u,
            "grade_label": labels.get(u["grade"]) if u["grade"] else None,
            "why": [{**w, "text": explain(w)} for w in u["why"]],
        }
        for u in results["units"]
    ]
    return {**results, "units": units}
