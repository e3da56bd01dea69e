"""A build leaves out the seeds and their own tests only when they are as the last successful build
loaded them, into this warehouse, with this dbt; the tests that also read a model still run."""

from __future__ import annotations

import json
import logging
import shutil

import dagster as dg
import duckdb
import pytest

from base.home import Home
from orchestration.dbt_project import dbt_resource
from orchestration.dbt_state import UNCHANGED_SEED, keep_seed_state, leave_out, take_unchanged_seeds
from tests.conftest import fresh_home


@pytest.fixture
def home(fixture_home: Home, tmp_path, monkeypatch) -> Home:
    """A home whose warehouse holds the fixture's seeds, and whose last build left its manifest."""
    home = fresh_home(tmp_path / "home")
    shutil.copy(fixture_home.warehouse, home.warehouse)
    home.dbt_target.mkdir(parents=True)
    shutil.copy(fixture_home.dbt_target / "manifest.json", home.dbt_target / "manifest.json")
    monkeypatch.setenv("TREEM_HOME", str(home.root))
    return home


def _manifest(home: Home) -> dict:
    return json.loads((home.dbt_target / "manifest.json").read_text(encoding="utf-8"))


def _seeds(manifest: dict) -> dict[str, dict]:
    return {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "seed"}


def _last_build_left(home: Home, manifest: dict) -> None:
    (home.dbt_target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert keep_seed_state(home, {})


def _seed_only_tests(manifest: dict) -> set[str]:
    return {
        n["name"]
        for n in manifest["nodes"].values()
        if n["resource_type"] == "test" and all(d.startswith("seed.") for d in n["depends_on"]["nodes"])
    }


def _listed(home: Home, args: list[str]) -> set[str]:
    """What `dbt build` would run with ``args``, selected as dagster-dbt selects a whole build."""
    command = ["ls", "--output", "name", "--select", "fqn:*", *args]
    listed = dbt_resource().cli(command, target_path=home.root / "ls-target")
    events = [event.raw_event["info"] for event in listed.stream_raw_events()]
    assert listed.is_successful()
    return {info["msg"] for info in events if info["name"] == "PrintEvent"}


def _names(manifest: dict, uids) -> set[str]:
    return {manifest["nodes"][uid]["name"] for uid in uids}


def test_no_build_kept_means_every_seed_is_built(home):
    assert take_unchanged_seeds(home, _manifest(home)) == {}


def test_after_a_good_build_the_unchanged_seeds_and_only_their_own_tests_are_left_out(home):
    manifest = _manifest(home)
    _last_build_left(home, manifest)
    unchanged = take_unchanged_seeds(home, manifest)
    assert set(unchanged) == set(_seeds(manifest))
    assert not (home.dbt_target.parent / "state").exists()  # taken: a build killed now leaves none

    seed_tests = _seed_only_tests(manifest)
    assert len(unchanged) == 17 and len(seed_tests) > 50
    left_out = _listed(home, []) - _listed(home, leave_out(manifest, unchanged))
    assert left_out == _names(manifest, _seeds(manifest)) | seed_tests
    # a model's relationship to a seed reads the model's new rows: it still runs
    assert "relationships_stg_immunization__doses_ward_code__ward_code__ref_wards_" not in left_out


def test_a_seed_whose_contents_settings_or_own_tests_changed_is_built_with_its_tests(home):
    manifest = _manifest(home)
    last = json.loads(json.dumps(manifest))
    seeds = {n["name"]: n for n in _seeds(last).values()}
    seeds["wards"]["checksum"]["checksum"] = "0" * 64  # the last build loaded other contents
    seeds["hcdb_groups"]["config"]["column_types"] = {"sort_order": "varchar"}
    test = next(n for n in last["nodes"].values() if n["name"] == "unique_vitamin_a_rounds_round_code")
    test["test_metadata"]["kwargs"]["column_name"] = "round_start"  # a test of the seed was edited
    seeds["indicators"]["checksum"] = {"name": "path", "checksum": "seeds/indicators.csv"}  # too big to hash
    last["macros"]["macro.treem.test_codes_exist"]["macro_sql"] += " "  # a generic test of three seeds
    _last_build_left(home, last)

    unchanged = take_unchanged_seeds(home, manifest)
    changed = {"wards", "hcdb_groups", "vitamin_a_rounds", "indicators"}
    changed |= {"vaccine_antigens", "vaccine_products", "vaccine_schedule"}
    assert _names(manifest, unchanged) == set(seeds) - changed
    listed = _listed(home, leave_out(manifest, unchanged))
    assert changed | {"unique_wards_ward_version_id", "unique_hcdb_groups_sort_order"} <= listed
    assert "report_calendar" not in listed


def test_a_build_that_did_not_finish_leaves_no_state(home):
    _last_build_left(home, _manifest(home))
    assert take_unchanged_seeds(home, _manifest(home))
    # the build fails or is killed: keep_seed_state is never called
    assert take_unchanged_seeds(home, _manifest(home)) == {}


def test_a_seed_edited_while_the_build_ran_leaves_no_state(home):
    manifest = _manifest(home)
    _last_build_left(home, manifest)
    left_out = take_unchanged_seeds(home, manifest)
    wards = next(n for n in _seeds(manifest).values() if n["name"] == "wards")
    wards["checksum"]["checksum"] = "0" * 64  # dbt's own parse, during the build, saw the new file
    (home.dbt_target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert not keep_seed_state(home, left_out)
    assert take_unchanged_seeds(home, manifest) == {}


def test_a_state_left_by_other_libraries_is_not_compared_with(home):
    _last_build_left(home, _manifest(home))
    versions = home.dbt_target.parent / "state" / "versions.json"
    written = json.loads(versions.read_text(encoding="utf-8"))
    assert set(written) == {"dbt-core", "dbt-duckdb", "duckdb"}
    versions.write_text(json.dumps({**written, "dbt-duckdb": "1.0.0"}), encoding="utf-8")
    assert take_unchanged_seeds(home, _manifest(home)) == {}


def test_a_warehouse_without_a_seed_table_gets_them_all(home):
    _last_build_left(home, _manifest(home))
    wards = next(n for n in _seeds(_manifest(home)).values() if n["name"] == "wards")
    with duckdb.connect(str(home.warehouse)) as con:
        con.execute(f'drop table "{wards["schema"]}"."{wards["alias"]}"')
    assert take_unchanged_seeds(home, _manifest(home)) == {}


def _materialize(home: Home, selection=None) -> dg.ExecuteInProcessResult:
    # imported here: the dbt assets read the manifest, which the session's first fixture parses
    from orchestration.assets.dbt import treem_dbt_assets
    from orchestration.resources import HomeResource

    return dg.materialize(
        [treem_dbt_assets],
        selection=selection,
        resources={"dbt": dbt_resource(), "treem_home": HomeResource(root=str(home.root))},
    )


@pytest.mark.slow
def test_through_dagster_a_whole_build_keeps_the_state_and_a_partial_one_forgets_it(home):
    # the first build has nothing to compare with: every seed is loaded, and it leaves its manifest
    first = _materialize(home)
    assert first.success
    seeds = {n["name"] for n in _seeds(_manifest(home)).values()}
    built = json.loads((home.dbt_target / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert {r["unique_id"].split(".")[-1] for r in built if r["unique_id"].startswith("seed.")} == seeds
    assert (home.dbt_target.parent / "state" / "manifest.json").is_file()

    # the next one leaves the seeds out, yet Dagster has every seed as materialised, marked unchanged
    second = _materialize(home)
    assert second.success
    built = json.loads((home.dbt_target / "run_results.json").read_text(encoding="utf-8"))["results"]
    ran = {r["unique_id"].split(".")[2] for r in built}
    assert not ran & (seeds | _seed_only_tests(_manifest(home)))
    assert "relationships_stg_immunization__doses_ward_code__ward_code__ref_wards_" in ran
    marked = {
        e.asset_key.path[-1]
        for e in second.get_asset_materialization_events()
        if UNCHANGED_SEED in e.step_materialization_data.materialization.metadata
    }
    assert marked == seeds

    # a run of part of the graph builds what it was asked for and leaves no state behind
    partial = _materialize(home, selection=[dg.AssetKey(["marts", "dim_ward"])])
    assert partial.success
    assert not (home.dbt_target.parent / "state").exists()
    assert take_unchanged_seeds(home, _manifest(home)) == {}


def test_dagster_warns_of_a_blocking_check_without_result_except_a_seeds_own(fixture_home):
    # imported here, as above; importing it puts the filter on Dagster's logger
    from orchestration.assets.dbt import treem_dbt_assets

    ids = {key: spec.metadata["dagster_dbt/unique_id"] for key, spec in treem_dbt_assets.specs_by_key.items()}
    seed = next(key for key, uid in ids.items() if uid == "seed.treem.wards")
    model = next(key for key, uid in ids.items() if uid == "model.treem.dim_ward")

    @dg.multi_asset(
        specs=[dg.AssetSpec(seed), dg.AssetSpec(model)],
        check_specs=[dg.AssetCheckSpec("own_test", asset=key, blocking=True) for key in (seed, model)],
        can_subset=True,  # as dbt assets: a check may give no result
    )
    def built():  # neither check gives a result, as when dbt left a test out
        yield dg.MaterializeResult(asset_key=seed)
        yield dg.MaterializeResult(asset_key=model)

    @dg.asset(deps=[seed, model])
    def after() -> None:
        pass

    warned: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: warned.append(record.getMessage())
    plan_logger = logging.getLogger("dagster._core.execution.plan.active")
    plan_logger.addHandler(handler)
    try:
        assert dg.materialize([built, after]).success
    finally:
        plan_logger.removeHandler(handler)
    no_result = [m for m in warned if "emitted no result" in m]
    assert len(no_result) == 1 and f"'{model.to_user_string()}:own_test'" in no_result[0]
