"""Messy injection: row faults (bad IDs, future birth dates, unknown wards, doses before birth,
duplicates) and file faults (a required column missing, an unreadable file)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from .sources import SourceSpec
from .workbook import Extract

UNKNOWN_WARDS = ("Phường Xuân Thủy", "Xuân Thủy", "P. Xuân Thủy")
ROW_KINDS = ("invalid_id", "future_birth_date", "unknown_ward", "dose_before_birth", "duplicate")
FILE_KINDS = ("missing_column", "unreadable")


def _invalid_id(pid: str, rng: random.Random) -> str:
    variant = rng.randrange(3)
    if variant == 0:  # a digit lost while typing
        cut = rng.randrange(len(pid))
        return pid[:cut] + pid[cut + 1 :]
    if variant == 1:  # sex/century digit contradicts the sex column
        return pid[:3] + {"2": "3", "3": "2"}.get(pid[3], "2") + pid[4:]
    shift = rng.randint(1, 3)  # year digits contradict the birth date
    return pid[:4] + f"{(int(pid[4:6]) + shift) % 100:02d}" + pid[6:]


def _spoil(row: dict[str, Any], kind: str, spec: SourceSpec, year: int, rng: random.Random) -> dict[str, Any]:
    bad = dict(row)
    if kind == "invalid_id":
        bad[spec.id_key] = _invalid_id(row[spec.id_key], rng)
    elif kind == "future_birth_date":
        bad[spec.birth_key] = date(year + 1, rng.randint(1, 12), rng.randint(1, 28))
    elif kind == "unknown_ward":
        bad[spec.ward_key] = rng.choice(UNKNOWN_WARDS)
    elif kind == "dose_before_birth":
        born, given = row[spec.birth_key], row[spec.event_key]
        later = given + timedelta(days=rng.randint(1, 20))
        if later.year == born.year:
            bad[spec.birth_key] = later
        else:
            bad[spec.event_key] = born - timedelta(days=rng.randint(1, 20))
    return bad


def inject_rows(ex: Extract, spec: SourceSpec, rate: float, year: int, rng: random.Random) -> None:
    """Spoil about ``rate`` of the rows in place; fill ``ex.bad`` (None = good row)."""
    kinds = spec.messy_kinds()
    rows: list[dict[str, Any]] = []
    bad: list[str | None] = []
    for row in ex.rows:
        if rate <= 0 or rng.random() >= rate:
            rows.append(row)
            bad.append(None)
            continue
        usable = [k for k in kinds if k != "invalid_id" or row.get(spec.id_key)]
        kind = rng.choice(usable)
        if kind == "duplicate":
            rows.extend([row, dict(row)])
            bad.extend([None, "duplicate"])
        else:
            rows.append(_spoil(row, kind, spec, year, rng))
            bad.append(kind)
    ex.rows, ex.bad = rows, bad


def file_faults(count: int, rate: float, rng: random.Random) -> list[str | None]:
    """A fault per file (None = clean): about ``rate`` of the files; with rate > 0 and 3+ files, at least
    one of each kind."""
    faults: list[str | None] = [None] * count
    if rate <= 0:
        return faults
    for i in range(count):
        if rng.random() < rate:
            faults[i] = rng.choice(FILE_KINDS)
    if count >= 3:
        for kind in FILE_KINDS:
            if kind not in faults:
                clean = [i for i, f in enumerate(faults) if f is None]
                faults[rng.choice(clean)] = kind
    return faults
