"""Shared fixtures: homes in temporary folders, the dbt manifest, one pipeline run on the fixture files."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import pickle
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from base.clock import DISTRICT_TZ, data_now
from base.home import Home

FIXTURES = Path(__file__).parent / "fixtures"
# the report tests' home: a report period, a ward, and a file whose name is a spreadsheet formula
CRAFTED_NAME = r'=HYPERLINK("https:\\evil.example","Bam vao day") TCMR_MoLao_T03-2025.xlsx'
PERIOD = "2025-BCT-6T"
WARD = "09541"  # Mộ Lao
IMMUNIZATION_FIXTURES = FIXTURES / "immunization"
# Files the tests drop are complete at once: take them without the settle wait an office's copy needs
# (the tests of that wait set their own).
os.environ.setdefault("TREEM_SETTLE_SECONDS", "0")


# the longest tests (minutes each) start first, so that the two workers of `pytest -n 2` end together
LONGEST = ("tests/test_chaos.py", "tests/orchestration/test_rebuild_from_archive.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.nodeid.split("::")[0] not in LONGEST)  # stable: otherwise as collected


# Streamlit's script runner installs each page an AppTest runs as ``sys.modules["__main__"]`` and leaves
# it there (a module's fixture too); a process pool started later in the same process (ingestion's
# readers use spawn, in the session homes' fixtures as well) would then run that page in every worker,
# which never answers. The real ``__main__`` is put back before each test's fixtures and after it.
REAL_MAIN = sys.modules["__main__"]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    sys.modules["__main__"] = REAL_MAIN


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    sys.modules["__main__"] = REAL_MAIN


def treem_cli(pointed_env: Home, *args: str) -> int:
    """`treem ARGS` in this process, then TREEM_HOME and DAGSTER_HOME pointed back at the session's home."""
    from treem.cli import main

    try:
        return main(list(args))
    finally:
        use(pointed_env)


def power_cut(*_) -> None:
    """Stands in for a step the power cut interrupts."""
    raise KeyboardInterrupt("power cut")


def fresh_home(root: Path) -> Home:
    home = Home(root)
    home.ensure()
    return home


def drop_fixtures(home: Home, *names: str) -> None:
    """Copy fixture files into the immunisation inbox, as an office would drop them."""
    inbox = home.source_inbox("immunization")
    inbox.mkdir(parents=True, exist_ok=True)
    for name in names or sorted(p.name for p in IMMUNIZATION_FIXTURES.iterdir()):
        shutil.copy2(IMMUNIZATION_FIXTURES / name, inbox / name)


@pytest.fixture(autouse=True)
def _termination_as_it_was() -> Iterator[None]:
    """A Dagster run in the test's process maps SIGTERM to SIGINT's handler and leaves it so. Where SIGINT
    is ignored (a suite started in the background), every process started afterwards would ignore
    SIGTERM too, and a process pool's terminate would wait for it forever: put it back after each test."""
    before = signal.getsignal(signal.SIGTERM)
    yield
    if signal.getsignal(signal.SIGTERM) is not before:
        signal.signal(signal.SIGTERM, before)


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return fresh_home(tmp_path / "home")


@pytest.fixture(scope="session")
def pointed_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    """TREEM_HOME and DAGSTER_HOME for the session, and a parsed dbt manifest."""
    saved = {k: os.environ.get(k) for k in ("TREEM_HOME", "DAGSTER_HOME", "DBT_LOG_PATH")}
    from orchestration.dbt_project import prepare_manifest
    from orchestration.instance import use_home

    home = fresh_home(tmp_path_factory.mktemp("session-home"))
    use_home(home)
    prepare_manifest()
    yield home
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Home], object]):
    """A session home built once for all the workers of `pytest -n`: the first worker to ask builds it
    (``build(home)``, whose result is kept) and leaves a snapshot; the others copy the snapshot into a
    folder of their own, so no two processes write one home. Returns (home, result)."""
    home = fresh_home(tmp_path_factory.mktemp(name))
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return home, build(home)
    shared = tmp_path_factory.getbasetemp().parent / f"built-{name}"  # the workers' common folder
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a worker that asks while another builds waits for it
        result_file = shared / "result.pickle"
        if result_file.exists():
            shutil.copytree(shared / "home", home.root, symlinks=True, dirs_exist_ok=True)
            return home, pickle.loads(result_file.read_bytes())
        result = build(home)
        shutil.rmtree(shared, ignore_errors=True)  # what a worker that failed half-way left
        shutil.copytree(home.root, shared / "home", symlinks=True)
        result_file.write_bytes(pickle.dumps(result))
        return home, result


def use(home: Home) -> None:
    from orchestration.instance import use_home

    use_home(home)


def _fixture_inbox(home: Home) -> None:
    """The five immunisation fixture files, with their submission times (the files' modification
    times, district time: March's deadline is 5 April)."""
    drop_fixtures(home)
    # submission times (the files' modification times), district time: March's deadline is 5 April
    inbox = home.source_inbox("immunization")
    submitted = {
        "TCMR_MoLao_T03-2025.xlsx": "2025-04-08T09:30",
        "TCMR_VanQuan_T03-2025.xlsx": "2025-04-05T16:59",
    }
    for name, when in submitted.items():
        stamp = dt.datetime.fromisoformat(when).replace(tzinfo=DISTRICT_TZ).timestamp()
        os.utime(inbox / name, (stamp, stamp))


@pytest.fixture(scope="session")
def fixture_pipeline(pointed_env: Home, tmp_path_factory: pytest.TempPathFactory):
    """One `treem run` (through Dagster) over the five immunisation fixture files (slow tests only)."""
    from orchestration.run_once import run_pipeline

    def build(home: Home):
        _fixture_inbox(home)
        use(home)
        try:
            return run_pipeline(home)
        finally:
            use(pointed_env)

    return built_once(tmp_path_factory, "fixture-home", build)


@pytest.fixture(scope="session")
def fixture_home(pointed_env: Home, tmp_path_factory: pytest.TempPathFactory) -> Home:
    """The same five files built without Dagster, once per session, for the fast suite: loaded by
    ingestion, the warehouse built by `dbt build` (seeds and models), the Great Expectations suites
    recorded, both files published. No report workbooks: the tests of those run the pipeline."""
    from ingestion.load import ingest_all
    from orchestration.assets.dbt import dbt_build_args
    from orchestration.assets.publish import publish_serving_copy
    from orchestration.dbt_project import dbt_resource
    from orchestration.quality.gx_suites import run_suite, suites
    from orchestration.quality.results import record_outcomes

    def build(home: Home) -> None:
        _fixture_inbox(home)
        use(home)
        try:
            con = duckdb.connect(str(home.warehouse))
            try:
                ingest_all(con, home)
            finally:
                con.close()
            # the data tests run in the pipeline tests; here the models and seeds are what is needed
            models = [*dbt_build_args(False), "--exclude-resource-type", "test"]
            dbt_resource().cli(models, target_path=home.dbt_target).wait()
            con = duckdb.connect(str(home.warehouse))
            try:
                outcomes = [run_suite(con, suite, data_now(home.generated)) for suite in suites()]
                record_outcomes(con, "fixture-home", outcomes)
            finally:
                con.close()
            publish_serving_copy(home.warehouse, home.serving, restricted=home.serving_restricted)
        finally:
            use(pointed_env)

    home, _ = built_once(tmp_path_factory, "fixture-home-fast", build)
    return home


@pytest.fixture(scope="session")
def report_home(pointed_env, tmp_path_factory):
    """Scale 0.02 (clean) for 2025, where Mộ Lao's March immunisation file was sent unreadable, under a
    name that is a spreadsheet formula: it is quarantined, the extract is missing, and the file's name
    must reach the report as text."""
    from demo import generate
    from orchestration.run_once import run_pipeline

    def build(home: Home) -> None:
        generate(home.root, seed=7, scale=0.02, messy=0.0)
        inbox = home.source_inbox("immunization")
        (inbox / "TCMR_MoLao_T03-2025.xlsx").unlink()
        (inbox / CRAFTED_NAME).write_bytes(b"PK\x03\x04 not really a workbook")
        use(home)
        summary = run_pipeline(home)
        use(pointed_env)
        assert summary.success and not summary.blocking_failed, summary

    home, _ = built_once(tmp_path_factory, "report-home", build)
    return home


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One headless Chromium for the whole session (Debian's, driven by Playwright; a second one in the
    same process would meet the first one's event loop)."""
    from tests.dashboard.browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: apt-get install -y chromium chromium-driver")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 2000},  # Streamlit scrolls inside the page: a tall window
            locale="vi-VN",
        )
        yield context
        context.close()
