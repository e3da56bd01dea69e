"""What a workbook was built from, so that a run rewrites only the workbooks whose figures changed.

Each period's folder keeps ``.inputs.json``: for every workbook written, a digest of the figures it
shows (its ``ReportData``, the moment the data was taken aside) and of the code and configuration that
lay them out. A workbook whose digest is unchanged, and that is still there, is left as it is: its
"data as of" line still tells when the figures it prints were last different."""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from base.atomic import write_atomically
from reports.data import ReportData

RECORD = ".inputs.json"
LOCK = ".lock"
NOT_FIGURES = {"data_as_of"}  # changes with every file loaded, whatever the period it belongs to


@cache
def code_fingerprint() -> str:
    """The reports package's code and report.yaml: a change to either rebuilds every workbook."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.iterdir()):
        if path.suffix in (".py", ".yaml"):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def inputs_digest(data: ReportData) -> str:
    figures = [(f.name, getattr(data, f.name)) for f in dataclasses.fields(data) if f.name not in NOT_FIGURES]
    return hashlib.sha256(f"{code_fingerprint()}|{figures!r}".encode()).hexdigest()


@contextmanager
def period_lock(folder: Path) -> Iterator[None]:
    """One writer at a time in a period's folder (the report asset, and a dashboard's approval writing
    the frozen and the current editions), so that a workbook and its record are written by the same one."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class InputsRecord:
    """The digests of the workbooks of one period folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / RECORD
        try:
            self.digests: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            self.digests = {}

    def unchanged(self, workbook: Path, digest: str) -> bool:
        return self.digests.get(workbook.name) == digest and workbook.is_file()

    def remember(self, workbook: Path, digest: str) -> None:
        """Record a workbook just written (replacing the record whole: a killed run leaves the old one,
        which at worst makes the next run write that workbook again)."""
        self.digests[workbook.name] = digest
        text = json.dumps(self.digests, indent=0, sort_keys=True).encode()
        write_atomically(self.path, lambda f: f.write(text))
