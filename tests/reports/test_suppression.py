"""Small-count suppression: primary (1-4 hidden) and complementary (nothing recoverable from a total)."""

from __future__ import annotations

from reports.suppression import suppress


def _column(values: list[int]) -> tuple[dict, list]:
    cells = {("w", i): v for i, v in enumerate(values)}
    cells[("total", 0)] = sum(values)
    return cells, [(("total", 0), [("w", i) for i in range(len(values))])]


def test_counts_from_1_to_4_are_hidden_and_0_and_5_are_not():
    cells, lines = _column([0, 1, 4, 5, 12])
    assert suppress(cells, lines, 5) == {("w", 1), ("w", 2)}


def test_a_lone_hidden_count_takes_the_smallest_other_with_it():
    # 3 alone could be read off as 40 - (0 + 12 + 25): the 0 (smallest) is hidden too
    cells, lines = _column([12, 3, 0, 25])
    assert suppress(cells, lines, 5) == {("w", 1), ("w", 2)}


def test_ties_go_to_the_first_in_line():
    cells, lines = _column([7, 2, 7, 9])
    assert suppress(cells, lines, 5) == {("w", 1), ("w", 0)}


def test_a_small_total_is_hidden_and_then_its_members_need_no_partner():
    cells, lines = _column([0, 3, 0])
    assert suppress(cells, lines, 5) == {("w", 1), ("total", 0)}


def test_a_line_with_no_other_member_hides_its_total():
    assert suppress({"a": 2, "t": 7}, [("t", ["a"])], 5) == {"a", "t"}


def test_rows_and_columns_together_leave_no_line_with_exactly_one_hidden_cell():
    # two wards × three case types, with row totals and column totals (and the grand total)
    grid = {(0, 0): 2, (0, 1): 10, (0, 2): 8, (1, 0): 6, (1, 1): 9, (1, 2): 7}
    cells = dict(grid)
    for r in range(2):
        cells[(r, "t")] = sum(grid[(r, c)] for c in range(3))
    for c in range(3):
        cells[("t", c)] = sum(grid[(r, c)] for r in range(2))
    cells[("t", "t")] = sum(grid.values())
    lines = [((r, "t"), [(r, c) for c in range(3)]) for r in (0, 1, "t")]
    lines += [(("t", c), [(r, c) for r in range(2)]) for c in (0, 1, 2, "t")]
    hidden = suppress(cells, lines, 5)
    # by hand: (0,0)=2 hidden; its row then hides (0,2)=8 (smaller than 10); column 0 hides (1,0)=6;
    # column 2 hides (1,2)=7; row 1 now has two hidden: done
    assert hidden == {(0, 0), (0, 2), (1, 0), (1, 2)}
    for total, members in lines:
        assert total in hidden or sum(m in hidden for m in members) != 1
