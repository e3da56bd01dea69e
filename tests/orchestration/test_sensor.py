"""The inbox sensor waits for a file to stop growing and keys its run by content hash."""

from __future__ import annotations

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
    # the same content under another name and another time gives the same run key: no second load
    (home.source_inbox("immunization") / "TCMR_MoLao_T03-2025.xlsx").rename(
        home.source_inbox("immunization") / "renamed.xlsx"
    )
    third = _tick(inbox_sensor, home, _tick(inbox_sensor, home, None).cursor)
    assert third.run_requests[0].run_key == request.run_key


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
