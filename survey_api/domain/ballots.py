"""The 民主测评 tally (DOMAIN.md §4): ballot validity, round validity, per rater group and per target the counts of
the overall grade, the rates, the (trimmed) mean ballot score, the group-weighted score, the review flags and the
anonymity threshold. Pure: the meetings service loads the anonymous ballots and calls `tally_target`.

Decisions the domain guide leaves open, and why:
- The round is checked per target, over the ballots cast for that target: quorum on the totals of all groups
  (the rule speaks of the meeting's attendance, not of each group's), "more ballots than issued" per group (a
  ballot's group is its token's, so a surplus in one group is stuffing even when another group is under-returned;
  summing would hide it). `round_validity` takes plain counts, so a meeting page can check the meeting as a whole.
- Rates are taken over valid ballots (the glossary: 优秀 votes ÷ valid ballots), so a valid ballot that leaves the
  overall grade blank counts in the denominator and in `overall_blank`.
- A weighted group with no valid ballots is left out and the other weights are scaled up to sum to 1 (a meeting
  without, say, residents' representatives still gets a score); `renormalise_missing_groups=False` gives no score
  instead. `weights_used` and `missing_groups` always say which happened.
- Anonymity: below `min_valid_to_show` valid ballots for the target, nothing but turnout is shown. A group below it
  is hidden; since a hidden group's numbers could be read off as the target's minus the shown groups', the
  smallest shown groups are hidden too until the hidden ones together hold at least the minimum. Hidden groups
  still count in the target's rates and weighted score. Hidden groups show turnout only (not even valid/invalid)."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from typing import Any, Mapping, Sequence

from .ballot_rules import TallyRules
from .forms import BALLOT_OVERALL_QUESTION, FormDefinition, Question

Answers = Mapping[str, Any]  # question key -> option key; a blank item is absent (or None)


class Reason(str, Enum):
    """Why a ballot is invalid: stable codes, checked in this order (a ballot gets the first that applies)."""

    UNKNOWN_ANSWER = "unknown_answer"  # names an item or a grade the ballot does not have
    TOO_MANY_BLANKS = "too_many_blanks"  # more than max_blank_share of the items blank, or nothing answered
    ALL_TOP = "all_top"  # the top grade on every answered item
    ALL_SAME = "all_same"  # the same grade on every answered item


class Status(str, Enum):
    """A target's outcome, the first that applies: void, no_quorum, hidden, counted."""

    VOID = "void"  # some group returned more ballots than tokens were issued to it
    NO_QUORUM = "no_quorum"  # ballots cast did not exceed quorum_share of those due
    HIDDEN = "hidden"  # fewer valid ballots than min_valid_to_show
    COUNTED = "counted"


class FlagCode(str, Enum):
    ADMONITION_OR_ADJUSTMENT = "admonition_or_adjustment"  # top-two share of the overall grade below the floor
    INCOMPETENT = "incompetent"  # bottom-grade share above the ceiling


@dataclass(frozen=True)
class Validity:
    """One ballot's validity; a valid ballot carries its score and its overall grade (None when left blank)."""

    reason: Reason | None = None
    score: float | None = None
    overall: str | None = None

    @property
    def is_valid(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class Turnout:
    cast: int  # ballots returned for the target, valid or not
    issued: int  # tokens issued
    due: int  # raters due (应到)


@dataclass(frozen=True)
class RoundCheck:
    turnout: Turnout
    quorum_met: bool
    over_issued: tuple[str, ...]  # groups that returned more ballots than they were issued tokens

    @property
    def status(self) -> Status | None:
        """VOID or NO_QUORUM when the round does not count, else None."""
        if self.over_issued:
            return Status.VOID
        return None if self.quorum_met else Status.NO_QUORUM


@dataclass(frozen=True)
class Grades:
    """Counts and rates over a set of ballots; rates are shares of the valid ballots."""

    valid: int
    invalid: Mapping[str, int]  # reason code -> ballots, every reason listed
    overall: Mapping[str, int]  # overall grade option key -> valid ballots, in the form's order
    overall_blank: int  # valid ballots that left the overall grade blank
    top_rate: float  # 优秀率
    good_rate: float  # 称职率: the overall question's top box (team ballot: 优秀 + 良好)
    bottom_rate: float  # 不称职率 (team ballot: 较差)


@dataclass(frozen=True)
class GroupTally:
    group: str
    weight: float
    turnout: Turnout
    hidden: bool
    grades: Grades | None = None  # None when hidden or when the round does not count
    mean_score: float | None = None  # the mean of its valid ballots' scores, trimmed when `trimmed`
    trimmed: bool = False


@dataclass(frozen=True)
class Flag:
    code: FlagCode
    share: float
    threshold: float


@dataclass(frozen=True)
class TargetTally:
    """One target's (a team's or a cadre's) tally. Unless status is COUNTED, only turnout is filled in."""

    status: Status
    round: RoundCheck
    groups: Mapping[str, GroupTally]  # in the order of rules.group_weights
    grades: Grades | None = None  # over all valid ballots of the target
    score: float | None = None  # the group-weighted mean score
    weights_used: Mapping[str, float] | None = None
    missing_groups: tuple[str, ...] = ()  # weighted groups without valid ballots
    flags: tuple[Flag, ...] = ()

    def document(self) -> dict[str, Any]:
        """The tally as a JSON-ready mapping (enums as their codes), to store with a published result."""
        return _plain(self)


def ballot_validity(form: FormDefinition, answers: Answers, rules: TallyRules) -> Validity:
    """Whether one ballot counts, and if so its score: the mean grade score of its answered items."""
    chosen = {}
    for key, value in answers.items():
        if value is None:
            continue
        question = form.question(key) if isinstance(key, str) else None
        option = question.option(value) if question is not None and isinstance(value, str) else None
        if option is None or option.score is None:
            return Validity(Reason.UNKNOWN_ANSWER)
        chosen[key] = option
    items = len(form.questions)
    if not chosen or items - len(chosen) > rules.max_blank_share * items:
        return Validity(Reason.TOO_MANY_BLANKS)
    scores = [option.score for option in chosen.values()]
    if rules.all_top_invalid and all(o.score == _top_score(form.question(k)) for k, o in chosen.items()):
        return Validity(Reason.ALL_TOP)
    if rules.all_same_invalid and len(set(scores)) == 1:
        return Validity(Reason.ALL_SAME)
    overall = chosen.get(BALLOT_OVERALL_QUESTION)
    return Validity(score=math.fsum(scores) / len(scores), overall=overall.key if overall else None)


def round_validity(
    cast_by_group: Mapping[str, int],
    issued_by_group: Mapping[str, int],
    due_by_group: Mapping[str, int],
    rules: TallyRules,
) -> RoundCheck:
    """Quorum over all groups (cast must exceed quorum_share of due); void when any group cast more than issued."""
    groups = sorted(set(cast_by_group) | set(issued_by_group) | set(due_by_group))
    over = tuple(g for g in groups if cast_by_group.get(g, 0) > issued_by_group.get(g, 0))
    total = Turnout(sum(cast_by_group.values()), sum(issued_by_group.values()), sum(due_by_group.values()))
    return RoundCheck(total, total.cast > rules.quorum_share * total.due, over)


def trimmed_mean(scores: Sequence[float], trim_above: int | None) -> tuple[float, bool]:
    """The mean, leaving out the single highest and lowest score when there are more than trim_above of them."""
    ordered = sorted(scores)
    trimmed = trim_above is not None and len(ordered) > trim_above
    kept = ordered[1:-1] if trimmed else ordered
    return math.fsum(kept) / len(kept), trimmed


def weighted_score(
    means: Mapping[str, float | None], rules: TallyRules
) -> tuple[float | None, dict[str, float], tuple[str, ...]]:
    """The group-weighted mean of the groups' mean scores, the weights used, and the weighted groups missing."""
    missing = tuple(g for g, w in rules.group_weights.items() if w > 0 and means.get(g) is None)
    present = {g: w for g, w in rules.group_weights.items() if w > 0 and means.get(g) is not None}
    total = math.fsum(present.values())
    if (missing and not rules.renormalise_missing_groups) or total == 0:
        return None, {}, missing
    used = {g: w / total for g, w in present.items()}
    return math.fsum(used[g] * means[g] for g in used), used, missing


def hidden_groups(valid_by_group: Mapping[str, int], min_valid: int) -> frozenset[str]:
    """Groups below min_valid, and the smallest others until the hidden ones pool at least min_valid ballots."""
    hidden = {g for g, n in valid_by_group.items() if n < min_valid}
    pooled = sum(valid_by_group[g] for g in hidden)
    shown = sorted((n, g) for g, n in valid_by_group.items() if g not in hidden)
    while 0 < pooled < min_valid and shown:
        n, group = shown.pop(0)
        hidden.add(group)
        pooled += n
    return frozenset(hidden)


def tally_target(
    form: FormDefinition,
    ballots_by_group: Mapping[str, Sequence[Answers]],
    issued_by_group: Mapping[str, int],
    due_by_group: Mapping[str, int],
    rules: TallyRules,
) -> TargetTally:
    """Tally one target's ballots, given per rater group with the tokens issued and the raters due."""
    overall = _overall_question(form)
    unknown = (set(ballots_by_group) | set(issued_by_group) | set(due_by_group)) - set(rules.group_weights)
    if unknown:
        raise ValueError(f"rater groups without a weight in the rules: {sorted(unknown)}")
    checked = {g: [ballot_validity(form, a, rules) for a in ballots_by_group.get(g, ())] for g in rules.group_weights}
    check = round_validity({g: len(v) for g, v in checked.items()}, issued_by_group, due_by_group, rules)
    turnout = {
        g: Turnout(len(checked[g]), issued_by_group.get(g, 0), due_by_group.get(g, 0)) for g in rules.group_weights
    }
    valid = {g: [v for v in checked[g] if v.is_valid] for g in rules.group_weights}
    status = check.status or (
        Status.HIDDEN if sum(map(len, valid.values())) < rules.min_valid_to_show else Status.COUNTED
    )
    if status is not Status.COUNTED:
        groups = {g: GroupTally(g, w, turnout[g], hidden=True) for g, w in rules.group_weights.items()}
        return TargetTally(status, check, groups)
    means = {g: trimmed_mean([v.score for v in vs], rules.trim_above) if vs else None for g, vs in valid.items()}
    hidden = hidden_groups({g: len(vs) for g, vs in valid.items()}, rules.min_valid_to_show)
    groups = {
        g: GroupTally(g, w, turnout[g], hidden=True)
        if g in hidden
        else GroupTally(g, w, turnout[g], False, _grades(checked[g], overall), *means[g])
        for g, w in rules.group_weights.items()
    }
    score, used, missing = weighted_score({g: m[0] if m else None for g, m in means.items()}, rules)
    grades = _grades([v for vs in checked.values() for v in vs], overall)
    return TargetTally(status, check, groups, grades, score, used, missing, _flags(grades, rules))


def _grades(validities: Sequence[Validity], overall: Question) -> Grades:
    valid = [v for v in validities if v.is_valid]
    invalid = {reason.value: sum(v.reason is reason for v in validities) for reason in Reason}
    counts = {o.key: sum(v.overall == o.key for v in valid) for o in overall.options}
    by_score = sorted(overall.options, key=lambda o: -o.score)
    good = overall.top_box or {o.key for o in by_score[:2]}

    def share(keys: set[str] | frozenset[str]) -> float:
        return sum(counts[k] for k in keys) / len(valid)

    return Grades(
        valid=len(valid),
        invalid=invalid,
        overall=counts,
        overall_blank=sum(v.overall is None for v in valid),
        top_rate=share({by_score[0].key}),
        good_rate=share(good),
        bottom_rate=share({by_score[-1].key}),
    )


def _flags(grades: Grades, rules: TallyRules) -> tuple[Flag, ...]:
    flags = []
    if grades.good_rate < rules.good_share_floor:
        flags.append(Flag(FlagCode.ADMONITION_OR_ADJUSTMENT, grades.good_rate, rules.good_share_floor))
    if grades.bottom_rate > rules.bottom_share_ceiling:
        flags.append(Flag(FlagCode.INCOMPETENT, grades.bottom_rate, rules.bottom_share_ceiling))
    return tuple(flags)


def _overall_question(form: FormDefinition) -> Question:
    overall = form.question(BALLOT_OVERALL_QUESTION)
    if form.kind != "ballot" or overall is None:
        raise ValueError(f"form {form.key!r} is not a ballot with an overall grade")
    return overall


def _top_score(question: Question) -> float:
    return max(o.score for o in question.options)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value
