"""The guard against hostile files: sizes, zip bombs, password-protected workbooks, paths and names."""

from __future__ import annotations

import os
import struct
import time
import unicodedata
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt
from python_calamine import CalamineWorkbook, PasswordError

from ingestion.reader import UnreadableFile, read_sheets
from ingestion.safety import (
    DEFAULT_LIMITS,
    PASSWORD_EXCEL,
    PASSWORD_ODS,
    Limits,
    UnsafeFile,
    check_file,
    is_inside,
    limits_from_env,
    safe_file_name,
)
from tests.conftest import FIXTURES, IMMUNIZATION_FIXTURES

HOSTILE = FIXTURES / "hostile"
MB = 1024 * 1024


def _xlsx(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Mã định danh", "Họ và tên"])
    workbook.active.append(["001225000101", "Nguyễn Văn An"])
    workbook.save(path)
    return path


def _xls(path: Path) -> Path:
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("TCMR")
    sheet.write(0, 0, "Họ và tên")
    sheet.write(1, 0, "Nguyễn Văn An")
    workbook.save(str(path))
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _declare_size(path: Path, member: str, size: int) -> None:
    """Make the local header and the central directory lie about ``member``'s uncompressed size."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(member).header_offset
    struct.pack_into("<I", data, local + 22, size)
    central = data.rfind(member.encode()) - 46  # the central directory, after the data, ends with the name
    assert data[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", data, central + 24, size)
    path.write_bytes(bytes(data))


def _unsafe(path: Path, limits: Limits = DEFAULT_LIMITS) -> str:
    with pytest.raises(UnsafeFile) as caught:
        check_file(path, limits)
    return str(caught.value)


def _refusal(path: Path, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """The guard's reason for refusing the file, or None when it lets the file through."""
    try:
        check_file(path, limits)
    except UnsafeFile as refused:
        return str(refused)
    return None


# Files that must pass


@pytest.mark.parametrize("name", sorted(p.name for p in IMMUNIZATION_FIXTURES.iterdir()))
def test_office_fixture_files_pass(name):
    assert _refusal(IMMUNIZATION_FIXTURES / name) is None


def test_small_workbooks_and_text_pass(tmp_path):
    (tmp_path / "danh_sach.csv").write_text("Họ và tên\nNguyễn Văn An\n", encoding="utf-8")
    files = [_xlsx(tmp_path / "TCMR_MoLao_T03-2025.xlsx"), _xls(tmp_path / "TCMR_HaCau_T03-2025.xls")]
    assert [_refusal(path) for path in [*files, tmp_path / "danh_sach.csv"]] == [None, None, None]


def test_an_unencrypted_ods_passes(tmp_path):
    manifest = b'<manifest:manifest><manifest:file-entry manifest:full-path="/"/></manifest:manifest>'
    ods = {
        "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
        "META-INF/manifest.xml": manifest,
        "content.xml": b"<office:document-content/>",
    }
    assert _refusal(_zip(tmp_path / "bao_cao.ods", ods)) is None


def test_damaged_and_misnamed_files_are_left_to_the_reader(tmp_path):
    """Not hostile, only unreadable: the reader says so in its own words."""
    (tmp_path / "not_a_zip.xlsx").write_bytes(b"<html>Excel export</html>")
    (tmp_path / "truncated.xls").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 100)
    truncated_zip = _xlsx(tmp_path / "truncated.xlsx").read_bytes()[:-30]
    (tmp_path / "truncated.xlsx").write_bytes(truncated_zip)
    xls_named_xlsx = tmp_path / "renamed.xlsx"
    xls_named_xlsx.write_bytes(_xls(tmp_path / "renamed.xls").read_bytes())
    for name in ("not_a_zip.xlsx", "truncated.xls", "truncated.xlsx", "renamed.xlsx"):
        assert _refusal(tmp_path / name) is None
        with pytest.raises(UnreadableFile, match="Không mở được tệp bảng tính"):
            read_sheets(tmp_path / name)


def test_a_tiny_member_may_compress_very_well(tmp_path):
    assert _refusal(_zip(tmp_path / "trong.xlsx", {"xl/worksheets/sheet1.xml": b"\0" * (MB // 2)})) is None


# Size


def test_file_over_the_size_limit(tmp_path):
    path = tmp_path / "lon.csv"
    path.write_bytes(b"a,b\n" * 1000)
    message = _unsafe(path, Limits(max_file_bytes=3 * 1024))
    assert message.startswith("Tệp quá lớn (3,9 KB, giới hạn 3 KB);")
    assert "tách dữ liệu thành nhiều tệp nhỏ hơn" in message
    check_file(path, Limits(max_file_bytes=4000))  # exactly at the limit is fine


def test_size_message_in_megabytes(tmp_path):
    path = tmp_path / "lon.xlsx"
    with open(path, "wb") as handle:
        handle.truncate(3 * MB + MB // 2)  # sparse: costs no disk
    assert _unsafe(path, Limits(max_file_bytes=2 * MB)).startswith("Tệp quá lớn (3,5 MB, giới hạn 2 MB);")


# Zip bombs


def test_zip_bomb_by_ratio(tmp_path):
    path = _zip(tmp_path / "bom.xlsx", {"xl/worksheets/sheet1.xml": b"\0" * (2 * MB)})
    assert path.stat().st_size < 10_000
    message = _unsafe(path)
    assert message.startswith("Tệp nén bất thường (tỉ lệ nén ")
    assert ":1, giới hạn 200:1): có thể là tệp độc hại (zip bomb)" in message


def test_zip_bomb_by_total_size(tmp_path):
    members = {f"xl/worksheets/sheet{i}.xml": os.urandom(MB) for i in range(3)}  # ratio 1: only the total
    message = _unsafe(_zip(tmp_path / "bom.xlsm", members), Limits(max_unpacked_bytes=2 * MB))
    assert message.startswith("Tệp nén bất thường (giải nén ra 3 MB, giới hạn 2 MB): ")
    assert "zip bomb" in message


def test_zip_bomb_declared_by_a_lying_header(tmp_path):
    """A few hundred bytes that declare 3 GB: judged by the declaration, with the default limits."""
    path = _zip(tmp_path / "bom.ods", {"content.xml": b"<x/>" * 100})
    _declare_size(path, "content.xml", 3 * 1024 * MB)
    assert _unsafe(path).startswith("Tệp nén bất thường (giải nén ra 3072 MB, giới hạn 1024 MB): ")


def test_a_header_that_understates_is_refused_by_calamine(tmp_path):
    """The lie the guard cannot see without inflating: calamine stops at the declared size."""
    path = tmp_path / "nho.xlsx"
    workbook = openpyxl.Workbook()
    for row in range(500):
        workbook.active.append([f"Nguyễn Văn {row}", row])
    workbook.save(path)
    _declare_size(path, "xl/worksheets/sheet1.xml", 1000)
    check_file(path)
    with pytest.raises(Exception, match="larger than its declared uncompressed size"):
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_too_many_members(tmp_path):
    path = _zip(tmp_path / "nhieu.xlsx", {f"xl/media/image{i}.png": b"" for i in range(51)})
    message = _unsafe(path, Limits(max_zip_members=50))
    assert message.startswith("Tệp nén bất thường (51 thành phần, giới hạn 50): ")
    check_file(path, Limits(max_zip_members=51))


# Password-protected workbooks (made by make_hostile.py)


@pytest.mark.parametrize(
    ("name", "message"),
    [("mat_khau.xlsx", PASSWORD_EXCEL), ("mat_khau.xls", PASSWORD_EXCEL), ("mat_khau.ods", PASSWORD_ODS)],
)
def test_password_protected_workbooks(name, message):
    assert _unsafe(HOSTILE / name) == message
    assert "mật khẩu" in message and message.endswith("rồi gửi lại")


@pytest.mark.parametrize("name", ["mat_khau.xlsx", "mat_khau.xls", "mat_khau.ods"])
def test_calamine_refuses_them_with_a_password_error(name):
    """What the reader would get without the guard (and turn into 'the file may be damaged')."""
    with pytest.raises(PasswordError, match="^Workbook is password protected$"):
        CalamineWorkbook.from_path(str(HOSTILE / name))


def test_password_message_points_to_excel():
    assert "File > Info > Protect Workbook" in PASSWORD_EXCEL
    assert "Save with password" in PASSWORD_ODS


def test_encrypted_xlsx_renamed_xls(tmp_path):
    path = tmp_path / "doi_ten.xls"
    path.write_bytes((HOSTILE / "mat_khau.xlsx").read_bytes())
    assert _unsafe(path) == PASSWORD_EXCEL


def test_filepass_in_a_full_size_workbook_stream(tmp_path):
    """xlwt writes a Workbook stream of 4096 bytes (in regular sectors, where LibreOffice's small one
    sits in the mini stream): turn the record after BOF into a FILEPASS, headers stay consistent."""
    data = bytearray(_xls(tmp_path / "plain.xls").read_bytes())
    bof = data.find(bytes.fromhex("0908100000060500"))
    assert data[bof + 20 : bof + 24] == bytes.fromhex("e1000200")  # INTERFACEHDR, 2 bytes
    data[bof + 20 : bof + 22] = struct.pack("<H", 0x002F)
    path = tmp_path / "filepass.xls"
    path.write_bytes(bytes(data))
    assert _unsafe(path) == PASSWORD_EXCEL
    with pytest.raises(PasswordError):
        CalamineWorkbook.from_path(str(path))


def test_a_compound_file_with_looping_tables_ends(tmp_path):
    data = bytearray(_xls(tmp_path / "plain.xls").read_bytes())
    first_directory = struct.unpack_from("<I", data, 48)[0]
    first_fat = struct.unpack_from("<I", data, 76)[0]
    fat = 512 * (first_fat + 1)
    struct.pack_into("<I", data, fat + 4 * first_directory, first_directory)  # the directory chain loops
    struct.pack_into("<I", data, 44, 0xFFFFFFF0)  # a FAT that claims billions of sectors
    struct.pack_into("<II", data, 68, first_fat, 0xFFFFFFF0)  # and a DIFAT chain as long
    path = tmp_path / "loop.xls"
    path.write_bytes(bytes(data))
    started = time.monotonic()
    check_file(path)
    assert time.monotonic() - started < 2


# Things that are not files


def test_a_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "ong.csv"
    os.mkfifo(fifo)
    assert "không phải tệp dữ liệu thông thường" in _unsafe(fifo)
    assert "không phải tệp dữ liệu thông thường" in _unsafe(tmp_path)


def test_limits_from_env(monkeypatch):
    monkeypatch.delenv("TREEM_MAX_FILE_MB", raising=False)
    monkeypatch.delenv("TREEM_MAX_UNPACKED_MB", raising=False)
    assert limits_from_env() == Limits()
    monkeypatch.setenv("TREEM_MAX_FILE_MB", "50")
    monkeypatch.setenv("TREEM_MAX_UNPACKED_MB", " 300 ")
    assert limits_from_env() == Limits(max_file_bytes=50 * MB, max_unpacked_bytes=300 * MB)
    for wrong in ("0", "-5", "1.5", "nhiều"):
        monkeypatch.setenv("TREEM_MAX_FILE_MB", wrong)
        with pytest.raises(ValueError, match="TREEM_MAX_FILE_MB must be a whole number of megabytes"):
            limits_from_env()


# is_inside


@pytest.fixture
def inbox(tmp_path):
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.xlsx").write_bytes(b"x")
    (folder / "sub" / "b.xlsx").write_bytes(b"x")
    (tmp_path / "secret.txt").write_text("mật khẩu")
    return folder


def test_real_files_inside(inbox):
    assert is_inside(inbox / "a.xlsx", inbox)
    assert is_inside(inbox / "sub" / "b.xlsx", inbox)
    assert is_inside(inbox / "sub" / ".." / "a.xlsx", inbox)


def test_folder_reached_through_a_symlink(inbox, tmp_path):
    (tmp_path / "link_to_inbox").symlink_to(inbox)
    assert is_inside(tmp_path / "link_to_inbox" / "a.xlsx", tmp_path / "link_to_inbox")
    assert is_inside(inbox / "a.xlsx", tmp_path / "link_to_inbox")


def test_symlinks_are_never_inside(inbox, tmp_path):
    (inbox / "out.xlsx").symlink_to(tmp_path / "secret.txt")
    (inbox / "in.xlsx").symlink_to(inbox / "a.xlsx")
    (inbox / "dangling.xlsx").symlink_to(tmp_path / "missing")
    assert not is_inside(inbox / "out.xlsx", inbox)
    assert not is_inside(inbox / "in.xlsx", inbox)
    assert not is_inside(inbox / "dangling.xlsx", inbox)


def test_a_subfolder_symlinked_outside_escapes(inbox, tmp_path):
    (inbox / "escape").symlink_to(tmp_path)
    assert not is_inside(inbox / "escape" / "secret.txt", inbox)
    assert not is_inside(inbox / ".." / "secret.txt", inbox)


def test_fifos_folders_and_missing_files_are_not_inside(inbox):
    os.mkfifo(inbox / "ong.csv")
    assert not is_inside(inbox / "ong.csv", inbox)
    assert not is_inside(inbox / "sub", inbox)
    assert not is_inside(inbox / "missing.xlsx", inbox)
    assert not is_inside(Path("/dev/null"), Path("/dev"))


# safe_file_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "_._etc_passwd"),
        ("Báo cáo\ntháng 3: Hà Đông.xlsx", "Báo cáo_tháng 3_ Hà Đông.xlsx"),
        ("C:\\Users\\xa\\TCMR*?.xls", "C__Users_xa_TCMR__.xls"),
        ('a"<b>|c.csv', "a__b__c.csv"),
        ("..", "tep"),
        ("", "tep"),
        (" .. .xlsx", "xlsx"),
        ("...bí mật", "bí mật"),
        ("bản..sao....xlsx", "bản.sao.xlsx"),
        ("báo cáo. ", "báo cáo"),
        ("hoá đơn\u202exslx.exe", "hoá đơn_xslx.exe"),  # a right-to-left override hiding the suffix
        ("tên\udcff.csv", "tên_.csv"),  # an undecodable byte, as os.listdir returns it
        ("báo cáo.tháng 3", "báo cáo.tháng 3"),  # not a suffix: kept as part of the stem
    ],
)
def test_safe_file_name(name, expected):
    assert safe_file_name(name) == expected


def test_safe_file_name_composes_vietnamese():
    decomposed = unicodedata.normalize("NFD", "Hà Đông Tháng Mười.xlsx")
    assert decomposed != "Hà Đông Tháng Mười.xlsx"
    assert safe_file_name(decomposed) == "Hà Đông Tháng Mười.xlsx"


def test_a_long_vietnamese_name_is_cut_in_bytes_and_keeps_its_suffix():
    name = "Báo cáo tiêm chủng mở rộng phường Hà Cầu " * 8 + ".xlsx"
    assert len(name) > 300
    safe = safe_file_name(name)
    assert safe.endswith(".xlsx")
    assert len(safe.encode("utf-8")) <= 120
    assert safe.startswith("Báo cáo tiêm chủng mở rộng")
    assert unicodedata.is_normalized("NFC", safe)
    assert safe == "Báo cáo tiêm chủng mở rộng phường Hà Cầu Báo cáo tiêm chủng mở rộng phường Hà Cầu Bá.xlsx"


def test_a_short_max_length():
    assert safe_file_name("Đông.xlsx", max_length=8) == "Đ.xlsx"
    assert safe_file_name("Đông.xlsx", max_length=7) == "Đông"
    assert len(safe_file_name("x" * 300 + ".csv", max_length=20)) == 20
