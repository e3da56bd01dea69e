"""Headers read by meaning; what stays unsure asked once (`treem contract map`), then remembered; the same
bytes set aside under two names keep both."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import duckdb

from ingestion.column_match import match_columns
from ingestion.contract import load_contracts
from ingestion.load import ingest_inbox
from ingestion.mappings import in_force
from ingestion.parse_file import parse_file
from ingestion.rebuild import replay_archive
from ingestion.registry import ensure_raw_schema
from tests.conftest import treem_cli
from tests.ingestion.test_office_layouts import TITLE, _save

CONTRACT = load_contracts()["immunization"]
NAME = "TCMR_MoLao_T03-2025.xlsx"
# every column there, each worded as some station writes it
STATION_HEADER = [
    "STT",
    "Số ĐDCN",
    "Họ và tên trẻ em",
    "NS",
    "GT",
    "Phường/Xã",
    "Tên vắc-xin",
    "Lần tiêm thứ",
    "Ngày tiêm\n(dd/mm/yyyy)",
    "Nơi tiêm (TYT)",
]


def _rows(n: int, vaccine: str = "BCG") -> list[list]:
    return [
        [
            i,
            f"0012250001{i:02d}",
            f"Trẻ số {i}",
            dt.date(2025, 1, i),
            "Nam",
            "Mộ Lao",
            vaccine,
            1,
            dt.date(2025, 3, i),
        ]
        for i in range(1, n + 1)
    ]


def _file(path, header: list[str], rows: list[list], month: int = 3) -> None:
    title = [*TITLE[:3], [f"DANH SÁCH TRẺ ĐƯỢC TIÊM CHỦNG THÁNG {month:02d} NĂM 2025"]]
    _save(path, ("TCMR", [*title, header, *rows]))
    old = dt.datetime(2025, 4, 5, 9, 0).timestamp()
    os.utime(path, (old, old))  # sent on 5 April


def test_a_station_wording_of_every_column_is_read_without_a_hand_step(tmp_path):
    path = tmp_path / NAME
    _file(path, STATION_HEADER, _rows(3))
    parsed = parse_file(path, CONTRACT)
    assert (parsed.rows_loaded, parsed.rows_rejected, parsed.rejects) == (3, 0, [])
    assert parsed.columns["dose_date"] == [dt.date(2025, 3, 1), dt.date(2025, 3, 2), dt.date(2025, 3, 3)]
    assert parsed.columns["child_id"][0] == "001225000101"


def test_a_header_with_a_meaning_of_its_own_is_not_taken_for_a_column(tmp_path):
    """'Ngày sinh của mẹ' is not the child's birth date: the file lacks that column and says so."""
    header = [h if h != "NS" else "Ngày sinh của mẹ" for h in STATION_HEADER]
    path = tmp_path / NAME
    _file(path, header, _rows(2))
    rejected = _rejected(path)
    assert str(rejected) == "Thiếu cột bắt buộc: Ngày sinh (bảng ở trang 'TCMR', dòng tiêu đề 5)"
    assert "- Cột 'Ngày sinh của mẹ' (cột D) có phải là 'Ngày sinh' không?" in rejected.hint


def test_no_header_is_taken_by_two_columns_nor_a_column_by_two_headers():
    cells = [("Họ tên",), ("Họ và tên trẻ",), ("Ngày",), ("Ngày sinh",), ("Ngày tiêm",)]
    found = match_columns(CONTRACT, cells)
    assert found.columns == {"child_name": 0, "birth_date": 3, "dose_date": 4}
    assert [c.header for c in found.closest["child_id"]] == []


def test_a_two_row_header_keeps_its_first_data_row_whose_ward_reads_like_a_header(tmp_path):
    """The station's vitamin A list: a group heading over the round and its date ('Uống vitamin A' is close
    to both), 'Phường' merged over two rows, then a first child in 'Phường Phú La'. The child is data,
    not a second header row, even with every value typed as text."""
    header = [
        ["STT", "Thông tin trẻ", None, None, None, "Phường", "Uống vitamin A", None, None],
        [
            None,
            "Mã số định danh cá nhân",
            "Họ tên",
            "Ngày sinh",
            "Giới",
            None,
            "Đợt uống",
            "Ngày uống",
            "Liều lượng (IU)",
        ],
    ]
    children = [
        [
            "1",
            "001323198249",
            "Phạm Tường Tâm",
            "11/01/2023",
            "Nữ",
            "Phường Phú La",
            "Tháng 12/2025",
            "01/12/2025",
            "200000",
        ],
        [
            "2",
            "001323710818",
            "Phan Kim Uyên",
            "26/02/2023",
            "Nữ",
            "Phú La",
            "Tháng 12/2025",
            "01/12/2025",
            "200000",
        ],
    ]
    title = [
        ["TRẠM Y TẾ PHƯỜNG PHÚ LA"],
        ["DANH SÁCH TRẺ 6-36 THÁNG UỐNG VITAMIN A ĐỢT THÁNG 12 NĂM 2025"],
        [],
    ]
    path = tmp_path / "VitaminA_PhuLa_T12-2025.xlsx"
    _save(path, ("VitaminA", [*title, *header, *children]))
    parsed = parse_file(path, load_contracts()["vitamin_a"])
    assert (parsed.header_row, parsed.rows_read, parsed.rows_loaded, parsed.rows_rejected) == (4, 2, 2, 0)
    assert parsed.columns["child_name"] == ["Phạm Tường Tâm", "Phan Kim Uyên"]
    assert parsed.columns["vitamin_round"] == ["Tháng 12/2025", "Tháng 12/2025"]


def _rejected(path):
    from ingestion.parse_file import FileRejected

    try:
        parse_file(path, CONTRACT)
    except FileRejected as error:
        return error
    raise AssertionError("the file was read")


def _ingest(home) -> list:
    with duckdb.connect(str(home.warehouse)) as con:
        ensure_raw_schema(con, list(load_contracts().values()))
        return ingest_inbox(con, CONTRACT, home)


def _registry(home) -> list[tuple]:
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(
            "select file_name, other_names, outcome, rows_loaded from raw.file_registry order by processed_at"
        ).fetchall()


def test_an_unsure_header_is_asked_once_then_the_file_loads_and_the_next_ones_too(home, capsys):
    header = [h if not h.startswith("Ngày tiêm") else "Ngày" for h in STATION_HEADER]
    inbox = home.source_inbox("immunization")
    inbox.mkdir(parents=True)
    _file(inbox / NAME, header, _rows(3))
    [outcome] = _ingest(home)
    assert outcome.outcome == "quarantined"
    receipt = next(home.quarantine.rglob("*.receipt.txt")).read_text(encoding="utf-8")
    assert "- Cột 'Ngày' (cột I) có phải là 'Ngày tiêm' không?" in receipt
    assert "  treem contract map immunization 'Ngày' dose_date\n" in receipt

    code = treem_cli(
        home, "--home", str(home.root), "contract", "map", "immunization", "Ngày", "dose_date", "--no-run"
    )
    out = capsys.readouterr().out
    assert code == 0
    assert f"tệp {outcome.file_id} '{NAME}' (immunization) nay đọc được 3 dòng" in out
    back = inbox / NAME
    assert back.exists() and back.stat().st_mtime == dt.datetime(2025, 4, 5, 9, 0).timestamp()
    [again] = _ingest(home)
    assert (again.outcome, again.rows_loaded) == ("loaded", 3)
    assert [(m.kind, m.source, m.column, m.written) for m in in_force(home)] == [
        ("header", "immunization", "dose_date", "Ngày")
    ]

    _file(
        inbox / "TCMR_MoLao_T04-2025.xlsx",
        [*header[:8], "NGÀY"],
        [r[:8] + [dt.date(2025, 4, 9)] for r in _rows(1)],
        month=4,
    )
    [next_month] = _ingest(home)
    assert (next_month.outcome, next_month.rows_loaded) == ("loaded", 1)  # remembered, whatever the case

    replay_archive(home)  # the mapping lives in the home: a rebuild reads the files the same way
    assert sorted((o.outcome, o.rows_loaded) for o in _ingest(home)) == [("loaded", 1), ("loaded", 3)]


def test_an_unknown_value_is_counted_with_the_nearest_known_one_and_mapped_once(home, capsys):
    inbox = home.source_inbox("immunization")
    inbox.mkdir(parents=True)
    _file(inbox / NAME, STATION_HEADER[:9], _rows(12, vaccine="BCG lao"))
    [outcome] = _ingest(home)
    assert outcome.outcome == "quarantined"  # 12/12 rows bad: over the file's threshold
    receipt = next(home.quarantine.rglob("*.receipt.txt")).read_text(encoding="utf-8")
    assert "- Vắc xin 'BCG lao': 12 dòng; gần nhất: " in receipt

    code = treem_cli(
        home,
        "--home",
        str(home.root),
        "contract",
        "map-value",
        "immunization",
        "vaccine_code",
        "BCG lao",
        "BCG",
        "--no-run",
    )
    assert code == 0, capsys.readouterr().err
    [again] = _ingest(home)
    assert (again.outcome, again.rows_loaded, again.rows_rejected) == ("loaded", 12, 0)


def test_a_quarantined_file_sent_again_under_another_name_keeps_both_names_and_receipts(home, tmp_path):
    inbox = home.source_inbox("immunization")
    inbox.mkdir(parents=True)
    header = [h for h in STATION_HEADER if not h.startswith("Ngày tiêm")]  # truly missing
    _file(tmp_path / NAME, header, _rows(2))
    shutil.copy2(tmp_path / NAME, inbox / NAME)
    [first] = _ingest(home)
    shutil.copy2(tmp_path / NAME, inbox / "TCMR_MoLao_T03-2025 (2).xlsx")  # the same bytes
    [second] = _ingest(home)
    assert (first.outcome, second.outcome, first.file_id) == ("quarantined", "quarantined", second.file_id)
    assert _registry(home) == [("TCMR_MoLao_T03-2025 (2).xlsx", NAME, "quarantined", 0)]
    receipts = sorted(p.name for p in (home.quarantine / "immunization").glob("*.receipt.txt"))
    assert receipts == [
        f"{first.file_id}__TCMR_MoLao_T03-2025 (2).xlsx.receipt.txt",
        f"{first.file_id}__{NAME}.receipt.txt",
    ]
