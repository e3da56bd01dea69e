"""The benchmark's memory sampler adds up a process tree, and only that tree."""

import subprocess
import sys
import time
from pathlib import Path

from benchmarks.memory import TreeMemory, peak_resident_mb

# holds 120 MB (touched, so resident); with argument "1" it first starts a copy of itself holding as
# much, so the tree holds about 240 MB
HOLDER = """
import os, subprocess, sys, time
child = subprocess.Popen([sys.executable, __file__, "0"]) if sys.argv[1] == "1" else None
block = bytearray(120 << 20)
for i in range(0, len(block), 4096):
    block[i] = 1
os.write(1, b"ready\\n")  # one write: the parent's and the child's lines never interleave
time.sleep(2.0)
if child:
    child.wait()
"""


def test_the_tree_is_added_up_and_the_parent_is_not_counted(tmp_path: Path) -> None:
    ballast = bytearray(300 << 20)  # this process's own memory: outside the sampled tree
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    script = tmp_path / "holder.py"
    script.write_text(HOLDER)
    holder = subprocess.Popen([sys.executable, str(script), "1"], stdout=subprocess.PIPE, text=True)
    memory = TreeMemory(holder.pid, every=0.1).start()
    assert holder.stdout.readline().strip() == "ready"
    assert holder.stdout.readline().strip() == "ready"  # both hold their block now
    time.sleep(0.5)
    holder.wait()
    memory.stop()
    # two processes of 120 MB each (plus two interpreters of about 10 MB), never this one's 300 MB
    assert 240 <= memory.peak_total_mb < 330
    assert 120 <= memory.peak_process_mb < 165
    assert memory.peak_process.startswith("python")
    assert peak_resident_mb() >= 300  # VmHWM: this process's own peak
