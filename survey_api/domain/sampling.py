"""Household sample design (DOMAIN.md §3): how many households to visit, how to share them among strata, and a
reproducible stratified draw with an ordered reserve list.

Sample size for a unit, for a mean with standard deviation σ to be known within ±e at confidence z:

    n₀ = (z·σ / e)² · deff                      completed interviews needed with simple random sampling × design effect
    n  = n₀ / (1 + (n₀ − 1) / N)                finite-population correction over the unit's N frame households
    m  = ⌈n / expected response rate⌉           households to release, capped at N

The finite-population correction is applied (a unit's frame is a few thousand households, so it matters).

Allocation to strata (communities or townships) is proportional to stratum size or equal, by the largest-remainder
method so that the parts sum exactly to the total, and never above a stratum's size (what a full stratum cannot
take goes to the others, again by largest remainder).

The draw shuffles each stratum's households (sorted by id, strata in name order) with random.Random(seed): the
first n_h are the main sample, the next r_h the reserve, in the order drawn. The same frame and seed always give
the same sample."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import Enum
from typing import Mapping, Sequence

Z_95 = 1.959963984540054


class Allocation(str, Enum):
    PROPORTIONAL = "proportional"
    EQUAL = "equal"


@dataclass(frozen=True)
class SizeTarget:
    """What the bureau wants to know and expects: the inputs of the sample-size formula."""

    sigma: float = 20.0  # standard deviation of the index, in points (0–100 scale)
    margin: float = 3.4  # half-width of the 95% interval wanted, in points
    design_effect: float = 1.5
    response_rate: float = 0.8  # share of released households expected to complete an interview
    z: float = Z_95

    def problems(self) -> dict[str, str]:
        """Field → what is wrong, for values the formula cannot use."""
        found = {}
        if not 0 < self.sigma <= 100:
            found["sigma"] = "out_of_range"
        if not 0 < self.margin <= 50:
            found["margin"] = "out_of_range"
        if not 1 <= self.design_effect <= 10:
            found["design_effect"] = "out_of_range"
        if not 0 < self.response_rate <= 1:
            found["response_rate"] = "out_of_range"
        return found


@dataclass(frozen=True)
class SampleSize:
    interviews: int  # completed interviews needed (after the finite-population correction)
    released: int  # households to release, allowing for non-response; never more than the frame


def sample_size(target: SizeTarget, population: int) -> SampleSize:
    """Interviews needed and households to release for a frame of `population` households."""
    if population <= 0:
        return SampleSize(0, 0)
    n0 = (target.z * target.sigma / target.margin) ** 2 * target.design_effect
    n = n0 / (1 + (n0 - 1) / population)
    interviews = min(population, math.ceil(n - 1e-9))
    released = min(population, math.ceil(interviews / target.response_rate - 1e-9))
    return SampleSize(interviews, released)


def allocate(total: int, sizes: Mapping[str, int], method: Allocation) -> dict[str, int]:
    """Share `total` among strata (name → size): sums exactly to min(total, Σ sizes), each part ≤ its size."""
    if total < 0 or any(size < 0 for size in sizes.values()):
        raise ValueError("sizes and total must not be negative")
    result = {name: 0 for name in sizes}
    remaining = min(total, sum(sizes.values()))
    open_strata = sorted(name for name, size in sizes.items() if size > 0)
    while remaining > 0 and open_strata:
        shares = _largest_remainder(remaining, {n: _weight(sizes[n], method) for n in open_strata})
        room = {n: sizes[n] - result[n] for n in open_strata}
        for name in open_strata:
            take = min(shares[name], room[name])
            result[name] += take
            remaining -= take
        open_strata = [n for n in open_strata if result[n] < sizes[n]]
    return result


def _weight(size: int, method: Allocation) -> float:
    return float(size) if method is Allocation.PROPORTIONAL else 1.0


def _largest_remainder(total: int, weights: Mapping[str, float]) -> dict[str, int]:
    """Integer parts of `total` in proportion to the weights, summing exactly to total; ties go by name."""
    weight_sum = sum(weights.values())
    quotas = {name: total * w / weight_sum for name, w in weights.items()}
    parts = {name: math.floor(q) for name, q in quotas.items()}
    left = total - sum(parts.values())
    by_remainder = sorted(quotas, key=lambda name: (-(quotas[name] - parts[name]), name))
    for name in by_remainder[:left]:
        parts[name] += 1
    return parts


@dataclass(frozen=True)
class StratumDraw:
    main: list[int]  # household ids released at once, in draw order
    reserve: list[int]  # replacement households, in the order they are to be released


def draw(
    strata: Mapping[str, Sequence[int]],
    main: Mapping[str, int],
    reserve: Mapping[str, int],
    seed: int,
) -> dict[str, StratumDraw]:
    """The stratified draw: per stratum, main[h] households then reserve[h] more, at random from the seed."""
    rng = random.Random(seed)
    result = {}
    for name in sorted(strata):
        households = sorted(strata[name])
        n_main = min(main.get(name, 0), len(households))
        n_reserve = min(reserve.get(name, 0), len(households) - n_main)
        picked = rng.sample(households, n_main + n_reserve)
        result[name] = StratumDraw(main=picked[:n_main], reserve=picked[n_main:])
    return result


def reserve_sizes(main: Mapping[str, int], sizes: Mapping[str, int], share: float) -> dict[str, int]:
    """Reserve households per stratum: `share` of its main sample (rounded up), within what the stratum has left."""
    return {name: min(sizes[name] - main[name], math.ceil(main[name] * share - 1e-9)) for name in main}
