"""The `fourgood` command. Thin: parses arguments and calls the core; never shows a traceback.

Exit codes (README, "Exit codes"): 0 done and every file valid, 1 some file has errors (validate),
2 nothing to do as asked (usage error, missing path, no files, no form for the period, located
input error), 3 unexpected error (details in the log), 130 interrupted, 141 stdout closed early.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import __version__
from .logfile import log_traceback
from .problems import FourgoodError

LOG = logging.getLogger("fourgood")


EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_UNEXPECTED, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 3, 130, 141
EXIT_CODES_HELP = ("exit codes: 0 done; 1 some file is invalid (validate); 2 nothing done: usage error, missing path, "
                   "no files, no form for --period; 3 unexpected error (logged); 130 interrupted; 141 stdout closed")


class UsageError(Exception):
    def __init__(self, message: str, prog: str = "fourgood"):
        super().__init__(message)
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit code 2, one readable line
        raise UsageError(message, self.prog)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fourgood", description="Chi bộ 4 tốt: mẫu phiếu, kiểm tra và tổng hợp kết quả đánh giá "
                     "(4-good party cell evaluation: templates, validation, consolidation).")
    parser.add_argument("--version", action="version", version=f"fourgood {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("templates", help="write the Excel templates (one per cell type), the roster and the criteria workbook")
    p.add_argument("--out", default="mau-phieu", help="output folder (default: ./mau-phieu)")
    p.add_argument("--criteria", help="criteria table: a YAML spec, a folder of specs or a criteria workbook (.xlsx)")
    _lang(p)

    p = sub.add_parser("validate", help="check submitted workbooks (files or folders)", epilog=EXIT_CODES_HELP)
    p.add_argument("paths", nargs="+", help="files or folders (searched recursively)")
    p.add_argument("--json", action="store_true", help="print one JSON document instead of a table")
    p.add_argument("--criteria", help="criteria table to validate against (default: the bundled one)")
    _jobs(p)
    _progress(p)
    _lang(p)

    p = sub.add_parser("consolidate", help="consolidate submissions into one provincial workbook",
                       epilog=EXIT_CODES_HELP)
    p.add_argument("paths", nargs="+", help="files and folders of submissions (and consolidated workbooks)")
    p.add_argument("-o", "--out", required=True, help="the consolidated workbook to write (.xlsx)")
    p.add_argument("--roster", help="roster workbook (the roster template) listing the cells expected")
    p.add_argument("--period", help="keep one period: a year (2026) or a year and month (2026-11)")
    _jobs(p)
    p.add_argument("--summary-json", help="also write the summary counts as JSON to this file")
    p.add_argument("--criteria", help="criteria table (default: the bundled one)")
    _progress(p)
    _lang(p)

    p = sub.add_parser("addin", help="the Excel add-in: build fourgood.xlam, or install it for this user")
    addin = p.add_subparsers(dest="addin_command", metavar="ACTION", parser_class=_Parser, required=True)
    q = addin.add_parser("build", help="write fourgood.xlam (the “4 Tốt” ribbon tab) into a folder")
    q.add_argument("--out", default=".", help="output folder (default: the current folder)")
    _lang(q)
    q = addin.add_parser("install", help="install the add-in for the current user, using this Python (Windows, macOS)")
    _lang(q)

    p = sub.add_parser("demo", help="build a synthetic province from the templates and process it end to end")
    p.add_argument("--out", default="fourgood-demo", help="output folder (default: ./fourgood-demo)")
    p.add_argument("--seed", type=int, default=2026)
    _lang(p)
    _serve_parser(sub)
    return parser


# ---- `fourgood serve`: the province's server (fourgood.server; needs the extra fourgood[server]) ----
def _serve_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="chạy máy chủ của Ban Tổ chức: trang kiểm tra và nộp phiếu, hộp thư phiếu, "
                       "add-in Excel (xlwings Server)")
    _serve_places(p, argparse.SUPPRESS)
    p.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="cổng (mặc định 8000)")
    p.add_argument("--certfile", help="chứng chỉ HTTPS (bắt buộc khi không chạy trên 127.0.0.1)")
    p.add_argument("--keyfile", help="khóa riêng của chứng chỉ HTTPS")
    p.add_argument("--hostname", help="tên miền công khai của máy chủ, ghi vào manifest.xml của add-in")
    p.add_argument("--max-upload-mb", type=float, default=10, help="dung lượng tối đa mỗi tệp tải lên, MB (mặc định 10)")
    p.add_argument("--rate", type=int, default=30, help="số lần gửi tối đa mỗi phút cho một mã truy cập (mặc định 30)")
    p.add_argument("--criteria", help="bảng tiêu chí (mặc định: bảng kèm theo)")
    _lang(p)
    tok = p.add_subparsers(dest="serve_command", metavar="token", parser_class=_Parser)
    t = tok.add_parser("token", help="cấp, liệt kê, thu hồi mã truy cập")
    actions = t.add_subparsers(dest="token_action", metavar="ACTION", parser_class=_Parser, required=True)
    a = actions.add_parser("add", help="cấp mã truy cập mới cho một đơn vị (chỉ hiển thị một lần)")
    a.add_argument("unit", metavar="UNIT_CODE", help="mã chi bộ hoặc mã tổ chức đảng trong danh sách chi bộ")
    a.add_argument("--role", choices=("unit", "board"), default="unit",
                   help="unit: nộp phiếu của các chi bộ trực thuộc; board: Ban Tổ chức, xem và tổng hợp hộp thư")
    lst = actions.add_parser("list", help="liệt kê các mã truy cập (không hiện mã)")
    r = actions.add_parser("revoke", help="thu hồi một mã truy cập")
    r.add_argument("token_id", metavar="ID", help="số hiệu mã (xem: fourgood serve token list)")
    for q in (a, lst, r):
        _serve_places(q, argparse.SUPPRESS)


def _serve_places(p: argparse.ArgumentParser, default: str) -> None:
    p.add_argument("--inbox", default=default, help="thư mục hộp thư: phiếu được nhận lưu tại đây (bắt buộc)")
    p.add_argument("--state", default=default,
                   help="thư mục dữ liệu của máy chủ (mặc định: bên cạnh hộp thư, tên HỘP-THƯ.fourgood)")
    p.add_argument("--roster", default=default,
                   help="danh sách chi bộ (.xlsx): đơn vị chỉ được nộp phiếu của chi bộ trực thuộc")


def _run_serve(args: argparse.Namespace) -> int:
    from .server import ServeError, serve, token_command

    for key in ("inbox", "state", "roster"):
        setattr(args, key, getattr(args, key, None))
    if not args.inbox:
        raise UsageError("--inbox is required", "fourgood serve")
    try:
        if args.serve_command == "token":
            return token_command(args.token_action, inbox=args.inbox, state=args.state, unit=getattr(args, "unit", None),
                                 role=getattr(args, "role", "unit"), token_id=getattr(args, "token_id", None),
                                 roster=args.roster)
        return serve(inbox=args.inbox, roster=args.roster, host=args.host, port=args.port, certfile=args.certfile,
                     keyfile=args.keyfile, state=args.state, criteria=args.criteria, max_upload_mb=args.max_upload_mb,
                     rate=args.rate, hostname=args.hostname, lang=args.lang)
    except ServeError as exc:
        print(f"fourgood serve: {exc}", file=sys.stderr)
        return EXIT_USAGE
# ---- end of `fourgood serve` ----


def _jobs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--jobs", type=int, default=1, help="processes reading files in parallel (default: 1)")


def _progress(p: argparse.ArgumentParser) -> None:
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar on stderr while reading (default: only when stderr is a terminal)")


def _lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of messages and workbooks (default: vi)")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = "en" if "--lang=en" in argv or ("--lang" in argv and argv[argv.index("--lang") + 1:][:1] == ["en"]) else "vi"
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return EXIT_USAGE
        code = _run(args)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return code
    except BrokenPipeError:  # `fourgood validate --json | head -1`: the reader has gone; end quietly
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    except UsageError as exc:
        label = "usage error" if lang == "en" else "lỗi cú pháp lệnh"
        see = "see" if lang == "en" else "xem"
        print(f"{exc.prog}: {label}: {exc} ({see} {exc.prog} --help)", file=sys.stderr)
        return EXIT_USAGE
    except FourgoodError as exc:
        print(exc.render(lang), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # last resort: a readable line, the traceback to a log file
        log = log_traceback()
        msg = ("Unexpected error: {e}. Details: {log}" if lang == "en" else "Lỗi không mong muốn: {e}. Chi tiết: {log}")
        print(msg.format(e=exc, log=log), file=sys.stderr)
        return EXIT_UNEXPECTED


def _drop_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (captured in tests): nothing to flush
        pass


def _run(args: argparse.Namespace) -> int:
    if args.command == "templates":
        from .spec import load_specs
        from .workbook_templates.writer import write_templates

        paths = write_templates(args.out, load_specs(args.criteria), args.lang)
        head = "Templates written:" if args.lang == "en" else "Đã tạo các mẫu:"
        print(head)
        for p in paths:
            print(f"  {p}")
        return 0
    if args.command == "validate":
        from .validate_cmd import run_validate

        if args.jobs < 1:
            raise UsageError("--jobs must be at least 1", "fourgood validate")
        return run_validate(args.paths, as_json=args.json, lang=args.lang, criteria=args.criteria, jobs=args.jobs,
                            progress=args.progress)
    if args.command == "consolidate":
        from .consolidate_cmd import run_consolidate

        if not args.out.lower().endswith(".xlsx"):
            raise UsageError("-o/--out must name an .xlsx file", "fourgood consolidate")
        if args.jobs < 1:
            raise UsageError("--jobs must be at least 1", "fourgood consolidate")
        code, _ = run_consolidate(args.paths, args.out, roster=args.roster, period=args.period, jobs=args.jobs,
                                  summary_json=args.summary_json, lang=args.lang, criteria=args.criteria,
                                  progress=args.progress)
        return code
    if args.command == "addin":
        from .addin.build import build_addin, install_addin

        if args.addin_command == "build":
            path = build_addin(args.out)
            print(("Add-in written: " if args.lang == "en" else "Đã tạo add-in: ") + str(path))
            return 0
        code, message = install_addin(args.lang)
        print(message, file=sys.stderr if code else sys.stdout)
        return code
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(Path(args.out), seed=args.seed, lang=args.lang)
    if args.command == "serve":
        return _run_serve(args)
    raise UsageError(args.command)


if __name__ == "__main__":
    raise SystemExit(main())
