"""What a reader can work out from a table with hidden cells: linear programming over the sums the
table shows and the marks' ranges ("<5": 0-4, "x": 5 or more), an audit independent of the code that
chose the hidden cells."""

from __future__ import annotations


def value_range(variables: list, equations: list, fixed: dict, target: tuple) -> tuple[float, float]:
    """Min and max of ``target`` over the reals. ``variables`` are tuples whose last item is the mark
    ("<5" or "x"); ``equations`` are ({variable: coefficient}, constant); ``fixed`` pins variables to
    (low, high), e.g. a ward's own count it knows."""
    from scipy.optimize import linprog

    index = {v: i for i, v in enumerate(variables)}
    bounds = [fixed.get(v, (0, 4) if v[-1] == "<5" else (5, None)) for v in variables]
    a_eq = [[coefs.get(v, 0) for v in variables] for coefs, _ in equations]
    b_eq = [constant for _, constant in equations]
    found = []
    for sign in (1, -1):
        c = [0] * len(variables)
        c[index[target]] = sign
        result = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds)
        assert result.status == 0, result.message
        found.append(sign * result.fun)
    return found[0], found[1]
