"""The `treem` command line: generate demo extracts, run the pipeline, serve the dashboard and Dagster UI."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from base import vi
from base.errors import UserError
from base.home import PROJECT_ROOT, Home, home_from_env
from ingestion.receipt import REJECTS_LISTED

DASHBOARD_SERVER = PROJECT_ROOT / "dashboard" / "server.py"


def _home(args: argparse.Namespace) -> Home:
    home = Home(Path(args.home).expanduser().resolve()) if args.home else home_from_env()
    from orchestration.instance import use_home

    use_home(home)
    return home


def _private_home(home: Home) -> None:
    """Bring a home made before treem kept its files private to the modes in use, and say so."""
    from base.file_modes import fix_modes, modes

    wanted = modes()
    changed = fix_modes(home.root, wanted)
    if changed:
        print(
            f"! {len(changed)} tệp/thư mục trong {home.root} có quyền đọc rộng hơn cần thiết: đã sửa "
            f"(thư mục {wanted.folder:o}, tệp {wanted.file:o}).",
            file=sys.stderr,
            flush=True,
        )


def _check_audit_log(home: Home) -> None:
    """Say so when the audit log's hash chain is broken (sign-in stays stopped until it is dealt with)."""
    from access import audit

    verdict = audit.verify(home.root)
    if not verdict.holds:
        print(
            f"! {verdict.sentence()} Đăng nhập bảng điều khiển bị tạm ngừng: xem `treem audit verify`.",
            file=sys.stderr,
            flush=True,
        )


def cmd_generate(args: argparse.Namespace) -> int:
    from demo import generate

    home = _home(args)
    started = time.perf_counter()
    print(
        f"Tạo dữ liệu mẫu vào {home.inbox} (seed={args.seed}, scale={args.scale}, "
        f"messy={args.messy}, năm {args.year})"
    )
    summary = generate(
        home.root,
        seed=args.seed,
        scale=args.scale,
        messy=args.messy,
        year=args.year,
        progress=lambda message: print("  " + message, flush=True),
    )
    files = summary.get("generated_files", 0)
    print(
        f"Xong: {files} tệp trong {time.perf_counter() - started:.1f} giây; "
        f"sự thật gốc (ground truth) ở {home.generated / 'ground_truth.json'}"
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    home = _home(args)
    from ingestion.rebuild import warehouse_problem
    from orchestration.run_once import format_summary, run_pipeline
    from orchestration.writer_turn import EXIT_BUSY, WriterBusy

    _private_home(home)
    _check_audit_log(home)
    started = time.perf_counter()
    print(
        f"Chạy toàn bộ pipeline trên {home.root} (Dagster, phiên bản lưu ở {home.dagster_home})", flush=True
    )
    problem = warehouse_problem(home)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    try:
        summary = run_pipeline(
            home,
            full_refresh=getattr(args, "full_refresh", False),
            wait_timeout=getattr(args, "wait_timeout", None),
            force=getattr(args, "force", False),
        )
    except WriterBusy as busy:
        print(busy, file=sys.stderr)
        return EXIT_BUSY
    except KeyboardInterrupt:  # Ctrl+C, waiting or running: the next run finishes or undoes its work
        print("Đã dừng (Ctrl+C); lần chạy sau sẽ hoàn tất hoặc làm lại phần dang dở.", file=sys.stderr)
        return 130
    print(format_summary(summary))
    print(f"Tổng thời gian: {time.perf_counter() - started:.1f} giây")
    return 0 if summary.success and not summary.blocking_failed else 1


def cmd_rebuild(args: argparse.Namespace) -> int:
    home = _home(args)
    from ingestion.rebuild import RebuildError, finish_rebuild, replay_archive, replay_lines
    from orchestration.instance import home_instance
    from orchestration.run_once import format_summary, run_pipeline
    from orchestration.writer_turn import writer_turn

    _private_home(home)
    started = time.perf_counter()
    print(f"Dựng lại kho dữ liệu {home.warehouse} từ các tệp đã lưu trữ (archive/, quarantine/)", flush=True)
    try:
        # no run writes while the warehouse is moved aside and the stored files are claimed again
        with writer_turn(home, home_instance(home), "rebuild", None, lambda m: print(m, flush=True)):
            replay = replay_archive(home)
    except RebuildError as error:
        print(error, file=sys.stderr)
        return 2
    for line in replay_lines(home, replay):
        print("  " + line, flush=True)
    summary = run_pipeline(home, full_refresh=True)
    print(format_summary(summary))
    differences = finish_rebuild(home, replay)
    if differences:
        print(f"! {len(differences)} tệp có kết quả khác lần nạp đầu (hợp đồng hoặc danh mục đã đổi?):")
        print("\n".join(f"  {line}" for line in differences[:20]))
    else:
        known = sum(1 for replayed in replay.files if replayed.row is not None)
        print(f"Sổ đăng ký tệp của kho mới khớp sổ đăng ký cũ ở cả {known} tệp đã biết")
    print(f"Tổng thời gian: {time.perf_counter() - started:.1f} giây")
    return 0 if summary.success and not summary.blocking_failed else 1


def cmd_dashboard(args: argparse.Namespace) -> int:
    home = _home(args)
    if not home.serving.exists():
        print(f"Chưa có bản phục vụ {home.serving}: hãy chạy `treem run` trước.", file=sys.stderr)
        return 1
    from access import accounts

    if not accounts.list_accounts(home.root):
        print(
            f"Chưa có tài khoản nào trong {home.root}: không ai đăng nhập được. Tạo tài khoản bằng "
            "`treem user add TÊN --role ROLE` (xem README, mục tài khoản).",
            file=sys.stderr,
        )
    host = "localhost" if args.address == "127.0.0.1" else args.address
    print(f"Bảng điều khiển: http://{host}:{args.port}  (Ctrl+C để dừng)", flush=True)
    if args.address != "127.0.0.1":
        print(
            f"! Đang mở cho mọi máy tới được địa chỉ {args.address}: chỉ làm vậy sau một máy chủ chuyển tiếp "
            "có HTTPS (xem README, mục mạng của quận).",
            file=sys.stderr,
            flush=True,
        )
    # from the project folder: `python -m` puts the working folder first on the import path, where a
    # stray file (a timeit.py in the folder the command was typed in) would shadow the standard library
    command = dashboard_command(args.port, args.address)
    # Streamlit's own lines (in English: "You can now view…", "Aborted!") go to a log, not the terminal
    log_path = home.root / "logs" / "dashboard.log"
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("ab") as log:
        server = subprocess.Popen(
            command, env=dashboard_env(), cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        interrupts: list[int] = []

        def stop(*_: object) -> None:
            # the server closes its sessions and exits on the first Ctrl+C (passed on, for a signal sent
            # to this process alone); a second one stops it at once
            interrupts.append(1)
            if server.poll() is not None:
                return
            if len(interrupts) == 1:
                server.send_signal(signal.SIGINT)
            else:
                server.terminate()

        previous = signal.signal(signal.SIGINT, stop)
        try:
            code = server.wait()
        finally:
            signal.signal(signal.SIGINT, previous)
    if interrupts:
        print("\nĐã dừng bảng điều khiển.", flush=True)
        return 0
    if code != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        print(f"Bảng điều khiển dừng với mã {code}; cuối nhật ký {log_path}:", file=sys.stderr)
        print("\n".join(f"  {line}" for line in tail), file=sys.stderr)
    return code


def dashboard_env() -> dict[str, str]:
    """The dashboard's environment: its web server (uvicorn) takes a client's address from
    X-Forwarded-For only when the connection comes from ``TREEM_TRUSTED_PROXY`` (a reverse proxy's
    address; unset: from nobody, so no one on this machine can claim another address)."""
    return {**os.environ, "FORWARDED_ALLOW_IPS": os.environ.get("TREEM_TRUSTED_PROXY", "")}


def dashboard_command(port: int, address: str = "127.0.0.1") -> list[str]:
    """The dashboard's server: this machine only unless ``address`` says otherwise, the developer's
    toolbar and the error details off (an unexpected error shows a sentence and a code, see app.py); an
    upload no larger than the inbox takes a file (TREEM_MAX_FILE_MB)."""
    from ingestion.safety import MB, limits_from_env

    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(DASHBOARD_SERVER),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        "--client.showErrorDetails",
        "none",
        "--server.maxUploadSize",
        str(max(1, limits_from_env().max_file_bytes // MB)),
    ]


def cmd_ui(args: argparse.Namespace) -> int:
    _home(args)
    from orchestration.dbt_project import prepare_manifest

    prepare_manifest()
    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster), "dev", "-m", "orchestration.definitions", "-p", str(args.port)]
    print(
        f"Dagster UI: http://localhost:{args.port}  (cảm biến hộp thư đến đang bật; Ctrl+C để dừng)",
        flush=True,
    )
    return subprocess.call(command, env=os.environ.copy(), cwd=PROJECT_ROOT)


def _unknown_source(source: str) -> bool:
    """True (and says so) when no contract has that source."""
    from ingestion.contract import load_contracts

    if source in load_contracts():
        return False
    print(f"Không có nguồn '{source}'; các nguồn: {', '.join(load_contracts())}", file=sys.stderr)
    return True


def _source_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", metavar="NGUỒN", help="nguồn dữ liệu, ví dụ immunization (xem treem status)")


def cmd_status(args: argparse.Namespace) -> int:
    from ingestion.status import WarehouseBusy, inbox_status

    home = _home(args)
    if args.source and _unknown_source(args.source):
        return 2
    try:
        status = inbox_status(home, args.source, args.files)
    except WarehouseBusy as busy:
        print(busy, file=sys.stderr)
        return 1
    print(f"Thư mục dữ liệu: {home.root}")
    print(
        f"{'nguồn':<22}{'chờ':>6}{'đã nạp':>9}{'cách ly':>9}{'dòng nạp':>12}{'dòng lỗi':>10}  nhận gần nhất"
    )
    for s in status.sources:
        if args.source and s.source != args.source:
            continue
        print(
            f"{s.source:<22}{s.waiting:>6}{s.loaded:>9}{s.quarantined:>9}{vi.count(s.rows_loaded):>12}"
            f"{vi.count(s.rows_rejected):>10}  {s.last_received}   ({s.name_vi})"
        )
    if status.receipts:
        print(f"\nBiên nhận của {len(status.receipts)} tệp xử lý gần nhất (đầy đủ trong tệp .receipt.txt):")
        for r in status.receipts:
            print(f"  {r.processed}  [{r.source}] {r.file_name}: {r.summary}")
            print(f"      → {r.receipt_file}")
    if status.unknown_waiting:
        print(
            "\nTệp nằm ngoài thư mục của các nguồn (sẽ bị cách ly ở lần chạy tới): "
            + ", ".join(status.unknown_waiting)
        )
    if status.skipped:
        print(f"\n{len(status.skipped)} mục trong hộp thư đến không được đọc:")
        for entry in status.skipped:
            print(f"  {entry.path}: {entry.reason}")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    import getpass

    from access import audit
    from ingestion.release import ReleaseError, release

    home = _home(args)
    by = getpass.getuser()
    try:
        done = release(home, args.file, by)
    except ReleaseError as error:
        print(error, file=sys.stderr)
        return 2
    audit.record(
        home.root,
        by,
        audit.RELEASE_FILE,
        detail=f"{done.file_id} ({done.file_name}) thay {done.held_against}, kỳ {done.period}",
    )
    print(
        f"Đã cho phép tệp {done.file_id} ('{done.file_name}') thay thế tệp {done.held_against} của kỳ "
        f"{done.period}. Tệp được đặt lại vào {done.inbox_path.relative_to(home.root)}; lần chạy tới "
        "(`treem run` hoặc cảm biến) sẽ nạp nó."
    )
    return 0


def cmd_contract(args: argparse.Namespace) -> int:
    import getpass

    from access import audit
    from ingestion import mappings

    home = _home(args)
    if args.action == "list":
        return _list_mappings(home, args.source)
    by = getpass.getuser()
    try:
        if args.action == "map":
            done = mappings.map_header(home, args.source, args.header, args.column, by)
            said = f"Đã ghi: ở nguồn {done.source}, cột '{done.written}' là cột {done.column}."
        elif args.action == "map-value":
            done = mappings.map_value(home, args.source, args.column, args.value, args.meaning, by)
            said = f"Đã ghi: ở cột {done.column} (nguồn {done.source}), '{done.written}' là '{done.meaning}'."
        else:
            done = mappings.forget(home, args.source, args.written, args.column, by)
            said = f"Đã bỏ ánh xạ '{done.written}' của nguồn {done.source}."
    except mappings.MappingError as error:
        print(error, file=sys.stderr)
        return 2
    audit.record(
        home.root,
        by,
        audit.CONTRACT_MAPPING,
        detail=f"{done.kind} {done.source}.{done.column}: '{done.written}' -> '{done.meaning}'",
    )
    print(said, f"(lưu ở {mappings.mappings_file(home).relative_to(home.root)})")
    if args.action == "forget":
        return 0
    return _retry_after_mapping(home, args, done)


def _retry_after_mapping(home: Home, args: argparse.Namespace, done: object) -> int:
    from ingestion.contract import load_contracts
    from ingestion.retry import requeue_unblocked, rows_rejected_for

    unblocked = requeue_unblocked(home)
    for file in unblocked:
        where = (
            f"đặt lại vào {file.inbox_path.relative_to(home.root)}"
            if file.inbox_path
            else "chưa đặt lại được (hộp thư đến đang có tệp trùng tên)"
        )
        print(
            f"  tệp {file.file_id} '{file.file_name}' ({file.source}) nay đọc được {file.rows} dòng: {where}"
        )
    if done.kind == "value":
        rows, files = rows_rejected_for(home, load_contracts()[done.source], done.column, done.written)
        if rows:
            print(
                f"  {rows} dòng của {files} tệp đã nạp bị loại vì giá trị này; chạy `treem rebuild` để "
                "đọc lại mọi tệp đã lưu với ánh xạ mới."
            )
    queued = [f for f in unblocked if f.inbox_path]
    if not queued:
        print("Không có tệp nào đang bị cách ly mà ánh xạ này gỡ được.")
        return 0
    if args.no_run:
        print(f"{len(queued)} tệp chờ lần chạy tới (`treem run` hoặc cảm biến).")
        return 0
    print(f"Nạp lại ngay {len(queued)} tệp:", flush=True)
    return cmd_run(args)


def _list_mappings(home: Home, source: str | None) -> int:
    from ingestion import mappings

    shown = [m for m in mappings.in_force(home) if source is None or m.source == source]
    if not shown:
        print(f"Chưa có ánh xạ nào được xác nhận ({mappings.mappings_file(home)}).")
        return 0
    for m in sorted(shown, key=lambda m: (m.source, m.kind, m.column, m.written)):
        what = "cột" if m.kind == "header" else f"giá trị cột {m.column}"
        print(f"{m.source}: {what} '{m.written}' -> {m.meaning}   ({m.by}, {m.at})")
    return 0


def cmd_quality(args: argparse.Namespace) -> int:
    from treem.quality_report import quality_report

    home = _home(args)
    truth = home.generated / "ground_truth.json" if args.against_truth else None
    try:
        print(quality_report(home.serving, truth, args.ward))
    except UserError as error:
        print(error, file=sys.stderr)
        return error.code
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from reports.build import build_all, build_report, report_file_name
    from reports.data import current_wards, report_periods

    home = _home(args)
    if args.all and (args.ward or args.period or args.out):
        print(
            "--all lập mọi kỳ và mọi bản vào thư mục reports/: không dùng cùng --period, --ward, --out.",
            file=sys.stderr,
        )
        return 2
    try:
        if args.list or not (args.period or args.all):
            print(f"Các kỳ báo cáo theo lịch (bản phục vụ {home.serving}):")
            for p in report_periods(home.serving):
                state = "có số liệu" if p["has_data"] else "chưa đủ số liệu"
                print(
                    f"  {p['period_key']:<14} {p['label_vi']} (số liệu "
                    f"{p['period_start']:%d/%m/%Y}–{p['period_end']:%d/%m/%Y}, hạn "
                    f"{p['deadline']:%d/%m/%Y}): {state}"
                )
            if not args.list:
                print(
                    "Chọn một kỳ: treem report --period MÃ_KỲ [--ward MÃ_PHƯỜNG] [--out TỆP.xlsx], hoặc "
                    "mọi kỳ: treem report --all"
                )
            return 0
        started = time.perf_counter()
        if args.all:
            built = build_all(
                home.serving,
                home.reports,
                progress=lambda m: print("  " + m, flush=True),
                rewrite=True,
                home=home,
            )
            print(
                f"Đã ghi {len(built.written)} tệp vào {home.reports} trong "
                f"{time.perf_counter() - started:.1f} giây"
            )
            if built.skipped:
                print("Chưa đủ số liệu (bỏ qua): " + ", ".join(built.skipped))
            return 0
        ward_name = None
        if args.ward:
            ward_name = next((w.name for w in current_wards(home.serving) if w.code == args.ward), None)
        if args.out:
            out = Path(args.out).expanduser().resolve()
            refusal = _refuse_out(out, home, args.force)
            if refusal:
                print(refusal, file=sys.stderr)
                return 2
        else:
            out = home.reports / args.period / report_file_name(args.period, args.ward, ward_name)
        path = build_report(home.serving, args.period, out, args.ward, home=home)
    except UserError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Đã ghi báo cáo {path} ({time.perf_counter() - started:.1f} giây)")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    import getpass

    from access.roles import Role, Viewer
    from reports.signoff import SignoffError, approve, frozen_folder, withdraw
    from signoff.ledger import approvals, in_force

    home = _home(args)
    if args.list or not (args.period or args.withdraw):
        found = approvals(home.root, args.period)
        if not found:
            print("Chưa có phê duyệt nào" + (f" của kỳ {args.period}." if args.period else "."))
        for a in found:
            if a.withdrawn:
                state = f"đã huỷ {a.withdrawn_at:%d/%m/%Y %H:%M} bởi {a.withdrawn_by}: {a.withdraw_reason}"
            elif in_force(home.root, a.period_key).get(a.unit) == a:
                state = "có hiệu lực"
            else:
                state = "đã được thay bằng phê duyệt sau"
            print(
                f"  {a.approval_id:<24} {a.period_label}, {a.unit_name}: {a.approved_at:%d/%m/%Y %H:%M} bởi "
                f"{a.name} ({a.role}); {state}"
                + (f"; không chờ các phường: {a.override_reason}" if a.override_reason else "")
            )
        return 0
    user = getpass.getuser()
    viewer = Viewer(user, f"{user} (kỹ sư dữ liệu, dòng lệnh)", Role.DATA_ENGINEER)
    try:
        if args.withdraw:
            done = withdraw(home, viewer, args.withdraw, args.reason or "")
            print(f"Đã huỷ phê duyệt {done.approval_id} ({done.period_label}, {done.unit_name}).")
            return 0
        done = approve(home, viewer, args.period, args.ward, override_reason=args.override)
    except SignoffError as error:
        print(error, file=sys.stderr)
        return 2
    except UserError as error:
        print(error, file=sys.stderr)
        return error.code
    print(f"Đã phê duyệt {done.period_label}, {done.unit_name}: mã {done.approval_id}.")
    print(f"Mã băm số liệu: {done.figures_hash}")
    if done.ward_code is None:
        print(f"Bản đã phê duyệt (không ghi lại): {frozen_folder(home, done)}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from ingestion.contract import load_contracts
    from ingestion.dry_run import dry_run, dry_run_text

    home = _home(args)
    if _unknown_source(args.source):
        return 2
    path = Path(args.file).expanduser()
    if not path.is_file():
        print(f"Không có tệp {path}", file=sys.stderr)
        return 2
    checked = dry_run(path, load_contracts()[args.source], home)
    print(dry_run_text(checked, None if args.all else REJECTS_LISTED), end="")
    return 0 if checked.clean else 1 if checked.would_load else 3


def cmd_template(args: argparse.Namespace) -> int:
    from ingestion import template, template_request

    home = _home(args)
    try:
        contract = template_request.template_contract(args.source)
        period = template_request.parse_period(contract, args.period)
        ward_code = template_request.parse_ward(contract, args.ward, period)
        if args.out:
            out = Path(args.out).expanduser().resolve()
            refusal = _refuse_out(out, home, args.force, "mẫu nhập liệu", home.templates)
            if refusal:
                print(refusal, file=sys.stderr)
                return 2
        else:
            out = home.templates / template_request.template_file_name(contract, ward_code, period)
    except template_request.TemplateError as error:
        print(error, file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    template.write_template(out, contract, period, ward_code)
    if contract.ward_scope == "district":
        whose = "toàn quận"
    else:
        whose = f"phường {template_request.ward_name(ward_code)}" if ward_code else "phường chọn ở ô A2"
    line = template_request.period_line(period)
    when = line[:1].lower() + line[1:]
    print(f"Đã ghi mẫu nhập liệu {contract.name_vi}, {when}, {whose}: {out}")
    return 0


def _refuse_out(
    out: Path, home: Home, force: bool, what: str = "báo cáo", folder: Path | None = None
) -> str | None:
    """Why a report (or ``what``) may not be written to ``out`` (None: it may): never into the home folder,
    whose files treem owns (the serving copy, the archive), never over a file unless ``--force`` says so."""
    if out.is_relative_to(home.root):
        return (
            f"Không ghi {what} vào {out}: thư mục dữ liệu {home.root} chỉ do treem ghi. Bỏ --out để ghi "
            f"vào {folder or home.reports}, hoặc chọn một tệp ở nơi khác."
        )
    if out.suffix.lower() != ".xlsx":
        return f"Tệp {what} phải có đuôi .xlsx: {out.name}"
    if out.exists() and not force:
        return f"Đã có tệp {out}: thêm --force để ghi đè."
    return None


def _read_password(args: argparse.Namespace) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mật khẩu: ")
    if first != getpass.getpass("Nhập lại mật khẩu: "):
        from access.roles import AccountError

        raise AccountError("Hai lần nhập mật khẩu không giống nhau.")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    from access import accounts
    from access.roles import ROLE_NAMES, AccountError, Role

    home = _home(args)
    try:
        if args.action == "list":
            for a in accounts.list_accounts(home.root):
                state = "đã khóa" if a.disabled else "đang dùng"
                source = f"  nguồn {a.source}" if a.source else ""
                print(
                    f"{a.username:<20} {ROLE_NAMES[a.role][0]:<22} {a.ward_code or 'toàn quận':<10} "
                    f"{state}  {a.name}{source}"
                )
            return 0
        if args.action == "add":
            password = _read_password(args)
            account = accounts.add_account(
                home.root, args.username, password, Role(args.role), args.ward, args.name, args.source
            )
            source = f", nguồn {account.source}" if account.source else ""
            print(
                f"Đã tạo tài khoản {account.username} ({ROLE_NAMES[account.role][0]}, "
                f"{account.ward_code or 'toàn quận'}{source})."
            )
        elif args.action == "passwd":
            accounts.set_password(home.root, args.username, _read_password(args))
            print(f"Đã đổi mật khẩu của {args.username}.")
        else:
            accounts.disable_account(home.root, args.username)
            print(f"Đã khóa tài khoản {args.username}: không đăng nhập được nữa.")
    except AccountError as error:
        print(error, file=sys.stderr)
        return 2
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from access import audit

    home = _home(args)
    if args.action == "verify":
        expect = None
        if args.expect:
            number, _, digest = args.expect.partition(":")
            if not number.isdigit() or len(digest) != 64:
                print(
                    "--expect cần dạng SỐ_DÒNG:MÃ (mã 64 ký tự do `treem audit verify` in ra).",
                    file=sys.stderr,
                )
                return 2
            expect = (int(number), digest.lower())
        verdict = audit.verify(home.root, expect)
        print(verdict.sentence(), file=sys.stdout if verdict.holds else sys.stderr)
        if verdict.holds:
            print(
                f"Ghi lại `{verdict.rows}:{verdict.head}` ở nơi khác (sổ tay, thư điện tử); lần sau `treem "
                f"audit verify --expect {verdict.rows}:{verdict.head}` cho biết chuỗi có còn là chuỗi đó."
            )
        return 0 if verdict.holds else 1
    try:
        aside = audit.restart(home.root, args.reason)
    except audit.AuditBroken as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Đã cất nhật ký cũ vào {aside} (giữ làm bằng chứng) và bắt đầu nhật ký mới; đăng nhập lại được.")
    return 0


def ensure_demo_account(home: Home) -> None:
    """The demo's one account, made only when the home has none; its password is printed once."""
    from access import accounts
    from access.roles import Role

    if accounts.list_accounts(home.root):
        print(
            "Đăng nhập bằng tài khoản đã có (tài khoản dùng thử: 'demo', mật khẩu đã in lần chạy đầu; "
            "đặt lại bằng `treem user passwd demo`).",
            flush=True,
        )
        return
    password = accounts.new_password()
    accounts.add_account(home.root, "demo", password, Role.DISTRICT_LEADER, name="Tài khoản dùng thử")
    print(
        boxed(
            [
                "Tài khoản dùng thử (lãnh đạo quận)",
                "Tên đăng nhập: demo",
                f"Mật khẩu:      {password}",
                "Mật khẩu chỉ in lần này; đổi bằng `treem user passwd demo`.",
            ]
        ),
        flush=True,
    )


def boxed(lines: list[str]) -> str:
    """Lines in a frame, so that a password stands out at the end of a long output."""
    width = max(len(line) for line in lines)
    rule = "─" * (width + 2)
    return "\n".join([f"┌{rule}┐", *(f"│ {line.ljust(width)} │" for line in lines), f"└{rule}┘"])


def cmd_demo(args: argparse.Namespace) -> int:
    home = _home(args)
    if not home.generated.joinpath("ground_truth.json").exists():
        code = cmd_generate(args)
        if code:
            return code
    code = cmd_run(args)
    if code:
        return code
    ensure_demo_account(home)
    return cmd_dashboard(args)


def home_after_command(p: argparse.ArgumentParser) -> None:
    """``--home`` after the command too (`treem quality --home H`); SUPPRESS keeps `treem --home H
    quality` working."""
    p.add_argument("--home", default=argparse.SUPPRESS, help="thư mục dữ liệu (như --home trước lệnh)")


def _contract_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "contract",
        help="xác nhận một lần cách một văn phòng viết tên cột hoặc giá trị (tệp bị cách ly được nạp lại)",
        description="Khi một tệp bị cách ly vì tên cột hoặc giá trị chưa biết, biên nhận của nó nêu cột hoặc "
        "giá trị gần nhất và lệnh cần chạy. Ánh xạ được lưu trong thư mục nhà (contracts/mappings.csv, "
        "giữ mọi thay đổi với người và thời điểm), dùng cho mọi lần chạy sau và cả khi dựng lại kho; các tệp "
        "bị cách ly mà ánh xạ gỡ được được đặt lại vào hộp thư đến và nạp ngay.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="VIỆC")
    q = actions.add_parser("map", help="tên cột như văn phòng viết là cột nào của hợp đồng")
    q.add_argument("source", metavar="NGUỒN", help="ví dụ immunization")
    q.add_argument("header", metavar="TÊN_CỘT_NHƯ_ĐÃ_VIẾT", help='đặt trong ngoặc kép, ví dụ "Lần tiêm"')
    q.add_argument("column", metavar="CỘT", help="tên cột trong hợp đồng, ví dụ dose_number")
    q = actions.add_parser("map-value", help="giá trị như đã gõ là giá trị nào (phường, vắc xin, lựa chọn)")
    q.add_argument("source", metavar="NGUỒN")
    q.add_argument("column", metavar="CỘT", help="ví dụ vaccine_code")
    q.add_argument("value", metavar="GIÁ_TRỊ_NHƯ_ĐÃ_GÕ")
    q.add_argument("meaning", metavar="GIÁ_TRỊ_ĐÚNG", help="mã hoặc một cách viết đã biết, ví dụ HEXAXIM")
    q = actions.add_parser("forget", help="bỏ một ánh xạ đã xác nhận (vẫn giữ trong lịch sử)")
    q.add_argument("source", metavar="NGUỒN")
    q.add_argument("written", metavar="TÊN_CỘT_HOẶC_GIÁ_TRỊ_NHƯ_ĐÃ_VIẾT")
    q.add_argument("--column", help="với một giá trị: cột của nó")
    q = actions.add_parser("list", help="các ánh xạ đang dùng")
    q.add_argument("--source", help="chỉ một nguồn")
    for q in actions.choices.values():
        home_after_command(q)
    for name in ("map", "map-value"):
        actions.choices[name].add_argument(
            "--no-run", action="store_true", help="chỉ đặt lại tệp vào hộp thư đến, không chạy pipeline ngay"
        )
    p.set_defaults(func=cmd_contract)


def build_parser() -> argparse.ArgumentParser:
    from access.roles import Role

    parser = argparse.ArgumentParser(
        prog="treem",
        description="treem: dữ liệu bảo vệ, chăm sóc trẻ em quận Hà Đông "
        "(nạp tệp, kho dữ liệu, bảng điều khiển).",
        epilog="Mọi dữ liệu nằm trong thư mục TREEM_HOME (mặc định ./data).",
    )
    parser.add_argument("--home", help="thư mục dữ liệu (mặc định: biến TREEM_HOME hoặc ./data)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")

    def demo_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--seed", type=int, default=2025, help="hạt giống ngẫu nhiên (mặc định 2025)")
        p.add_argument(
            "--scale", type=float, default=1.0, help="quy mô dân số (1 = quận Hà Đông; 20 ≈ 2 triệu trẻ)"
        )
        p.add_argument("--messy", type=float, default=0.0, help="tỷ lệ dòng/tệp lỗi cố ý chèn vào (0–1)")
        p.add_argument("--year", type=int, default=2025, help="năm báo cáo (mặc định 2025)")

    def dashboard_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--port", type=int, default=8501, help="cổng của bảng điều khiển (mặc định 8501)")
        p.add_argument(
            "--address",
            default="127.0.0.1",
            help="địa chỉ nghe (mặc định 127.0.0.1: chỉ máy này; mạng của quận: sau một máy chủ chuyển tiếp "
            "HTTPS, xem README)",
        )

    p = sub.add_parser("generate", help="tạo tệp trích xuất mẫu của mọi nguồn vào hộp thư đến")
    demo_options(p)
    p.set_defaults(func=cmd_generate)
    p = sub.add_parser("run", help="chạy toàn bộ pipeline một lần qua Dagster (nạp, dbt, xuất bản)")
    p.add_argument(
        "--full-refresh",
        action="store_true",
        help="dựng lại từ đầu các bảng cập nhật dần (mũi tiêm, thẻ BHYT): sau khi nâng cấp treem",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="chạy đủ mọi bước (dbt, kiểm tra, xuất bản, báo cáo) cả khi không có gì mới kể từ lần chạy "
        "trọn vẹn trước (mặc định: khi đó bỏ qua và nói rõ)",
    )
    p.add_argument(
        "--wait-timeout",
        type=float,
        metavar="GIÂY",
        help="khi một lần chạy khác đang ghi kho: chờ tối đa GIÂY giây rồi thôi, thoát với mã 3 (mặc định: "
        "chờ đến lượt; 0: không chờ)",
    )
    p.set_defaults(func=cmd_run)
    p = sub.add_parser(
        "rebuild",
        help="dựng lại kho dữ liệu từ các tệp đã lưu trữ (khi kho bị mất hoặc hỏng)",
        description="Thư mục lưu trữ (archive/, quarantine/) là hồ sơ những gì các cơ quan đã gửi. Lệnh "
        "này chuyển kho cũ sang một tên khác bên cạnh (không xoá), nạp lại mọi tệp đã lưu trữ theo đúng thứ "
        "tự và thời điểm trong sổ đăng ký (cùng các tệp sửa, tệp bị giữ và được cho phép), rồi chạy toàn bộ "
        "pipeline dựng lại từ đầu: bản phục vụ và báo cáo giống như trước khi mất kho. Không chạy khi một "
        "lần chạy khác đang ghi vào kho.",
    )
    home_after_command(p)
    p.set_defaults(func=cmd_rebuild)
    p = sub.add_parser("dashboard", help="mở bảng điều khiển Streamlit trên bản phục vụ")
    dashboard_options(p)
    p.set_defaults(func=cmd_dashboard)
    p = sub.add_parser("ui", help="mở giao diện Dagster với cảm biến hộp thư đến")
    p.add_argument("--port", type=int, default=3000)
    p.set_defaults(func=cmd_ui)
    p = sub.add_parser(
        "release",
        help="cho phép một tệp sửa bị giữ lại (ít dòng hơn hẳn tệp đang dùng) thay thế tệp đó",
        description="Một tệp sửa có ít hơn một nửa số dòng hợp lệ của tệp đang dùng cho cùng nguồn, phường "
        "và kỳ bị giữ trong thư mục cách ly (có thể tệp chưa chép xong). Nếu đúng là bản sửa, lệnh này ghi "
        "việc cho phép vào sổ đăng ký tệp và nhật ký truy cập, rồi đặt tệp lại vào hộp thư đến để lần chạy "
        "tới nạp nó.",
    )
    home_after_command(p)
    p.add_argument(
        "file", metavar="TỆP", help="mã tệp (ít nhất 6 ký tự đầu), tên tệp, hoặc đường dẫn trong quarantine/"
    )
    p.set_defaults(func=cmd_release)
    _contract_parser(sub)
    p = sub.add_parser("status", help="tệp nào đã đến, từ đâu, và biên nhận kết quả xử lý từng tệp")
    p.add_argument("--source", help="chỉ một nguồn (tên thư mục trong hộp thư đến, ví dụ immunization)")
    p.add_argument("--files", type=int, default=20, help="số biên nhận gần nhất hiển thị (mặc định 20)")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser(
        "quality",
        help="chất lượng dữ liệu theo phường và nguồn: tệp cách ly, dòng lỗi, nộp muộn, vi phạm, bất thường",
        description="In từ bản phục vụ, theo từng phường và nguồn: tệp bị cách ly, dòng bị loại và tỷ lệ, kỳ "
        "báo cáo phải nộp / đã nhận / nộp muộn và số ngày muộn nhất, vi phạm quy tắc còn mở, tháng bất "
        "thường, trẻ cần đối soát; cuối cùng là dòng toàn quận.",
    )
    home_after_command(p)
    p.add_argument(
        "--ward", metavar="MÃ", help="chỉ một phường (mã phường, ví dụ 09541; 268 = danh sách cấp quận)"
    )
    p.add_argument(
        "--against-truth",
        action="store_true",
        help="so với sự thật gốc của dữ liệu mẫu (generated/ground_truth.json do `treem generate` tạo): "
        "tệp cách ly, dòng bị loại, kỳ nộp muộn, kho | gốc, và dòng khớp / lệch cho từng số đo",
    )
    p.set_defaults(func=cmd_quality)
    p = sub.add_parser(
        "report",
        help="báo cáo định kỳ (Excel) của kế hoạch: bộ chỉ tiêu theo phường và các phụ lục",
        description="Tạo bảng tính Excel của một kỳ báo cáo trong lịch (báo cáo kết quả công tác 6 tháng, "
        "năm; Bộ chỉ tiêu 6 tháng, 9 tháng, năm) từ bản phục vụ: phụ lục bộ chỉ tiêu theo phường có dòng "
        "toàn quận, tiêm chủng và vitamin A, khai sinh và BHYT, trẻ HCĐB theo 14 nhóm, xâm hại và tai nạn "
        "thương tích (số nhỏ được ẩn ở bản toàn quận), tình hình gửi số liệu, ghi chú định nghĩa. Không "
        "có --period: liệt kê các kỳ.",
    )
    home_after_command(p)
    p.add_argument("--period", metavar="MÃ_KỲ", help="kỳ báo cáo, ví dụ 2025-BCT-6T (xem --list)")
    p.add_argument(
        "--ward", metavar="MÃ", help="bản của một phường (mã phường, ví dụ 09541): chỉ số liệu phường đó"
    )
    p.add_argument(
        "--out",
        metavar="TỆP.xlsx",
        help="tệp ghi ra (mặc định: reports/<kỳ>/<kỳ>_<mã>-<tên>.xlsx trong thư mục dữ liệu)",
    )
    p.add_argument("--force", action="store_true", help="ghi đè tệp --out đã có")
    p.add_argument("--all", action="store_true", help="mọi kỳ có số liệu, bản toàn quận và bản từng phường")
    p.add_argument("--list", action="store_true", help="liệt kê các kỳ báo cáo và kỳ nào đã đủ số liệu")
    p.set_defaults(func=cmd_report)
    p = sub.add_parser(
        "approve",
        help="phê duyệt số liệu một kỳ báo cáo của một phường hoặc toàn quận (kỹ sư dữ liệu)",
        description="Ghi phê duyệt số liệu của kỳ như bản phục vụ hiện có (người phê duyệt: tài khoản máy "
        "chạy lệnh, vai trò kỹ sư dữ liệu), kèm mã băm và bản chụp số liệu, vào sổ phê duyệt và nhật ký truy "
        "cập. Phê duyệt toàn quận ghi các bản báo cáo của kỳ một lần, không ghi lại (reports/<kỳ>/phe-duyet-"
        "<mã>/), và cần mọi phường đã phê duyệt số liệu hiện nay, hoặc --override LÝ_DO. Không có MÃ_KỲ: "
        "liệt kê các phê duyệt.",
    )
    home_after_command(p)
    p.add_argument("period", nargs="?", metavar="MÃ_KỲ", help="kỳ báo cáo, ví dụ 2025-BCT-6T")
    p.add_argument("--ward", metavar="MÃ", help="phê duyệt số liệu của một phường (mặc định: toàn quận)")
    p.add_argument("--override", metavar="LÝ_DO", help="phê duyệt toàn quận khi còn phường chưa phê duyệt")
    p.add_argument("--withdraw", metavar="MÃ_PHÊ_DUYỆT", help="huỷ một phê duyệt (cần --reason)")
    p.add_argument("--reason", metavar="LÝ_DO", help="lý do huỷ phê duyệt")
    p.add_argument("--list", action="store_true", help="liệt kê các phê duyệt (của MÃ_KỲ nếu có)")
    p.set_defaults(func=cmd_approve)
    p = sub.add_parser(
        "check",
        help="kiểm tra một tệp theo mẫu của nguồn trước khi gửi, không nạp (chạy thử)",
        description="Đọc tệp như khi nạp (cùng các quy tắc, cùng các ánh xạ đã xác nhận) nhưng không ghi gì: "
        "kỳ và phường hiểu được, số dòng sẽ nạp, từng dòng bị loại (dòng, cột, giá trị, lý do), hoặc lý do "
        "cả tệp sẽ bị cách ly. Mã thoát: 0 mọi dòng sẽ được nạp, 1 tệp sẽ được nhận nhưng có dòng bị "
        "loại, 3 cả tệp sẽ bị cách ly, 2 lệnh sai (nguồn hoặc tệp không có).",
    )
    home_after_command(p)
    _source_argument(p)
    p.add_argument("file", metavar="TỆP", help="tệp Excel hoặc CSV cần kiểm tra")
    p.add_argument(
        "--all", action="store_true", help=f"liệt kê mọi dòng bị loại (mặc định {REJECTS_LISTED} dòng đầu)"
    )
    p.set_defaults(func=cmd_check)
    p = sub.add_parser(
        "template",
        help="mẫu nhập liệu Excel trống của một nguồn, để các đơn vị điền và gửi",
        description="Ghi một bảng tính Excel trống theo đúng hợp đồng dữ liệu của nguồn: phần đầu ghi đơn vị "
        "(phường) và kỳ báo cáo, dòng tiêu đề cột đúng tên cột, danh sách thả xuống (phường, giới tính, vắc "
        "xin, các giá trị được chọn), ô ngày dạng dd/mm/yyyy, mã định danh dạng văn bản, trang hướng dẫn "
        "(ý nghĩa từng cột, cột bắt buộc, hạn gửi). Tệp điền đúng mẫu luôn được nhận. Không có --ward: "
        "đơn vị tự chọn phường ở ô A2.",
    )
    home_after_command(p)
    _source_argument(p)
    p.add_argument("--ward", metavar="MÃ", help="phường của đơn vị gửi (mã, ví dụ 09541, hoặc tên)")
    p.add_argument(
        "--period",
        metavar="KỲ",
        help="kỳ báo cáo: tháng 2025-03, quý 2025-Q1 hoặc năm 2025 tùy nguồn (mặc định: kỳ hiện tại)",
    )
    p.add_argument(
        "--out",
        metavar="TỆP.xlsx",
        help="tệp ghi ra (mặc định: templates/<nguồn>_<phường>_<kỳ>.xlsx trong thư mục dữ liệu)",
    )
    p.add_argument("--force", action="store_true", help="ghi đè tệp --out đã có")
    p.set_defaults(func=cmd_template)
    p = sub.add_parser(
        "user",
        help="tài khoản bảng điều khiển: tạo, đổi mật khẩu, khóa, liệt kê",
        description="Tài khoản đăng nhập bảng điều khiển, lưu trong accounts.json của thư mục dữ liệu "
        "(mật khẩu chỉ lưu dạng băm argon2). Vai trò: district_leader (lãnh đạo quận: mọi phường, chỉ số "
        "tổng hợp), ward_officer (cán bộ phường: phường của mình và danh sách trẻ của phường), "
        "protection_officer (cán bộ bảo vệ trẻ em: vụ việc của phường hoặc toàn quận), data_engineer (kỹ sư "
        "dữ liệu: chi tiết chất lượng dữ liệu, nhật ký truy cập, không có tên trẻ).",
    )
    home_after_command(p)
    users = p.add_subparsers(dest="action", required=True, metavar="VIỆC")
    q = users.add_parser("add", help="tạo tài khoản (hỏi mật khẩu hai lần)")
    q.add_argument("username", help="tên đăng nhập (chữ thường, số, . _ -)")
    q.add_argument("--role", required=True, choices=[r.value for r in Role], help="vai trò")
    q.add_argument(
        "--ward",
        metavar="MÃ",
        help="mã phường (bắt buộc với ward_officer và với office của nguồn do từng phường gửi; tùy chọn với "
        "protection_officer)",
    )
    q.add_argument(
        "--source",
        metavar="NGUỒN",
        help="nguồn dữ liệu đơn vị gửi (bắt buộc với office, ví dụ immunization): đơn vị chỉ gửi và xem "
        "các tệp của nguồn này",
    )
    q.add_argument("--name", default="", help="họ tên hiển thị")
    q.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ một dòng của đầu vào chuẩn")
    q = users.add_parser("passwd", help="đổi mật khẩu")
    q.add_argument("username")
    q.add_argument("--password-stdin", action="store_true", help="đọc mật khẩu từ một dòng của đầu vào chuẩn")
    q = users.add_parser("disable", help="khóa tài khoản (không xóa: nhật ký vẫn giữ tên)")
    q.add_argument("username")
    users.add_parser("list", help="liệt kê tài khoản")
    p.set_defaults(func=cmd_user)
    p = sub.add_parser(
        "audit",
        help="nhật ký truy cập: kiểm tra chuỗi mã băm; bắt đầu nhật ký mới khi chuỗi đã hỏng",
        description="Mỗi dòng của nhật ký truy cập (audit.sqlite) mang mã băm của dòng trước và của chính "
        "nó: sửa, xóa hay chèn một dòng làm đứt chuỗi từ dòng đó. Khi chuỗi đứt, bảng điều khiển tạm ngừng "
        "đăng nhập cho đến khi kỹ sư dữ liệu xem xét và bắt đầu nhật ký mới.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="VIỆC")
    q = actions.add_parser(
        "verify", help="kiểm tra cả chuỗi; chỉ ra dòng hỏng đầu tiên (mã thoát 1 khi hỏng)"
    )
    home_after_command(q)
    q.add_argument(
        "--expect",
        metavar="SỐ_DÒNG:MÃ",
        help="mã của một dòng đã ghi lại trước đây: kiểm tra dòng đó vẫn còn và vẫn mang mã đó",
    )
    q = actions.add_parser(
        "restart", help="cất nhật ký hỏng sang một tên khác (giữ làm bằng chứng) và bắt đầu nhật ký mới"
    )
    home_after_command(q)
    q.add_argument("--reason", required=True, help="lý do, ghi vào dòng đầu của nhật ký mới")
    p.set_defaults(func=cmd_audit)
    p = sub.add_parser("demo", help="tạo dữ liệu mẫu (nếu chưa có), chạy pipeline rồi mở bảng điều khiển")
    demo_options(p)
    dashboard_options(p)
    home_after_command(p)
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    from base.file_modes import GroupError, use_private_umask

    args = build_parser().parse_args(argv)
    try:
        use_private_umask()
    except GroupError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:  # Ctrl+C anywhere else (generating, serving): a sentence, not a traceback
        print("\nĐã dừng (Ctrl+C).", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
