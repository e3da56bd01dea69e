"""How wide text prints in Times New Roman (and its metric twin Liberation Serif, which LibreOffice
uses where Times New Roman is not installed): for row heights that hold wrapped text, and columns
wide enough for a word on one line, worked out before Excel or LibreOffice lays the sheet out."""

from __future__ import annotations

import unicodedata
from functools import cache, lru_cache

# advance widths, in thousandths of the font size, of the characters from " " (32) to "~" (126)
# fmt: off
REGULAR = (
    250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, 921, 722, 667, 667, 722, 611,
    556, 722, 722, 333, 389, 722, 611, 889, 722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722,
    722, 611, 333, 278, 333, 469, 500, 333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500,
    278, 778, 500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
)
BOLD = (
    250, 333, 555, 500, 500, 1000, 833, 278, 333, 333, 500, 570, 250, 333, 250, 278, 500, 500, 500,
    500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500, 930, 722, 667, 722, 722, 667,
    611, 778, 778, 389, 500, 778, 667, 944, 722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722,
    722, 667, 333, 278, 333, 581, 500, 333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556,
    278, 833, 556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
)
# fmt: on
OTHER = {"Đ": 722, "–": 500, "−": 570, "≥": 549, "≤": 549, "→": 1000, "…": 1000}
UNKNOWN = 600  # any other character


@cache
def _advance(ch: str, bold: bool) -> int:
    if ch in OTHER:
        return OTHER[ch]
    base = ord(unicodedata.normalize("NFD", ch)[0].replace("đ", "d"))  # a letter without its marks
    return (BOLD if bold else REGULAR)[base - 32] if 32 <= base < 127 else UNKNOWN


@lru_cache(maxsize=1 << 16)  # a district's reports measure 300,000 words and lines, most of them again
def text_pixels(text: str, size: float = 10, bold: bool = False) -> float:
    """The width of ``text`` on one line, in pixels of 1/96 inch, at ``size`` points."""
    return sum(_advance(ch, bold) for ch in text) * size * 96 / 72 / 1000
