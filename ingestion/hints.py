"""What a receipt suggests when a file's words are not known: for a required column with no confident
header, the closest headers found; for a value outside a column's vocabulary (a ward, a vaccine, a sex,
a choice), its count and the nearest known value. Each with the one `treem contract map` command that
teaches it, for the data engineer."""

from __future__ import annotations

import difflib
import shlex
from collections import Counter

from ingestion.column_match import Candidate
from ingestion.contract import Column, Contract
from ingestion.lookups import Lookup
from ingestion.text import fold

VALUES_LISTED = 20
CLOSE_ENOUGH = 0.6


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based cell index: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def missing_columns_hint(
    contract: Contract,
    missing: list[Column],
    headers: dict[int, str],
    closest: dict[str, tuple[Candidate, ...]],
) -> str:
    """The headers the table has, and for each missing required column its closest headers."""
    found = ", ".join(f"{column_letter(i)} '{h}'" for i, h in sorted(headers.items()))
    lines = [f"Các cột đọc được ở dòng tiêu đề: {found or '(không có)'}."]
    commands = []
    for column in missing:
        near = closest.get(column.name, ())
        if not near:
            lines.append(f"- Không có cột nào gần với '{column.label_vi}': tệp thiếu cột này, hãy bổ sung.")
            continue
        options = " hay ".join(f"'{c.header}' (cột {column_letter(c.index)})" for c in near)
        lines.append(f"- Cột {options} có phải là '{column.label_vi}' không?")
        commands.append(_map_header(contract, near[0].header, column))
    if commands:
        lines += [
            "Nếu đúng, kỹ sư dữ liệu xác nhận một lần (mọi tệp bị cách ly vì cột này sẽ được nạp lại ngay):",
            *(f"  {c}" for c in commands),
        ]
    return "\n".join(lines)


def _map_header(contract: Contract, header: str, column: Column) -> str:
    return f"treem contract map {contract.source} {shlex.quote(header)} {column.name}"


def known_spellings(column: Column, lookups: dict[str, Lookup]) -> dict[str, str]:
    """Folded spelling -> how to show what it means, for every value the column knows."""
    if column.type == "lookup":
        lookup = lookups[column.lookup]
        return {key: f"{lookup.display_name(code)} ({code})" for key, code in lookup.mapping.items()}
    if column.type in ("choice", "boolean"):
        return {fold(typed): spellings[0] for _, spellings in column.choices for typed in spellings}
    if column.type == "sex":
        return {"nam": "Nam", "nu": "Nữ"}
    if column.type == "code_list":
        return {code: code for code in column.codes}
    return {}


def nearest(column: Column, value: str, lookups: dict[str, Lookup]) -> str | None:
    known = known_spellings(column, lookups)
    found = difflib.get_close_matches(fold(value), list(known), n=1, cutoff=CLOSE_ENOUGH)
    return known[found[0]] if found else None


def unknown_values_hint(contract: Contract, unknown: Counter, lookups: dict[str, Lookup]) -> str:
    """Each value outside its column's vocabulary, how many rows have it and the nearest known value."""
    if not unknown:
        return ""
    lines = ["Giá trị không có trong danh mục (số dòng; giá trị gần nhất):"]
    for (name, value), rows in unknown.most_common(VALUES_LISTED):
        column = contract.column(name)
        near = nearest(column, value, lookups)
        lines.append(
            f"- {column.label_vi} '{value}': {rows} dòng"
            + (f"; gần nhất: {near}" if near else "; không có giá trị nào gần")
        )
    if len(unknown) > VALUES_LISTED:
        lines.append(f"… và {len(unknown) - VALUES_LISTED} giá trị khác")
    (name, value), _ = unknown.most_common(1)[0]
    if contract.column(name).type != "code_list":
        lines += [
            "Nếu một giá trị là cách viết khác của giá trị đã biết, kỹ sư dữ liệu xác nhận một lần, ví dụ:",
            f"  treem contract map-value {contract.source} {name} {shlex.quote(value)} <giá trị đúng>",
        ]
    return "\n".join(lines)
