"""Checks that a dropped file is safe to hand to a parser, and safe names for files we store."""

from __future__ import annotations

import itertools
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from base import vi
from ingestion.formats import SPREADSHEET_SUFFIXES

MB = 1024 * 1024
RATIO_FLOOR = MB  # members smaller than this uncompressed may have any ratio (a blank sheet compresses well)
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
FILEPASS, EOF = 0x002F, 0x000A  # BIFF record types
WORKBOOK_STREAMS = {"workbook", "book"}  # BIFF8 and BIFF5 names of the stream that holds the cells

PASSWORD_EXCEL = (
    "Tệp được đặt mật khẩu nên hệ thống không mở được; hãy bỏ mật khẩu (File > Info > Protect Workbook > "
    "Encrypt with Password: xoá trắng ô mật khẩu, bấm OK và lưu tệp) rồi gửi lại"
)
PASSWORD_ODS = (
    "Tệp được đặt mật khẩu nên hệ thống không mở được; hãy bỏ mật khẩu (trong LibreOffice: File > "
    "Save As, bỏ chọn 'Save with password' và lưu tệp) rồi gửi lại"
)
NOT_REGULAR = (
    "Đây không phải tệp dữ liệu thông thường (thư mục, thiết bị hoặc ống dẫn); hãy gửi lại tệp Excel hoặc CSV"
)


class UnsafeFile(Exception):
    """The file must not be opened; the message is the Vietnamese reason shown to the clerk."""


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 200 * MB
    max_unpacked_bytes: int = 1024 * MB  # total uncompressed for zip-based formats
    max_zip_ratio: int = 200  # uncompressed/compressed of any one member (zip bomb)
    max_zip_members: int = 10_000
    max_sheet_cells: int = 20_000_000  # a sheet's used range, rows × columns (a table of 2M rows × 10)


DEFAULT_LIMITS = Limits()


def limits_from_env() -> Limits:
    """The default limits, with TREEM_MAX_FILE_MB and TREEM_MAX_UNPACKED_MB (whole megabytes) if set."""
    return Limits(
        max_file_bytes=_env_megabytes("TREEM_MAX_FILE_MB", DEFAULT_LIMITS.max_file_bytes),
        max_unpacked_bytes=_env_megabytes("TREEM_MAX_UNPACKED_MB", DEFAULT_LIMITS.max_unpacked_bytes),
    )


def _env_megabytes(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or int(value) == 0:
        raise ValueError(f"{name} must be a whole number of megabytes above 0, not {value!r}")
    return int(value) * MB


def _size(size: int) -> str:
    value, unit = (size / MB, "MB") if size >= MB else (size / 1024, "KB")
    return f"{value:.1f}".removesuffix(".0").replace(".", ",") + " " + unit  # Vietnamese decimal comma


def check_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
    """Raise UnsafeFile before any parser touches the file.

    Raises OSError when the file cannot be opened at all (gone, no permission)."""
    # Non-blocking, so that a FIFO does not hang the loader; every check then reads this same open file,
    # whatever is put at ``path`` meanwhile.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise UnsafeFile(NOT_REGULAR)
    with open(fd, "rb") as handle:
        if info.st_size > limits.max_file_bytes:
            raise UnsafeFile(
                f"Tệp quá lớn ({_size(info.st_size)}, giới hạn {_size(limits.max_file_bytes)}); hãy tách dữ "
                "liệu thành nhiều tệp nhỏ hơn (ví dụ mỗi tệp một tháng hoặc một phường) rồi gửi lại"
            )
        suffix = path.suffix.lower()
        if suffix not in SPREADSHEET_SUFFIXES:
            return  # text files are read as bytes, never unpacked
        # By content, not by name: a renamed file is checked for what it is.
        if handle.read(len(OLE2_MAGIC)) == OLE2_MAGIC:
            _check_ole2(handle)
        elif zipfile.is_zipfile(handle):
            _check_zip(handle, limits, suffix)


def _check_zip(handle: BinaryIO, limits: Limits, suffix: str) -> None:
    """Judge the archive by its central directory alone, without inflating anything.

    The sizes are those the archive declares, and a hostile one can lie about them. We rely on them all
    the same: measuring the real sizes would mean inflating every member, the very thing to avoid here.
    Readers stop at the declared size: calamine (0.9) raises XmlError "File is larger than its declared
    uncompressed size" and zipfile a bad CRC, so a lie makes the file unreadable, not a bomb."""
    try:
        # This reads the whole central directory before we can count the members: the file size limit
        # bounds it (200 MB of empty members is about 2.3 million, some 20 s and 1.5 GB of memory).
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # a damaged archive: the reader reports it
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_zip_members:
            raise _zip_bomb(f"{len(members)} thành phần, giới hạn {limits.max_zip_members}")
        total = sum(member.file_size for member in members)
        if total > limits.max_unpacked_bytes:
            raise _zip_bomb(f"giải nén ra {_size(total)}, giới hạn {_size(limits.max_unpacked_bytes)}")
        for member in members:
            ratio = member.file_size // max(member.compress_size, 1)
            if member.file_size > RATIO_FLOOR and ratio > limits.max_zip_ratio:
                raise _zip_bomb(f"tỉ lệ nén {ratio}:1, giới hạn {limits.max_zip_ratio}:1")
        if suffix == ".ods" and _ods_encrypted(archive):
            raise UnsafeFile(PASSWORD_ODS)
        for member in members:
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                check_sheet_size(_declared_cells(archive, member), limits)


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _declared_cells(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """The used range an xlsx sheet declares at its top (Excel, LibreOffice and openpyxl write it).
    A sheet without it is judged by the reader once loaded (reader.read_sheets)."""
    try:
        with archive.open(member) as stream:
            found = _DIMENSION.search(stream.read(4096))
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):  # damaged: the reader reports it
        return 0
    if not found or not found.group(3):
        return 0
    rows = int(found.group(4)) - int(found.group(2)) + 1
    columns = _column_number(found.group(3)) - _column_number(found.group(1)) + 1
    return rows * columns


def check_sheet_size(cells: int, limits: Limits = DEFAULT_LIMITS) -> None:
    """A sheet whose used range is far larger than any extract (a stray cell at row 1,048,576, or a
    crafted file) would take gigabytes to read."""
    if cells > limits.max_sheet_cells:
        raise UnsafeFile(
            f"Trang tính có vùng dữ liệu quá lớn ({vi.count(cells)} ô, giới hạn "
            f"{vi.count(limits.max_sheet_cells)} ô); có thể có ô bị gõ nhầm ở rất xa bảng: "
            "hãy xoá các dòng, cột thừa, lưu lại rồi gửi lại"
        )


def _zip_bomb(detail: str) -> UnsafeFile:
    return UnsafeFile(
        f"Tệp nén bất thường ({detail}): có thể là tệp độc hại (zip bomb) nên hệ thống không mở; hãy "
        "kiểm tra lại tệp gốc, mở và lưu lại bằng Excel rồi gửi lại, hoặc báo cho kỹ thuật viên"
    )


def _ods_encrypted(archive: zipfile.ZipFile) -> bool:
    """An OpenDocument file saved with a password lists encryption data for its members in the manifest."""
    try:
        manifest = archive.getinfo("META-INF/manifest.xml")
        # zipfile never inflates past the declared size, which is checked first
        return manifest.file_size <= MB and b"encryption-data" in archive.read(manifest)
    except Exception:  # missing or unreadable: not ours to judge, the reader reports a damaged file
        return False


def _check_ole2(handle: BinaryIO) -> None:
    try:
        container = _Cfb(handle)
        streams = {name.lower(): place for name, place in container.streams.items()}
        if "encryptedpackage" in streams:  # an .xlsx/.xlsm saved with a password (MS-OFFCRYPTO)
            raise UnsafeFile(PASSWORD_EXCEL)
        for name in WORKBOOK_STREAMS & streams.keys():
            if _has_filepass(container.read(*streams[name], limit=64 * 1024)):
                raise UnsafeFile(PASSWORD_EXCEL)
    except (ValueError, struct.error):
        return  # a damaged container: the reader reports it


def _has_filepass(stream: bytes) -> bool:
    """True if the globals substream of a BIFF workbook stream has a FILEPASS record (the .xls is encrypted).

    FILEPASS comes within the first few records (after BOF and an optional WRITEPROT), and record headers
    stay readable even in an encrypted stream."""
    position = 0
    while position + 4 <= len(stream):
        record, length = struct.unpack_from("<HH", stream, position)
        if record == FILEPASS:
            return True
        if record == EOF:
            return False
        position += 4 + length
    return False


class _Cfb:
    """Just enough of a Compound File Binary (OLE2, MS-CFB) reader to list the top-level streams and read
    the start of one. Raises ValueError or struct.error for a damaged container.

    Every loop is bounded by the number of sectors in the file, so hostile tables that point in circles
    or claim huge counts cost no more than a sane file of the same size."""

    LAST_SECTOR = 0xFFFFFFF9  # higher numbers mark free sectors and chain ends
    ENTRY = 128  # bytes in a directory entry
    STREAM, ROOT = 2, 5  # directory entry types

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        header = self._read_at(0, 512)
        shift, mini_shift = struct.unpack_from("<2H", header, 30)
        fat_count, first_directory, _, self.cutoff, first_minifat, _, first_difat, difat_count = (
            struct.unpack_from("<8I", header, 44)
        )
        if header[:8] != OLE2_MAGIC or shift not in (9, 12) or mini_shift >= shift:
            raise ValueError("not a compound file")
        self.sector_size, self.mini_size = 1 << shift, 1 << mini_shift
        per_sector = self.sector_size // 4
        sectors_in_file = handle.seek(0, os.SEEK_END) // self.sector_size
        fat_count = min(fat_count, sectors_in_file // per_sector + 1)  # a larger FAT would map nothing

        fat_sectors = list(struct.unpack_from("<109I", header, 76))
        sector = first_difat  # the FAT sectors past the first 109 are listed in a chain of DIFAT sectors
        for _ in range(min(difat_count, sectors_in_file)):
            if len(fat_sectors) >= fat_count or sector > self.LAST_SECTOR:
                break
            *listed, sector = self._table(sector)
            fat_sectors += listed
        self.fat = [entry for s in fat_sectors[:fat_count] for entry in self._table(s)]
        self.minifat = [entry for s in self._chain(first_minifat, self.fat) for entry in self._table(s)]
        self.streams = self._top_level_streams(first_directory)

    def _read_at(self, offset: int, size: int) -> bytes:
        self.handle.seek(offset)
        data = self.handle.read(size)
        if len(data) != size:
            raise ValueError("truncated compound file")
        return data

    def _sector(self, sector: int) -> bytes:
        return self._read_at((sector + 1) * self.sector_size, self.sector_size)

    def _table(self, sector: int) -> tuple[int, ...]:
        return struct.unpack(f"<{self.sector_size // 4}I", self._sector(sector))

    @staticmethod
    def _chain(start: int, table: list[int]) -> Iterator[int]:
        sector = start
        for _ in range(len(table)):
            if sector >= len(table):
                return
            yield sector
            sector = table[sector]

    def _top_level_streams(self, first_directory: int) -> dict[str, tuple[int, int]]:
        """Name -> (first sector, size) of the streams directly under the root (not inside embedded
        objects), and the root entry itself under '': its stream is the mini stream."""
        sectors = itertools.islice(self._chain(first_directory, self.fat), MB // self.sector_size)
        directory = b"".join(self._sector(s) for s in sectors)
        entries = []
        for offset in range(0, len(directory) - self.ENTRY + 1, self.ENTRY):
            name_length, kind, left, right, child = struct.unpack_from("<HBxIII", directory, offset + 64)
            start, size = struct.unpack_from("<IQ", directory, offset + 116)
            name = directory[offset : offset + min(name_length, 64)].decode("utf-16-le", "replace")
            size &= 0xFFFFFFFF  # version 3 files may leave garbage in the high half; no stream here is 4 GB
            entries.append((name.rstrip("\x00"), kind, left, right, child, start, size))
        if not entries or entries[0][1] != self.ROOT:
            raise ValueError("no root entry")
        streams = {"": (entries[0][5], entries[0][6])}
        # The root's children form a tree through their left and right siblings.
        pending, seen = [entries[0][4]], set()
        while pending:
            index = pending.pop()
            if index >= len(entries) or index in seen:
                continue
            seen.add(index)
            name, kind, left, right, _, start, size = entries[index]
            pending += [left, right]
            if kind == self.STREAM:
                streams[name] = (start, size)
        return streams

    def read(self, start: int, size: int, limit: int) -> bytes:
        """The first ``limit`` bytes (at most) of the stream that starts at sector ``start``."""
        wanted = min(size, limit)
        data = bytearray()
        if size >= self.cutoff:
            for sector in self._chain(start, self.fat):
                if len(data) >= wanted:
                    break
                data += self._sector(sector)
            return bytes(data[:wanted])
        # Small streams live in the mini stream: short sectors inside the root entry's stream.
        mini_stream = list(self._chain(self.streams[""][0], self.fat))
        for mini in self._chain(start, self.minifat):
            if len(data) >= wanted:
                break
            index, within = divmod(mini * self.mini_size, self.sector_size)
            if index >= len(mini_stream):
                raise ValueError("short sector outside the mini stream")
            data += self._read_at((mini_stream[index] + 1) * self.sector_size + within, self.mini_size)
        return bytes(data[:wanted])


def is_inside(path: Path, folder: Path) -> bool:
    """True if ``path`` is a regular file (not a symlink, FIFO or device) whose real place is inside
    ``folder``; the folder itself may be reached through symlinks."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return False
    if not stat.S_ISREG(mode):
        return False  # symlinks too, even those pointing inside: we never follow them
    root = folder.resolve()
    parent = path.parent.resolve()
    return parent == root or root in parent.parents


_FORBIDDEN = set('/\\:*?"<>|')


def _forbidden(char: str) -> bool:
    category = unicodedata.category(char)
    # C*: control, format (bidi overrides), surrogates (undecodable bytes), private and unassigned
    return char in _FORBIDDEN or category.startswith("C") or category in ("Zl", "Zp")


def display_name(name: str) -> str:
    """A file name as text: bytes that are not UTF-8 (a name made by an old Windows tool) shown as �."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def safe_file_name(name: str, max_length: int = 120) -> str:
    """A file name built from an untrusted one, never a path: readable Vietnamese, at most ``max_length``
    characters and UTF-8 bytes, the suffix kept when it is short and alphanumeric, never empty."""
    name = "".join("_" if _forbidden(char) else char for char in unicodedata.normalize("NFC", name))
    name = re.sub(r"\.{2,}", ".", name).lstrip(". ")
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and len(suffix) <= 10 and suffix.isascii() and suffix.isalnum():
        suffix = "." + suffix
    else:
        stem, suffix = name, ""
    budget = max_length - len(suffix)  # the suffix is ASCII: as many bytes as characters
    if budget < len("tep"):
        suffix, budget = "", max_length
    # Cut by UTF-8 bytes (never fewer than characters); "ignore" drops a character cut in half.
    stem = stem.encode()[:budget].decode("utf-8", "ignore").rstrip(". ")
    return (stem or "tep") + suffix
