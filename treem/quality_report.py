"""`treem quality`: the data-quality findings of the serving copy per ward and source, in Vietnamese,
and, for a generated demo, the same counts side by side with what the generator injected.

The comparison with the ground truth (``truth_counts``, ``compare``, ``summarize``) is pure: dicts in,
rows out. Its definitions mirror the warehouse's (``agg_quality_ward_sources``):

* quarantined files: every file with a file fault (``missing_column``, ``unreadable``), history
  included, under the file's ward as it is today (a pre-2025 ward counts for its successor); a file
  without a ward (the BHXH list) counts for the district;
* rejected rows: the bad rows of the files that are not quarantined, under the file's ward (an
  ``unknown_ward`` row counts where its file came from, as the registry counts it);
* late extracts: per ward × source × period of the extract year, an extract is late when its first
  LOADED file came after the deadline (5th of the month after the period). A period whose only file
  was quarantined is "not received" in the warehouse, so a quarantined file that came late does not
  count here either.
"""

from __future__ import annotations

import json
import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from base import vi
from base.errors import UserError
from serving.contract import DISTRICT_CODE, SERVING_META, open_serving

MEASURES = ("files_quarantined", "rows_rejected", "extracts_late")
MEASURE_LABELS = {
    "files_quarantined": "tệp bị cách ly",
    "rows_rejected": "dòng bị loại",
    "extracts_late": "kỳ báo cáo nộp muộn",
}
LATE_DEFINITION = (
    "Kỳ nộp muộn tính như kho dữ liệu: một kỳ (phường × nguồn × kỳ của năm {year}) là muộn khi tệp "
    "ĐÃ NẠP đầu tiên của kỳ đến sau hạn (ngày 5 tháng sau kỳ); kỳ chỉ có tệp bị cách ly là chưa nhận, "
    "nên tệp bị cách ly nộp muộn không được tính."
)
AGG_COLUMNS = (
    "org_unit_code",
    "org_unit_level",
    "source",
    "files_loaded",
    "files_quarantined",
    "rows_loaded",
    "rows_rejected",
    "rejected_share",
    "extracts_expected",
    "extracts_received",
    "extracts_on_time",
    "extracts_late",
    "max_days_late",
    "open_violations",
    "outliers",
    "reconciliation_children",
)


# --- the comparison with the ground truth (pure) -------------------------------------------------


def truth_counts(
    truth: Mapping[str, Any], current_ward: Mapping[str, str], district_code: str = DISTRICT_CODE
) -> dict[tuple[str, str], dict[str, int]]:
    """Per (org unit, source): the quarantined files, rejected rows and late extracts the generator
    injected, by the warehouse's definitions (see the module docstring). ``current_ward`` maps any
    ward code (pre-2025 ones included) to today's ward; a code it lacks is kept as it is."""
    year = str(truth["year"])
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    first_loaded: dict[tuple[str, str, str], dict[str, Any]] = {}
    for source, entry in truth["sources"].items():
        for item in entry["files_list"]:
            ward = item.get("ward_code")
            unit = current_ward.get(ward, ward) if ward else district_code
            key = (unit, source)
            counts[key]  # every unit × source with a file is listed, even with nothing wrong
            if item.get("fault"):
                counts[key]["files_quarantined"] += 1
                continue
            counts[key]["rows_rejected"] += sum(item.get("rows_bad", {}).values())
            if item["period"].split("-", 1)[0] == year:
                extract = (unit, source, item["period"])
                earlier = first_loaded.get(extract)
                if earlier is None or item["submitted_at"] < earlier["submitted_at"]:
                    first_loaded[extract] = item
    for (unit, source, _), item in first_loaded.items():
        if item["days_late"] > 0:
            counts[(unit, source)]["extracts_late"] += 1
    return {key: dict(value) for key, value in sorted(counts.items())}


def compare(
    truth: Mapping[str, Any],
    marts: Iterable[Mapping[str, Any]],
    current_ward: Mapping[str, str],
    district_code: str = DISTRICT_CODE,
) -> list[dict[str, Any]]:
    """One row per (org unit, source) found in the mart rows (``agg_quality_ward_sources``) or the
    truth, sorted: ``org_unit_code``, ``source``, and for each measure the warehouse's figure under
    its name and the truth's under ``<measure>_truth`` (0 where one side has no row)."""
    expected = truth_counts(truth, current_ward, district_code)
    got = {(row["org_unit_code"], row["source"]): row for row in marts}
    rows = []
    for unit, source in sorted(set(got) | set(expected)):
        mart = got.get((unit, source), {})
        want = expected.get((unit, source), {})
        row: dict[str, Any] = {"org_unit_code": unit, "source": source}
        for measure in MEASURES:
            row[measure] = int(mart.get(measure) or 0)
            row[f"{measure}_truth"] = int(want.get(measure, 0))
        rows.append(row)
    return rows


def summarize(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per measure: the warehouse's and the truth's totals and the (org unit, source) cells that
    differ. A measure matches when every cell does, not only the totals."""
    rows = list(rows)
    summary = []
    for measure in MEASURES:
        differ = [
            (row["org_unit_code"], row["source"], row[measure], row[f"{measure}_truth"])
            for row in rows
            if row[measure] != row[f"{measure}_truth"]
        ]
        summary.append(
            {
                "measure": measure,
                "warehouse": sum(row[measure] for row in rows),
                "truth": sum(row[f"{measure}_truth"] for row in rows),
                "matches": not differ,
                "differ": differ,
            }
        )
    return summary


# --- reading the serving copy ---------------------------------------------------------------------


@dataclass
class Serving:
    rows: list[dict[str, Any]]  # agg_quality_ward_sources
    ward_names: dict[str, str]  # today's wards, and the district
    current_ward: dict[str, str]  # every ward code → today's ward
    district_code: str
    district_name: str = "Hà Đông"
    published_at: Any = None
    data_as_of: Any = None
    source_names: dict[str, str] = field(default_factory=dict)


def read_serving(path: Path) -> Serving:
    """The quality mart and the ward names of the serving copy, opened read-only."""
    con = open_serving(path, [("agg_quality_ward_sources", column) for column in AGG_COLUMNS])
    try:
        tables = {name for (name,) in con.execute("select table_name from duckdb_tables()").fetchall()}
        cursor = con.execute(f"select {', '.join(AGG_COLUMNS)} from agg_quality_ward_sources")
        rows = [dict(zip(AGG_COLUMNS, values, strict=True)) for values in cursor.fetchall()]
        wards = con.execute(
            "select ward_code, ward_name, current_ward_code, is_current, district_code, district_name "
            "from dim_ward"
        ).fetchall()
        meta = (
            con.execute(f"select published_at, data_as_of from {SERVING_META}").fetchone()
            if SERVING_META in tables
            else None
        )
        source_names = (
            dict(con.execute("select source, name_vi from extract_calendar").fetchall())
            if "extract_calendar" in tables
            else {}
        )
    finally:
        con.close()
    names = {code: name for code, name, _, current, _, _ in wards if current}
    district = next((d_code for *_, d_code, _ in wards), DISTRICT_CODE)
    district_name = next((d_name for *_, d_name in wards), "")
    names[district] = f"Quận {district_name}"
    return Serving(
        rows=rows,
        ward_names=names,
        current_ward={code: current for code, _, current, *_ in wards},
        district_code=district,
        district_name=district_name,
        published_at=meta[0] if meta else None,
        data_as_of=meta[1] if meta else None,
        source_names=source_names,
    )


def read_truth(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise UserError(
            f"Không có sự thật gốc {path}: chỉ so sánh được với dữ liệu mẫu do `treem generate` tạo "
            "(ví dụ `treem generate --messy 0.1 && treem run`).",
            code=2,
        )
    return json.loads(path.read_text(encoding="utf-8"))


# --- the report -----------------------------------------------------------------------------------


def _share(rejected: int, loaded: int) -> str:
    read = rejected + loaded
    if not read:
        return "–"
    return f"{100 * rejected / read:.1f}".replace(".", ",") + "%"


def _n(value: int | None) -> str:
    return "–" if value is None else vi.count(value)


def _pair(warehouse: int, truth: int) -> str:
    """A warehouse figure beside the truth's: '3 | 3', or '3 ≠ 4'."""
    return f"{vi.count(warehouse)} {'|' if warehouse == truth else '≠'} {vi.count(truth)}"


COLUMNS = (  # key, header, width
    ("files_quarantined", "cách ly", 9),
    ("rows_rejected", "dòng loại", 11),
    ("rejected_share", "tỷ lệ", 7),
    ("extracts_expected", "phải nộp", 10),
    ("extracts_received", "đã nhận", 9),
    ("extracts_late", "kỳ muộn", 9),
    ("max_days_late", "trễ tối đa", 12),
    ("open_violations", "vi phạm", 8),
    ("outliers", "bất thường", 11),
    ("reconciliation_children", "đối soát", 9),
)
TRUTH_WIDTHS = {"files_quarantined": 12, "rows_rejected": 19, "extracts_late": 11}  # 'kho | gốc'
SOURCE_WIDTH = 20  # at least; widened to the longest source name shown


def source_names(serving: Serving) -> dict[str, str]:
    """Each source's Vietnamese name: the serving copy's calendar, else the source's contract."""
    from ingestion.contract import load_contracts

    names = {source: contract.name_vi for source, contract in load_contracts().items()}
    names.update({source: name for source, name in serving.source_names.items() if name})
    return names


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {
        key: sum(int(row[key] or 0) for row in rows)
        for key in AGG_COLUMNS
        if key not in ("org_unit_code", "org_unit_level", "source", "rejected_share", "max_days_late")
    }
    late = [row["max_days_late"] for row in rows if row["max_days_late"] is not None]
    total["max_days_late"] = max(late) if late else None
    return total


def _line(
    label: str, row: Mapping[str, Any], truth: Mapping[str, Any] | None, label_width: int = SOURCE_WIDTH
) -> str:
    cells = [f"{label:<{label_width}}"]
    for key, _, width in COLUMNS:
        if key == "rejected_share":
            text = _share(int(row["rows_rejected"] or 0), int(row["rows_loaded"] or 0))
        elif truth is not None and key in MEASURES:
            text = _pair(int(row[key] or 0), int(truth.get(key, 0)))
            width = TRUTH_WIDTHS[key]
        else:
            text = _n(row[key])
        cells.append(f"{text:>{width}}")
    return "".join(cells)


def _header(with_truth: bool, label_width: int = SOURCE_WIDTH) -> list[str]:
    """The column names; with the truth, a second line says which side is which."""
    names, sides = [f"{'nguồn':<{label_width}}"], [" " * label_width]
    for key, header, width in COLUMNS:
        if with_truth and key in MEASURES:
            width = TRUTH_WIDTHS[key]
            sides.append(f"{'kho | gốc':>{width}}")
        else:
            sides.append(" " * width)
        names.append(f"{header:>{width}}")
    lines = [names, sides] if with_truth else [names]
    return ["  " + "".join(cells).rstrip() for cells in lines]


def render(
    serving: Serving,
    ward: str | None = None,
    truth: Mapping[str, Any] | None = None,
    truth_path: Path | None = None,
) -> str:
    """The report as text: per ward (and the district's own lists) and source, then the total."""
    units = sorted(
        {row["org_unit_code"] for row in serving.rows},
        key=lambda code: (code == serving.district_code, code),
    )
    if ward is not None:
        units = [unit for unit in units if unit == ward]
    rows = [row for row in serving.rows if row["org_unit_code"] in units]
    comparison = None
    if truth is not None:
        comparison = [
            row
            for row in compare(truth, serving.rows, serving.current_ward, serving.district_code)
            if ward is None or row["org_unit_code"] == ward
        ]
    truth_by_key = {
        (row["org_unit_code"], row["source"]): {m: row[f"{m}_truth"] for m in MEASURES}
        for row in comparison or []
    }
    known = source_names(serving)

    def name(source: str) -> str:
        return known.get(source, source)

    width = max([SOURCE_WIDTH, *(len(name(row["source"])) + 2 for row in rows)])

    out = ["Chất lượng dữ liệu theo phường và nguồn (bản phục vụ)"]
    if serving.published_at is not None:
        as_of = f"{serving.data_as_of:%d/%m/%Y %H:%M}" if serving.data_as_of else "–"
        out.append(f"Xuất bản lúc {serving.published_at:%d/%m/%Y %H:%M}; tệp nạp gần nhất nộp lúc {as_of}")
    out.append(
        "Cột: tệp bị cách ly; dòng bị loại và tỷ lệ trên số dòng đọc; kỳ báo cáo phải nộp, đã nhận, "
        "nộp muộn, số ngày muộn nhất; vi phạm quy tắc kiểm tra còn mở; tháng có số liệu bất thường; "
        "trẻ cần đối soát."
    )
    if comparison is not None:
        out.append(
            f"Với --against-truth: ở ba cột cách ly, dòng loại, muộn là 'kho | gốc' (kho dữ liệu | sự thật "
            f"gốc {truth_path or 'ground_truth.json'}); '≠' đánh dấu chỗ lệch."
        )
    for unit in units:
        unit_name = serving.ward_names.get(unit, "")
        level = "Cấp quận" if unit == serving.district_code else "Phường"
        title = (
            f"{unit_name} ({unit}), danh sách cấp quận"
            if level == "Cấp quận"
            else f"Phường {unit_name} ({unit})"
        )
        out += ["", title, *_header(comparison is not None, width)]
        for row in sorted((r for r in rows if r["org_unit_code"] == unit), key=lambda r: name(r["source"])):
            truth_row = truth_by_key.get((unit, row["source"])) if comparison is not None else None
            out.append("  " + _line(name(row["source"]), row, truth_row, width))
    # units of the truth with no row in the warehouse (a ward it does not know): shown, not hidden
    extra = [row for row in comparison or [] if row["org_unit_code"] not in units]
    if extra:
        out += ["", "Chỉ có trong sự thật gốc (kho dữ liệu không có dòng nào):"]
        for row in extra:
            figures = ", ".join(f"{MEASURE_LABELS[m]} {_pair(row[m], row[f'{m}_truth'])}" for m in MEASURES)
            out.append(f"  {row['org_unit_code']} {name(row['source'])}: {figures}")

    if ward is None:
        total_label = f"Toàn quận {serving.district_name} ({serving.district_code})"
    elif ward == serving.district_code:
        total_label = f"Tổng danh sách cấp quận ({ward})"
    else:
        total_label = f"Tổng phường {serving.ward_names.get(ward, ward)} ({ward})"
    total_truth = None
    if comparison is not None:
        total_truth = {m: sum(row[f"{m}_truth"] for row in comparison) for m in MEASURES}
    out += ["", total_label, *_header(comparison is not None, width)]
    out.append("  " + _line("mọi nguồn", _totals(rows), total_truth, width))

    if comparison is not None:
        year = truth.get("year") if truth else ""
        out += [
            "",
            f"So với sự thật gốc (generate seed={truth.get('seed')}, scale={truth.get('scale')}, "
            f"messy={truth.get('messy')}):",
        ]
        for item in summarize(comparison):
            verdict = "khớp" if item["matches"] else f"lệch ở {len(item['differ'])} ô phường × nguồn"
            out.append(
                f"  {MEASURE_LABELS[item['measure']]:<22} kho {vi.count(item['warehouse']):>9}   "
                f"gốc {vi.count(item['truth']):>9}   {verdict}"
            )
            for unit, source, got, want in item["differ"][:20]:
                out.append(f"      {unit} {name(source)}: kho {vi.count(got)}, gốc {vi.count(want)}")
            if len(item["differ"]) > 20:
                out.append(f"      … và {len(item['differ']) - 20} ô khác")
        out.append(
            textwrap.fill(LATE_DEFINITION.format(year=year), 110, initial_indent="  ", subsequent_indent="  ")
        )
    return "\n".join(out)


def quality_report(serving_path: Path, truth_path: Path | None, ward: str | None = None) -> str:
    """Read the serving copy (and the ground truth, when given) and render the report. Raises
    UserError with a Vietnamese message (exit 2 for a missing truth or an unknown ward)."""
    truth = read_truth(truth_path) if truth_path is not None else None
    serving = read_serving(serving_path)
    if ward is not None and ward not in {row["org_unit_code"] for row in serving.rows}:
        known = ", ".join(f"{code} {name}" for code, name in sorted(serving.ward_names.items()))
        raise UserError(f"Không có phường mã '{ward}'; các mã: {known}", code=2)
    return render(serving, ward, truth, truth_path)
