"""The one judgement every surface uses (policy.status): each case worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from policy.status import BEHIND, CHECK, CLOSE, HIDDEN, MET, NO_DATA, NO_TARGET, indicator_status


@pytest.mark.parametrize(
    ("value", "target", "comparison", "direction", "expected"),
    [
        (0.95, 0.95, "at_least", "higher_is_better", MET),  # on the target
        (0.918, 0.95, "at_least", "higher_is_better", CLOSE),  # 3.2 points short: within 5
        (0.90, 0.95, "at_least", "higher_is_better", CLOSE),  # exactly 5 points short
        (0.899, 0.95, "at_least", "higher_is_better", BEHIND),  # 5.1 points short
        (0.147, 0.10, "at_most", "lower_is_better", CLOSE),  # dropout 14,7% against ≤ 10%: 4.7 points over
        (0.151, 0.10, "at_most", "lower_is_better", BEHIND),
        (0.02, 0.10, "at_most", "lower_is_better", MET),
        (16, 15.3, "at_most_share_of_baseline", "lower_is_better", CLOSE),  # 16 ≤ 15.3 + 1.53
        (17, 15.3, "at_most_share_of_baseline", "lower_is_better", BEHIND),  # 17 > 16.83
        (-0.04, 0.10, "at_most", "lower_is_better", CHECK),  # negative dropout: a data question
        (0.5, None, "rising", "higher_is_better", NO_TARGET),
        (None, 0.95, "at_least", "higher_is_better", NO_DATA),
        (math.nan, 0.95, "at_least", "higher_is_better", NO_DATA),
        (pd.NA, 0.95, "at_least", "higher_is_better", NO_DATA),
    ],
)
def test_each_value_is_judged_against_its_target(value, target, comparison, direction, expected):
    assert indicator_status(value, target, comparison, direction) == expected


def test_a_hidden_figure_is_hidden_never_no_data():
    # the protection and injury counts a role may not see come as null with a mark ("<5", "x", "hidden")
    for mark in ("<5", "x", "hidden"):
        assert indicator_status(None, 1.0, "at_least", "higher_is_better", mark) == HIDDEN
    assert indicator_status(None, 1.0, "at_least", "higher_is_better", None) == NO_DATA
