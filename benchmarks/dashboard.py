"""Dashboard render times (issue 6, item 7): first render of each page and each interaction.

    python -m benchmarks.dashboard --home /path/to/home [--repeat 3]

Drives the real app with Streamlit's `AppTest` (the script runs in this process, as the server
would run it, without a browser), over the home's serving copy (read-only). For each page it
times the first render (the page's queries not yet cached) and a warm rerun (cached, as when a
second reader opens it), then each interaction with warm cache: the first time an option is
chosen, and again once it is cached. Times are the median of `--repeat` runs, in milliseconds.
They include AppTest's own overhead (building and reading the page's element tree), not the
browser's drawing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"

# page file (relative to the app), label
PAGES = [
    ("views/overview.py", "Tổng quan"),
    ("views/ward.py", "Phường"),
    ("views/immunization.py", "Y tế (tiêm chủng)"),
    ("views/registration.py", "Hộ tịch & BHYT"),
    ("views/protection.py", "Bảo vệ trẻ em"),
    ("views/quality.py", "Báo cáo & chất lượng dữ liệu"),
]
# interactions: page, label, selectbox key; each picks the widget's other options in turn
INTERACTIONS = [
    ("views/overview.py", "đổi loại kỳ", "overview_period_type"),
    ("views/overview.py", "đổi kỳ", "overview_period_ytd"),
    ("views/overview.py", "sắp xếp bản đồ nhiệt", "overview_sort"),
    ("views/ward.py", "đổi phường", "ward_code"),
    ("views/ward.py", "đổi kỳ của phường", "ward_period"),
    ("views/immunization.py", "đổi kỳ", "period"),
]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def check(app, what: str) -> None:
    if app.exception:
        raise RuntimeError(f"{what}: {app.exception[0].message}")


def raw_options(widget) -> list:
    """The selectbox's option values: AppTest only knows their labels, so a `format_func` that is a
    dict's `get` (code -> label) is inverted; otherwise the labels are the values."""
    labels = list(widget.options)
    func = widget.format_func
    mapping = getattr(func, "__self__", None)
    if isinstance(mapping, dict) and getattr(func, "__name__", "") == "get":
        by_label = {str(label): value for value, label in mapping.items()}
        return [by_label.get(label, label) for label in labels]
    return labels


def choose(app, key: str, value: object) -> float:
    """Set the selectbox `key` to `value` and rerun; milliseconds."""
    widget = next(w for w in app.selectbox if w.key == key)
    took = timed(lambda: widget.set_value(value).run())
    check(app, key)
    return took


def signed_in_app(home: Path):
    """The app, its session signed in as a district leader of a scratch home that holds only a link
    to ``home``'s serving copy (the home's own accounts are left alone)."""
    from streamlit.testing.v1 import AppTest

    from access import accounts
    from access.roles import Role
    from base.clock import local_now
    from dashboard.auth import SESSION_KEY

    scratch = Path(tempfile.mkdtemp(prefix="treem-bench-"))
    (scratch / "serving.duckdb").symlink_to(home / "serving.duckdb")
    os.environ["TREEM_HOME"] = str(scratch)
    account = accounts.add_account(scratch, "benchmark", accounts.new_password(), Role.DISTRICT_LEADER)
    app = AppTest.from_file(str(APP), default_timeout=600)
    app.session_state[SESSION_KEY] = {"viewer": account.viewer(), "last_seen": local_now()}
    return app


def measure(home: Path, repeat: int) -> list[tuple[str, str, float]]:
    sys.path.insert(0, str(ROOT))
    rows: list[tuple[str, str, float]] = []
    app = signed_in_app(home)
    pages = [(path, label) for path, label in PAGES if (APP.parent / path).exists()]
    for number, (path, label) in enumerate(pages):
        app.switch_page(path)
        first = timed(app.run)  # the first page also pays for importing the app's libraries
        check(app, path)
        warm = statistics.median(timed(app.run) for _ in range(repeat))
        step = "mở trang lần đầu" + (" (cả nhập thư viện của ứng dụng)" if number == 0 else "")
        rows.append((label, step, first))
        rows.append((label, "mở lại (cache ấm)", warm))
    for path, what, key in INTERACTIONS:
        label = dict(pages).get(path)
        if label is None:
            continue
        app.switch_page(path)
        app.run()
        widgets = [w for w in app.selectbox if w.key == key]
        if not widgets or len(widgets[0].options) < 2:
            rows.append((label, f"{what} ({key}): không có lựa chọn khác", float("nan")))
            continue
        values = raw_options(widgets[0])
        start = widgets[0].value
        options = [v for v in values if v != start][:repeat]

        new, cached = [], []
        try:
            for i in options:  # each option the first time (its queries not cached), then back
                new.append(choose(app, key, i))
                cached.append(choose(app, key, start))
            cached += [choose(app, key, i) for i in options]  # again, now cached
            choose(app, key, start)
        except ValueError as error:  # AppTest cannot replay a widget whose value left its options
            print(f"{path} {key}: {error!r} (selectboxes: {[w.key for w in app.selectbox]})", file=sys.stderr)
            rows.append((label, f"{what}: AppTest không đo được ({error})", float("nan")))
            app = signed_in_app(home)
            app.run()
            continue
        rows.append((label, f"{what}: lựa chọn mới", statistics.median(new)))
        rows.append((label, f"{what}: lựa chọn đã có trong cache", statistics.median(cached)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", required=True, help="a treem home with a serving copy")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    home = Path(args.home).resolve()
    serving = home / "serving.duckdb"
    if not serving.exists():
        parser.error(f"{serving} does not exist: run `treem run` first")
    print(f"Home: {home} · bản phục vụ {serving.stat().st_size / 1e6:.1f} MB")
    rows = measure(home, args.repeat)
    width = max(len(page) for page, _, _ in rows)
    print(f"| {'Trang':<{width}} | Bước | ms |")
    print(f"|{'-' * (width + 2)}|---|---:|")
    for page, step, ms in rows:
        print(f"| {page:<{width}} | {step} | {ms:,.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
