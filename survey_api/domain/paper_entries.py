"""Double entry of paper ballots: two tellers' readings of one paper ballot, compared item by item."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

Reading = Mapping[str, Mapping[str, str]]  # {target_id as text: {question_key: option_key}}; blanks absent

SIDES = (1, 2)


@dataclass(frozen=True, order=True)
class Difference:
    """One item on which the two readings disagree; None is a blank."""

    target_id: int
    question: str
    first: str | None
    second: str | None


def differences(first: Reading, second: Reading) -> list[Difference]:
    """Every item where the two readings differ (a blank on one side and a grade on the other included), in
    target and item order; an empty list means the readings agree exactly."""
    found = []
    for target in set(first) | set(second):
        a, b = first.get(target, {}), second.get(target, {})
        found.extend(
            Difference(int(target), question, a.get(question), b.get(question))
            for question in set(a) | set(b)
            if a.get(question) != b.get(question)
        )
    return sorted(found, key=lambda d: (d.target_id, d.question))
