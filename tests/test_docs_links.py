"""The project cites only its own files: every `docs/….md` named anywhere exists, and nothing points at
a file outside the repository (a clone has nothing beside it)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = re.compile(r"docs/([\w-]+\.md)")
OUTSIDE = re.compile(r"\.\./shared|(?<![\w/])(domain|architecture)\.md")


def _tracked_text_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    files = []
    for name in names:
        path = ROOT / name
        if (
            path.suffix in {".py", ".md", ".yml", ".yaml", ".sql", ".csv", ".toml", ".txt", ""}
            and path.is_file()
        ):
            files.append(path)
    return files


def test_every_doc_named_exists_and_nothing_points_outside():
    missing, outside = [], []
    for path in _tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        relative = path.relative_to(ROOT)
        missing += [
            f"{relative}: docs/{name}" for name in DOC.findall(text) if not (ROOT / "docs" / name).exists()
        ]
        outside += [f"{relative}: {m.group(0)}" for m in OUTSIDE.finditer(text)]
    assert missing == []
    assert outside == []
