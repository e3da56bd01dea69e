"""Typed values: dates as offices type them, personal IDs and what they encode, lookups."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from base.home import SEEDS_DIR
from ingestion.lookups import load_lookups
from ingestion.text import fold
from ingestion.values import BadValue, id_sex_and_year, parse_date, parse_personal_id, parse_sex


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (dt.datetime(2025, 5, 14, 0, 0), dt.date(2025, 5, 14)),
        ("14/05/2025", dt.date(2025, 5, 14)),
        ("4/5/25", dt.date(2025, 5, 4)),
        ("2025-05-14", dt.date(2025, 5, 14)),
        (45791.0, dt.date(2025, 5, 14)),  # an Excel serial number in a cell not formatted as a date
    ],
)
def test_dates(raw, expected):
    assert parse_date(raw) == expected


def test_unreadable_date_says_what_was_typed():
    with pytest.raises(BadValue, match="'31/02/2025'"):
        parse_date("31/02/2025")


def test_personal_id_sex_and_century():
    assert id_sex_and_year("001225000101") == ("M", 2025)
    assert id_sex_and_year("001319123456") == ("F", 2019)
    assert id_sex_and_year("001098123456") == ("M", 1998)


def test_personal_id_lost_leading_zeros_and_bad_lengths():
    assert parse_personal_id(1225000303) == "001225000303"
    assert parse_personal_id("001 225 000 303") == "001225000303"
    with pytest.raises(BadValue, match="12 chữ số"):
        parse_personal_id("00122500030")


def test_sex_spellings():
    assert [parse_sex(v) for v in ("Nam", "NỮ", "nu", "F")] == ["M", "F", "F", "F"]
    with pytest.raises(BadValue):
        parse_sex("?")


def test_fold_removes_case_diacritics_and_spacing():
    assert fold("  PHƯỜNG   Đồng\nMai ") == "phuong dong mai"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("P. Phúc La", "09553"),
        ("Phuc La", "09553"),
        ("PHÚC LA", "09553"),
        ("phường Phúc La", "09553"),
        ("Phú La", "09552"),
        ("Nguyễn Trãi", "09538"),  # a pre-2025 ward keeps its own code; dim_ward maps it to Quang Trung
        ("Xuân Thủy", None),
    ],
)
def test_ward_aliases(typed, code):
    assert load_lookups()["ward"].resolve(typed) == code


def test_vaccine_aliases():
    vaccines = load_lookups()["vaccine"]
    assert [vaccines.resolve(v) for v in ("5 TRONG 1", "bOPV", "SOI", "Sởi-Rubella", "VNNB")] == [
        "DTP_HEPB_HIB",
        "OPV",
        "MEASLES",
        "MR",
        "JE",
    ]


# every spelling the aliases seed held when it mapped to schedule items, with that item
OLD_ALIASES = {
    "BCG": "BCG", "Lao": "BCG", "VGB sơ sinh": "HEPB0", "Viêm gan B sơ sinh": "HEPB0", "VGB0": "HEPB0",
    "DPT-VGB-Hib": "DTP_HEPB_HIB", "5 trong 1": "DTP_HEPB_HIB", "Quinvaxem": "DTP_HEPB_HIB", "OPV": "OPV",
    "bOPV": "OPV", "Bại liệt uống": "OPV", "IPV": "IPV", "Bại liệt tiêm": "IPV", "Sởi": "MEASLES",
    "DPT": "DTP_BOOSTER", "DPT nhắc lại": "DTP_BOOSTER", "MR": "MR", "Sởi-Rubella": "MR",
    "Sởi - Rubella": "MR", "VNNB": "JE", "Viêm não Nhật Bản": "JE",
    # the schedule codes themselves were keys too
    "HEPB0": "HEPB0", "DTP_HEPB_HIB": "DTP_HEPB_HIB", "DTP_BOOSTER": "DTP_BOOSTER", "MEASLES": "MEASLES",
    "JE": "JE",
}  # fmt: skip


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_old_vaccine_spellings_resolve_to_a_product_counting_for_the_same_item():
    """A vaccine cell resolves to a product; the product carries every antigen the item it meant needs
    (the warehouse counts the dose for that item: docs/warehouse.md#vaccines-products-and-antigens)."""
    vaccines = load_lookups()["vaccine"]
    carried = {row["product_code"]: set(row["antigens"].split()) for row in _seed("vaccine_products.csv")}
    needed = {row["vaccine_code"]: set(row["antigens"].split()) for row in _seed("vaccine_schedule.csv")}
    for typed, item in OLD_ALIASES.items():
        product = vaccines.resolve(typed)
        assert product in carried, typed
        assert needed[item] <= carried[product], (typed, product, item)
    # the old spellings of one item stay one product, save Quinvaxem, now a brand of its own
    assert vaccines.resolve("Quinvaxem") == "QUINVAXEM"
    assert {vaccines.resolve(t) for t, item in OLD_ALIASES.items() if item == "DTP_HEPB_HIB"} == {
        "DTP_HEPB_HIB",
        "QUINVAXEM",
    }


@pytest.mark.parametrize(
    ("typed", "product"),
    [
        ("ComBE Five", "COMBE_FIVE"),
        ("Combe five", "COMBE_FIVE"),
        ("COMBE-FIVE", "COMBE_FIVE"),
        ("QUINVAXEM", "QUINVAXEM"),
        ("Vắc xin Hexaxim", "HEXAXIM"),
        ("Infanrix-hexa", "INFANRIX_HEXA"),
        ("6 trong 1", "DTP_HEPB_HIB_IPV"),
        ("Hexa", "DTP_HEPB_HIB_IPV"),
        ("Pentaxim", "PENTAXIM"),
        ("Sởi Rubella", "MR"),
        ("Sởi – Rubella", "MR"),
        ("MMR II", "MMR_II"),
        ("Rotarix", "ROTARIX"),
        ("Prevenar 13", "PREVENAR_13"),
        ("vacxin Gardasil 9", "GARDASIL_9"),
        ("DPT-VGB-Hib (5 trong 1)", "DTP_HEPB_HIB"),  # a product name
        ("PENTAXIM", "PENTAXIM"),  # a product code
        ("Vắc xin lạ", None),
    ],
)
def test_brand_and_generic_vaccine_names(typed, product):
    assert load_lookups()["vaccine"].resolve(typed) == product


def test_vaccine_display_names_and_unambiguous_spellings():
    vaccines = load_lookups()["vaccine"]
    products = _seed("vaccine_products.csv")
    assert {code: vaccines.display_name(code) for code in ("HEXAXIM", "COMBE_FIVE", "DTP")} == {
        "HEXAXIM": "Hexaxim",
        "COMBE_FIVE": "ComBE Five",
        "DTP": "DPT",
    }
    assert len(vaccines.names) == len(products)
    # no two spellings that read the same (folded, without spaces or punctuation) name two products
    keys = [(r["product_code"], r["product_code"]) for r in products]
    keys += [(r["product_name"], r["product_code"]) for r in products]
    keys += [(r["alias"], r["product_code"]) for r in _seed("vaccine_aliases.csv")]
    for typed, code in keys:
        assert vaccines.resolve(typed) == code, typed
