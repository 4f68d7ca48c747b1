"""Dispatch: run the command the arguments name, and turn every failure into an exit code and one
readable line (never a traceback)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ..logfile import log_traceback
from ..problems import FourgoodError
from ..vocab import Text
from .argparse_vi import UsageError, argparse_language, requested_lang
from .parser import build_parser

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_UNEXPECTED, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 3, 130, 141


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = requested_lang(argv)
    try:
        with argparse_language(lang):
            parser = build_parser(lang)
            try:
                args = parser.parse_args(argv)
            except SystemExit as exc:  # --help, --version: printed, done
                return exc.code if isinstance(exc.code, int) else EXIT_OK
            if not args.command:
                parser.print_help()
                return EXIT_USAGE
        args.lang = lang if any(a == "--lang" or a.startswith("--lang=") for a in argv) else args.lang
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
    run = COMMANDS.get(args.command)
    if run is None:
        raise UsageError(args.command)
    return run(args)


def _run_templates(args: argparse.Namespace) -> int:
    from ..spec import load_specs
    from ..workbook_templates.writer import write_templates

    paths = write_templates(args.out, load_specs(args.criteria), args.lang)
    head = "Templates written:" if args.lang == "en" else "Đã tạo các mẫu:"
    print(head)
    for p in paths:
        print(f"  {p}")
    return 0


def _run_validate(args: argparse.Namespace) -> int:
    from ..validate_cmd import run_validate

    if args.jobs < 1:
        raise UsageError(Text("--jobs phải từ 1 trở lên", "--jobs must be at least 1").of(args.lang),
                         "fourgood validate")
    return run_validate(args.paths, as_json=args.json, lang=args.lang, criteria=args.criteria, jobs=args.jobs,
                        progress=args.progress, scheduler=args.scheduler)


def _run_consolidate(args: argparse.Namespace) -> int:
    from ..consolidate_cmd import run_consolidate, store_beside

    if not args.out.lower().endswith(".xlsx"):
        raise UsageError(Text("-o/--out phải là tên một tệp .xlsx", "-o/--out must name an .xlsx file").of(args.lang),
                         "fourgood consolidate")
    if args.jobs < 1:
        raise UsageError(Text("--jobs phải từ 1 trở lên", "--jobs must be at least 1").of(args.lang),
                         "fourgood consolidate")
    code, _ = run_consolidate(args.paths, args.out, roster=args.roster, period=args.period, jobs=args.jobs,
                              summary_json=args.summary_json, lang=args.lang, criteria=args.criteria,
                              progress=args.progress, pdf=args.pdf, issuer=args.issuer, place=args.place,
                              signer=args.signer, weakest=args.weakest, rewrite=args.rewrite,
                              store=None if args.no_store else args.store or str(store_beside(args.out)),
                              scheduler=args.scheduler)
    return code


def _run_addin(args: argparse.Namespace) -> int:
    from ..addin.build import build_addin, install_addin

    if args.addin_command == "build":
        path = build_addin(args.out)
        print(("Add-in written: " if args.lang == "en" else "Đã tạo add-in: ") + str(path))
        return 0
    code, message = install_addin(args.lang)
    print(message, file=sys.stderr if code else sys.stdout)
    return code


def _run_demo(args: argparse.Namespace) -> int:
    from ..demo import run_demo

    return run_demo(Path(args.out), seed=args.seed, lang=args.lang, year_cells=args.year_cells)


def _run_serve(args: argparse.Namespace) -> int:
    from ..server import ServeError, serve, token_command

    for key in ("inbox", "state", "roster"):
        setattr(args, key, getattr(args, key, None))
    if not args.inbox:
        raise UsageError(Text("thiếu --inbox", "--inbox is required").of(getattr(args, "lang", "vi")), "fourgood serve")
    try:
        if args.serve_command == "token":
            return token_command(args.token_action, inbox=args.inbox, state=args.state, unit=getattr(args, "unit", None),
                                 role=getattr(args, "role", "unit"), token_id=getattr(args, "token_id", None),
                                 roster=args.roster)
        return serve(inbox=args.inbox, roster=args.roster, host=args.host, port=args.port, certfile=args.certfile,
                     keyfile=args.keyfile, state=args.state, criteria=args.criteria, max_upload_mb=args.max_upload_mb,
                     rate=args.rate, hostname=args.hostname, lang=args.lang, anonymous_rate=args.anonymous_rate,
                     workers=args.workers, queue=args.queue, check_seconds=args.check_seconds,
                     body_timeout=args.body_timeout)
    except ServeError as exc:
        print(f"fourgood serve: {exc}", file=sys.stderr)
        return EXIT_USAGE


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "templates": _run_templates, "validate": _run_validate, "consolidate": _run_consolidate, "addin": _run_addin,
    "demo": _run_demo, "serve": _run_serve}
