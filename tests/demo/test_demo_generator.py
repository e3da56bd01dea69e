"""The demo extract generator: determinism, identities, counts, messy files, the 2024 baseline."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from python_calamine import CalamineError, CalamineWorkbook

from demo import generate
from demo.names import strip_diacritics
from tests.demo.conftest import as_date

SOURCES = (
    "child_register",
    "hcdb_support",
    "immunization",
    "vitamin_a",
    "birth_registration",
    "health_insurance",
    "protection_cases",
    "injuries",
    "child_friendly",
)
PERIOD = re.compile(r"tháng\s*(\d{1,2})\s*năm\s*(\d{4})", re.IGNORECASE)


def sheet(path: Path, name: str | None = None) -> list[list]:
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(name or book.sheet_names[0]).to_python()


def data_rows(rows: list[list]) -> tuple[int, list[list]]:
    """Index of the last header row and the data rows (numeric STT) of an extract."""
    header = max(i for i, r in enumerate(rows[:12]) if r and r[0] == "STT")
    if header + 1 < len(rows) and rows[header + 1][0] == "":  # second header row (style B)
        header += 1
    return header, [r for r in rows[header + 1 :] if isinstance(r[0], (int, float)) and r[0] != ""]


@pytest.mark.slow
def test_same_seed_same_files(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", seed=3, scale=0.02, messy=0.1)
    second = generate(tmp_path / "b", seed=3, scale=0.02, messy=0.1)
    assert first == second
    truth_a = (tmp_path / "a" / "generated" / "ground_truth.json").read_bytes()
    assert truth_a == (tmp_path / "b" / "generated" / "ground_truth.json").read_bytes()
    for path in sorted((tmp_path / "a" / "inbox" / "immunization").iterdir()):
        twin = tmp_path / "b" / "inbox" / "immunization" / path.name
        assert path.read_bytes() == twin.read_bytes(), path.name
        assert path.stat().st_mtime == twin.stat().st_mtime
    other = generate(tmp_path / "c", seed=4, scale=0.02, messy=0.1)
    assert other["immunization"] != first["immunization"]


def test_population_size_follows_scale(clean_demo: tuple[Path, dict]) -> None:
    _, truth = clean_demo
    population = truth["population"]
    assert 0.75 * 120 <= population["births_in_year"] <= 1.25 * 120
    assert 0.8 * 2100 <= population["children_under_16"] <= 1.2 * 2100
    assert population["people"] == 9000
    assert len(population["children_by_ward"]) == 15
    assert min(population["children_by_ward"].values()) >= 5
    assert len(set(population["children_by_ward"].values())) > 5  # wards differ


def test_ids_agree_with_sex_and_birth_date(clean_demo: tuple[Path, dict]) -> None:
    home, _ = clean_demo
    seen = 0
    blank = 0
    for path in sorted((home / "inbox" / "child_register").glob("*Q4-2025*")):
        rows = sheet(path)
        header, body = data_rows(rows)
        labels = [strip_diacritics(str(c)).lower() for c in rows[header - 1]] + [
            strip_diacritics(str(c)).lower() for c in rows[header]
        ]
        width = len(rows[header])
        pid_col = next(i % width for i, c in enumerate(labels) if "dinh danh" in c)
        birth_col = next(i % width for i, c in enumerate(labels) if "sinh" in c and "dinh" not in c)
        sex_col = next(i % width for i, c in enumerate(labels) if "gioi" in c)
        for row in body:
            pid, born, sex = row[pid_col], as_date(row[birth_col]), row[sex_col]
            if pid == "":
                blank += 1
                continue
            seen += 1
            assert re.fullmatch(r"001[23]\d{8}", pid), pid
            assert pid[3] == ("3" if sex == "Nữ" else "2")
            assert int(pid[4:6]) == born.year % 100
    assert seen > 1000
    assert 0 < blank < seen * 0.05


def test_immunization_files_match_ground_truth(clean_demo: tuple[Path, dict]) -> None:
    home, truth = clean_demo
    entry = truth["sources"]["immunization"]
    assert entry["files"] == 360  # 15 wards x 12 months, for 2025 and for the 2024 history
    assert {f["period"][:4] for f in entry["files_list"]} == {"2024", "2025"}
    assert entry["rows_good"] == entry["rows_written"] == sum(truth["immunization"]["doses_by_ward"].values())
    assert sum(truth["immunization"]["rows_by_ward_month_vaccine_dose"].values()) == entry["rows_good"]
    # the schedule doses count on antigens, numbered on each child's history: per item the same doses
    # as the rows written, but a measles-containing MR after no measles dose is also measles 1, and a
    # DPT booster after fewer than three 5-in-1 doses is no 4th DTP-containing dose
    written: Counter[str] = Counter()
    counted: Counter[str] = Counter()
    for key, n in truth["immunization"]["rows_by_ward_month_vaccine_dose"].items():
        written[key.split("|")[2]] += n
    for key, n in truth["immunization"]["doses_by_ward_month_vaccine_dose"].items():
        counted[key.split("|")[2]] += n
    assert {k: n for k, n in counted.items() if k not in ("MEASLES", "DTP_BOOSTER")} == {
        k: n for k, n in written.items() if k not in ("MEASLES", "DTP_BOOSTER")
    }
    assert counted["MEASLES"] >= written["MEASLES"] and counted["DTP_BOOSTER"] <= written["DTP_BOOSTER"]
    suffixes = set()
    for item in entry["files_list"]:
        path = home / "inbox" / "immunization" / item["file"]
        suffixes.add(path.suffix)
        rows = sheet(path, "TCMR")
        assert rows[0][0] == "TRUNG TÂM Y TẾ QUẬN HÀ ĐÔNG"
        assert next(c for c in rows[2] if c).startswith("Hà Đông, ngày ")  # place and date of signing
        month, year = PERIOD.search(rows[3][0]).groups()
        assert f"{year}-{int(month):02d}" == item["period"]
        _, body = data_rows(rows)
        assert len(body) == item["rows_written"]
        total = next(r for r in rows if "Tổng cộng" in r)
        assert total[total.index("Tổng cộng") + 1] == item["rows_written"]
    assert suffixes == {".xlsx", ".xls"}


def test_doses_respect_birth_and_interval(clean_demo: tuple[Path, dict]) -> None:
    home, _ = clean_demo
    doses: dict[tuple[str, str], list[date]] = {}
    for path in sorted((home / "inbox" / "immunization").iterdir()):
        _, body = data_rows(sheet(path, "TCMR"))
        month, year = re.search(r"_T(\d\d)-(\d{4})\.", path.name).groups()
        for row in body:
            born, given = as_date(row[3]), as_date(row[8])
            assert born <= given
            assert (given.year, given.month) == (int(year), int(month))
            if row[1]:
                doses.setdefault((row[1], row[6]), []).append(given)
    assert doses
    for days in doses.values():
        days.sort()
        assert all(b - a >= timedelta(days=28) for a, b in zip(days, days[1:], strict=False))


def test_messy_files_and_rows(messy_demo: tuple[Path, dict]) -> None:
    home, truth = messy_demo
    for source in SOURCES:
        entry = truth["sources"][source]
        assert entry["files_bad"]["unreadable"], source
        assert entry["files_bad"]["missing_column"], source
        assert entry["rows_good"] + sum(entry["rows_bad"].values()) <= entry["rows_written"]
        for name in entry["files_bad"]["unreadable"]:
            assert name.endswith(".xlsx")
            with pytest.raises(CalamineError):
                sheet(home / "inbox" / source / name)
    imm = truth["sources"]["immunization"]
    assert all(
        imm["rows_bad"][kind] > 0
        for kind in ("invalid_id", "future_birth_date", "unknown_ward", "dose_before_birth", "duplicate")
    )
    assert imm["rows_good"] == sum(truth["immunization"]["doses_by_ward"].values())
    missing = home / "inbox" / "immunization" / imm["files_bad"]["missing_column"][0]
    headers = {str(c) for row in sheet(missing)[:7] for c in row}
    assert not headers & {"Ngày tiêm", "NGAY TIEM"}


def test_baseline_injuries_use_old_wards(clean_demo: tuple[Path, dict]) -> None:
    home, truth = clean_demo
    baseline = [f for f in truth["sources"]["injuries"]["files_list"] if f["period"] == "2024"]
    assert len(baseline) == 17
    assert {"09538", "09547", "09550"} <= {f["ward_code"] for f in baseline}
    names = {f["file"] for f in baseline}
    assert "TaiNanThuongTich_NguyenTrai_2024.xlsx" in names
    assert "TaiNanThuongTich_YetKieu_2024.xlsx" in names
    rows = sheet(home / "inbox" / "injuries" / "TaiNanThuongTich_YetKieu_2024.xlsx")
    assert rows[1][0] == "UBND PHƯỜNG YẾT KIÊU"


def test_health_insurance_csv_encodings(clean_demo: tuple[Path, dict]) -> None:
    home, truth = clean_demo
    files = sorted((home / "inbox" / "health_insurance").glob("*.csv"))
    assert len(files) == 12
    starts = {p.read_bytes()[:3] == b"\xef\xbb\xbf" for p in files}
    assert starts == {True, False}
    cp1258 = [p for p in files if not _is_utf8(p.read_bytes())]
    assert cp1258
    header = cp1258[0].read_bytes().decode("cp1258").splitlines()[0]
    assert "Mã thẻ BHYT" in __import__("unicodedata").normalize("NFC", header)
    first = files[0].read_text(encoding="utf-8-sig").splitlines()[1].split(",")
    assert re.fullmatch(r"TE101\d{10}", first[1])


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_submission_times_stamped(clean_demo: tuple[Path, dict]) -> None:
    home, truth = clean_demo
    item = truth["sources"]["immunization"]["files_list"][0]
    stamp = datetime.fromisoformat(item["submitted_at"])
    assert (home / "inbox" / "immunization" / item["file"]).stat().st_mtime == stamp.timestamp()
    json.dumps(truth)  # the ground truth is plain JSON


def test_immunization_history_of_the_year_before(clean_demo: tuple[Path, dict]) -> None:
    """2024 doses: one file per ward of 2025 and month of 2024, written like the 2025 ones."""
    home, truth = clean_demo
    listed = truth["sources"]["immunization"]["files_list"]
    history = [f for f in listed if f["period"].startswith("2024-")]
    assert len(history) == 180
    assert {f["ward_code"] for f in history} == {f["ward_code"] for f in listed if f["period"] == "2025-01"}
    assert {f["period"] for f in history} == {f"2024-{m:02d}" for m in range(1, 13)}
    rows = sheet(home / "inbox" / "immunization" / "TCMR_MoLao_T01-2024.xlsx", "TCMR")
    assert rows[1][0] == "TRẠM Y TẾ PHƯỜNG MỘ LAO"
    assert PERIOD.search(rows[3][0]).groups() == ("01", "2024")
    doses = truth["immunization"]["doses_by_ward_month_vaccine_dose"]
    assert sum(n for k, n in doses.items() if "|2024-" in k) == sum(f["rows_good"] for f in history) > 0


def test_the_demo_is_judged_against_its_own_today(clean_demo: tuple[Path, dict], tmp_path: Path) -> None:
    """Freshness checks of a demo home count days from the demo's last extract, not from the machine's
    date: a demo of 2025 run later raises no "old data" warning."""
    from base.clock import DISTRICT_TZ, data_now, local_now

    home, _ = clean_demo
    newest = max(p.stat().st_mtime for p in (home / "inbox").rglob("*") if p.is_file())
    as_of = data_now(home / "generated")
    assert as_of == datetime.fromtimestamp(newest, DISTRICT_TZ).replace(tzinfo=None, microsecond=0)
    # a home that is not a demo (or whose note is unreadable): the district's real time
    assert abs((data_now(tmp_path) - local_now()).total_seconds()) < 5
    (tmp_path / "demo_as_of.txt").write_text("không phải ngày", encoding="utf-8")
    assert abs((data_now(tmp_path) - local_now()).total_seconds()) < 5
