"""Small-count suppression for tables shared outside the protection team (domain.md §10).

Primary suppression hides every count from 1 to ``threshold - 1``. Secondary (complementary)
suppression then makes sure no hidden count can be recovered by subtraction: wherever a total is
shown and exactly one of the counts that add up to it is hidden, the smallest other count of that
line is hidden too (or the total itself, when nothing else is left), until no line gives one away.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def is_small(value: int | None, threshold: int) -> bool:
    return value is not None and 0 < value < threshold


def suppress(cells: Mapping[K, int | None], lines: Iterable[tuple[K, Sequence[K]]], threshold: int) -> set[K]:
    """The keys of ``cells`` to hide. ``lines`` are (total key, member keys) where the members add up
    to the total (a column of wards and its district row; the types of a ward's cases and its total)."""
    lines = [(total, list(members)) for total, members in lines]
    hidden = {key for key, value in cells.items() if is_small(value, threshold)}
    changed = True
    while changed:
        changed = False
        for total, members in lines:
            if total in hidden or sum(m in hidden for m in members) != 1:
                continue
            visible = [m for m in members if m not in hidden]
            if visible:
                order = {m: i for i, m in enumerate(members)}
                hidden.add(min(visible, key=lambda m: (cells.get(m) or 0, order[m])))
            else:
                hidden.add(total)
            changed = True
    return hidden
