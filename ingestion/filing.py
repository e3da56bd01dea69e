"""Where a taken file ends: moved into the archive or quarantine with its receipt and its registry
record beside it, each written whole (a crash leaves a complete copy somewhere, never half a file)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from ingestion.receipt import RECEIPT_SUFFIX

RECORD_SUFFIX = ".registry.json"  # the registry row beside each stored file: `treem rebuild` reads it


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def place(path: Path, target: Path, digest: str) -> None:
    """Move ``path`` (the private copy) to ``target`` so that a crash at any point leaves a complete copy
    somewhere."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and content_hash(target) == digest:
        path.unlink()  # stored already (a rerun after a crash, or the same content dropped again)
        return
    try:
        os.replace(path, target)  # atomic on one filesystem
    except OSError:  # the archive on another filesystem (a network share): copy, swap in, delete
        partial = target.with_name(target.name + ".tmp")
        shutil.copy2(path, partial)
        os.replace(partial, target)
        path.unlink()


def record_path(stored: Path) -> Path:
    return stored.with_name(stored.name + RECORD_SUFFIX)


def _write_beside(target: Path, suffix: str, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + suffix + ".tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, target.with_name(target.name + suffix))


def write_receipt(target: Path, text: str) -> None:
    _write_beside(target, RECEIPT_SUFFIX, text)


def write_record(target: Path, record: dict) -> None:
    """The registry row as the office's file leaves it, for a rebuild from the archive alone."""
    kept = {k: v for k, v in record.items() if k not in ("receipt", "supersedes", "superseded_by")}
    # ASCII escapes: a folder name that is not UTF-8 (an old Windows tool) still writes, and reads back
    _write_beside(target, RECORD_SUFFIX, json.dumps(kept, ensure_ascii=True, default=str, indent=1))
