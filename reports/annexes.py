"""The annexes of a report, as sheets of tables built from ``ReportData``: the indicator set, then
immunisation and vitamin A, registration and insurance, HCĐB children, protection and injuries,
reporting completeness and timeliness, and the notes.

Ward rows are values from the marts; the district total row sums them with formulas where a reader
would check the arithmetic (counts, and rates as total over total). In the district-wide edition the
protection, injury and HCĐB counts that are small are hidden (see ``suppression``), and a hidden
count's column total is then written as a value, never as a sum a reader could take apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from access.disclosure import is_small, marker, suppress
from policy import child_friendly
from policy.status import CHECK, indicator_status, is_negative
from reports.data import ReportData, Ward
from reports.sheet import Column, Ratio, Sheet, Sum, Table
from serving.contract import DISTRICT_CODE

DASH = "–"  # a figure not shown: it would reveal a hidden count, or it is negative (a data question)
TOTAL_ROW = "total"
COMPARISON = {"at_least": "≥", "at_most": "≤"}

NAME_COLUMNS = [
    Column("stt", "STT", fmt="count", width=5),
    Column("name", "Phường", fmt="text", width=16, fit=True),  # fit: "Toàn quận …" in bold, on one line
]


def _ward_rows(data: ReportData, values: Callable[[Ward], dict]) -> list[dict]:
    return [{"stt": i, "name": ward.name, **values(ward)} for i, ward in enumerate(data.wards, start=1)]


def _share(numerator: int | None, denominator: int | None) -> float | None:
    return numerator / denominator if numerator is not None and denominator else None


def _total_row(data: ReportData, columns: list[Column], special: dict | None = None) -> dict | None:
    """The district total row: Sum() for counts, Ratio() for shares given in ``special``; none in a ward's
    edition (its only row is the ward)."""
    if not data.district_edition:
        return None
    total = {"stt": "", "name": f"Toàn quận {data.district_name}".strip()}
    for column in columns[len(NAME_COLUMNS) :]:
        total[column.key] = Sum() if column.fmt == "count" else None
    total.update(special or {})
    return total


NEGATIVE_NOTE = (
    f'"{CHECK}": giá trị âm (ví dụ đầu năm số mũi DPT3 nhiều hơn số mũi DPT1 trong kỳ, vì mũi 3 tiêm '
    "cho trẻ đã tiêm mũi 1 năm trước) là dấu hiệu cần kiểm tra số liệu, không phải một con số: tử số "
    f'ghi "{DASH}" và tỷ lệ không được tính; dòng toàn quận khi đó ghi số của cả quận (không phải công '
    "thức)."
)


def _negative_figures(row: dict) -> bool:
    """A negative numerator or value: a data question, never printed as a figure."""
    return is_negative(row.get("numerator")) or is_negative(row.get("value"))


@dataclass(frozen=True)
class RateColumns:
    """Three columns of one indicator in an annex: its denominator, numerator and rate."""

    prefix: str
    indicator: str
    group: str
    denominator: str
    numerator: str
    rate: str = "Tỷ lệ"
    width: float = 9.0

    def columns(self) -> list[Column]:
        return [
            Column(f"{self.prefix}:den", self.denominator, self.group, "count", self.width),
            Column(f"{self.prefix}:num", self.numerator, self.group, "count", self.width),
            # fit: a negative rate is written "Cần kiểm tra", on one line
            Column(f"{self.prefix}:value", self.rate, self.group, "percent", self.width - 1, fit=True),
        ]

    def figures(self, data: ReportData, org_unit: str) -> dict:
        """The three figures; a negative numerator or rate (e.g. more DPT3 doses than DPT1 early in the
        year) is printed as the status 'Cần kiểm tra' with a dash for the numerator, never as a figure."""
        row = data.indicator(org_unit, self.indicator) or {}
        negative = is_negative(row.get("numerator")) or is_negative(row.get("value"))
        return {
            f"{self.prefix}:den": row.get("denominator"),
            f"{self.prefix}:num": DASH if negative else row.get("numerator"),
            f"{self.prefix}:value": CHECK if negative else row.get("value"),
        }

    def total(self) -> dict:
        return {f"{self.prefix}:value": Ratio(f"{self.prefix}:num", f"{self.prefix}:den")}

    def unsummed_total(self, data: ReportData, rows: list[dict], total: dict | None) -> bool:
        """Where a ward's numerator is not printed (negative), the total row cannot sum the column: it
        gets the district's figures as values (or the status, if the district's are negative too).
        Returns whether any numerator of the table is not printed."""
        key = f"{self.prefix}:num"
        if not any(row.get(key) == DASH for row in rows):
            return False
        if total is not None:
            district = self.figures(data, DISTRICT_CODE)
            total[key], total[f"{self.prefix}:value"] = district[key], district[f"{self.prefix}:value"]
        return True


def _rates_total(rates: Iterable[RateColumns]) -> dict:
    return {key: value for rate in rates for key, value in rate.total().items()}


class Hider:
    """Small-count suppression over the ward table of a sheet of the district-wide edition (and any
    category lines that share its district totals). Does nothing in a ward's edition."""

    def __init__(self, data: ReportData):
        self.active = data.district_edition
        self.threshold = data.small_count_threshold

    def apply(
        self,
        rows: list[dict],
        total: dict,
        keys: Iterable[str],
        totals: dict[str, int | None],
        categories: Iterable[tuple[str, dict[str, int], dict]] = (),
    ) -> set:
        """Hide small counts of ``keys`` in ``rows`` and the total row (whose true values are ``totals``):
        each column of wards adds up to its total. Each of ``categories`` is (the key of the total it
        breaks down, {category: count}, the dict to write them in): a line of its own, sharing that
        total. A column with anything hidden gets its total as a number, not a sum. Returns the hidden
        (row, key)s; category cells are ("category", total key, category)."""
        keys = list(keys)
        if not self.active:
            return set()
        categories = list(categories)
        cells = {(i, k): row.get(k) for i, row in enumerate(rows) for k in keys}
        cells.update({(TOTAL_ROW, k): totals.get(k) for k in keys})
        lines = [((TOTAL_ROW, k), [(i, k) for i in range(len(rows))]) for k in keys]
        for of, counts, _ in categories:
            members = [("category", of, c) for c in counts]
            cells.update({("category", of, c): n for c, n in counts.items()})
            lines.append(((TOTAL_ROW, of), members, False))  # categories are not readers of the table
        hidden = suppress(cells, lines, self.threshold)
        for cell in hidden:
            shown = marker(cells[cell], self.threshold)
            if cell[0] == "category":
                next(out for of, _, out in categories if of == cell[1])[cell[2]] = shown
            else:
                (total if cell[0] == TOTAL_ROW else rows[cell[0]])[cell[1]] = shown
        for k in keys:
            if (
                any(key == k for _, key in (c for c in hidden if c[0] != "category"))
                and (TOTAL_ROW, k) not in hidden
            ):
                total[k] = totals.get(k)
        return hidden

    @staticmethod
    def dash_ratios(
        rows: list[dict], total: dict | None, hidden: set, ratios: dict[str, tuple[str, ...]]
    ) -> None:
        """Replace a share by a dash where a count it is computed from is hidden."""
        for key, parts in ratios.items():
            for i, row in [*enumerate(rows), (TOTAL_ROW, total)]:
                if row is not None and any((i, p) in hidden for p in parts):
                    row[key] = DASH


# ── Phụ lục 1: the indicator set ──────────────────────────────────────────────────────────────────

PROTECTED_INDICATORS = ("abuse_timely_intervention", "injury_deaths")
PL5_COLUMNS = {  # PL1's protected counts → the PL5 column that holds the same count
    "abuse_timely_intervention:num": "timely",
    "abuse_timely_intervention:den": "cases",
    "injury_deaths:num": "deaths",
    "injury_deaths:den": "deaths_2024",
}


def _target_text(indicator: dict) -> str:
    target, comparison = indicator["target"], indicator["target_comparison"]
    if target is None:
        return "không có chỉ tiêu số"
    if comparison == "at_most_share_of_baseline":
        return f"≤ {target:.0%} năm 2024"
    return f"{COMPARISON.get(comparison, '')} {target:.0%}".strip()


def indicator_sheet(data: ReportData) -> Sheet:
    columns = list(NAME_COLUMNS)
    breaks = []
    for n, ind in enumerate(data.catalogue, start=1):
        code, is_count = ind["indicator_code"], not ind["is_percent"]
        group = f"{n}. {ind['name_vi']} ({_target_text(ind)})"
        columns += [
            Column(f"{code}:num", "Số ca tử vong" if is_count else "Tử số", group, "count", 9),
            Column(f"{code}:den", "Cùng kỳ năm 2024" if is_count else "Mẫu số", group, "count", 9),
            Column(
                f"{code}:value",
                "Số ca" if is_count else "Tỷ lệ",
                group,
                "count" if is_count else "percent",
                8,
            ),
            Column(f"{code}:target", "Chỉ tiêu", group, "decimal" if is_count else "percent", 8),
            Column(f"{code}:met", "Đánh giá", group, "text", 8.5, fit=True),
        ]
        if n % 3 == 0 and n < len(data.catalogue):
            breaks.append(f"{code}:met")

    def figures(unit: str) -> dict:
        out = {}
        for ind in data.catalogue:
            code = ind["indicator_code"]
            row = data.indicator(unit, code) or {}
            count = not ind["is_percent"]
            out[f"{code}:num"] = row.get("numerator")
            out[f"{code}:den"] = row.get("baseline") if count else row.get("denominator")
            out[f"{code}:value"] = row.get("numerator") if count else row.get("value")
            out[f"{code}:target"] = row.get("target")
            # the dashboard's judgement (policy.status), so paper and screen say the same
            out[f"{code}:met"] = indicator_status(
                row.get("value"),
                row.get("target"),
                row.get("target_comparison", ind.get("target_comparison")),
                row.get("direction", ind.get("direction")),
            )
            if _negative_figures(row):
                out[f"{code}:num"] = out[f"{code}:value"] = DASH
                out[f"{code}:met"] = CHECK
        return out

    rows = _ward_rows(data, lambda ward: figures(ward.code))
    district = figures(DISTRICT_CODE)
    special = {}
    negatives = False
    for ind in data.catalogue:
        code = ind["indicator_code"]
        special[f"{code}:value"] = Sum() if not ind["is_percent"] else Ratio(f"{code}:num", f"{code}:den")
        special[f"{code}:target"] = district[f"{code}:target"]
        special[f"{code}:met"] = district[f"{code}:met"]
        if any(row[f"{code}:num"] == DASH for row in rows) or district[f"{code}:num"] == DASH:
            # a column with a figure not printed cannot be summed: the district's figures, as values
            for key in (f"{code}:num", f"{code}:value"):
                special[key] = district[key]
            negatives = True
    total = _total_row(data, columns, special)
    if total is not None:
        # the same cells as PL5 hides (the same counts, in the same lines), so the sheets agree
        shown, shown_total, hidden_pl5 = _protection_tables(data)[:3]
        hidden = set()
        for key, source in PL5_COLUMNS.items():
            for i, row in [*enumerate(rows), (TOTAL_ROW, total)]:
                if (i, source) in hidden_pl5:
                    row[key] = (shown_total if i == TOTAL_ROW else shown[i])[source]
                    hidden.add((i, key))
            if (
                any(k == source for i, k, *_ in hidden_pl5 if i != "category")
                and (TOTAL_ROW, source) not in hidden_pl5
            ):
                total[key] = district[key]
        # a hidden count also hides what is computed from it: the share, the judgement, a count's value
        for code in PROTECTED_INDICATORS:
            for i, row in [*enumerate(rows), (TOTAL_ROW, total)]:
                if (i, f"{code}:num") in hidden or (i, f"{code}:den") in hidden:
                    row[f"{code}:value"] = row[f"{code}:num"] if code == "injury_deaths" else DASH
                    row[f"{code}:met"] = DASH
                if code == "injury_deaths" and (i, f"{code}:den") in hidden:
                    row[f"{code}:target"] = DASH
            if any(key == f"{code}:num" for _, key in hidden) and (TOTAL_ROW, f"{code}:num") not in hidden:
                total[f"{code}:value"] = district[f"{code}:value"]
    return Sheet(
        "PL1 Bộ chỉ tiêu",
        "PHỤ LỤC 1. BỘ CHỈ TIÊU CÔNG TÁC TRẺ EM THEO PHƯỜNG",
        [Table(columns, rows, total)],
        notes=[
            "Tử số, mẫu số, chỉ tiêu và đánh giá của từng phường lấy từ kho dữ liệu"
            + (
                "; dòng toàn quận cộng tử số và mẫu số các phường (công thức), tỷ lệ toàn quận = tổng tử "
                "số / tổng mẫu số."
                if data.district_edition
                else "."
            ),
            *_suppression_note(data),
            "Chỉ tiêu tai nạn thương tích là số ca tử vong, so với 90% số ca cùng kỳ năm 2024. Ô trống: "
            "kỳ không có mẫu số (ví dụ không có đợt uống vitamin A trong kỳ) hoặc chỉ tiêu không có số.",
            "Đánh giá: Đạt; Gần đạt (thiếu không quá 5 điểm phần trăm so với chỉ tiêu tỷ lệ, hoặc không "
            "quá 10% chỉ tiêu số ca); Chưa đạt; Chưa có số liệu; Không có chỉ tiêu (chỉ tiêu không có số)"
            " — cùng quy tắc với trang tổng quan của hệ thống.",
            *([NEGATIVE_NOTE] if negatives else []),
        ],
        page_breaks_after=breaks,
    )


# ── Phụ lục 2: immunisation and vitamin A ─────────────────────────────────────────────────────────


def _vaccine_header(vaccine: dict, doses_of: dict[str, int]) -> str:
    label = vaccine["vaccine_name_vi"]
    return (
        label
        if doses_of[vaccine["vaccine_code"]] == 1 or "mũi" in label or "lần" in label
        else (f"{label} mũi {vaccine['dose_number']}")
    )


def immunisation_sheet(data: ReportData) -> Sheet:
    doses_of: dict[str, int] = {}
    for v in data.vaccines:
        doses_of[v["vaccine_code"]] = doses_of.get(v["vaccine_code"], 0) + 1
    dose_group = "Số mũi tiêm trong kỳ"
    columns = list(NAME_COLUMNS) + [
        Column(v["vaccine_dose_key"], _vaccine_header(v, doses_of), dose_group, "count", 8.5)
        for v in data.vaccines
    ]
    rates = [
        RateColumns(
            "fic",
            "fully_immunised_under1",
            "Tiêm chủng đầy đủ trẻ dưới 1 tuổi",
            "Trẻ tròn 1 tuổi trong kỳ",
            "Tiêm đủ trước 1 tuổi",
        ),
        RateColumns("drop", "dtp_dropout", "Bỏ cuộc DPT1 → DPT3", "Mũi DPT1", "DPT1 − DPT3", "Tỷ lệ bỏ cuộc"),
        RateColumns(
            "vit",
            "vitamin_a_coverage",
            "Uống vitamin A (trẻ 6–36 tháng)",
            "Trẻ trong độ tuổi (đầu đợt)",
            "Được uống",
        ),
    ]
    columns += [column for rate in rates for column in rate.columns()]

    def figures(ward: Ward) -> dict:
        out = {
            v["vaccine_dose_key"]: data.doses.get((ward.code, v["vaccine_dose_key"]), 0)
            for v in data.vaccines
        }
        for rate in rates:
            out.update(rate.figures(data, ward.code))
        return out

    rows = _ward_rows(data, figures)
    total = _total_row(data, columns, _rates_total(rates))
    negatives = [rate.unsummed_total(data, rows, total) for rate in rates]
    return Sheet(
        "PL2 Tiêm chủng, vitamin A",
        "PHỤ LỤC 2. TIÊM CHỦNG MỞ RỘNG VÀ UỐNG VITAMIN A",
        [Table(columns, rows, total)],
        page_breaks_after=[data.vaccines[-1]["vaccine_dose_key"]] if data.vaccines else [],
        notes=[
            "Số mũi: mũi tiêm ghi trong danh sách tiêm chủng của trạm y tế có ngày tiêm trong kỳ. Tiêm "
            "chủng đầy đủ, bỏ cuộc và vitamin A theo định nghĩa ở trang Ghi chú; vitamin A tính theo các "
            "đợt bắt đầu trong kỳ (ô trống: kỳ không có đợt nào).",
            *([NEGATIVE_NOTE] if any(negatives) else []),
        ],
    )


# ── Phụ lục 3: birth registration and health insurance ────────────────────────────────────────────


def registration_sheet(data: ReportData) -> Sheet:
    reg = "Đăng ký khai sinh của trẻ sinh trong kỳ"
    card = RateColumns(
        "card",
        "bhyt_under6_coverage",
        "Thẻ BHYT trẻ dưới 6 tuổi (ngày cuối kỳ)",
        "Trẻ dưới 6 tuổi",
        "Có thẻ còn hạn",
        "Tỷ lệ có thẻ",
        10,
    )
    ids = RateColumns(
        "id",
        "register_id_completeness",
        "Mã định danh cá nhân",
        "Trẻ trong sổ theo dõi",
        "Có mã hợp lệ",
        width=10,
    )
    columns = (
        list(NAME_COLUMNS)
        + [
            Column("reg:den", "Số lượt đăng ký", reg, "count", 10),
            Column("reg:on_time", "Đúng hạn (≤ 60 ngày)", reg, "count", 10),
            Column("reg:on_time_share", "Tỷ lệ đúng hạn", reg, "percent", 9),
            Column("reg:linked", "Liên thông", reg, "count", 10),
            Column("reg:linked_share", "Tỷ lệ liên thông", reg, "percent", 9),
        ]
        + card.columns()[:2]
        + [Column("card:missing", "Chưa có thẻ", card.group, "count", 10)]
        + card.columns()[2:]
        + ids.columns()
    )

    def figures(ward: Ward) -> dict:
        on_time = data.indicator(ward.code, "birth_reg_on_time") or {}
        linked = data.indicator(ward.code, "birth_reg_linked") or {}
        out = {
            "reg:den": on_time.get("denominator"),
            "reg:on_time": on_time.get("numerator"),
            "reg:on_time_share": on_time.get("value"),
            "reg:linked": linked.get("numerator"),
            "reg:linked_share": linked.get("value"),
            **card.figures(data, ward.code),
            **ids.figures(data, ward.code),
        }
        if out["card:den"] is not None:
            out["card:missing"] = out["card:den"] - out["card:num"]
        return out

    total = _total_row(
        data,
        columns,
        {
            "reg:on_time_share": Ratio("reg:on_time", "reg:den"),
            "reg:linked_share": Ratio("reg:linked", "reg:den"),
            **_rates_total([card, ids]),
        },
    )
    return Sheet(
        "PL3 Khai sinh, BHYT",
        "PHỤ LỤC 3. ĐĂNG KÝ KHAI SINH, THẺ BẢO HIỂM Y TẾ VÀ MÃ ĐỊNH DANH CỦA TRẺ EM",
        [Table(columns, _ward_rows(data, figures), total)],
        notes=[
            "Đăng ký khai sinh: lượt đăng ký tại phường của trẻ sinh trong kỳ; đúng hạn là không quá 60 "
            "ngày sau ngày sinh (Luật Hộ tịch). Thẻ BHYT và mã định danh: trẻ trong sổ theo dõi mới nhất "
            "của phường vào ngày cuối kỳ.",
        ],
    )


# ── Phụ lục 4: children in special circumstances ──────────────────────────────────────────────────


def hcdb_sheet(data: ReportData) -> Sheet:
    support = RateColumns(
        "hcdb", "hcdb_supported", "Trẻ em có hoàn cảnh đặc biệt", "Tổng số trẻ", "Được trợ giúp từ đầu năm"
    )
    columns = list(NAME_COLUMNS) + support.columns()
    rows = _ward_rows(data, lambda ward: support.figures(data, ward.code))
    total = _total_row(data, columns, support.total())
    threshold = data.small_count_threshold
    hidden_when_small = data.district_edition  # a ward's own edition shows its own small groups

    def shown(count: int) -> int | str:
        return marker(count, threshold) if hidden_when_small and is_small(count, threshold) else count

    group_rows = []
    for g in data.hcdb_groups:
        code = g["hcdb_group_code"]
        children = sum((data.hcdb.get((w.code, code)) or {}).get("children", 0) for w in data.wards)
        helped = sum((data.hcdb.get((w.code, code)) or {}).get("children_supported", 0) for w in data.wards)
        count, helped_text = shown(children), shown(helped)
        if isinstance(count, str):  # with a group's small count hidden, its supported would say too much
            helped_text = marker(helped, threshold)
        group_rows.append(
            {
                "stt": code,
                "name": g["name_vi"],
                "children": count,
                "supported": helped_text,
                "share": DASH if isinstance(helped_text, str) else _share(helped, children),
            }
        )
    group_table = Table(
        [
            Column("stt", "Nhóm", fmt="text", width=7),
            Column("name", "Nhóm trẻ em có hoàn cảnh đặc biệt (Luật Trẻ em, điều 10)", fmt="text", width=40),
            Column("children", "Số trẻ", fmt="count", width=9),
            Column("supported", "Được trợ giúp từ đầu năm", fmt="count", width=9),
            Column("share", "Tỷ lệ", fmt="percent", width=8),
        ],
        group_rows,
        caption=f"Theo 14 nhóm, {'toàn quận' if data.district_edition else 'toàn phường'} "
        f"(ngày {data.period.end:%d/%m/%Y})",
    )
    return Sheet(
        "PL4 Trẻ HCĐB",
        "PHỤ LỤC 4. TRẺ EM CÓ HOÀN CẢNH ĐẶC BIỆT THEO 14 NHÓM VÀ KẾT QUẢ TRỢ GIÚP",
        [Table(columns, rows, total), group_table],
        notes=[
            f"Trẻ trong sổ theo dõi mới nhất của phường vào ngày {data.period.end:%d/%m/%Y}; một trẻ thuộc "
            "nhiều nhóm được đếm ở mỗi nhóm, nên cộng các nhóm có thể lớn hơn tổng số trẻ HCĐB.",
            *_suppression_note(data),
        ],
    )


# ── Phụ lục 5: protection cases and injuries ─────────────────────────────────────────────────────


PL5_ABUSE, PL5_INJURY = "Trẻ em bị xâm hại (vụ tiếp nhận trong kỳ)", "Trẻ em bị tai nạn, thương tích"


def _protection_columns() -> list[Column]:
    abuse, injury = PL5_ABUSE, PL5_INJURY
    return list(NAME_COLUMNS) + [
        Column("cases", "Số vụ", abuse, "count", 9),
        Column("timely", "Được can thiệp kịp thời", abuse, "count", 10),
        Column("timely_share", "Tỷ lệ kịp thời", abuse, "percent", 9),
        Column("events", "Số trường hợp", injury, "count", 9),
        Column("deaths", "Tử vong", injury, "count", 9),
        Column("deaths_2024", "Tử vong cùng kỳ năm 2024", injury, "count", 10),
    ]


def _protection_tables(data: ReportData) -> tuple[list[dict], dict | None, set, dict, dict]:
    """PL5's ward rows, total row, hidden cells, and the cases by abuse type and injuries by cause as
    shown (small counts hidden in the district edition, in one suppression over all their lines)."""
    columns = _protection_columns()

    def figures(ward: Ward) -> dict:
        cases = [r for (w, _), r in data.protection.items() if w == ward.code]
        events = [r for (w, _), r in data.injuries.items() if w == ward.code]
        out = {
            "cases": sum(r["cases"] for r in cases),
            "timely": sum(r["cases_timely"] for r in cases),
            "events": sum(r["events"] for r in events),
            "deaths": sum(r["deaths"] for r in events),
            "deaths_2024": (data.indicator(ward.code, "injury_deaths") or {}).get("baseline"),
        }
        out["timely_share"] = _share(out["timely"], out["cases"])
        return out

    rows = _ward_rows(data, figures)
    total = _total_row(data, columns, {"timely_share": Ratio("timely", "cases")})
    by_type = {
        t["code"]: sum(r["cases"] for (_, c), r in data.protection.items() if c == t["code"])
        for t in data.abuse_types
    }
    by_cause = {
        c["code"]: sum(r["events"] for (_, k), r in data.injuries.items() if k == c["code"])
        for c in data.injury_causes
    }
    shown_types, shown_causes = dict(by_type), dict(by_cause)
    if total is not None:
        counts = ["cases", "timely", "events", "deaths", "deaths_2024"]
        sums = {k: sum(row[k] or 0 for row in rows) for k in counts}
        hider = Hider(data)
        hidden = hider.apply(
            rows,
            total,
            counts,
            sums,
            categories=[("cases", by_type, shown_types), ("events", by_cause, shown_causes)],
        )
        hider.dash_ratios(rows, total, hidden, {"timely_share": ("timely", "cases")})
    else:
        hidden = set()
    return rows, total, hidden, shown_types, shown_causes


def protection_sheet(data: ReportData) -> Sheet:
    rows, total, _, shown_types, shown_causes = _protection_tables(data)
    columns = _protection_columns()
    scope = "toàn quận" if data.district_edition else "toàn phường"
    category_tables = [
        Table(
            [
                Column("stt", "STT", fmt="count", width=5),
                Column("name", heading, fmt="text", width=22),
                Column("count", count_header, fmt="count", width=9),
            ],
            [
                {"stt": i, "name": item["name_vi"], "count": shown[item["code"]]}
                for i, item in enumerate(items, start=1)
            ],
            caption=f"{caption}, {scope}",
        )
        for caption, heading, count_header, items, shown in (
            ("Vụ xâm hại theo hình thức", "Hình thức xâm hại", "Số vụ", data.abuse_types, shown_types),
            (
                "Tai nạn, thương tích theo nguyên nhân",
                "Nguyên nhân",
                "Số trường hợp",
                data.injury_causes,
                shown_causes,
            ),
        )
    ]
    return Sheet(
        "PL5 Bảo vệ trẻ em, TNTT",
        "PHỤ LỤC 5. TRẺ EM BỊ XÂM HẠI VÀ TRẺ EM BỊ TAI NẠN, THƯƠNG TÍCH",
        [Table(columns, rows, total), *category_tables],
        notes=[
            "Xâm hại: vụ việc tiếp nhận trong kỳ; can thiệp kịp thời theo thời hạn ở trang Ghi chú. Tai "
            "nạn, thương tích: trường hợp xảy ra trong kỳ; năm 2024 tính theo phường hiện nay.",
            *_suppression_note(data),
        ],
    )


def _suppression_note(data: ReportData) -> list[str]:
    if not data.district_edition:
        return []
    n = data.small_count_threshold
    return [
        f'Bảo vệ bí mật đời tư của trẻ em: số nhỏ hơn {n} được ghi "<{n}" (một số ô 0 cũng được ghi '
        f'"<{n}" để số nhỏ không bị suy ra); "x": số từ {n} trở lên được ẩn thêm vì cùng lý do; tổng của '
        f'cột có ô ẩn được ghi bằng số (không phải công thức); "{DASH}": tỷ lệ hoặc đánh giá không hiển '
        "thị vì tính từ số đã ẩn."
    ]


# ── Phụ lục 5b: the child-friendly self-assessment against the data (the year's last report) ─────────


def _yes_no(value: object) -> str:
    return "Đạt" if value else "Chưa đạt"


def _on_data(row: dict) -> str:
    """The ward's standing on the data as a reader of this edition may know it."""
    if not row["year_complete"]:
        return "Chưa đủ số liệu cả năm để đối chiếu"
    if row["meets_standard_on_data"] is None:
        return "Chưa kết luận được (số nhỏ được ẩn)"
    if row["meets_standard"] and not row["meets_standard_on_data"]:
        return "Chưa đạt: số liệu không ủng hộ bản tự đánh giá"
    return _yes_no(row["meets_standard_on_data"])


def _differing(criteria: list[dict]) -> str:
    """'2, 3, 7: tự chấm cao hơn số liệu; 6: tự chấm thấp hơn số liệu' for one ward's disagreements."""
    parts = []
    for verdict in child_friendly.DISAGREEMENTS:
        numbers = [str(c["criterion"]) for c in criteria if c["verdict"] == verdict]
        if numbers:
            words = child_friendly.text(child_friendly.VERDICTS[verdict])
            parts.append(f"{', '.join(numbers)}: {words[0].lower()}{words[1:]}")
    return "; ".join(parts) or "Không"


def child_friendly_sheet(data: ReportData) -> Sheet | None:
    if data.child_friendly_wards is None:
        return None
    names = {w.code: w.name for w in data.wards}
    # the columns line up with the detail table's below (a sheet's column has one width): the wide
    # third and last columns hold the texts
    criteria = data.child_friendly_criteria or []
    of_ward = {
        w["ward_code"]: [c for c in criteria if c["ward_code"] == w["ward_code"]]
        for w in data.child_friendly_wards
    }
    standing = Table(
        list(NAME_COLUMNS)
        + [
            Column("on_data", "Theo số liệu", fmt="text", width=30),
            Column("year", "Năm tự đánh giá", fmt="text", width=8),
            Column("points", "Điểm tự chấm", fmt="count", width=8),
            Column("points_on_data", "Điểm theo số liệu", fmt="count", width=9),
            Column("meets", "Tự đánh giá", fmt="text", width=14),
            Column("differing", "Tiêu chí chấm khác số liệu", fmt="text", width=40),
        ],
        [
            {
                "stt": i,
                "name": names.get(row["ward_code"], row["ward_code"]),
                "on_data": _on_data(row),
                "year": str(row["assessment_year"]),
                "points": row["total_points"],
                "points_on_data": row["total_points_on_data"],
                "meets": _yes_no(row["meets_standard"]),
                "differing": _differing(of_ward[row["ward_code"]]),
            }
            for i, row in enumerate(data.child_friendly_wards, start=1)
        ],
        empty_message="Chưa phường nào gửi bản tự đánh giá.",
    )
    disagreements = [c for c in criteria if c["verdict"] in child_friendly.DISAGREEMENTS]
    detail = Table(
        [
            Column("stt", "STT", fmt="count", width=5),
            Column("name", "Phường", fmt="text", width=16),
            Column("criterion", "Tiêu chí", fmt="text", width=30),
            Column("max", "Điểm tối đa", fmt="count", width=8),
            Column("self", "Tự chấm", fmt="count", width=8),
            Column("data", "Số liệu cho phép", fmt="count", width=9),
            Column("verdict", "Đánh giá", fmt="text", width=14),
            Column("figures", "Số liệu cả năm", fmt="text", width=40),
        ],
        [
            {
                "stt": i,
                "name": names.get(row["ward_code"], row["ward_code"]),
                "criterion": f"{row['criterion']}. {row['criterion_name_vi']}",
                "max": row["max_points"],
                "self": row["self_score"],
                "data": row["data_score"],
                "verdict": child_friendly.text(child_friendly.VERDICTS[row["verdict"]]),
                "figures": "; ".join(child_friendly.figure_text(p) for p in row["parts"]),
            }
            for i, row in enumerate(disagreements, start=1)
        ],
        caption="Các tiêu chí phường tự chấm khác điểm mà số liệu cho phép",
        empty_message="Điểm tự chấm khớp số liệu ở mọi tiêu chí có số liệu.",
    )
    return Sheet(
        "PL5b Phù hợp với trẻ em",
        "PHỤ LỤC 5b. PHƯỜNG PHÙ HỢP VỚI TRẺ EM: ĐIỂM TỰ ĐÁNH GIÁ ĐỐI CHIẾU VỚI SỐ LIỆU",
        [standing, detail],
        notes=[
            "Bản tự đánh giá mới nhất của mỗi phường (Quyết định 06/2019/QĐ-TTg), đến năm của báo cáo. "
            "Điểm theo số liệu: tiêu chí có số liệu trong kho (khai sinh, xâm hại, tai nạn thương tích, "
            "trợ giúp trẻ HCĐB, tiêm chủng) lấy điểm mà số liệu cả năm cho phép theo thang điểm của quận; "
            "các tiêu chí khác giữ điểm phường tự chấm. Đạt chuẩn theo cùng quy định: đủ các tiêu chí đạt, "
            "không tiêu chí nào 0 điểm, tổng điểm từ mức tối thiểu trở lên.",
            *(
                [
                    "Tiêu chí tính từ số vụ xâm hại hoặc số trẻ tử vong có số nhỏ hơn "
                    f"{data.small_count_threshold} bị ẩn: điểm theo số liệu và đánh giá của tiêu chí đó "
                    "cũng được ẩn (điểm cho biết số vụ); kết luận theo số liệu chỉ ghi khi các tiêu chí "
                    "còn lại đủ để kết luận."
                ]
                if data.district_edition
                else []
            ),
        ],
    )


# ── Phụ lục 6: reporting completeness and timeliness ──────────────────────────────────────────────


def _status(row: dict) -> str:
    if row["received"]:
        return "Đúng hạn" if row["on_time"] else f"Muộn {row['days_late']} ngày"
    return "Chưa đến hạn" if row["pending"] else "Chưa nhận"


def submissions_sheet(data: ReportData) -> Sheet:
    columns = list(NAME_COLUMNS) + [
        Column("owed", "Số kỳ số liệu phải gửi", fmt="count", width=9),
        Column("due", "Đã đến hạn", fmt="count", width=8),
        Column("received", "Đã nhận", fmt="count", width=8),
        Column("on_time", "Đúng hạn", fmt="count", width=8),
        Column("late", "Muộn", fmt="count", width=8),
        Column("missing", "Chưa nhận (quá hạn)", fmt="count", width=9),
        Column("complete", "Tỷ lệ đầy đủ", fmt="percent", width=9),
        Column("timely", "Tỷ lệ đúng hạn", fmt="percent", width=9),
        Column("max_late", "Muộn nhất (ngày)", fmt="count", width=9),
        Column("quarantined", "Tệp bị cách ly", fmt="count", width=9),
    ]
    units = [(w.code, w.name) for w in data.wards]
    if data.district_edition and any(s["org_unit_level"] == "district" for s in data.submissions):
        units.append((DISTRICT_CODE, "Cấp quận (BHXH)"))

    def figures(code: str) -> dict:
        owed = [s for s in data.submissions if s["org_unit_code"] == code]
        due = [s for s in owed if not s["pending"]]
        received = sum(s["received"] for s in due)
        on_time = sum(bool(s["on_time"]) for s in due)
        late = [s["days_late"] for s in due if s["received"] and not s["on_time"]]
        return {
            "owed": len(owed),
            "due": len(due),
            "received": received,
            "on_time": on_time,
            "late": len(late),
            "missing": len(due) - received,
            "complete": _share(received, len(due)),
            "timely": _share(on_time, len(due)),
            "max_late": max(late, default=None),
            "quarantined": sum(s["files_quarantined"] for s in owed),
        }

    rows = [{"stt": i, "name": name, **figures(code)} for i, (code, name) in enumerate(units, start=1)]
    total = _total_row(
        data,
        columns,
        {
            "complete": Ratio("received", "due"),
            "timely": Ratio("on_time", "due"),
            "max_late": max((r["max_late"] for r in rows if r["max_late"] is not None), default=None),
        },
    )
    return Sheet(
        "PL6 Gửi số liệu",
        "PHỤ LỤC 6. TÌNH HÌNH GỬI SỐ LIỆU: ĐẦY ĐỦ VÀ ĐÚNG HẠN",
        [Table(columns, rows, total)],
        notes=[
            "Các tệp số liệu mà phường (và BHXH quận) phải gửi cho các kỳ kết thúc từ "
            f"{data.period.start:%d/%m/%Y} đến {data.period.end:%d/%m/%Y} (theo lịch gửi số liệu); hạn của "
            "mỗi kỳ là ngày 5 tháng sau. Đã nhận: tệp được nạp (tệp bị cách ly chưa tính là đã nhận); "
            "đúng hạn theo lần gửi đầu tiên được nạp. Tỷ lệ tính trên các kỳ đã đến hạn. Từng kỳ chưa "
            "nhận hoặc gửi muộn, với tệp bị cách ly của kỳ đó, ở trang PL6b.",
        ],
    )


def submission_issues_sheet(data: ReportData) -> Sheet:
    names = {w.code: w.name for w in data.wards} | {DISTRICT_CODE: "Cấp quận (BHXH)"}
    issues = [
        s
        for s in data.submissions
        if (not s["received"] and not s["pending"]) or (s["received"] and not s["on_time"])
    ]
    detail = Table(
        [
            Column("stt", "STT", fmt="count", width=5),
            Column("name", "Phường", fmt="text", width=16),
            Column("source", "Nguồn số liệu", fmt="text", width=28),
            Column("period", "Kỳ số liệu", fmt="text", width=14),
            Column("deadline", "Hạn gửi", fmt="date", width=11),
            Column("sent", "Gửi lúc", fmt="datetime", width=15),
            Column("status", "Tình trạng", fmt="text", width=12, fit=True),
            Column("file", "Tệp bị cách ly gần nhất", fmt="text", width=26),
            Column("reason", "Lý do cách ly", fmt="text", width=40),
        ],
        [
            {
                "stt": i,
                "name": names.get(s["org_unit_code"], s["org_unit_code"]),
                "source": data.sources.get(s["source"], s["source"]),
                "period": s["period_label_vi"] or s["period_key"],
                "deadline": s["deadline"],
                "sent": s["first_submitted_at"],
                "status": _status(s),
                "file": s["quarantined_file_name"],
                "reason": s["quarantine_reason"],
            }
            for i, s in enumerate(issues, start=1)
        ],
        empty_message="Mọi kỳ số liệu đã đến hạn đều được gửi đúng hạn.",
    )
    return Sheet(
        "PL6b Chi tiết gửi số liệu",
        "PHỤ LỤC 6b. CÁC KỲ SỐ LIỆU CHƯA NHẬN HOẶC GỬI MUỘN",
        [detail],
        notes=[
            "Tệp bị cách ly gần nhất: tên tệp như đơn vị đặt, và lý do hệ thống không nạp được; đơn vị "
            "sửa theo lý do rồi gửi lại tệp.",
        ],
    )


# ── Ghi chú: definitions and target sources ──────────────────────────────────────────────────────

DIRECTION = {"higher_is_better": "Càng cao càng tốt", "lower_is_better": "Càng thấp càng tốt"}


def notes_sheet(data: ReportData) -> Sheet:
    columns = [
        Column("stt", "STT", fmt="count", width=5),
        Column("name", "Chỉ tiêu", fmt="text", width=24),
        Column("numerator", "Tử số", fmt="text", width=30),
        Column("denominator", "Mẫu số", fmt="text", width=30),
        Column("definition", "Cách tính", fmt="text", width=46),
        Column("target", "Chỉ tiêu kế hoạch", fmt="text", width=12),
        Column("direction", "Chiều tốt", fmt="text", width=11),
        Column("source", "Nguồn của chỉ tiêu", fmt="text", width=34),
    ]  # no column of the indicators' codes: internal names mean nothing to a reader of the report
    rows = [
        {
            "stt": i,
            "name": ind["name_vi"],
            "numerator": ind["numerator_vi"],
            "denominator": ind["denominator_vi"] or "",
            "definition": ind["definition_vi"],
            "target": _target_text(ind),
            "direction": DIRECTION.get(ind["direction"], ind["direction"]),
            "source": ind["target_source"],
        }
        for i, ind in enumerate(data.catalogue, start=1)
    ]
    return Sheet(
        "Ghi chú",
        "GHI CHÚ: ĐỊNH NGHĨA CÁC CHỈ TIÊU VÀ NGUỒN CỦA CHỈ TIÊU",
        [Table(columns, rows)],
        notes=[
            "Số liệu lấy từ kho dữ liệu trẻ em của quận (treem), tổng hợp từ các tệp số liệu do phường, "
            "trạm y tế, Phòng Tư pháp và BHXH gửi; mỗi con số truy được về từng dòng của tệp gốc.",
            "Kỳ báo cáo và hạn gửi theo Kế hoạch công tác trẻ em năm 2025 của UBND quận, mục III.8.",
            *_suppression_note(data),
        ],
    )


def changes_sheet(data: ReportData) -> Sheet | None:
    """An amended edition's first sheet: each figure changed since the approval it amends."""
    mark = data.signoff
    if mark is None or not mark.amended:
        return None
    columns = [
        Column("stt", "STT", fmt="count", width=5),
        Column("org_unit_name", "Đơn vị", fmt="text", width=16, fit=True),
        Column("indicator", "Chỉ tiêu", fmt="text", width=28),
        Column("measure", "Số liệu", fmt="text", width=12),
        Column("approved", "Đã phê duyệt", fmt="text", width=13, fit=True),
        Column("current", "Hiện nay", fmt="text", width=13, fit=True),
        Column("files", "Tệp nhận sau phê duyệt", fmt="text", width=60),
    ]
    rows = [{"stt": i} | row for i, row in enumerate(mark.changes, start=1)]
    return Sheet(
        "PL0 Thay đổi",
        "PHỤ LỤC 0. SỐ LIỆU THAY ĐỔI SAU KHI PHÊ DUYỆT",
        [Table(columns, rows, empty_message="Không có chỉ tiêu nào thay đổi; thay đổi ở các bảng khác.")],
        notes=[
            f"Bản điều chỉnh của bản đã phê duyệt ngày {mark.approved_at:%d/%m/%Y %H:%M}, bởi "
            f"{mark.approved_by} (mã phê duyệt {mark.approval_id}). Bản đã phê duyệt giữ nguyên; bản này "
            "có số liệu hiện nay và cần được phường và quận phê duyệt lại.",
            "Mỗi dòng là một số liệu của bộ chỉ tiêu (PL1) khác với bản đã phê duyệt; cột cuối là các tệp "
            "được nạp sau khi phê duyệt cho phường đó trong kỳ (với dòng toàn quận: của mọi phường).",
            *(
                [
                    "Số liệu bảo vệ trẻ em thay đổi được nêu nhưng không ghi số (số nhỏ được ẩn ở bản "
                    "toàn quận)."
                ]
                if data.district_edition
                else []
            ),
        ],
    )


ANNEXES = (
    changes_sheet,
    indicator_sheet,
    immunisation_sheet,
    registration_sheet,
    hcdb_sheet,
    protection_sheet,
    child_friendly_sheet,
    submissions_sheet,
    submission_issues_sheet,
    notes_sheet,
)
