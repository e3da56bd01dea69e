"""Writing a file whole or not at all: through a new temporary file of our own beside it, then a rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomically(out: Path, write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write`` on a new file beside ``out``, then put it in ``out``'s place: a reader never sees
    half of it, a crash leaves the old one, and a link planted under a fixed temporary name redirects
    nothing (the name is new)."""
    fd, partial = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(partial, out)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return out
