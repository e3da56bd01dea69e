"""Vietnamese personal names (with diacritics) and text helpers for the demo extracts."""

from __future__ import annotations

import unicodedata

# (surname, weight): rough national frequencies
SURNAMES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9.5),
    ("Phạm", 7),
    ("Hoàng", 4),
    ("Phan", 4.5),
    ("Vũ", 3.9),
    ("Đặng", 2.1),
    ("Bùi", 2),
    ("Đỗ", 1.4),
    ("Hồ", 1.3),
    ("Ngô", 1.3),
    ("Dương", 1),
    ("Lý", 0.5),
    ("Đinh", 0.9),
    ("Trịnh", 0.8),
    ("Đào", 0.8),
    ("Mai", 0.6),
    ("Tạ", 0.4),
    ("Lương", 0.5),
    ("Chu", 0.3),
    ("Kiều", 0.3),
    ("Khuất", 0.2),
    ("Nghiêm", 0.2),
    ("Cao", 0.5),
    ("Tô", 0.3),
)
MIDDLE_MALE: tuple[str, ...] = (
    "Văn",
    "Đức",
    "Minh",
    "Quang",
    "Hữu",
    "Gia",
    "Bảo",
    "Anh",
    "Thành",
    "Hoàng",
    "Tuấn",
    "Nhật",
    "Trung",
    "Đăng",
    "Xuân",
    "Công",
    "Mạnh",
    "Duy",
    "Khánh",
    "Tiến",
)
MIDDLE_FEMALE: tuple[str, ...] = (
    "Thị",
    "Ngọc",
    "Thu",
    "Thanh",
    "Minh",
    "Khánh",
    "Bảo",
    "Phương",
    "Mai",
    "Hà",
    "Diệu",
    "Hồng",
    "Thùy",
    "Quỳnh",
    "Kim",
    "Hải",
    "Tuệ",
    "Gia",
    "Lan",
    "Tường",
)
GIVEN_MALE: tuple[str, ...] = (
    "An",
    "Bảo",
    "Bình",
    "Cường",
    "Dũng",
    "Duy",
    "Đạt",
    "Đức",
    "Hải",
    "Hiếu",
    "Hoàng",
    "Huy",
    "Hùng",
    "Khang",
    "Khánh",
    "Khôi",
    "Kiên",
    "Lâm",
    "Long",
    "Minh",
    "Nam",
    "Nghĩa",
    "Nhân",
    "Phong",
    "Phúc",
    "Quân",
    "Quang",
    "Sơn",
    "Tài",
    "Thắng",
    "Thành",
    "Tiến",
    "Trí",
    "Trung",
    "Tuấn",
    "Tùng",
    "Việt",
    "Vinh",
    "Vũ",
    "Đông",
    "Hưng",
    "Lộc",
    "Toàn",
    "Thịnh",
    "Nguyên",
)
GIVEN_FEMALE: tuple[str, ...] = (
    "Anh",
    "Chi",
    "Diệp",
    "Dung",
    "Giang",
    "Hà",
    "Hân",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hương",
    "Huyền",
    "Lan",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nhi",
    "Nhung",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Thảo",
    "Thư",
    "Trang",
    "Trâm",
    "Uyên",
    "Vân",
    "Vy",
    "Yến",
    "Hạnh",
    "Thủy",
    "Châu",
    "Tâm",
    "Ánh",
    "Khuê",
    "Ly",
)
MIDDLE = (MIDDLE_MALE, MIDDLE_FEMALE)
GIVEN = (GIVEN_MALE, GIVEN_FEMALE)

# Vietnamese tone marks: in Windows-1258 they are written as combining characters
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def full_name(surname: int, middle: int, given: int, female: int, nfd: bool = False) -> str:
    name = f"{SURNAMES[surname][0]} {MIDDLE[female][middle]} {GIVEN[female][given]}"
    return unicodedata.normalize("NFD", name) if nfd else name


def strip_diacritics(text: str) -> str:
    """'Mộ Lao' -> 'Mo Lao' (đ -> d)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def ascii_compact(text: str) -> str:
    """'Mộ Lao' -> 'MoLao' (for file names)."""
    return strip_diacritics(text).replace(" ", "")


def upper_vi(text: str) -> str:
    return text.upper()


def _cp1258_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x80, 0x2000):
        ch = chr(code)
        if unicodedata.normalize("NFC", ch) != ch:
            continue
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(p for p in parts if p in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in _TONE_MARKS))
        if base + tones != ch:
            table[code] = base + tones
    return table


_CP1258 = _cp1258_table()


def to_cp1258_form(text: str) -> str:
    """Rewrite text so that it encodes in Windows-1258: precomposed base letters (â, ơ, ư ...) and
    combining tone marks, as Vietnamese Windows software writes it."""
    return unicodedata.normalize("NFC", text).translate(_CP1258)
