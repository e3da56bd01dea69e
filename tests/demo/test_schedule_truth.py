"""The ground truth's schedule doses (demo/schedule_truth.py), computed by hand on a few children,
and the vaccine spellings the demo stations write: each must resolve, through ingestion's lookup, to the
product the truth counts."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from demo.health import DOSE_INDEX, SCHEDULE
from demo.schedule_truth import carried_items, product_antigens, schedule_doses, schedule_items
from demo.sources import STATION_VACCINES, VACCINE_PRODUCT, VACCINE_SPELLING, vaccine_product
from ingestion.lookups import load_lookups


def test_every_demo_spelling_resolves_to_the_product_the_truth_counts() -> None:
    vaccines = load_lookups()["vaccine"]
    for style, spelling in VACCINE_SPELLING.items():
        assert set(spelling) == set(VACCINE_PRODUCT) == {code for code, *_ in SCHEDULE}, style
        for item, written in spelling.items():
            assert vaccines.resolve(written) == VACCINE_PRODUCT[item], (style, written)
    for ward, items in STATION_VACCINES.items():
        for item, (product, written) in items.items():
            assert vaccines.resolve(written) == product == vaccine_product(ward, item)
    assert {product for items in STATION_VACCINES.values() for product, _ in items.values()} >= {
        "COMBE_FIVE",
        "QUINVAXEM",
    }


def test_the_product_of_each_schedule_row_counts_for_its_own_item() -> None:
    antigens = product_antigens()
    items = {item.code: item for item in schedule_items()}
    for code, *_ in SCHEDULE:
        assert items[code].antigens <= antigens[VACCINE_PRODUCT[code]], code
    for items_of in STATION_VACCINES.values():
        for code, (product, _) in items_of.items():
            assert antigens[product] == antigens[VACCINE_PRODUCT[code]]


def _day(y: int, m: int, d: int) -> int:
    return date(y, m, d).toordinal()


@pytest.fixture(scope="module")
def counted() -> dict[tuple[int, int], list[tuple[str, int]]]:
    """Children 0 and 1 in Mộ Lao (generic products), 2 in Văn Quán (writes ComBE Five for the 5-in-1).
    The earliest good dose is in January 2024: children born from 1 January 2024 have a history."""
    birth = np.array([_day(2024, 3, 1), _day(2024, 3, 5), _day(2023, 6, 1)], np.int64)
    ward = np.array([0, 0, 1], np.int64)
    doses = [
        (2, "DTP_HEPB_HIB", 2, _day(2024, 1, 15)),  # born before the data: keeps its numbers
        (2, "DTP_HEPB_HIB", 3, _day(2024, 2, 15)),
        (2, "MR", 1, _day(2024, 12, 2)),
        (2, "JE", 3, _day(2025, 6, 3)),
        (0, "BCG", 1, _day(2024, 3, 1)),
        (0, "HEPB0", 1, _day(2024, 3, 1)),  # age 0: the birth dose
        # dose 1 of the 5-in-1 was spoiled: 2 and 3 are the child's DTP-HepB-Hib 1 and 2
        (0, "DTP_HEPB_HIB", 2, _day(2024, 6, 3)),
        (0, "DTP_HEPB_HIB", 3, _day(2024, 7, 3)),
        (0, "OPV", 2, _day(2024, 6, 3)),
        (0, "MR", 1, _day(2025, 9, 2)),  # no measles dose before: measles 1 and MR 1
        (0, "DTP_BOOSTER", 4, _day(2025, 9, 2)),  # the 3rd DTP-containing date: no schedule dose
        (1, "HEPB0", 1, _day(2024, 3, 7)),  # age 2: no birth dose
        (1, "DTP_HEPB_HIB", 1, _day(2024, 5, 6)),
        (1, "DTP_HEPB_HIB", 2, _day(2024, 6, 6)),
        (1, "DTP_HEPB_HIB", 3, _day(2024, 7, 6)),
        (1, "MEASLES", 1, _day(2024, 12, 6)),
        (1, "DTP_BOOSTER", 4, _day(2025, 9, 6)),  # the 4th DTP-containing date: the booster
        (1, "MR", 1, _day(2025, 9, 6)),  # measles-containing dose 2: MR 1 only
    ]
    columns = {
        "child": np.array([c for c, *_ in doses], np.int64),
        "dose": np.array([DOSE_INDEX[(code, n)] for _, code, n, _ in doses], np.int64),
        "day": np.array([d for *_, d in doses], np.int64),
    }
    items = schedule_items()
    got = schedule_doses(columns, birth, ward, carried_items(["09541", "09542"], items), items)
    out: dict[tuple[int, int], list[tuple[str, int]]] = {}
    for row, dose in zip(got["row"].tolist(), got["dose"].tolist(), strict=True):
        child, day = doses[row][0], doses[row][3]
        code, number, *_ = SCHEDULE[dose]
        out.setdefault((child, day), []).append((code, number))
    return {key: sorted(value) for key, value in out.items()}


def test_a_history_renumbers_and_fills_items_on_antigens(counted) -> None:
    assert counted[(0, _day(2024, 3, 1))] == [("BCG", 1), ("HEPB0", 1)]
    assert counted[(0, _day(2024, 6, 3))] == [("DTP_HEPB_HIB", 1), ("OPV", 1)]
    assert counted[(0, _day(2024, 7, 3))] == [("DTP_HEPB_HIB", 2)]
    assert counted[(0, _day(2025, 9, 2))] == [("MEASLES", 1), ("MR", 1)]
    assert (1, _day(2024, 3, 7)) not in counted
    assert counted[(1, _day(2024, 12, 6))] == [("MEASLES", 1)]
    assert counted[(1, _day(2025, 9, 6))] == [("DTP_BOOSTER", 4), ("MR", 1)]


def test_a_child_born_before_the_data_keeps_the_written_numbers(counted) -> None:
    assert counted[(2, _day(2024, 1, 15))] == [("DTP_HEPB_HIB", 2)]
    assert counted[(2, _day(2024, 2, 15))] == [("DTP_HEPB_HIB", 3)]
    assert counted[(2, _day(2024, 12, 2))] == [("MR", 1)]  # MR refines measles: not measles 1 too
    assert counted[(2, _day(2025, 6, 3))] == [("JE", 3)]
    assert sum(map(len, counted.values())) == 7 + 6 + 4  # children 0, 1, 2
