"""A report edition's figures as JSON and back, exactly: what an approval keeps, so that the frozen
workbook can be built again byte for byte from the ledger alone, and the hash of the figures approved.

Types a workbook tells apart survive the trip (dates, times, decimals, tuples as keys, the report's
dataclasses); numbers from pandas become plain Python numbers, which the workbook writes the same."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal

import numpy as np

from reports.data import ReportData, ReportPeriod, Ward

CLASSES = {cls.__name__: cls for cls in (ReportPeriod, Ward)}
NOT_FIGURES = {"data_as_of", "small_count_threshold", "signoff"}  # not what was approved
# an owed extract's files (which one is in force, when each came, those set aside) are not figures: a
# file rejected or a correction that changes no figure leaves an approval in force
FILE_COLUMNS = {
    "first_submitted_at",
    "files_received",
    "files_quarantined",
    "superseded",
    "corrected_at",
    "current_file_id",
    "quarantined_file_name",
    "quarantine_reason",
}


def _encode(value: object) -> object:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, dt.datetime):  # pandas' Timestamp is one
        return {"$dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$d": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tup": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"$map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if type(value).__name__ in CLASSES:
        return {
            "$" + type(value).__name__: {
                f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)
            }
        }
    raise TypeError(f"a report figure of type {type(value).__name__} has no JSON form")


def _decode(value: object) -> object:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    ((tag, inner),) = value.items()
    if tag == "$dec":
        return Decimal(inner)
    if tag == "$dt":
        return dt.datetime.fromisoformat(inner)
    if tag == "$d":
        return dt.date.fromisoformat(inner)
    if tag == "$tup":
        return tuple(_decode(v) for v in inner)
    if tag == "$map":
        return {_decode(k): _decode(v) for k, v in inner}
    return CLASSES[tag[1:]](**{k: _decode(v) for k, v in inner.items()})


def _fields(data: ReportData, skip: set[str]) -> dict:
    return {f.name: _encode(getattr(data, f.name)) for f in dataclasses.fields(data) if f.name not in skip}


def to_json(data: ReportData) -> str:
    """The edition's figures and the moment they were taken (not how it is signed off)."""
    return json.dumps(_fields(data, {"signoff"}), ensure_ascii=False, separators=(",", ":"))


def from_json(text: str) -> ReportData:
    return ReportData(**{name: _decode(value) for name, value in json.loads(text).items()})


def figures_hash(data: ReportData) -> str:
    """The hash of the figures an edition shows (not when the data were taken, how it is signed off, nor
    which files they came from): equal for two reads of the same figures, different when any changed."""
    figures = _fields(data, NOT_FIGURES)
    figures["submissions"] = _encode(
        [{k: v for k, v in row.items() if k not in FILE_COLUMNS} for row in data.submissions]
    )
    text = json.dumps(figures, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
