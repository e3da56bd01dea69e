"""generate(): simulate the district, write every source's extracts into the inbox, and the ground truth."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from base import vi
from base.clock import DEMO_AS_OF_FILE, DISTRICT_TZ

from . import child_friendly_truth, events, health, registers, sources, timing
from .context import Context, ward_spelling
from .ground_truth import GroundTruth
from .indicator_truth import IndicatorFacts, IndicatorTruth, indicators_and_doses, ward_figures
from .messy import file_faults, inject_rows
from .names import ascii_compact
from .population import simulate
from .profile import Ward, current_wards, load_profile, old_wards
from .sources import SourceSpec
from .workbook import XLS_MAX_ROWS, Extract, Layout, prepare_extract, write_file

BHXH_HABITS = {"late_share": 0.1, "late_days": 3}
CSV_ENCODINGS = ("utf-8-sig", "utf-8", "cp1258")


@dataclass
class Job:
    """One file to write: its ward, period, layout, and how to compute its rows."""

    spec: SourceSpec
    ward: Ward | None
    period: timing.Period
    layout: Layout
    rows: Callable[[], list[dict[str, Any]]]
    file_name: str = ""
    stream: str = ""  # files added later (the year-before history) draw their file faults apart


def office_layout(spec: SourceSpec, ward: Ward) -> Layout:
    p = ward.params or {"office_style": "A", "office_format": "xlsx"}  # wards gone since 2025
    if spec.issuer == "health":
        style, fmt = p["tcmr_style"], p["tcmr_format"]
        dates = {"A": None, "B": "dd/mm/yyyy", "C": p["tcmr_dates"]}[style]
    else:
        style, fmt = p["office_style"], p["office_format"]
        dates = None if style == "A" else "dd/mm/yyyy"
    total_at = "name" if spec is sources.IMMUNIZATION and style == "B" else spec.total_at
    return Layout(style=style, fmt=fmt, date_format=dates, total_at=total_at)


def _ward_jobs(
    ctx: Context,
    spec: SourceSpec,
    periods: list[timing.Period],
    rows: Callable[[int, timing.Period], Callable[[], list[dict[str, Any]]]],
) -> list[Job]:
    return [
        Job(spec, ward, period, office_layout(spec, ward), rows(w_i, period))
        for w_i, ward in enumerate(ctx.wards)
        for period in periods
    ]


def plan(ctx: Context) -> list[Job]:
    year = ctx.year
    months = [timing.month(year, m) for m in range(1, 13)]
    quarters = [timing.quarter(year, q) for q in range(1, 5)]
    rounds = [timing.vitamin_round(year, 6), timing.vitamin_round(year, 12)]
    imm = health.immunization_rows

    def immunization(w_i: int, p: timing.Period) -> Callable[[], list[dict[str, Any]]]:
        ward = ctx.wards[w_i]
        return lambda: health.style_immunization_rows(
            imm(ctx).get((ward.code, p.code), []),
            ward,
            office_layout(sources.IMMUNIZATION, ward).style,
            ctx,
            p,
        )

    jobs: list[Job] = []
    jobs += _ward_jobs(
        ctx, sources.CHILD_REGISTER, quarters, lambda w, p: lambda: registers.child_register_rows(ctx, w, p)
    )
    jobs += _ward_jobs(
        ctx, sources.HCDB_SUPPORT, months, lambda w, p: lambda: registers.hcdb_support_rows(ctx, w, p)
    )
    jobs += _ward_jobs(ctx, sources.IMMUNIZATION, months, immunization)
    history = [timing.month(year - 1, m) for m in range(1, 13)]  # doses of the year before, same wards
    for job in _ward_jobs(ctx, sources.IMMUNIZATION, history, immunization):
        job.stream = str(year - 1)
        jobs.append(job)
    jobs += _ward_jobs(ctx, sources.VITAMIN_A, rounds, lambda w, p: lambda: health.vitamin_a_rows(ctx, w, p))
    jobs += _ward_jobs(
        ctx,
        sources.BIRTH_REGISTRATION,
        months,
        lambda w, p: lambda: registers.birth_registration_rows(ctx, w, p),
    )
    csv_layouts = [
        Layout(fmt="csv", date_format="dd/mm/yyyy", title=False, total=False, encoding=CSV_ENCODINGS[i % 3])
        for i in range(12)
    ]
    jobs += [
        Job(
            sources.HEALTH_INSURANCE,
            None,
            p,
            csv_layouts[i],
            (lambda p=p: registers.health_insurance_rows(ctx, p)),
        )
        for i, p in enumerate(months)
    ]
    jobs += _ward_jobs(
        ctx, sources.PROTECTION_CASES, months, lambda w, p: lambda: events.protection_rows(ctx, w, p)
    )
    jobs += _ward_jobs(
        ctx,
        sources.INJURIES,
        months,
        lambda w, p: lambda: events.injury_rows(ctx, ctx.wards[w], ctx.pop.children_by_ward[w], p),
    )
    jobs += _baseline_injury_jobs(ctx)
    jobs += _ward_jobs(
        ctx,
        sources.CHILD_FRIENDLY,
        [timing.whole_year(year)],
        lambda w, p: lambda: events.child_friendly_rows(ctx, w, p),
    )
    for job in jobs:
        job.file_name = file_name(job)
    return jobs


def _child_friendly_claims(
    ctx: Context, facts: IndicatorFacts
) -> tuple[IndicatorTruth, dict[str, Any], dict[str, set[str]]]:
    """Before the self-assessments are written: the truth of every other source's files, the wards'
    figures of the year and the sources each ward sent in full, and what each ward claims
    (``ctx.cache["child_friendly_claims"]``, demo/child_friendly_truth.py)."""
    if sources.SOURCES[-1] is not sources.CHILD_FRIENDLY:  # the truth built here must hold every other file
        raise RuntimeError("the child-friendly self-assessments must be the last source written")
    indicator_truth = IndicatorTruth(facts, ctx)
    year_figures = ward_figures(indicator_truth, ctx, timing.whole_year(ctx.year))
    loaded = indicator_truth.loaded_sources(ctx.year)
    bands = child_friendly_truth.rules()
    ctx.cache["child_friendly_claims"] = child_friendly_truth.claims(
        ctx,
        {
            code: child_friendly_truth.supported(figures, bands, loaded[code])
            for code, figures in year_figures.items()
        },
    )
    return indicator_truth, year_figures, loaded


def _baseline_injury_jobs(ctx: Context) -> list[Job]:
    """Injuries of the year before, one yearly file per ward of that time (17 wards before 2025)."""
    shares = ctx.profile["old_ward_shares"]
    children = {w.code: n for w, n in zip(ctx.wards, ctx.pop.children_by_ward, strict=True)}
    factor = ctx.profile["injuries"]["fatal_factor_2024"]
    period = timing.whole_year(ctx.year - 1)
    jobs = []
    for ward in ctx.old_wards:
        successor = next((new for new, parts in shares.items() if ward.code in parts), ward.code)
        count = children.get(successor, 0) * shares.get(successor, {}).get(ward.code, 1.0)
        jobs.append(
            Job(
                sources.INJURIES,
                ward,
                period,
                office_layout(sources.INJURIES, ward),
                (lambda ward=ward, count=count: events.injury_rows(ctx, ward, count, period, factor)),
            )
        )
    return jobs


def _file_faults(ctx: Context, spec: SourceSpec, jobs: list[Job], messy: float) -> list[str | None]:
    """A fault (or None) per job. Each stream of jobs draws its own faults, so adding the history
    files leaves the faults of the extract year's files as they were."""
    faults: dict[int, str | None] = {}
    for stream in dict.fromkeys(job.stream for job in jobs):
        picked = [k for k, job in enumerate(jobs) if job.stream == stream]
        rng = ctx.rng("file-faults", spec.name, *([stream] if stream else []))
        faults.update(zip(picked, file_faults(len(picked), messy, rng), strict=True))
    return [faults[k] for k in range(len(jobs))]


def file_name(job: Job) -> str:
    place = ascii_compact(job.ward.name) if job.ward else "HaDong"
    if job.spec is sources.HEALTH_INSURANCE:
        return f"{job.spec.prefix}_{job.period.start.year}{job.period.start.month:02d}.csv"
    return f"{job.spec.prefix}_{place}_{job.period.suffix}.{job.layout.fmt}"


def _extract(ctx: Context, job: Job, fault: str | None) -> Extract:
    spec, ward, layout = job.spec, job.ward, job.layout
    rows = job.rows()
    name = job.file_name
    if layout.fmt == "xls" and len(rows) > XLS_MAX_ROWS:  # .xls holds 65,536 rows: the office switched
        layout = Layout(**{**layout.__dict__, "fmt": "xlsx"})
        name = name[:-4] + ".xlsx"
    if spec.ward_key and ward is not None:
        rng = ctx.rng("ward-spelling", spec.name, name)
        rows = [r if "ward" in r else dict(r, ward=ward_spelling(ward.name, layout.style, rng)) for r in rows]
    width = len(spec.columns) + 1
    habits = ward.params if ward is not None and ward.params else BHXH_HABITS
    submitted = timing.submitted_at(job.period, habits, ctx.rng("submitted", spec.name, name))
    title = (
        sources.title_block(spec, ward.name if ward else "", job.period.text, width, submitted.date())
        if layout.title
        else []
    )
    return Extract(
        source=spec.name,
        file_name=name,
        ward_code=ward.code if ward else None,
        period=job.period.code,
        sheet=spec.sheet,
        title=title,
        columns=list(spec.columns),
        layout=layout,
        rows=rows,
        submitted=submitted,
        drop_key=spec.drop_key,
        bad=[None] * len(rows),
        fault=fault,
    )


def generate(
    home: Path,
    seed: int = 2025,
    scale: float = 1.0,
    messy: float = 0.0,
    year: int = 2025,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write demo extracts for ``year`` into ``home/inbox/<source>/`` and return the ground truth
    (also written to ``home/generated/ground_truth.json``). Same arguments, same files."""
    say = progress or (lambda message: None)
    started = time.perf_counter()
    home = Path(home)
    profile = load_profile()
    wards = current_wards(year, profile)
    say(f"Đang mô phỏng dân cư: {len(wards)} phường, hệ số quy mô {scale:g}")
    pop = simulate(wards, year, scale, profile, np.random.default_rng([seed, 1]))
    ctx = Context(
        seed=seed, scale=scale, year=year, profile=profile, pop=pop, wards=wards, old_wards=old_wards(profile)
    )
    truth = GroundTruth(seed, scale, messy, year)
    births = int(
        ((pop.birth >= date(year, 1, 1).toordinal()) & (pop.birth <= date(year, 12, 31).toordinal())).sum()
    )
    truth.data["population"] = {
        "people": sum(pop.people_by_ward),
        "children_under_16": sum(pop.children_by_ward),
        "births_in_year": births,
        "children_by_ward": {w.code: n for w, n in zip(wards, pop.children_by_ward, strict=True)},
    }
    say(
        f"Đã mô phỏng {vi.count(sum(pop.children_by_ward))} trẻ dưới 16 tuổi "
        f"({time.perf_counter() - started:.1f} giây)"
    )

    jobs = plan(ctx)
    facts = IndicatorFacts()
    indicator_truth: IndicatorTruth | None = None
    year_figures: dict[str, Any] = {}
    loaded: dict[str, set[str]] = {}
    latest = None  # the demo's simulated today: when its last extract was sent
    # Files are laid out here, in a fixed order, and written (openpyxl, xlwt, csv) by worker processes.
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as writers:
        for spec in sources.SOURCES:
            folder = home / "inbox" / spec.name
            if folder.exists():
                shutil.rmtree(folder)
            truth.source(spec.name)
            if spec is sources.CHILD_FRIENDLY:
                indicator_truth, year_figures, loaded = _child_friendly_claims(ctx, facts)
            spec_jobs = [j for j in jobs if j.spec is spec]
            faults = _file_faults(ctx, spec, spec_jobs, messy)
            t0 = time.perf_counter()
            say(f"Đang tạo {SOURCE_LABELS[spec.name]}: {len(spec_jobs)} tệp")
            written = []
            for job, fault in zip(spec_jobs, faults, strict=True):
                ex = _extract(ctx, job, fault)
                inject_rows(ex, spec, messy, year, ctx.rng("messy", spec.name, ex.file_name))
                if fault == "unreadable":
                    ex.file_name = ex.stem + ".xlsx"
                layout = prepare_extract(ex, folder, ctx.rng("write", spec.name, ex.file_name))
                written.append(writers.submit(write_file, layout))
                truth.add(ex)
                latest = ex.submitted if latest is None else max(latest, ex.submitted)
                facts.add(ex, job.period)
            for future in written:
                future.result()
            say(
                f"  xong {spec.name}: {vi.count(truth.source(spec.name)['rows_written'])} dòng "
                f"({time.perf_counter() - t0:.1f} giây)"
            )
    t0 = time.perf_counter()
    truth.data["indicators"], truth.schedule_doses = indicators_and_doses(facts, ctx, indicator_truth)
    truth.data["child_friendly_cross_check"] = child_friendly_truth.cross_check(
        facts.assessments, year_figures, loaded, year, child_friendly_truth.min_points()
    )
    say(f"Đã tính chỉ số đúng (ground truth) ({time.perf_counter() - t0:.1f} giây)")
    result = truth.finish(home / "generated" / "ground_truth.json")
    write_as_of(home / "generated", latest)
    say(f"Hoàn tất: {result['generated_files']} tệp trong {time.perf_counter() - started:.1f} giây")
    return result


def write_as_of(generated: Path, latest: Any) -> None:
    """The demo's own today (district local time), which freshness is judged against in this home
    (base.clock.data_now): a demo of 2025 stays fresh whatever the machine's date."""
    if latest is None:
        return
    moment = latest.astimezone(DISTRICT_TZ).replace(tzinfo=None) if latest.tzinfo else latest
    generated.mkdir(parents=True, exist_ok=True)
    (generated / DEMO_AS_OF_FILE).write_text(moment.isoformat(timespec="seconds") + "\n", encoding="utf-8")


SOURCE_LABELS = {
    "child_register": "sổ theo dõi trẻ em",
    "hcdb_support": "danh sách trợ giúp trẻ HCĐB",
    "immunization": "danh sách tiêm chủng",
    "vitamin_a": "danh sách uống vitamin A",
    "birth_registration": "danh sách đăng ký khai sinh",
    "health_insurance": "danh sách thẻ BHYT trẻ dưới 6 tuổi",
    "protection_cases": "danh sách trẻ bị xâm hại",
    "injuries": "danh sách tai nạn thương tích",
    "child_friendly": "bảng tự đánh giá phường phù hợp trẻ em",
}
