"""The child-friendly criteria table the ward and protection pages show: each criterion with the ward's own
score beside the score its data support, disagreements first, in a table whose text wraps on a phone."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import formatting
from dashboard.i18n import t


def _score(value: object) -> str:
    return "–" if value is None or pd.isna(value) else formatting.number(int(value))


def criteria_table(frame: pd.DataFrame, ward_names: dict[str, str] | None = None) -> pd.DataFrame:
    """``child_friendly.cross_check`` rows as the pages print them; with ``ward_names``, a column of
    the ward first (the protection page lists several wards)."""
    table = pd.DataFrame(
        {
            # the number apart: "10. …" at the start of a cell would be drawn as a numbered list
            t("Số", "No."): frame["criterion"].map(lambda n: str(int(n))).to_numpy(),
            t("Tiêu chí", "Criterion"): frame["criterion_name"].to_numpy(),
            t("Tối đa", "Max"): frame["max_points"].map(_score).to_numpy(),
            t("Phường tự chấm", "Self-assessed"): frame["self_score"].map(_score).to_numpy(),
            t("Số liệu cho phép", "Data support"): frame["data_score"].map(_score).to_numpy(),
            t("Đánh giá", "Verdict"): frame["verdict_text"].to_numpy(),
            t("Số liệu cả năm", "Figures of the year"): frame["figures"].to_numpy(),
        }
    )
    if ward_names is not None:  # several wards: each row's ward; narrow enough for a phone
        number, name, top = t("Số", "No."), t("Tiêu chí", "Criterion"), t("Tối đa", "Max")
        table[name] = table[number] + " – " + table[name]
        table = table.drop(columns=[number, top])
        table.insert(0, t("Phường", "Ward"), frame["ward_code"].map(ward_names).to_numpy())
    return table


def show(frame: pd.DataFrame, ward_names: dict[str, str] | None = None) -> None:
    """The table, as text a phone wraps (st.table), without the index."""
    st.table(
        criteria_table(frame, ward_names).set_index(t("Phường", "Ward") if ward_names else t("Số", "No."))
    )


def legend(small_counts_hidden: bool) -> None:
    text = t(
        "Số liệu cho phép: điểm mà số liệu cả năm đánh giá trong kho cho phép theo thang điểm của quận "
        "(QĐ 06/2019/QĐ-TTg); tiêu chí không có số liệu trong kho giữ điểm phường tự chấm. Tự chấm cao "
        "hơn số liệu: phường nhận điểm mà số liệu không chứng minh; thấp hơn: phường chấm thiếu, hoặc "
        "số liệu trong kho chưa đủ.",
        "Data support: the points the warehouse's figures of the assessed year allow under the "
        "district's scale (QĐ 06/2019/QĐ-TTg); a criterion without data keeps the ward's own score. "
        "Over-scored: the ward claims points its data do not bear out; under-scored: it claims fewer, "
        "or the warehouse lacks data.",
    )
    if small_counts_hidden:
        text += t(
            ' Số vụ xâm hại và số trẻ tử vong nhỏ hơn 5 được ghi "<5", như ở các chỉ số.',
            ' Abuse cases and deaths under 5 show as "<5", as in the indicators.',
        )
    st.caption(text)


def not_in_this_copy() -> None:
    st.info(
        t(
            "Bản phục vụ này chưa có phần đối chiếu: hãy chạy lại `treem run`.",
            "This serving copy has no cross-check yet: run `treem run` again.",
        )
    )
