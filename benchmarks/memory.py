"""The memory a process and all its descendants hold, sampled from /proc while they run.

``ru_maxrss`` cannot measure a run: Linux carries a parent's peak over into a child it forks and
execs, so a spawned reader or dbt reports at least the size of whoever started it (a benchmark that
generated a city's extracts in the same process reported 4.4 GB for a run that never held it), and it
never adds up processes that run side by side. The sampler adds up the proportional set size (PSS:
a page shared by n processes counts 1/n in each) of the whole tree at each tick.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


def peak_resident_mb() -> float:
    """This process's own peak resident memory (VmHWM, which, unlike ru_maxrss, starts afresh at exec)."""
    for line in (PROC / "self" / "status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])  # the name in parentheses may hold spaces
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _descendants(root: int) -> list[int]:
    tree, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, ()))
    return found


def _pss_mb(pid: int) -> tuple[str, float]:
    try:
        name = (PROC / str(pid) / "comm").read_text().strip()
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return name, int(line.split()[1]) / 1024
    except OSError:
        pass
    return "", 0.0


@dataclass
class TreeMemory:
    """Samples the tree under ``root`` every ``every`` seconds, from start() to stop()."""

    root: int
    every: float = 0.2
    peak_total_mb: float = 0.0  # the most the whole tree held at one tick
    peak_process_mb: float = 0.0  # the most any one process held
    peak_process: str = ""
    run_process_hwm_mb: float = 0.0  # the root's own peak resident memory, when it reports it
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def sample(self) -> None:
        sizes = [_pss_mb(pid) for pid in _descendants(self.root)]
        self.peak_total_mb = max(self.peak_total_mb, sum(mb for _, mb in sizes))
        for name, mb in sizes:
            if mb > self.peak_process_mb:
                self.peak_process_mb, self.peak_process = mb, name

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.sample()

    def start(self) -> TreeMemory:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
