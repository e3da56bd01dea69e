"""Small-count suppression, worked out by hand: a hidden small count ("<5", so 0–4) is never left with
one possible value, from the line's sum and the marks' bounds, even for a reader who knows one
hidden cell of the line (a ward knows its own count)."""

from __future__ import annotations

from access.disclosure import marker, suppress


def _column(values: list[int], insiders: bool = True) -> tuple[dict, list]:
    cells = {i: v for i, v in enumerate(values)}
    cells["T"] = sum(values)
    return cells, [("T", list(range(len(values))), insiders)]


def test_nothing_small_nothing_hidden():
    cells, lines = _column([0, 5, 12])
    assert suppress(cells, lines, 5) == set()


def test_a_small_count_takes_two_zeros_so_that_no_ward_can_subtract_it():
    # 3 alone is 15 − 12; one zero beside it is no help to the ward that owns that zero (it knows its
    # own 0, so the other is 3); two zeros leave any ward with two unknowns that add up to 3
    cells, lines = _column([0, 3, 0, 12])
    assert suppress(cells, lines, 5) == {0, 1, 2}


def test_without_zeros_the_smallest_larger_counts_are_concealed():
    # 2 beside 6: an insider (the ward of 6) would subtract; 7 comes in too (x: at least 5)
    cells, lines = _column([7, 2, 9, 6])
    hidden = suppress(cells, lines, 5)
    assert hidden == {0, 1, 3}
    assert [marker(cells[k], 5) for k in sorted(hidden)] == ["x", "<5", "x"]


def test_a_small_total_is_hidden_with_its_counts():
    cells, lines = _column([0, 3, 0])
    assert suppress(cells, lines, 5) == {0, 1, "T"}


def test_categories_have_no_insiders_one_partner_is_enough():
    cells, lines = _column([3, 0, 7], insiders=False)
    assert suppress(cells, lines, 5) == {0, 1}


def test_all_hidden_at_the_maximum_would_pin_them_so_one_more_is_hidden():
    # two "<5" summing to 8 must both be 4: a larger count is concealed with them
    cells, lines = _column([4, 4, 6, 9], insiders=False)
    hidden = suppress(cells, lines, 5)
    assert hidden == {0, 1, 2}
