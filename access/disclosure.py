"""Small-count suppression for tables shared outside the protection team (docs/domain.md §10).

A reader of a table knows more than the cells it shows: a hidden small count is written "<5", so it
lies between 0 and 4 (a 0 hidden beside it is written "<5" too, truthfully); a larger count hidden only
to protect another is written "x", so it is 5 or more; and every line of cells (a column of wards
and its district total, the categories of a total) adds up. Primary suppression hides every count
from 1 to ``threshold - 1``. Complementary suppression then hides more cells, line by line, until
from each line's sum and these bounds no hidden small count has a single possible value, even for a
reader who knows one of the line's hidden cells exactly (a ward reading the district table knows its
own count): "insiders".

Each line is checked on its own. The tables this is used on keep their lines apart (a column of
wards, or the categories of one total), so that no cell sits in two lines except a shared total.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
INF = math.inf


def is_small(value: int | None, threshold: int) -> bool:
    return value is not None and 0 < value < threshold


def _bounds(value: int, threshold: int) -> tuple[float, float]:
    """What a reader knows of a hidden cell: "<5" is 0–4, "x" is 5 or more."""
    return (0, threshold - 1) if value < threshold else (threshold, INF)


def _pinned(
    members: Sequence[K],
    total: K,
    hidden: set[K],
    cells: Mapping[K, int | None],
    threshold: int,
    known: K | None,
) -> bool:
    """Whether some hidden small count of the line (members add up to total) has one possible value,
    for a reader who sees the visible cells and also knows ``known`` (an insider's own cell)."""
    terms = [(m, 1) for m in members] + [(total, -1)]
    constant = 0.0  # sum of coefficient × value over what the reader knows
    unknown = []
    for key, sign in terms:
        value = cells.get(key) or 0
        if key in hidden and key != known:
            unknown.append((key, sign, value))
        else:
            constant += sign * value
    for key, sign, value in unknown:
        if not is_small(value, threshold) and key != total:
            continue  # only small counts need protecting
        if not 0 < value < threshold and key == total:
            continue
        low, high = _bounds(value, threshold)
        # sign·x = −constant − Σ others' sign·x_other
        rest_low = rest_high = 0.0
        for other, other_sign, other_value in unknown:
            if other == key:
                continue
            o_low, o_high = _bounds(other_value, threshold)
            a, b = other_sign * o_low, other_sign * o_high
            rest_low += min(a, b)
            rest_high += max(a, b)
        x_low, x_high = sorted(((-constant - rest_high) / sign, (-constant - rest_low) / sign))
        if max(low, x_low) >= min(high, x_high):
            return True
    return False


def suppress(
    cells: Mapping[K, int | None],
    lines: Iterable[tuple[K, Sequence[K]] | tuple[K, Sequence[K], bool]],
    threshold: int,
) -> set[K]:
    """The keys of ``cells`` to hide. ``lines`` are (total key, member keys[, insiders]) where the
    members add up to the total; with insiders (the default), the line must stay safe when any one of
    its hidden members is known (the members are wards, and each knows its own figure)."""
    lines = [(line[0], list(line[1]), line[2] if len(line) > 2 else True) for line in lines]
    values = {key: (value or 0) for key, value in cells.items()}
    hidden = {key for key, value in values.items() if is_small(value, threshold)}
    changed = True
    while changed:
        changed = False
        for total, members, insiders in lines:
            while _unsafe(members, total, hidden, values, threshold, insiders):
                visible = [m for m in members if m not in hidden]
                if visible:
                    # zeros first (written "<5", still true), then the smallest count
                    order = {m: i for i, m in enumerate(members)}
                    hidden.add(min(visible, key=lambda m: (values[m] > 0, values[m], order[m])))
                elif total not in hidden:
                    hidden.add(total)
                else:
                    break  # everything in the line is hidden already
                changed = True
    return hidden


def _unsafe(
    members: list[K], total: K, hidden: set[K], values: Mapping[K, int], threshold: int, insiders: bool
) -> bool:
    if not any(m in hidden for m in members) and total not in hidden:
        return False
    if _pinned(members, total, hidden, values, threshold, None):
        return True
    if insiders:
        return any(_pinned(members, total, hidden, values, threshold, m) for m in members if m in hidden)
    return False


def marker(value: int | None, threshold: int) -> str:
    """How a hidden cell is written: "<5" for 0–4, "x" for a larger count hidden to protect another."""
    return f"<{threshold}" if (value or 0) < threshold else "x"
