"""The generator's side of the child-friendly cross-check (demo/child_friendly_truth.py), on figures and
assessments made by hand, with the bands of the seeds the warehouse reads."""

from __future__ import annotations

from demo import child_friendly_truth as truth
from demo.context import Context
from demo.profile import current_wards, load_profile


def _figures(**parts: tuple[int, int] | int) -> dict:
    """indicator -> (numerator, denominator), or deaths for injury_deaths; the rest 100 of 100."""
    base = {
        "birth_reg_on_time": (100, 100),
        "abuse_timely_intervention": (0, 0),
        "hcdb_supported": (100, 100),
        "fully_immunised_under1": (100, 100),
    }
    base.update({k: v for k, v in parts.items() if k != "deaths"})
    figures = {code: {"numerator": n, "denominator": d} for code, (n, d) in base.items()}
    figures["injury_deaths"] = {"deaths": parts.get("deaths", 0), "baseline_2024": 0}
    return figures


ALL = {"birth_registration", "protection_cases", "injuries", "hcdb_support", "child_register", "immunization"}
ALL |= {"immunization@-1"}


def test_the_seeds_bands_give_the_points_computed_by_hand():
    bands = truth.rules()
    # 96% fully immunised: below 98%, 0; 96,0% on time births: 25; one death: 25; 2 of 3 abuse cases in
    # time: criterion 3 and criterion 6's second part 0; 19 of 20 HCĐB children supported (95%): 50
    ward = _figures(
        fully_immunised_under1=(96, 100),
        birth_reg_on_time=(96, 100),
        abuse_timely_intervention=(2, 3),
        hcdb_supported=(19, 20),
        deaths=1,
    )
    assert truth.supported(ward, bands, ALL) == {2: 25, 3: 0, 5: 25, 6: 50, 7: 0}
    # exactly 98% and 100%, no abuse case, no death: every maximum
    best = _figures(fully_immunised_under1=(49, 50), abuse_timely_intervention=(0, 0))
    assert truth.supported(best, bands, ALL) == {2: 50, 3: 100, 5: 75, 6: 125, 7: 50}
    # no child turned one and no birth: criteria 2 and 7 have no data
    empty = _figures(fully_immunised_under1=(0, 0), birth_reg_on_time=(0, 0))
    assert truth.supported(empty, bands, ALL)[7] is None and truth.supported(empty, bands, ALL)[2] is None
    # a protection file that never arrived: no abuse case in the warehouse is no data, not 100 points
    assert truth.supported(best, bands, ALL - {"protection_cases"}) == {2: 50, 3: None, 5: 75, 6: None, 7: 50}
    # a month of last year's doses missing: criterion 7 cannot be judged
    assert truth.supported(best, bands, ALL - {"immunization@-1"})[7] is None


def _assessment(scores: dict[int, int]) -> list[dict]:
    return [{"criterion": n, "score": s, "met": "Đạt" if s > 0 else "Không đạt"} for n, s in scores.items()]


def test_the_cross_check_gives_each_verdict_and_the_standing_on_the_data():
    scores = {c["criterion"]: c["max_points"] for c in truth.criteria()}  # 1.000 points, all met
    over = _assessment(scores)  # claims criterion 7's 50 with 96%
    under = _assessment(scores | {6: 50})  # its data give 125
    figures = {
        "09541": _figures(fully_immunised_under1=(96, 100)),
        "09542": _figures(),
        "09544": _figures(fully_immunised_under1=(0, 0)),
    }
    assessments = {"09541": (2025, over), "09542": (2025, under), "09544": (2025, _assessment(scores))}
    result = truth.cross_check(assessments, figures, dict.fromkeys(figures, ALL), 2025, 900)
    assert result["09541"]["criteria"]["7"] == {"self": 50, "data": 0, "verdict": "over_scored"}
    assert result["09541"]["criteria"]["1"] == {"self": 100, "data": None, "verdict": "no_data"}
    assert result["09541"]["total_points_on_data"] == 950
    assert result["09541"]["meets_standard_on_data"] is False  # criterion 7 at 0 on the data
    assert result["09542"]["criteria"]["6"] == {"self": 50, "data": 125, "verdict": "under_scored"}
    assert result["09542"]["meets_standard_on_data"] is True  # 1.000 on the data
    assert result["09544"]["criteria"]["7"] == {"self": 50, "data": None, "verdict": "no_data"}
    assert result["09544"]["meets_standard_on_data"] is True


def test_a_few_wards_over_score_and_one_under_scores():
    profile = load_profile()
    tiny_ctx = Context(
        7, 0.02, 2025, profile, None, current_wards(2025, profile), []
    )  # only its seed is read
    supported = {w.code: {2: 25, 3: 100, 5: 75, 6: 125, 7: 0} for w in tiny_ctx.wards}
    claims = truth.claims(tiny_ctx, supported)
    over = [code for code, c in claims.items() if c[7] == 50]
    under = [code for code, c in claims.items() if c[6] < 125]
    honest = [code for code, c in claims.items() if c == supported[code]]
    assert len(over) == truth.OVER_SCORING_WARDS and all(claims[c][2] == 50 for c in over)
    assert len(under) == truth.UNDER_SCORING_WARDS and claims[under[0]][6] == 60  # half of 125, in fives
    assert len(honest) == len(tiny_ctx.wards) - len(over) - len(under)
    assert truth.claims(tiny_ctx, supported) == claims  # the same seed, the same wards
