"""The Python packages import one way, from the CLI at the top to `base` at the ground (the picture is
in docs/architecture.md): every import of a project package, at module level or inside a function,
goes to a lower level or stays in its own package."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEVELS = {
    "base": 0,  # home folder, file modes, clock, Vietnamese formats, the district, the user's error
    "signoff": 0.5,  # the sign-off ledger: approvals of report periods and their snapshots
    "policy": 1,  # judgements of a figure against its target
    "access": 1,  # accounts, roles, audit log, disclosure, safe exports
    "ingestion": 1,  # inbox → raw
    "demo": 1,  # the demo extracts and their ground truth
    "serving": 1,  # the serving copy's contract: its tables, ward columns, stamps, the readers' check
    "reports": 2,  # workbooks from the serving copy
    "orchestration": 3,  # Dagster: ingestion, dbt, checks, publish, reports
    "dashboard": 3,  # Streamlit on the serving copy
    "treem": 4,  # the command line
    "benchmarks": 5,
}


def imports(package: str) -> list[tuple[str, str]]:
    """(file, imported project package) for every import in the package that leaves it."""
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in LEVELS and top != package:
                    found.append((str(path.relative_to(ROOT)), top))
    return found


def upward_imports() -> list[str]:
    return [
        f"{file} imports {target}"
        for package in LEVELS
        for file, target in imports(package)
        if LEVELS[target] >= LEVELS[package]
    ]


def test_every_package_is_listed():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages == set(LEVELS)


def test_imports_go_down_only():
    assert upward_imports() == []


def test_the_base_imports_no_project_package():
    assert imports("base") == []
