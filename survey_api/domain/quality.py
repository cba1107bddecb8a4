"""Quality flags: rules that mark a response for a statistician's review, never for automatic refusal.

Per-response rules (too fast, straight-lining, outside the answering hours) look at one response and are decided
when it is stored. Cross-response rules (identical answers from one device or network, bursts at one unit's QR
code) compare a response with its neighbours in time and are decided by a sweep. Every rule returns its evidence,
so the reviewer sees why. Thresholds come from QualityRules, stored per campaign."""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, fields
from datetime import datetime, time, timedelta
from enum import Enum
from typing import Any, Iterable, Mapping, Sequence


class Rule(str, Enum):
    TOO_FAST = "too_fast"
    STRAIGHT_LINING = "straight_lining"
    OUTSIDE_HOURS = "outside_hours"
    DUPLICATE_ANSWERS = "duplicate_answers"
    BURST = "burst"


PER_RESPONSE_RULES = (Rule.TOO_FAST, Rule.STRAIGHT_LINING, Rule.OUTSIDE_HOURS)
CROSS_RESPONSE_RULES = (Rule.DUPLICATE_ANSWERS, Rule.BURST)


@dataclass(frozen=True)
class QualityRules:
    """A campaign's thresholds. Defaults suit an open QR survey of a few hundred answers per unit."""

    enabled: bool = True
    # Fewer seconds than this is too fast; None: the sum of the questionnaires' own min_seconds.
    min_seconds: int | None = None
    # Straight-lining needs at least this many scored answers, all with the same score.
    straight_lining_min_questions: int = 8
    # The answering day, in the display time zone: answers from day_ends to day_starts are outside it.
    day_starts_hour: int = 6
    day_ends_hour: int = 23
    # Identical answers at one unit from one device or one network, at least this many within the window.
    duplicate_min_count: int = 3
    duplicate_window_minutes: int = 30
    # A burst: at least burst_min_count answers at one unit within burst_window_minutes, and at least
    # burst_factor times the unit's usual count in such a window.
    burst_window_minutes: int = 5
    burst_min_count: int = 30
    burst_factor: float = 5.0

    def document(self) -> dict[str, Any]:
        return asdict(self)


# field -> (lowest, highest) accepted; None for min_seconds means "from the questionnaires".
_BOUNDS: dict[str, tuple[float, float]] = {
    "min_seconds": (0, 24 * 3600),
    "straight_lining_min_questions": (2, 500),
    "day_starts_hour": (0, 23),
    "day_ends_hour": (1, 24),
    "duplicate_min_count": (2, 10_000),
    "duplicate_window_minutes": (1, 7 * 24 * 60),
    "burst_window_minutes": (1, 24 * 60),
    "burst_min_count": (2, 100_000),
    "burst_factor": (1, 1000),
}


class QualityRulesError(ValueError):
    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems  # field -> code: unknown, not_boolean, not_number, out_of_range, empty_day


def parse_rules(document: Mapping[str, Any] | None, base: QualityRules | None = None) -> QualityRules:
    """Rules from a (partial) document over `base` (defaults when None); every problem named by field."""
    base = base or QualityRules()
    if document is None:
        return base
    if not isinstance(document, Mapping):
        raise QualityRulesError({"_": "not_object"})
    known = {f.name for f in fields(QualityRules)}
    problems: dict[str, str] = {name: "unknown" for name in document if name not in known}
    values = base.document()
    for name, value in document.items():
        if name not in known:
            continue
        if name == "enabled":
            if not isinstance(value, bool):
                problems[name] = "not_boolean"
            else:
                values[name] = value
            continue
        if value is None and name == "min_seconds":
            values[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            problems[name] = "not_number"
            continue
        if name != "burst_factor" and value != int(value):
            problems[name] = "not_number"
            continue
        low, high = _BOUNDS[name]
        if not low <= value <= high:
            problems[name] = "out_of_range"
            continue
        values[name] = float(value) if name == "burst_factor" else int(value)
    if not problems and values["day_starts_hour"] >= values["day_ends_hour"]:
        problems["day_ends_hour"] = "empty_day"
    if problems:
        raise QualityRulesError(problems)
    return QualityRules(**values)


def bounds_of(name: str) -> tuple[float, float]:
    return _BOUNDS[name]


@dataclass(frozen=True)
class Flag:
    rule: Rule
    evidence: dict[str, Any]


# --- per-response rules ----------------------------------------------------------------------------------------


def too_fast(duration_seconds: int | None, min_seconds: int | None) -> Flag | None:
    """Answered in fewer seconds than the minimum; no flag without a measured duration or a minimum."""
    if duration_seconds is None or not min_seconds or duration_seconds >= min_seconds:
        return None
    return Flag(Rule.TOO_FAST, {"duration_seconds": duration_seconds, "min_seconds": min_seconds})


def scored_choices(answers: Iterable[Any]) -> list[float]:
    """The scores of the answers given by choosing a scored option (ValidAnswer-like: value and score); ratings,
    text, multiple choices and 不了解 are left out."""
    return [a.score for a in answers if a.score is not None and isinstance(a.value, str)]


def straight_lining(scores: Sequence[float], min_questions: int) -> Flag | None:
    """Every scored answer has the same score (the same option of the five-level scale), over enough questions.
    Answers without a score (不了解/说不清, unscored questions) are left out."""
    if len(scores) < min_questions or len(set(scores)) != 1:
        return None
    return Flag(Rule.STRAIGHT_LINING, {"scored_answers": len(scores), "score": scores[0]})


def outside_hours(
    local_time: datetime,
    rules: QualityRules,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    submitted_at: datetime | None = None,
) -> Flag | None:
    """Answered at night (outside the answering day in local time) or outside the campaign's window (an import
    can carry such a time; the web refuses it)."""
    evidence: dict[str, Any] = {"local_time": local_time.strftime("%Y-%m-%d %H:%M")}
    at = submitted_at or local_time
    if opens_at is not None and at < opens_at:
        return Flag(Rule.OUTSIDE_HOURS, {**evidence, "reason": "before_opening"})
    if closes_at is not None and at >= closes_at:
        return Flag(Rule.OUTSIDE_HOURS, {**evidence, "reason": "after_closing"})
    start = time(rules.day_starts_hour)
    clock = local_time.time()
    in_day = start <= clock if rules.day_ends_hour == 24 else start <= clock < time(rules.day_ends_hour)
    if in_day:
        return None
    return Flag(
        Rule.OUTSIDE_HOURS,
        {**evidence, "reason": "night", "day": f"{rules.day_starts_hour:02d}:00–{rules.day_ends_hour:02d}:00"},
    )


# --- cross-response rules --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbour:
    """What the cross-response rules know of a response (web answers only: imports have no device or network)."""

    id: int
    unit_id: int
    submitted_at: datetime
    answers_digest: str
    network_key: str | None = None
    device_key: str | None = None


MAX_EVIDENCE_IDS = 20


def duplicate_answers(rows: Iterable[Neighbour], rules: QualityRules) -> dict[int, Flag]:
    """Responses with identical answers (the same unit, every question) from one device or one network, at least
    duplicate_min_count of them within duplicate_window_minutes. Each is flagged with the others it matched."""
    groups: dict[tuple[str, str, str], list[Neighbour]] = {}
    for row in rows:
        if row.network_key:
            groups.setdefault(("network", row.answers_digest, row.network_key), []).append(row)
        if row.device_key:
            groups.setdefault(("device", row.answers_digest, row.device_key), []).append(row)
    window = timedelta(minutes=rules.duplicate_window_minutes)
    flags: dict[int, Flag] = {}
    for (matched_by, _digest, _key), members in groups.items():
        if len(members) < rules.duplicate_min_count:
            continue
        members.sort(key=lambda r: (r.submitted_at, r.id))
        for cluster in _clusters(members, window, rules.duplicate_min_count):
            ids = [r.id for r in cluster]
            for row in cluster:
                if row.id in flags and flags[row.id].evidence["count"] >= len(cluster):
                    continue
                others = [i for i in ids if i != row.id][:MAX_EVIDENCE_IDS]
                evidence = {
                    "matched_by": matched_by,
                    "count": len(cluster),
                    "window_minutes": rules.duplicate_window_minutes,
                    "other_response_ids": others,
                }
                flags[row.id] = Flag(Rule.DUPLICATE_ANSWERS, evidence)
    return flags


def _clusters(members: Sequence[Neighbour], window: timedelta, min_count: int) -> list[list[Neighbour]]:
    """Maximal runs of time-sorted members in which each window of `window` length holds at least min_count."""
    marked = _dense_ranges([m.submitted_at for m in members], window, min_count)
    return [list(members[start : end + 1]) for start, end, _peak in marked]


def _dense_ranges(times: Sequence[datetime], window: timedelta, min_count: int) -> list[tuple[int, int, int]]:
    """(first, last, peak) index ranges of sorted times covered by some window holding at least min_count
    times; overlapping windows merge. `peak` is the largest count of one window in the range."""
    ranges: list[tuple[int, int, int]] = []
    start = 0
    for end in range(len(times)):
        while times[end] - times[start] >= window:
            start += 1
        count = end - start + 1
        if count < min_count:
            continue
        if ranges and ranges[-1][1] >= start - 1:
            first, _last, peak = ranges[-1]
            ranges[-1] = (first, end, max(peak, count))
        else:
            ranges.append((start, end, count))
    return ranges


def window_counts(times: Sequence[datetime], window_minutes: int) -> dict[datetime, int]:
    """Answers per fixed window (aligned to the hour), only the windows that have any."""
    counts: dict[datetime, int] = {}
    for at in times:
        counts[_window_start(at, window_minutes)] = counts.get(_window_start(at, window_minutes), 0) + 1
    return counts


def _window_start(at: datetime, minutes: int) -> datetime:
    minute_of_day = at.hour * 60 + at.minute
    start = minute_of_day - minute_of_day % minutes
    return at.replace(hour=start // 60, minute=start % 60, second=0, microsecond=0)


def usual_rate(times: Sequence[datetime], rules: QualityRules) -> float:
    """A unit's usual number of answers in one window: the median over its windows that have answers. Answers inside
    a burst by count alone (some sliding window holding at least burst_min_count) are left out first, so a stuffed
    hour does not raise the baseline, even when the burst straddles two of the aligned windows. 0 for a unit with
    no ordinary window. `times` are sorted."""
    window = timedelta(minutes=rules.burst_window_minutes)
    in_burst = {
        i for first, last, _ in _dense_ranges(times, window, rules.burst_min_count) for i in range(first, last + 1)
    }
    ordinary_times = [at for i, at in enumerate(times) if i not in in_burst]
    ordinary = list(window_counts(ordinary_times, rules.burst_window_minutes).values())
    return float(statistics.median(ordinary)) if ordinary else 0.0


def burst_threshold(usual: float, rules: QualityRules) -> int:
    return max(rules.burst_min_count, math.ceil(rules.burst_factor * usual))


def bursts(rows: Iterable[Neighbour], rules: QualityRules) -> dict[int, Flag]:
    """Responses inside a burst at their unit: some window of burst_window_minutes holds at least the threshold
    (burst_min_count, and burst_factor times the unit's usual rate)."""
    by_unit: dict[int, list[Neighbour]] = {}
    for row in rows:
        by_unit.setdefault(row.unit_id, []).append(row)
    window = timedelta(minutes=rules.burst_window_minutes)
    flags: dict[int, Flag] = {}
    for members in by_unit.values():
        members.sort(key=lambda r: (r.submitted_at, r.id))
        times = [m.submitted_at for m in members]
        usual = usual_rate(times, rules)
        threshold = burst_threshold(usual, rules)
        for first, last, peak in _dense_ranges(times, window, threshold):
            evidence = {
                "started_at": times[first].isoformat(),
                "ended_at": times[last].isoformat(),
                "answers": last - first + 1,
                "peak_in_window": peak,
                "window_minutes": rules.burst_window_minutes,
                "usual_per_window": usual,
                "threshold": threshold,
            }
            for row in members[first : last + 1]:
                flags[row.id] = Flag(Rule.BURST, evidence)
    return flags


def timeline(times: Sequence[datetime], window_minutes: int, limit: int = 96) -> list[tuple[datetime, int]]:
    """The windows around the busiest one (up to `limit`, empty windows included), for a chart."""
    counts = window_counts(times, window_minutes)
    if not counts:
        return []
    step = timedelta(minutes=window_minutes)
    first, last = min(counts), max(counts)
    total = int((last - first) / step) + 1
    if total > limit:
        peak = max(counts, key=lambda at: (counts[at], at))
        first = max(first, peak - step * (limit // 2))
        last = min(last, first + step * (limit - 1))
    windows = []
    at = first
    while at <= last:
        windows.append((at, counts.get(at, 0)))
        at += step
    return windows
