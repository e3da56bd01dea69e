"""The dbt project flows one way: sources → staging → intermediate → marts, seeds read anywhere. Read
from the parsed manifest: only staging reads the raw sources, no model refs a later layer, no data
test of a model points at a later layer, and
docs/warehouse.md's layer table is the one the graph gives (print it with
`python -m tests.warehouse.test_layers`)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "warehouse.md"
LAYERS = ("raw", "staging", "intermediate", "marts")  # in the order the data flows
BEGIN, END = "<!-- layer table: generated -->", "<!-- end of layer table -->"


def layer(node: dict) -> str:
    """Sources are raw, seeds reference data; a model's layer is its first folder under models/."""
    if node["resource_type"] == "source":
        return "raw"
    if node["resource_type"] == "seed":
        return "seeds"
    return Path(node["original_file_path"]).parts[1]


def _folder(node: dict) -> str:
    return str(Path(node["original_file_path"]).parent.relative_to("models"))


def _rank(where: str) -> int:
    return LAYERS.index("raw" if where == "seeds" else where)  # seeds are ground like raw


def _nodes(manifest: dict) -> dict[str, dict]:
    return {**manifest["nodes"], **manifest["sources"]}


def backward_edges(manifest: dict) -> list[str]:
    """Every ref from a model, and from a model's data test, to a layer after the model's own, and
    every read of a raw source past staging."""
    nodes = _nodes(manifest)
    edges = []
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model":
            owner = node
        elif node["resource_type"] == "test" and node.get("attached_node"):
            owner = nodes[node["attached_node"]]
        else:
            continue  # seeds, and singular tests (which check marts against each other)
        rank = _rank(layer(owner))
        for parent in node["depends_on"]["nodes"]:
            where = layer(nodes[parent])
            if _rank(where) > rank or (where == "raw" and layer(owner) != "staging"):
                edges.append(f"{node['name']} ({layer(owner)}) → {nodes[parent]['name']} ({where})")
    return sorted(edges)


def layer_table(manifest: dict) -> str:
    """One row per model folder, in the order of the layers: its schema, its models and what they read."""
    nodes = _nodes(manifest)
    folders: dict[str, list[dict]] = defaultdict(list)
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model":
            folders[_folder(node)].append(node)
    ordered = sorted(folders, key=lambda f: (LAYERS.index(f.split("/")[0]), f))
    order = ["raw", "seeds", *ordered]
    lines = ["| layer | folder | schema | models | reads |", "| --- | --- | --- | --- | --- |"]
    for folder in ordered:
        models = sorted(folders[folder], key=lambda n: n["name"])
        schemas = sorted({n["config"]["schema"] for n in models})
        parents = [nodes[p] for p in {p for m in models for p in m["depends_on"]["nodes"]}]
        reads = {
            layer(p) if layer(p) in ("raw", "seeds") else _folder(p)
            for p in parents
            if layer(p) in ("raw", "seeds") or _folder(p) != folder
        }
        lines.append(
            f"| {folder.split('/')[0]} | `{folder}` | {', '.join(schemas)} | "
            + ", ".join(f"`{n['name']}`" for n in models)
            + " | "
            + ", ".join(r if r in ("raw", "seeds") else f"`{r}`" for r in sorted(reads, key=order.index))
            + " |"
        )
    return "\n".join(lines)


def _manifest() -> dict:
    from orchestration.dbt_project import prepare_manifest

    return json.loads(prepare_manifest().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def manifest(pointed_env) -> dict:
    return _manifest()


def test_no_model_or_model_test_reads_a_later_layer_or_skips_staging(manifest):
    assert backward_edges(manifest) == []


def test_the_check_sees_a_backward_ref(manifest):
    """The same manifest with an intermediate model made to read a mart, and a mart the raw registry,
    fails the check."""
    copy = json.loads(json.dumps(manifest))
    copy["nodes"]["model.treem.int_reporting_periods"]["depends_on"]["nodes"].append("model.treem.dim_period")
    copy["nodes"]["model.treem.dim_child"]["depends_on"]["nodes"].append("source.treem.raw.file_registry")
    assert backward_edges(copy) == [
        "dim_child (marts) → file_registry (raw)",
        "int_reporting_periods (intermediate) → dim_period (marts)",
    ]


def test_every_model_is_in_a_layer_folder(manifest):
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert {layer(n) for n in models} == {"staging", "intermediate", "marts"}
    prefixes = {"staging": ("stg_",), "intermediate": ("int_",)}
    assert [n["name"] for n in models if not n["name"].startswith(prefixes.get(layer(n), ("",)))] == []


def test_the_docs_layer_table_is_the_graphs(manifest):
    text = DOC.read_text(encoding="utf-8")
    assert BEGIN in text and END in text
    written = text.split(BEGIN, 1)[1].split(END, 1)[0].strip()
    assert written == layer_table(manifest), "paste `python -m tests.warehouse.test_layers` in the doc"


if __name__ == "__main__":
    import os
    import tempfile

    os.environ.setdefault("TREEM_HOME", tempfile.mkdtemp())  # the profile names a path; parse opens nothing
    print(layer_table(_manifest()))
