"""Text normalisation shared by header matching, lookups and value parsing."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\s:;,.\-*()]+|[\s:;,*()]+$")


def nfc(value: str) -> str:
    """Composed Unicode with single spaces: how names are stored."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: object) -> str:
    """Lower case, no diacritics (đ → d), single spaces: for comparing what people typed."""
    text = unicodedata.normalize("NFD", str(value)).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _EDGE_PUNCT.sub("", _SPACES.sub(" ", text.lower())).strip()
