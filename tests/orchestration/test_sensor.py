"""The inbox sensor waits for a file to stop growing and keys its run by content hash."""

from __future__ import annotations

import os

import dagster as dg

from orchestration.resources import HomeResource
from tests.conftest import drop_fixtures


def _tick(sensor, home, cursor):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"treem_home": HomeResource(root=str(home.root))}
    )
    return sensor(context)


def test_run_only_for_complete_files_keyed_by_content(pointed_env, home):
    from orchestration.sensors import inbox_sensor

    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    first = _tick(inbox_sensor, home, None)
    assert first.run_requests == []  # seen once: maybe still being written
    second = _tick(inbox_sensor, home, first.cursor)
    [request] = second.run_requests
    # still waiting for its queued run at the next tick: not asked for again
    third = _tick(inbox_sensor, home, second.cursor)
    assert third.run_requests == [] and third.cursor == second.cursor
    # seen afresh (a sensor whose cursor was reset): the same run key, which Dagster runs once
    again = _tick(inbox_sensor, home, _tick(inbox_sensor, home, None).cursor)
    assert again.run_requests[0].run_key == request.run_key
    # the same bytes dropped again later (after a failed run, or to retry a quarantine): a new run
    path = home.source_inbox("immunization") / "TCMR_MoLao_T03-2025.xlsx"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    changed = _tick(inbox_sensor, home, third.cursor)
    assert changed.run_requests == []  # changed since the last tick: maybe still being written
    later = _tick(inbox_sensor, home, changed.cursor)
    assert later.run_requests[0].run_key != request.run_key


def test_growing_file_waits(pointed_env, home):
    from orchestration.sensors import inbox_sensor

    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    first = _tick(inbox_sensor, home, None)
    with open(home.source_inbox("immunization") / "TCMR_MoLao_T03-2025.xlsx", "ab") as handle:
        handle.write(b"more bytes")
    assert _tick(inbox_sensor, home, first.cursor).run_requests == []


def test_the_run_loads_only_the_files_seen_complete(pointed_env, home):
    from orchestration.sensors import inbox_sensor

    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    first = _tick(inbox_sensor, home, None)
    drop_fixtures(home, "TCMR_VanQuan_T03-2025.xlsx")  # arrives between two ticks: maybe half-copied
    [request] = _tick(inbox_sensor, home, first.cursor).run_requests
    assert request.run_config["ops"]["raw__immunization"]["config"]["files"] == ["TCMR_MoLao_T03-2025.xlsx"]


def test_files_of_every_source_and_outside_them_go_to_their_steps(pointed_env, home):
    from orchestration.sensors import inbox_sensor

    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    for relative, payload in (
        ("vitamin_a/VitaminA_MoLao_T06-2025.xlsx", b"a vitamin A extract"),
        ("tiem_chung/TCMR_HaCau.xlsx", b"in a folder no source owns"),
        ("loose.csv", b"dropped in the inbox itself"),
    ):
        (home.inbox / relative).parent.mkdir(parents=True, exist_ok=True)
        (home.inbox / relative).write_bytes(payload)
    first = _tick(inbox_sensor, home, None)
    [request] = _tick(inbox_sensor, home, first.cursor).run_requests
    ops = request.run_config["ops"]
    assert ops["raw__immunization"]["config"]["files"] == ["TCMR_MoLao_T03-2025.xlsx"]
    assert ops["raw__vitamin_a"]["config"]["files"] == ["VitaminA_MoLao_T06-2025.xlsx"]
    assert ops["raw__child_register"]["config"]["files"] == []
    assert sorted(ops["raw__file_registry"]["config"]["files"]) == ["loose.csv", "tiem_chung/TCMR_HaCau.xlsx"]
    assert request.tags["treem/files"] == "4"
    from orchestration.definitions import defs

    job = defs.resolve_job_def("treem_all")
    assert dg.validate_run_config(job, request.run_config)  # what the daemon will accept


def test_files_left_in_processing_get_a_run(pointed_env, home):
    """A killed run's claimed files (or files that changed while read) need no new file to be loaded."""
    from ingestion.claim import claim
    from orchestration.sensors import inbox_sensor

    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    claim(home.source_inbox("immunization") / "TCMR_MoLao_T03-2025.xlsx", home, "immunization")
    first = _tick(inbox_sensor, home, None)
    [request] = _tick(inbox_sensor, home, first.cursor).run_requests
    assert request.tags == {"treem/files": "1"}


def test_a_file_whose_run_failed_before_taking_it_is_asked_for_again(pointed_env, home, monkeypatch):
    import json

    from orchestration import sensors

    drop_fixtures(home, "TCMR_MoLao_T03-2025.xlsx")
    first = _tick(sensors.inbox_sensor, home, None)
    [request] = _tick(sensors.inbox_sensor, home, first.cursor).run_requests
    cursor = _tick(sensors.inbox_sensor, home, first.cursor).cursor
    assert _tick(sensors.inbox_sensor, home, cursor).run_requests == []  # its run may still come
    state = json.loads(cursor)
    for entry in state["requested"].values():
        entry[1] -= sensors.RETRY_SECONDS + 1  # asked for long ago, no run alive, the file still here
    [again] = _tick(sensors.inbox_sensor, home, json.dumps(state)).run_requests
    assert again.run_key != request.run_key
