"""The seeds as the last good build left them. A `dbt build` loads the 15 seeds and runs their 105
tests before any model that reads them starts, on every run; a build whose seed files and settings are
those of the last successful build leaves both out. The tests that also read a model (a fact's
relationship to a seed) still run.

The manifest of the last successful build is kept in the home (``dbt/state``). A build takes it
away while it runs (``dbt/state-in-use``) and leaves a new one only if it succeeds, so a build killed
or failed halfway, which may have left a seed half-loaded, is followed by one that loads them all."""

from __future__ import annotations

import json
import shutil
from importlib.metadata import version
from pathlib import Path

import duckdb

from base import duckdb_limits
from base.atomic import write_atomically
from base.home import Home

MANIFEST = "manifest.json"
UNCHANGED_SEED = "treem/seed_unchanged"  # metadata of a seed's materialization when it was left out


def _kept(home: Home) -> Path:
    return home.dbt_target.parent / "state"


def _in_use(home: Home) -> Path:
    return home.dbt_target.parent / "state-in-use"


def _as_loaded(node: dict) -> str:
    """What decides a seed's table: the file's contents (dbt's checksum), its settings and columns, and
    where it goes."""
    fields = ("checksum", "config", "columns", "database", "schema", "alias")
    return json.dumps([node.get(name) for name in fields], sort_keys=True)


def _tables_exist(warehouse: Path, nodes: list[dict]) -> bool:
    """Whether every seed is a table of the warehouse (a warehouse made again since holds none)."""
    try:
        con = duckdb_limits.connect(warehouse, read_only=True)
    except (duckdb.Error, OSError):
        return False
    try:
        tables = set(con.execute("select schema_name, table_name from duckdb_tables()").fetchall())
    finally:
        con.close()
    return all((n["schema"], n["alias"]) in tables for n in nodes)


def take_unchanged_seeds(home: Home, manifest: dict) -> set[str]:
    """The unique ids of ``manifest``'s seeds that the last successful build loaded as they are now,
    into this warehouse, with this dbt; none when there was no such build. Whatever it returns, the
    kept state is taken away until ``keep_seed_state``."""
    in_use, kept = _in_use(home), _kept(home)
    shutil.rmtree(in_use, ignore_errors=True)
    if not (kept / MANIFEST).is_file():
        return set()
    kept.rename(in_use)
    try:
        last = json.loads((in_use / MANIFEST).read_text(encoding="utf-8"))
        if last["metadata"]["dbt_version"] != version("dbt-core"):
            return set()
        before = {uid: _as_loaded(n) for uid, n in last["nodes"].items() if n["resource_type"] == "seed"}
    except (ValueError, KeyError, OSError):
        return set()
    seeds = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "seed"}
    unchanged = {uid for uid, n in seeds.items() if before.get(uid) == _as_loaded(n)}
    return unchanged if _tables_exist(home.warehouse, [seeds[uid] for uid in unchanged]) else set()


def leave_out(manifest: dict, seeds: set[str]) -> list[str]:
    """`dbt build` arguments that leave out ``seeds`` and the tests that read nothing else (cautious
    indirect selection: a test is left out only when all it reads is)."""
    if not seeds:
        return []
    paths = " ".join(f"path:{manifest['nodes'][uid]['original_file_path']}" for uid in sorted(seeds))
    return ["--exclude", paths, "--indirect-selection", "cautious"]


def keep_seed_state(home: Home) -> None:
    """After a successful build: its manifest is what the next build compares its seeds with."""
    kept = _kept(home)
    kept.mkdir(parents=True, exist_ok=True)
    manifest = (home.dbt_target / MANIFEST).read_bytes()
    write_atomically(kept / MANIFEST, lambda f: f.write(manifest))
    shutil.rmtree(_in_use(home), ignore_errors=True)
