"""Great Expectations suites as data (suites.yaml): build each model's suite, run it inside DuckDB
through a GX SQL data source on a read-only warehouse connection, and summarise every expectation's
result."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import yaml

from base.clock import local_now
from ingestion.contract import load_contracts
from orchestration.quality.gx_duckdb import sql_data_source

SUITES_PATH = Path(__file__).with_name("suites.yaml")
SCHEMAS = {"stg_": "staging", "fct_": "marts"}
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class Expectation:
    kind: str  # GX expectation name without "expect_", e.g. "column_values_to_be_in_set"
    arguments: dict[str, Any]
    blocking: bool
    note_vi: str | None = None  # what a failure means, for the people who read the run summary

    @property
    def columns(self) -> list[str]:
        args = self.arguments
        return [
            *([args["column"]] if "column" in args else []),
            *args.get("column_list", []),
            *[args[k] for k in ("column_A", "column_B") if k in args],
        ]

    @property
    def label(self) -> str:
        if self.kind == "unexpected_rows":  # a query names no column: its description says what it checks
            return f"{self.kind}({self.arguments['description']})"
        return f"{self.kind}({', '.join(self.columns)})"

    @property
    def explained(self) -> str:
        return f"{self.note_vi} [{self.label}]" if self.note_vi else self.label


@dataclass(frozen=True)
class Suite:
    model: str
    expectations: tuple[Expectation, ...]

    @property
    def schema(self) -> str:
        return next(schema for prefix, schema in SCHEMAS.items() if self.model.startswith(prefix))

    @property
    def check_name(self) -> str:
        return f"gx_{self.model}"

    @property
    def blocking(self) -> bool:
        return any(e.blocking for e in self.expectations)

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys(c for e in self.expectations for c in e.columns))


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: Expectation
    success: bool
    element_count: int | None
    unexpected_count: int | None
    unexpected_percent: float | None
    observed_value: str | None
    sample: str | None


@dataclass
class SuiteOutcome:
    suite: Suite
    rows: int
    outcomes: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    @property
    def blocking_failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.failed if o.expectation.blocking]


def load_suites(path: Path = SUITES_PATH) -> list[Suite]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))["suites"]
    suites = []
    for model, entries in spec.items():
        expectations = []
        for entry in entries:
            args = dict(entry)
            kind = args.pop("expect")
            blocking = bool(args.pop("blocking", False))
            expectations.append(Expectation(kind, args, blocking, args.pop("vi", None)))
        suites.append(Suite(model, tuple(expectations)))
    return suites


def _contract_values(reference: str) -> list[Any]:
    source, column = reference.split(".")
    (spec,) = [c for c in load_contracts()[source].columns if c.name == column]
    return [value for value, _ in spec.choices]


def _seed_values(con: duckdb.DuckDBPyConnection, reference: str) -> list[Any]:
    table, column = reference.split(".")
    if not (IDENTIFIER.match(table) and IDENTIFIER.match(column)):
        raise ValueError(f"suites.yaml: '{reference}' is not a seed column")
    return [
        r[0] for r in con.execute(f"select distinct {column} from reference.{table} order by 1").fetchall()
    ]


def _resolve(con: duckdb.DuckDBPyConnection, value: Any, now: dt.datetime) -> Any:
    """Replace the {contract:}, {seed:}, {days_ago:} and {sql:} values of suites.yaml."""
    if not isinstance(value, dict):
        return value
    ((key, reference),) = value.items()
    if key == "contract":
        return _contract_values(reference)
    if key == "seed":
        return _seed_values(con, reference)
    if key == "days_ago":
        return now - dt.timedelta(days=reference)
    if key == "sql":
        rows = con.execute(reference).fetchall()
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else [r[0] for r in rows]
    raise ValueError(f"suites.yaml: unknown value {value!r}")


def _query(suite: Suite) -> str:
    """The suite's columns of its model (the whole table: the current files of every source)."""
    selected = suite.columns
    if any(e.kind == "unexpected_rows" or "row_condition" in e.arguments for e in suite.expectations):
        selected = ["*"]  # a condition or a query may name any column
    return f"select {', '.join(selected) or '*'} from {suite.schema}.{suite.model}"


# GX's generic SQL for a uniqueness expectation groups the rows, joins every row back to its group's
# count and sums; grouping once and giving each repeated key back as many times as it occurs selects
# the same rows' keys in about half the time (docs/benchmarks.md), so these run as unexpected_rows
UNIQUENESS = {"column_values_to_be_unique", "compound_columns_to_be_unique"}
IGNORED_ROWS = {  # GX's ignore_row_if, as how the columns' "is not null" join to check a row
    "all_values_are_missing": " or ",
    "any_value_is_missing": " and ",
    "never": None,
}


def duplicates_query(expectation: Expectation) -> str:
    """An unexpected_rows query giving the key of every row whose key occurs more than once, as GX
    counts them: each row of a repeated key, missing values skipped as ignore_row_if says."""
    columns = ", ".join(expectation.columns)
    if expectation.kind == "column_values_to_be_unique":
        checked = f"{columns} is not null"  # GX leaves missing values out of every column map
    else:
        ignore = expectation.arguments.get("ignore_row_if", "all_values_are_missing")
        if ignore not in IGNORED_ROWS:
            raise ValueError(
                f"suites.yaml: {expectation.label}: ignore_row_if is one of {list(IGNORED_ROWS)}"
            )
        joiner = IGNORED_ROWS[ignore]
        checked = joiner.join(f"{c} is not null" for c in expectation.columns) if joiner else "true"
    repeated = (
        f"select {columns}, count(*) as occurrences from {{batch}} where {checked} "
        f"group by {columns} having count(*) > 1"
    )
    return f"select {columns} from ({repeated}) as repeated, range(repeated.occurrences)"


def _gx_expectation(
    expectation: Expectation, index: int, con: duckdb.DuckDBPyConnection, now: dt.datetime
) -> Any:
    import great_expectations as gx  # imported when a check runs: loading it takes seconds

    if expectation.kind in UNIQUENESS:
        if set(expectation.arguments) - {"column", "column_list", "ignore_row_if"}:
            raise ValueError(f"suites.yaml: {expectation.label} takes only its columns and ignore_row_if")
        return gx.expectations.UnexpectedRowsExpectation(
            description=expectation.label,
            unexpected_rows_query=duplicates_query(expectation),
            meta={"index": index},
        )
    words = "".join(part.capitalize() for part in expectation.kind.split("_"))
    # expect_column_... are ExpectColumn...; GX's SQL expectation is UnexpectedRowsExpectation
    kind = getattr(gx.expectations, "Expect" + words, None) or getattr(gx.expectations, words + "Expectation")
    arguments = {
        k: v if k == "row_condition" else _resolve(con, v, now) for k, v in expectation.arguments.items()
    }
    # GX reports results in its own order: the index in meta ties each back to suites.yaml
    return kind(**arguments, meta={"index": index})


def _text(value: Any, limit: int = 300) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str)[:limit]


def run_suite(con: duckdb.DuckDBPyConnection, suite: Suite, now: dt.datetime | None = None) -> SuiteOutcome:
    """Validate the model's current rows against its suite; one outcome per expectation, in order."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    now = now or local_now()  # submission times are district time
    (rows,) = con.execute(f"select count(*) from {suite.schema}.{suite.model}").fetchone()
    if not rows and suite.schema == "staging":
        return SuiteOutcome(suite, 0)  # no file of the source yet: completeness reports it, not staleness
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = sql_data_source(context, "treem", con)
    try:
        batch = (
            source.add_query_asset(suite.model, query=_query(suite))
            .add_batch_definition_whole_table("current")
            .get_batch()
        )
        gx_suite = gx.ExpectationSuite(suite.check_name)
        for index, expectation in enumerate(suite.expectations):
            gx_suite.add_expectation(_gx_expectation(expectation, index, con, now))
        report = batch.validate(gx_suite, result_format="SUMMARY")
    finally:
        source.get_engine().dispose()
    by_index = {r.expectation_config.meta["index"]: r for r in report.results}
    outcome = SuiteOutcome(suite, rows)
    for index, expectation in enumerate(suite.expectations):
        result = by_index[index]
        details = result.result or {}
        if result.exception_info and result.exception_info.get("raised_exception"):
            details = {"observed_value": result.exception_info.get("exception_message")}
        elif result.expectation_config.type == "unexpected_rows_expectation":
            # a query counts its rows and no more: the share is of every row of the model
            count = details["observed_value"]
            details |= {"element_count": rows, "unexpected_count": count}
            details["unexpected_percent"] = 100 * count / rows if rows else None
        outcome.outcomes.append(
            ExpectationOutcome(
                expectation=expectation,
                success=bool(result.success),
                element_count=details.get("element_count"),
                unexpected_count=details.get("unexpected_count"),
                unexpected_percent=details.get("unexpected_percent"),
                observed_value=_text(details.get("observed_value")),
                sample=_text(details.get("partial_unexpected_list") or None),
            )
        )
    return outcome


@cache
def suites() -> tuple[Suite, ...]:
    return tuple(load_suites())
