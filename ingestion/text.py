"""Text normalisation shared by header matching, lookups and value parsing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\s:;,.\-*()]+|[\s:;,*()]+$")


def nfc(value: str) -> str:
    """Composed Unicode with single spaces: how names are stored."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: object) -> str:
    """Lower case, no diacritics (đ → d), single spaces: for comparing what people typed."""
    return _fold(str(value))


@lru_cache(maxsize=1 << 16)  # ward, vaccine and header spellings repeat on every row
def _fold(value: str) -> str:
    text = unicodedata.normalize("NFD", value).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _EDGE_PUNCT.sub("", _SPACES.sub(" ", text.lower())).strip()
