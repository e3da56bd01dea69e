"""Reading claimed files against their contract, in this process or a pool of worker processes; a
file that cannot be read becomes a ReadFailure labelled with the period and ward it is for."""

from __future__ import annotations

import logging
import os
import traceback
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from ingestion.claim import Claimed
from ingestion.contract import Contract
from ingestion.parse_file import FileRejected, ParsedFile, Period, identify, parse_file
from ingestion.reader import UnreadableFile
from ingestion.safety import UnsafeFile, check_file, limits_from_env

log = logging.getLogger(__name__)


def unexpected_failure(error: BaseException, doing: str) -> ReadFailure:
    """A fault of treem itself on one file: the file is set aside for an engineer, the others go on."""
    log.error("unexpected error while %s", doing, exc_info=error)
    return ReadFailure(
        f"Lỗi không mong đợi khi {doing} ({type(error).__name__}); tệp được để riêng cho kỹ sư dữ liệu xem "
        "nhật ký, không cần gửi lại",
        detail="".join(traceback.format_exception(error)),
    )


@dataclass(frozen=True)
class ReadFailure:
    """Why a file cannot be read or fails its contract: it goes to quarantine with this reason, and with
    the period and ward it is for when its name (or its title block, if read) tells them. Made in worker
    processes: plain picklable values only."""

    reason: str
    period: Period | None = None
    ward_code: str | None = None
    detail: str | None = None  # the technical detail of a fault of treem's own, for the receipt
    hint: str = ""  # what the receipt suggests: the closest headers, the unknown values


def labelled_failure(
    reason: str, contract: Contract, name: str, title: tuple[str, ...] = (), hint: str = ""
) -> ReadFailure:
    """The failure, labelled with what the file says it is for; a fault in finding that only loses the
    label, never the file."""
    try:
        period, ward_code = identify(contract, name, title)
    except Exception:
        log.exception("cannot tell the period and ward of %r", name)
        return ReadFailure(reason, hint=hint)
    return ReadFailure(reason, period, ward_code, hint=hint)


def read_file(path: Path, contract: Contract, name: str) -> ParsedFile | ReadFailure:
    """Read and check one claimed file against ``contract`` (with the home's confirmed mappings): a
    function of the file alone, so it can run in a worker process. A file that fails is labelled from its
    name (and its title, if it was read): it is not read again."""
    try:
        check_file(path, limits_from_env())
        return parse_file(path, contract, name)
    except FileRejected as error:
        return labelled_failure(str(error), contract, name, error.title, error.hint)
    except (UnsafeFile, UnreadableFile) as error:
        return labelled_failure(str(error), contract, name)
    except Exception as error:  # a file must never block the inbox: set it aside for an engineer
        unexpected = unexpected_failure(error, "đọc tệp")
        labelled = labelled_failure(unexpected.reason, contract, name)
        return ReadFailure(labelled.reason, labelled.period, labelled.ward_code, unexpected.detail)


@dataclass
class Reading:
    """A file taken from the inbox, copied, hashed, and being read (here or in a worker process)."""

    claimed: Claimed
    record: dict
    reading: Future


class Readers:
    """Reads claimed files ahead, in a pool of worker processes when the waiting files are big enough
    to pay for starting them (``TREEM_INGEST_WORKERS``, default one per core; ``TREEM_INGEST_PARALLEL_MB``,
    default 8), else one by one in this process. Only reading runs in the workers: staging and writing
    stay in this process, the warehouse's one writer. If a worker dies (out of memory, a crash in a
    reader library), the file is read again here and the rest are read here too."""

    AHEAD_BYTES = 256e6  # read ahead at most this much file content (parsed rows wait in memory)

    def __init__(self, files: list[Path]) -> None:
        workers = int(os.environ.get("TREEM_INGEST_WORKERS", os.cpu_count() or 1))
        threshold = float(os.environ.get("TREEM_INGEST_PARALLEL_MB", 8)) * 1e6
        parallel = workers > 1 and len(files) > 1 and sum(map(_size, files)) >= threshold
        self.workers = workers if parallel else 1
        self.pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn")) if parallel else None

    def submit(self, path: Path, contract: Contract, name: str) -> Future:
        if self.pool is not None:
            try:
                return self.pool.submit(read_file, path, contract, name)
            except BrokenProcessPool:
                self.close()
        future: Future = Future()
        future.set_result(read_file(path, contract, name))
        return future

    def result(self, reading: Reading, contract: Contract) -> ParsedFile | ReadFailure:
        claimed = reading.claimed
        try:
            return reading.reading.result()
        except Exception as error:  # the worker died or the result could not come back
            log.warning("reading %s in a worker failed (%r); reading it here", claimed.path, error)
            if isinstance(error, BrokenProcessPool):
                self.close()
            return read_file(claimed.copy, contract, claimed.name)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # taken by another run meanwhile
        return 0
