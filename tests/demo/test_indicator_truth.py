"""The indicators' ground truth: its shape and sums, and the figures recomputed from the written files
the way a warehouse reads them (no generator internals: names, dates and spellings as written)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pytest
from python_calamine import CalamineWorkbook

from demo import timing
from demo.context import Context
from demo.health import DOSE_INDEX, add_months
from demo.indicator_truth import IndicatorFacts, indicators
from demo.population import add_months_array, simulate
from demo.profile import current_wards, load_profile, old_wards
from demo.registers import card_validity, on_card_list
from demo.workbook import Extract, Layout
from tests.demo.conftest import as_date

WARDS = (
    "09541", "09542", "09544", "09550", "09551", "09552", "09553", "09556",
    "09562", "09565", "09568", "09571", "09886", "10117", "10123",
)  # fmt: skip
DISTRICT = "268"
PERIODS = {
    "2025": (date(2025, 1, 1), date(2025, 12, 31)),
    "2025-Q1": (date(2025, 1, 1), date(2025, 3, 31)),
    "2025-Q2": (date(2025, 4, 1), date(2025, 6, 30)),
    "2025-Q3": (date(2025, 7, 1), date(2025, 9, 30)),
    "2025-Q4": (date(2025, 10, 1), date(2025, 12, 31)),
}
QUARTERS = ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4")
RATIOS = (
    "bhyt_under6_coverage", "birth_reg_on_time", "birth_reg_linked", "fully_immunised_under1",
    "vitamin_a_coverage", "hcdb_supported", "abuse_timely_intervention", "child_friendly_ward",
    "register_id_completeness", "report_timeliness",
)  # fmt: skip
STOCKS = ("bhyt_under6_coverage", "hcdb_supported", "register_id_completeness", "child_friendly_ward")
FLOWS = (
    "birth_reg_on_time", "birth_reg_linked", "fully_immunised_under1", "dtp_dropout",
    "vitamin_a_coverage", "abuse_timely_intervention", "injury_deaths",
)  # fmt: skip
# the doses of the fully-immunised list, as the stations spell them (all header styles)
SPELLED = {"BCG": "BCG", "DPT-VGB-Hib": "DTP", "5 TRONG 1": "DTP", "OPV": "OPV", "bOPV": "OPV"}
SPELLED |= {"5 trong 1": "DTP", "ComBE Five": "DTP", "Quinvaxem": "DTP"}  # stations writing the brand
SPELLED |= {"IPV": "IPV", "Sởi": "MEASLES", "SOI": "MEASLES"}
FULL_LIST = {("BCG", 1), ("DTP", 1), ("DTP", 2), ("DTP", 3), ("OPV", 1), ("OPV", 2), ("OPV", 3)}
FULL_LIST |= {("IPV", 1), ("MEASLES", 1)}
COLUMNS = {  # column order after STT, as docs/extracts.md lists them
    "child_register": ("pid", "name", "birth", "sex", "residence", "group", "mother", "hcdb"),
    "hcdb_support": ("pid", "name", "birth", "sex", "hcdb", "kind", "date", "amount", "funding"),
    "immunization": ("pid", "name", "birth", "sex", "ward", "vaccine", "dose", "date", "facility"),
    "vitamin_a": ("pid", "name", "birth", "sex", "ward", "round", "date", "iu"),
    "birth_registration": ("pid", "name", "birth", "sex", "mother", "reg_date", "ward", "linked"),
    "health_insurance": ("card_no", "pid", "name", "birth", "sex", "ward", "issue", "valid_from", "valid_to"),
    "injuries": ("age", "sex", "date", "cause", "place", "fatal"),
    "child_friendly": ("criterion", "content", "max", "score", "met"),
}
DATES = {"birth", "date", "reg_date", "valid_from", "valid_to", "issue"}


def _cells(path: Path) -> list[list]:
    if path.suffix == ".csv":
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1258")
        return list(csv.reader(io.StringIO(unicodedata.normalize("NFC", text))))
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


def read(home: Path, source: str, item: dict) -> list[dict]:
    """The data rows of one written file as dicts (dates parsed, names NFC, ints as ints)."""
    cells = _cells(home / "inbox" / source / item["file"])
    keys = COLUMNS[source]
    rows = []
    for row in cells[1:]:
        if not row or row[0] in ("", None) or not str(row[0]).replace(".", "").isdigit():
            continue  # header, blank or total rows
        record = dict(zip(keys, row[1 : 1 + len(keys)], strict=True))
        for key, value in record.items():
            if key in DATES:
                record[key] = as_date(value)
            elif isinstance(value, float):
                record[key] = int(value)
            elif isinstance(value, str):
                record[key] = unicodedata.normalize("NFC", value)
        rows.append(record)
    return rows


def files(truth: dict, source: str, period_prefix: str = "") -> list[dict]:
    return [f for f in truth["sources"][source]["files_list"] if f["period"].startswith(period_prefix)]


def key(row: dict) -> tuple:
    """A child as the files identify it: by name and birth date (health stations leave the personal ID
    out for some children, and names come composed or decomposed)."""
    return unicodedata.normalize("NFC", row["name"]), row["birth"]


def first_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + 1)
    except ValueError:  # 29 February: the generator's convention
        return date(born.year + 1, 2, 28)


@pytest.fixture(scope="module")
def register(clean_demo: tuple[Path, dict]) -> dict[tuple[str, str], list[dict]]:
    """(ward, quarter) -> the rows of that register snapshot."""
    home, truth = clean_demo
    return {
        (f["ward_code"], f["period"]): read(home, "child_register", f) for f in files(truth, "child_register")
    }


def truth_of(truth: dict, indicator: str, part: str = "numerator") -> dict[str, dict[str, int]]:
    """period -> ward -> the part (wards only)."""
    return {p: {w: truth["indicators"][p][w][indicator][part] for w in WARDS} for p in PERIODS}


def test_add_months_array_is_add_months() -> None:
    days = [date(2024, 2, 29), date(2024, 1, 31), date(2023, 12, 31), date(2024, 8, 31), date(2025, 3, 1)]
    days += [date(2019, 1, 1) + timedelta(days=k) for k in range(0, 2600, 7)]
    for months in (-72, -36, -6, 1, 12):
        got = add_months_array(np.array([d.toordinal() for d in days]), months)
        assert [date.fromordinal(int(x)) for x in got] == [add_months(d, months) for d in days]
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


@pytest.mark.parametrize("demo", ["clean_demo", "messy_demo"])
def test_shape_bounds_and_district_sums(demo: str, request: pytest.FixtureRequest) -> None:
    _, truth = request.getfixturevalue(demo)
    indicators = truth["indicators"]
    assert set(indicators) == set(PERIODS)
    for period, units in indicators.items():
        assert set(units) == {*WARDS, DISTRICT}
        for indicator, parts in units[DISTRICT].items():
            for part, value in parts.items():
                assert value == sum(units[w][indicator][part] for w in WARDS), (period, indicator, part)
        for unit in units.values():
            assert set(unit) == {*RATIOS, "dtp_dropout", "injury_deaths"}
            assert set(unit["injury_deaths"]) == {"deaths", "baseline_2024"}
            for name in RATIOS:
                assert 0 <= unit[name]["numerator"] <= unit[name]["denominator"], (period, name)
            dtp = unit["dtp_dropout"]
            assert dtp["numerator"] <= dtp["denominator"]  # DTP3 of a quarter may exceed its DTP1
            assert min(unit["injury_deaths"].values()) >= 0
    # every ward of today counts once any ward has assessed; a ward whose file was set aside does not meet
    assert indicators["2025"][DISTRICT]["child_friendly_ward"]["denominator"] == 15
    for ward in _faulty_wards(truth):
        assert indicators["2025"][ward]["child_friendly_ward"] == {"numerator": 0, "denominator": 1}
    assert len(_faulty_wards(truth)) == (0 if demo == "clean_demo" else 2)


def _faulty_wards(truth: dict) -> list[str]:
    entry = truth["sources"]["child_friendly"]
    bad = {name for names in entry["files_bad"].values() for name in names}
    return [f["ward_code"] for f in entry["files_list"] if f["file"] in bad]


def test_year_is_q4_for_stocks_and_the_quarters_sum_for_flows(clean_demo: tuple[Path, dict]) -> None:
    _, truth = clean_demo
    ind = truth["indicators"]
    for unit in (*WARDS, DISTRICT):
        for name in STOCKS:
            assert ind["2025"][unit][name] == ind["2025-Q4"][unit][name], (unit, name)
        for name in FLOWS:
            for part, value in ind["2025"][unit][name].items():
                assert value == sum(ind[q][unit][name][part] for q in QUARTERS), (unit, name, part)
        for quarter in ("2025-Q1", "2025-Q3"):  # no vitamin A round starts in them
            assert ind[quarter][unit]["vitamin_a_coverage"] == {"numerator": 0, "denominator": 0}
        assert ind["2025-Q1"][unit]["child_friendly_ward"] == ind["2025"][unit]["child_friendly_ward"]


def test_register_indicators_from_the_written_register(clean_demo: tuple[Path, dict], register: dict) -> None:
    home, truth = clean_demo
    cards = [row for f in files(truth, "health_insurance") for row in read(home, "health_insurance", f)]
    supports = [row for f in files(truth, "hcdb_support") for row in read(home, "hcdb_support", f)]
    for quarter in QUARTERS:
        end = PERIODS[quarter][1]
        insured = {key(c) for c in cards if c["valid_from"] <= end <= c["valid_to"]}
        helped = {key(s) for s in supports if date(2025, 1, 1) <= s["date"] <= end}
        for ward in WARDS:
            rows = register[(ward, quarter)]
            got = truth["indicators"][quarter][ward]
            assert got["register_id_completeness"] == {
                "numerator": sum(1 for r in rows if r["pid"]),
                "denominator": len(rows),
            }
            under6 = [r for r in rows if r["birth"] > end.replace(year=end.year - 6)]  # under 72 months at E
            assert got["bhyt_under6_coverage"] == {
                "numerator": sum(1 for r in under6 if key(r) in insured),
                "denominator": len(under6),
            }
            groups = [r for r in rows if r["hcdb"]]
            assert got["hcdb_supported"] == {
                "numerator": sum(1 for r in groups if key(r) in helped),
                "denominator": len(groups),
            }
    # the figure the brief names: children under 72 months in the Q4 register rows written for 2025
    q4 = [r for w in WARDS for r in register[(w, "2025-Q4")]]
    under6 = sum(1 for r in q4 if r["birth"] >= date(2020, 1, 1))
    assert truth["indicators"]["2025"][DISTRICT]["bhyt_under6_coverage"]["denominator"] == under6
    assert truth["indicators"]["2025"][DISTRICT]["register_id_completeness"]["denominator"] == len(q4)
    assert len(q4) == truth["population"]["children_under_16"]


def test_full_immunisation_from_the_2024_and_2025_dose_files(
    clean_demo: tuple[Path, dict], register: dict
) -> None:
    home, truth = clean_demo
    taken: dict[tuple, dict[tuple[str, int], date]] = defaultdict(dict)
    for f in files(truth, "immunization"):
        for row in read(home, "immunization", f):
            if row["vaccine"] in SPELLED:
                dose = (SPELLED[row["vaccine"]], row["dose"])
                earliest = taken[key(row)].get(dose, row["date"])
                taken[key(row)][dose] = min(earliest, row["date"])
    for quarter in QUARTERS:
        start, end = PERIODS[quarter]
        for ward in WARDS:
            turning_one = [r for r in register[(ward, quarter)] if start <= first_birthday(r["birth"]) <= end]
            full = [
                r
                for r in turning_one
                if all(taken[key(r)].get(d, date.max) < first_birthday(r["birth"]) for d in FULL_LIST)
            ]
            assert truth["indicators"][quarter][ward]["fully_immunised_under1"] == {
                "numerator": len(full),
                "denominator": len(turning_one),
            }, (quarter, ward)
    district = truth["indicators"]["2025"][DISTRICT]["fully_immunised_under1"]
    born_2024 = sum(1 for w in WARDS for r in register[(w, "2025-Q4")] if r["birth"].year == 2024)
    assert district["denominator"] == born_2024
    # without the 2024 history almost nobody born in 2024 would count as fully immunised
    assert district["numerator"] * 2 > district["denominator"]


def test_flow_indicators_from_the_written_events(clean_demo: tuple[Path, dict]) -> None:
    home, truth = clean_demo
    dtp: Counter[tuple[str, str, int]] = Counter()
    for f in files(truth, "immunization", "2025"):
        for row in read(home, "immunization", f):
            if SPELLED.get(row["vaccine"]) == "DTP":
                quarter = f"2025-Q{(row['date'].month - 1) // 3 + 1}"
                dtp[(f["ward_code"], quarter, row["dose"])] += 1
    births = [
        (f["ward_code"], row)
        for f in files(truth, "birth_registration")
        for row in read(home, "birth_registration", f)
    ]
    for quarter in QUARTERS:
        start, end = PERIODS[quarter]
        for ward in WARDS:
            got = truth["indicators"][quarter][ward]
            assert got["dtp_dropout"] == {
                "numerator": dtp[(ward, quarter, 1)] - dtp[(ward, quarter, 3)],
                "denominator": dtp[(ward, quarter, 1)],
            }
            born = [r for w, r in births if w == ward and start <= r["birth"] <= end]
            on_time = [r for r in born if (r["reg_date"] - r["birth"]).days <= 60]
            assert got["birth_reg_on_time"] == {"numerator": len(on_time), "denominator": len(born)}
            linked = [r for r in born if r["linked"] == "Có"]
            assert got["birth_reg_linked"] == {"numerator": len(linked), "denominator": len(born)}
    merged = {"09538": "09550", "09547": "09550"}
    deaths: Counter[tuple[str, int]] = Counter()
    for f in files(truth, "injuries"):
        for row in read(home, "injuries", f):
            deaths[(merged.get(f["ward_code"], f["ward_code"]), row["date"].year)] += row["fatal"] == "Có"
    for ward in WARDS:
        assert truth["indicators"]["2025"][ward]["injury_deaths"] == {
            "deaths": deaths[(ward, 2025)],
            "baseline_2024": deaths[(ward, 2024)],
        }
        [f] = [f for f in files(truth, "child_friendly", "2025") if f["ward_code"] == ward]
        rows = read(home, "child_friendly", f)
        meets = (
            len({r["criterion"] for r in rows}) == 13
            and all(r["met"] == "Đạt" and r["score"] > 0 for r in rows)
            and sum(r["score"] for r in rows) >= 900
        )
        assert truth["indicators"]["2025"][ward]["child_friendly_ward"] == {
            "numerator": int(meets),
            "denominator": 1,
        }
    district = truth["indicators"]["2025"][DISTRICT]
    assert district["child_friendly_ward"]["numerator"] < 15  # wards whose data give criterion 7 no points


def test_vitamin_a_from_the_rounds_and_the_register_before_them(
    clean_demo: tuple[Path, dict], register: dict
) -> None:
    home, truth = clean_demo
    dosed = [row for f in files(truth, "vitamin_a") for row in read(home, "vitamin_a", f)]
    rounds = (  # quarter, the register then, first day, born after (36 months), born by (6 months)
        ("2025-Q2", "2025-Q1", date(2025, 6, 1), date(2022, 6, 1), date(2024, 12, 1)),
        ("2025-Q4", "2025-Q3", date(2025, 12, 1), date(2022, 12, 1), date(2025, 6, 1)),
    )
    for quarter, snapshot, first, oldest, youngest in rounds:
        took = {key(r) for r in dosed if first <= r["date"] <= first + timedelta(days=30)}
        for ward in WARDS:
            aged = [r for r in register[(ward, snapshot)] if oldest < r["birth"] <= youngest]
            assert truth["indicators"][quarter][ward]["vitamin_a_coverage"] == {
                "numerator": sum(1 for r in aged if key(r) in took),
                "denominator": len(aged),
            }


def test_messy_register_falls_back_to_the_latest_readable_snapshot(messy_demo: tuple[Path, dict]) -> None:
    _, truth = messy_demo
    good = {(f["ward_code"], f["period"]): f["rows_good"] for f in files(truth, "child_register")}
    bad = {name for names in truth["sources"]["child_register"]["files_bad"].values() for name in names}
    readable = {(f["ward_code"], f["period"]) for f in files(truth, "child_register") if f["file"] not in bad}
    assert len(readable) < 60  # the messy demo spoiled some register files
    for ward in WARDS:
        for k, quarter in enumerate(QUARTERS):
            latest = [q for q in QUARTERS[: k + 1] if (ward, q) in readable]
            expected = good[(ward, latest[-1])] if latest else 0
            assert truth["indicators"][quarter][ward]["register_id_completeness"]["denominator"] == expected


def test_messy_flows_never_exceed_the_clean_ones(
    clean_demo: tuple[Path, dict], messy_demo: tuple[Path, dict]
) -> None:
    """Same seed and scale: same children and events; the messy demo only loses rows and files. Doses are
    numbered on each child's history, so a lost DTP-HepB-Hib dose 1 makes the child's next dose its dose 1
    (perhaps in a later quarter): the messy DTP1 of a period stays within the clean DTP-HepB-Hib doses of
    any number, and those only get fewer."""
    clean, messy = clean_demo[1]["indicators"], messy_demo[1]["indicators"]
    dtp: dict[str, Counter[tuple[str, str]]] = {}
    for name, (_, truth) in (("clean", clean_demo), ("messy", messy_demo)):
        dtp[name] = Counter()
        for key, n in truth["immunization"]["doses_by_ward_month_vaccine_dose"].items():
            ward, month, item, _ = key.split("|")
            if item == "DTP_HEPB_HIB" and month.startswith("2025"):
                dtp[name][(ward, month)] += n
                dtp[name][(ward, f"2025-Q{(int(month[5:]) - 1) // 3 + 1}")] += n
                dtp[name][(ward, "2025")] += n
    assert all(n <= dtp["clean"][key] for key, n in dtp["messy"].items())
    for period in PERIODS:
        for ward in WARDS:
            for name in ("birth_reg_on_time", "birth_reg_linked", "abuse_timely_intervention"):
                for part in ("numerator", "denominator"):
                    assert messy[period][ward][name][part] <= clean[period][ward][name][part]
            assert messy[period][ward]["dtp_dropout"]["denominator"] <= dtp["clean"][(ward, period)]
            for part in ("deaths", "baseline_2024"):
                assert (
                    messy[period][ward]["injury_deaths"][part] <= clean[period][ward]["injury_deaths"][part]
                )
    assert (
        messy["2025"][DISTRICT]["fully_immunised_under1"]["numerator"]
        < clean["2025"][DISTRICT]["fully_immunised_under1"]["numerator"]
    )


def test_district_year_values_of_the_clean_demo(clean_demo: tuple[Path, dict]) -> None:
    """Seed 7, scale 0.02, messy 0: the figures the tests above recompute from the files, pinned."""
    _, truth = clean_demo
    assert truth["indicators"]["2025"][DISTRICT] == {
        "abuse_timely_intervention": {"numerator": 0, "denominator": 0},
        "bhyt_under6_coverage": {"numerator": 730, "denominator": 815},
        "birth_reg_linked": {"numerator": 67, "denominator": 117},
        "birth_reg_on_time": {"numerator": 115, "denominator": 117},
        "child_friendly_ward": {"numerator": 4, "denominator": 15},
        "dtp_dropout": {"numerator": 8, "denominator": 126},
        "fully_immunised_under1": {"numerator": 93, "denominator": 123},
        "hcdb_supported": {"numerator": 66, "denominator": 68},
        "injury_deaths": {"deaths": 0, "baseline_2024": 0},
        "register_id_completeness": {"numerator": 2165, "denominator": 2201},
        "report_timeliness": {"numerator": 914, "denominator": 15 * 67},  # 67 extracts owed per ward
        "vitamin_a_coverage": {"numerator": 617, "denominator": 665},
    }


MONTHLY = ("hcdb_support", "immunization", "birth_registration", "protection_cases", "injuries")


def _owed(quarter: str) -> list[tuple[str, str, date]]:
    """(source, period, due day) of the extracts a ward owes for the periods ending in a quarter of 2025,
    as docs/extracts.md lists them: due on the 5th of the month after the period."""
    q = int(quarter[-1])

    def due(month: int) -> date:
        return date(2025 + (month == 12), month % 12 + 1, 5)

    months = range(3 * q - 2, 3 * q + 1)
    owed = [(source, f"2025-{m:02d}", due(m)) for source in MONTHLY for m in months]
    owed += [("vitamin_a", f"2025-{m:02d}", due(m)) for m in months if m in (6, 12)]
    owed.append(("child_register", quarter, due(3 * q)))
    if q == 4:
        owed.append(("child_friendly", "2025", due(12)))
    return owed


@pytest.mark.parametrize("demo", ["clean_demo", "messy_demo"])
def test_report_timeliness_from_the_files_and_their_modification_times(
    demo: str, request: pytest.FixtureRequest
) -> None:
    """A ward's rate in a period is the share of the extracts it owes for periods ending in it that were
    written readable (not set aside for a file fault) with a modification day, in district time, by the
    due day."""
    home, truth = request.getfixturevalue(demo)
    arrived: dict[tuple[str, str, str], date] = {}
    for source, entry in truth["sources"].items():
        bad = {name for names in entry["files_bad"].values() for name in names}
        for f in entry["files_list"]:
            if f["file"] not in bad:
                stamp = (home / "inbox" / source / f["file"]).stat().st_mtime
                day = datetime.fromtimestamp(stamp, timing.DISTRICT_TZ).date()
                arrived[(source, f["ward_code"], f["period"])] = day
    rates = []
    for period in PERIODS:
        owed = [extract for q in QUARTERS if period in (q, "2025") for extract in _owed(q)]
        for ward in WARDS:
            on_time = sum(arrived.get((source, ward, p), date.max) <= due for source, p, due in owed)
            assert truth["indicators"][period][ward]["report_timeliness"] == {
                "numerator": on_time,
                "denominator": len(owed),
            }, (period, ward)
            if period == "2025":
                rates.append(on_time / len(owed))
    if demo == "clean_demo":  # most extracts on time, a few late habits: the wards differ
        assert all(rate > 0.3 for rate in rates) and sum(rates) / len(rates) > 0.8
        assert max(rates) - min(rates) > 0.2


def _extract(source: str, ward: str, period: timing.Period, rows: list[dict], **kw: object) -> Extract:
    bad = kw.pop("bad", [None] * len(rows))
    submitted = kw.pop("submitted", datetime(2026, 1, 5, tzinfo=timing.DISTRICT_TZ))
    return Extract(source, "x.xlsx", ward, period.code, "", [], [], Layout(), rows, submitted, "", bad, **kw)


def test_hand_made_extracts() -> None:
    """Rules the small demo rarely meets: a dose on the first birthday (29 February -> 28 February), a
    dose in an unreadable file, spoiled and duplicated rows, no register before the first snapshot, 2024
    deaths of merged wards."""
    profile = load_profile()
    wards = current_wards(2025, profile)
    pop = simulate(wards, 2025, 0.002, profile, np.random.default_rng(1))
    ctx = Context(1, 0.002, 2025, profile, pop, wards, old_wards(profile))
    mo_lao, van_quan = [w.code for w in wards].index("09541"), [w.code for w in wards].index("09542")
    in_van_quan = pop.ward == van_quan
    kids = np.flatnonzero(pop.ward == mo_lao).tolist()
    pop.birth[kids] = date(2015, 6, 1).toordinal()
    a, b, c, d, e, f = kids[:6]
    births = {a: (2024, 2, 29), b: (2024, 2, 29), c: (2024, 3, 10), d: (2024, 1, 5), e: (2024, 3, 20)}
    for child, born in (births | {f: (2024, 3, 25)}).items():
        pop.birth[child] = date(*born).toordinal()
    listed = [("BCG", 1), ("DTP_HEPB_HIB", 1), ("DTP_HEPB_HIB", 2), ("DTP_HEPB_HIB", 3), ("OPV", 1)]
    listed += [("OPV", 2), ("OPV", 3), ("IPV", 1)]

    def dose(child: int, code: str, number: int, day: date) -> dict:
        return {"_child": child, "_code": code, "dose": number, "date": day}

    january = [dose(k, v, n, date(2025, 1, 2)) for k in (a, b, c, d, e, f) for v, n in listed]
    measles = {
        "2025-02": [dose(a, "MEASLES", 1, date(2025, 2, 28)), dose(b, "MEASLES", 1, date(2025, 2, 27))],
        "2024-12": [dose(c, "MEASLES", 1, date(2024, 12, 20))],  # in an unreadable file
        "2025-03": [dose(e, "MEASLES", 1, date(2025, 3, 1)), dose(f, "MEASLES", 1, date(2025, 3, 1))],
    }
    written = january + [row for rows in measles.values() for row in rows]
    ctx.cache["doses"] = {
        "child": np.array([r["_child"] for r in written]),
        "dose": np.array([DOSE_INDEX[(r["_code"], r["dose"])] for r in written]),
        "day": np.array([r["date"].toordinal() for r in written]),
    }
    facts = IndicatorFacts()
    jan = timing.month(2025, 1)
    bad = [("invalid_id" if (r["_child"], r["_code"]) == (e, "IPV") else None) for r in january]
    f_bcg = next(r for r in january if (r["_child"], r["_code"]) == (f, "BCG"))
    rows = [*january, dict(f_bcg)]  # f's BCG typed twice: the second row is the bad one
    facts.add(_extract("immunization", "09541", jan, rows, bad=[*bad, "duplicate"]), jan)
    for code, rows in measles.items():
        month = timing.month(int(code[:4]), int(code[5:]))
        fault = "unreadable" if code == "2024-12" else None
        facts.add(_extract("immunization", "09541", month, rows, fault=fault), month)
    q1, q2 = timing.quarter(2025, 1), timing.quarter(2025, 2)
    spoiled_d = [("invalid_id" if k == d else None) for k in kids]
    facts.add(_extract("child_register", "09541", q1, [{"_child": k} for k in kids], bad=spoiled_d), q1)
    van_quan_kids = [{"_child": k} for k in np.flatnonzero(pop.ward == van_quan).tolist()]
    facts.add(_extract("child_register", "09542", q2, van_quan_kids), q2)
    # BHXH's December list is read, with one child's row spoiled; November's list is unreadable
    december, november = timing.month(2025, 12), timing.month(2025, 11)
    valid_from, valid_to = card_validity(pop)
    end, born_by = december.end.toordinal(), date(2025, 6, 30).toordinal()  # in Văn Quán's Q2 register
    holders = [
        k
        for k in np.flatnonzero(on_card_list(pop, december.end) & in_van_quan).tolist()
        if valid_from[k] <= end <= valid_to[k] and date(2019, 12, 31).toordinal() < pop.birth[k] <= born_by
    ]
    cards = [{"_child": k} for k in np.flatnonzero(on_card_list(pop, december.end)).tolist()]
    spoiled_g = [("unknown_ward" if r["_child"] == holders[0] else None) for r in cards]
    facts.add(_extract("health_insurance", "", december, cards, bad=spoiled_g), december)
    facts.add(_extract("health_insurance", "", november, cards, fault="unreadable"), november)
    year_2024 = timing.whole_year(2024)
    injuries = [{"date": date(2024, 2, 10), "fatal": "Có"}, {"date": date(2024, 5, 1), "fatal": "Không"}]
    facts.add(_extract("injuries", "09538", year_2024, injuries), year_2024)
    late = [{"date": date(2024, 11, 3), "fatal": "Có"}, {"date": date(2024, 11, 3), "fatal": "Có"}]
    facts.add(_extract("injuries", "09547", year_2024, late, bad=[None, "duplicate"]), year_2024)
    lost = [{"date": date(2024, 7, 1), "fatal": "Có"}]
    facts.add(_extract("injuries", "09541", year_2024, lost, fault="missing_column"), year_2024)

    got = indicators(facts, ctx)
    # first birthdays 28 Feb (a: measles on that day), 28 Feb (b), 10 Mar (c: measles unreadable), 20 Mar
    # (e: IPV row spoiled), 25 Mar (f: BCG duplicated); d's register row is spoiled: not in the register
    assert got["2025-Q1"]["09541"]["fully_immunised_under1"] == {"numerator": 2, "denominator": 5}
    assert got["2025-Q1"]["09541"]["register_id_completeness"]["denominator"] == len(kids) - 1
    assert got["2025-Q4"]["09541"]["register_id_completeness"]["denominator"] == len(kids) - 1  # Q1's
    assert got["2025-Q1"]["09541"]["dtp_dropout"] == {"numerator": 0, "denominator": 6}
    # Văn Quán's only snapshot is Q2's (30 June): nobody is in its register on 31 March or on 1 June
    assert got["2025-Q1"]["09542"]["register_id_completeness"] == {"numerator": 0, "denominator": 0}
    assert got["2025-Q2"]["09542"]["vitamin_a_coverage"] == {"numerator": 0, "denominator": 0}
    alive = (pop.birth <= date(2025, 12, 31).toordinal()) & (pop.birth > date(2009, 12, 31).toordinal())
    assert got["2025-Q4"]["09542"]["register_id_completeness"] == {
        "numerator": int((in_van_quan & alive & pop.has_id).sum()),
        "denominator": int((in_van_quan & alive).sum()),
    }
    under6 = in_van_quan & (pop.birth > date(2019, 12, 31).toordinal()) & (pop.birth <= born_by)
    assert got["2025"]["09542"]["bhyt_under6_coverage"] == {
        "numerator": len(holders) - 1,
        "denominator": int(under6.sum()),
    }
    assert len(holders) >= 2
    assert got["2025"]["09550"]["injury_deaths"] == {"deaths": 0, "baseline_2024": 2}
    assert got["2025-Q1"]["09550"]["injury_deaths"] == {"deaths": 0, "baseline_2024": 1}
    assert got["2025-Q4"]["09550"]["injury_deaths"] == {"deaths": 0, "baseline_2024": 1}
    assert got["2025"]["09541"]["injury_deaths"] == {"deaths": 0, "baseline_2024": 0}
    assert got["2025"]["268"]["child_friendly_ward"] == {"numerator": 0, "denominator": 0}


def test_report_timeliness_of_hand_made_extracts() -> None:
    """Q1 2025: Mộ Lao sends its 16 extracts (5 monthly sources × 3 months, the Q1 register) on the due
    day at 16:59: on time. Văn Quán sends March's immunization one day late, Vạn Phúc an unreadable
    February birth registration file: not on time. Wards that sent nothing are not on time either. BHXH's
    late district-wide list is not a ward's extract. Nobody sent anything for Q2."""
    profile = load_profile()
    wards = current_wards(2025, profile)
    pop = simulate(wards, 2025, 0.002, profile, np.random.default_rng(1))
    ctx = Context(1, 0.002, 2025, profile, pop, wards, old_wards(profile))
    ctx.cache["doses"] = {name: np.zeros(0, np.int64) for name in ("child", "dose", "day")}
    q1 = timing.quarter(2025, 1)
    owed = [(source, timing.month(2025, m)) for source in MONTHLY for m in (1, 2, 3)]
    owed.append(("child_register", q1))
    facts = IndicatorFacts()
    for ward in ("09541", "09542", "09544"):
        for source, period in owed:
            late = ward == "09542" and (source, period.code) == ("immunization", "2025-03")
            unreadable = ward == "09544" and (source, period.code) == ("birth_registration", "2025-02")
            day = period.due + timedelta(days=int(late))
            submitted = datetime.combine(day, time(16, 59), tzinfo=timing.DISTRICT_TZ)
            extract = _extract(
                source, ward, period, [], submitted=submitted, fault="unreadable" if unreadable else None
            )
            facts.add(extract, period)
    march = timing.month(2025, 3)
    bhxh = datetime.combine(march.due + timedelta(days=10), time(9, 0), tzinfo=timing.DISTRICT_TZ)
    facts.add(_extract("health_insurance", "", march, [], submitted=bhxh), march)

    got = indicators(facts, ctx)
    # 16 extracts owed per ward in Q1: 16/16, 15/16 (one late), 15/16 (one unreadable), 0/16 (nothing)
    assert got["2025-Q1"]["09541"]["report_timeliness"] == {"numerator": 16, "denominator": 16}
    assert got["2025-Q1"]["09542"]["report_timeliness"] == {"numerator": 15, "denominator": 16}
    assert got["2025-Q1"]["09544"]["report_timeliness"] == {"numerator": 15, "denominator": 16}
    assert got["2025-Q1"]["09550"]["report_timeliness"] == {"numerator": 0, "denominator": 16}
    assert got["2025-Q1"][DISTRICT]["report_timeliness"] == {"numerator": 46, "denominator": 15 * 16}
    # Q2: 5 monthly sources × 3 months, June's vitamin A round, the Q2 register: 17 per ward, none sent
    assert got["2025-Q2"][DISTRICT]["report_timeliness"] == {"numerator": 0, "denominator": 15 * 17}
