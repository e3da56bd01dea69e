"""dq.gx_results: every expectation's outcome of every check run, kept in the warehouse (the samples of
failing values stay there: they may hold personal IDs, so the serving copy gets counts only)."""

from __future__ import annotations

import json

import duckdb

from base.clock import local_now
from orchestration.quality.gx_suites import SuiteOutcome

RESULTS_DDL = """
create schema if not exists dq;
create table if not exists dq.gx_results (
    run_id varchar not null,
    checked_at timestamp not null,
    model varchar not null,
    check_name varchar not null,
    expectation varchar not null,       -- e.g. column_values_to_be_in_set(sex)
    arguments varchar,                  -- the expectation's arguments in suites.yaml, as JSON
    blocking boolean not null,
    success boolean not null,
    rows_checked bigint not null,
    element_count bigint,
    unexpected_count bigint,
    unexpected_percent double,
    observed_value varchar,
    sample varchar                      -- a few failing values (warehouse only)
);
"""


def record_outcomes(con: duckdb.DuckDBPyConnection, run_id: str, outcomes: list[SuiteOutcome]) -> int:
    con.execute(RESULTS_DDL)
    checked_at = local_now()
    rows = [
        (
            run_id,
            checked_at,
            suite.suite.model,
            suite.suite.check_name,
            o.expectation.label,
            json.dumps(o.expectation.arguments, ensure_ascii=False, default=str),
            o.expectation.blocking,
            o.success,
            suite.rows,
            o.element_count,
            o.unexpected_count,
            o.unexpected_percent,
            o.observed_value,
            o.sample,
        )
        for suite in outcomes
        for o in suite.outcomes
    ]
    con.executemany("insert into dq.gx_results values (" + ", ".join(["?"] * 14) + ")", rows)
    return len(rows)
