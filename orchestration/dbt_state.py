"""The seeds as the last good build left them. A `dbt build` loads the 17 seeds and runs their 123
tests before any model that reads them starts, on every run; a build whose seed files and settings are
those of the last successful build leaves both out. The tests that also read a model (a fact's
relationship to a seed) still run.

A seed counts as unchanged when its file's contents (dbt's checksum), its settings, columns and place,
the tests that read only seeds (their code, settings and macros) and the versions of dbt-core,
dbt-duckdb and DuckDB are as the last successful build had them, and its table is in the warehouse.

The manifest of the last successful build is kept in the home (``dbt/state``). A build takes it
away while it runs (``dbt/state-in-use``) and leaves a new one only if it succeeds and its own parse
agrees that the seeds it left out were unchanged, so a build killed or failed halfway, which may have
left a seed half-loaded, or one that raced an edit of a seed, is followed by one that loads them all."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

import duckdb

from base import duckdb_limits
from base.atomic import write_atomically
from base.home import Home

MANIFEST = "manifest.json"
VERSIONS = "versions.json"
UNCHANGED_SEED = "treem/seed_unchanged"  # metadata of a seed's materialization when it was left out
LIBRARIES = ("dbt-core", "dbt-duckdb", "duckdb")  # what reads a seed file and types its columns
SEED_FIELDS = ("checksum", "config", "columns", "database", "schema", "alias")


def _kept(home: Home) -> Path:
    return home.dbt_target.parent / "state"


def _in_use(home: Home) -> Path:
    return home.dbt_target.parent / "state-in-use"


def _versions() -> dict[str, str]:
    return {name: version(name) for name in LIBRARIES}


def seed_states(manifest: dict) -> dict[str, str]:
    """For each seed (unique id), what decides its table and its own tests. A checksum other than the
    contents' (dbt takes a large seed's path instead) never matches."""
    nodes = manifest["nodes"]
    generic_code = defaultdict(list)  # a generic test's macros by name (dbt's and the project's)
    for macro in manifest["macros"].values():
        generic_code[macro["name"]].append(macro["macro_sql"])
    tests = defaultdict(list)
    for uid, node in nodes.items():
        parents = node["depends_on"]["nodes"] if node["resource_type"] == "test" else []
        if parents and all(parent.startswith("seed.") for parent in parents):
            # a generic test's own macro (its depends_on lists more once compiled than when parsed)
            code = sorted(generic_code[f"test_{(node.get('test_metadata') or {}).get('name')}"])
            described = [uid, node.get("raw_code"), node.get("test_metadata"), node.get("config"), code]
            for parent in parents:
                tests[parent].append(described)
    states = {}
    for uid, node in nodes.items():
        if node["resource_type"] == "seed":
            fields = [node.get(name) for name in SEED_FIELDS]
            by_contents = node["checksum"]["name"] == "sha256"
            states[uid] = json.dumps([fields, sorted(tests[uid])], sort_keys=True) if by_contents else uid
    return states


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


def take_unchanged_seeds(home: Home, manifest: dict) -> dict[str, str]:
    """``manifest``'s seeds (unique id: state) that the last successful build loaded as they are now,
    into this warehouse, with these libraries; none when there was no such build. Whatever it returns,
    the kept state is taken away until ``keep_seed_state``."""
    in_use, kept = _in_use(home), _kept(home)
    shutil.rmtree(in_use, ignore_errors=True)
    if not (kept / MANIFEST).is_file():
        return {}
    kept.rename(in_use)
    try:
        if json.loads((in_use / VERSIONS).read_text(encoding="utf-8")) != _versions():
            return {}
        before = seed_states(json.loads((in_use / MANIFEST).read_text(encoding="utf-8")))
    except (ValueError, KeyError, OSError):
        return {}
    now = seed_states(manifest)
    unchanged = {uid: state for uid, state in now.items() if before.get(uid) == state and state != uid}
    tables = [manifest["nodes"][uid] for uid in unchanged]
    return unchanged if _tables_exist(home.warehouse, tables) else {}


def leave_out(manifest: dict, seeds: dict[str, str]) -> list[str]:
    """`dbt build` arguments that leave out ``seeds`` and the tests that read nothing else (cautious
    indirect selection: a test is left out only when all it reads is)."""
    if not seeds:
        return []
    paths = " ".join(f"path:{manifest['nodes'][uid]['original_file_path']}" for uid in sorted(seeds))
    return ["--exclude", paths, "--indirect-selection", "cautious"]


def keep_seed_state(home: Home, left_out: dict[str, str]) -> bool:
    """After a successful build: its manifest is what the next build compares its seeds with, unless
    the build's own parse finds that a seed it left out had changed (edited while the run started):
    then nothing is kept, and the next build loads every seed. Returns whether it was kept."""
    shutil.rmtree(_in_use(home), ignore_errors=True)
    manifest = (home.dbt_target / MANIFEST).read_bytes()
    built = seed_states(json.loads(manifest))
    if any(built.get(uid) != state for uid, state in left_out.items()):
        return False
    kept = _kept(home)
    kept.mkdir(parents=True, exist_ok=True)
    write_atomically(kept / VERSIONS, lambda f: f.write(json.dumps(_versions()).encode()))
    write_atomically(kept / MANIFEST, lambda f: f.write(manifest))
    return True
