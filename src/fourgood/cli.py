"""The `fourgood` command. Thin: parses arguments and calls the core; never shows a traceback.

Exit codes (README, "Exit codes"): 0 done and every file valid, 1 some file has errors (validate),
2 nothing to do as asked (usage error, missing path, no files, no form for the period, located
input error, an output that cannot be written), 3 unexpected error (details in the log), 130 interrupted, 141 stdout closed early.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

from . import __version__
from .logfile import log_traceback
from .messages import LANGS
from .problems import FourgoodError

LOG = logging.getLogger("fourgood")


EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_UNEXPECTED, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 3, 130, 141
EXIT_CODES_HELP = (
    "Mã thoát: 0 xong; 1 có tệp bị lỗi (validate); 2 không làm gì: sai cú pháp lệnh, đường dẫn không tồn tại, "
    "không có tệp nào, không có phiếu của kỳ --period, không ghi được tệp đầu ra; 3 lỗi không mong muốn (đã ghi nhật ký); 4 đã ghi bảng "
    "tổng hợp nhưng không in được PDF (--pdf); 130 bị ngắt; 141 đầu ra bị đóng.",
    "Exit codes: 0 done; 1 some file is invalid (validate); 2 nothing done: usage error, missing path, "
    "no files, no form for --period, an output that cannot be written; 3 unexpected error (logged); 4 workbook written but no PDF (--pdf); "
    "130 interrupted; 141 stdout closed.")
LANG_ENV = "FOURGOOD_LANG"  # the default language of every command; --lang overrides it

# argparse words itself through gettext (`argparse._`, `argparse.ngettext`): its messages in
# Vietnamese, by message id. Ids of Python 3.11 to 3.14; a test checks that every message the
# running Python's argparse can show a user is here. Developer errors (conflicting options,
# bad nargs) are never shown to a user and stay English.
ARGPARSE_VI: dict[str, str] = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "optional arguments": "tùy chọn",  # before 3.10
    "subcommands": "lệnh",
    "%(heading)s:": "%(heading)s:",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "show program's version number and exit": "hiện số phiên bản rồi thoát",
    " (default: %(default)s)": " (mặc định: %(default)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s: cảnh báo: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "unrecognized arguments: %s": "tham số không nhận ra: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "giá trị “%(value)s” không nằm trong danh sách (chọn một trong: %(choices)s)",
    "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)":
        "giá trị “%(value)s” không nằm trong danh sách, có phải “%(closest)s”? (chọn một trong: %(choices)s)",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "lệnh “%(parser_name)s” không có (chọn một trong: %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị “%(value)s” không hợp lệ (cần %(type)s)",
    "expected one argument": "cần một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected %s argument": "cần %s giá trị",
    "expected %s arguments": "cần %s giá trị",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn %(option)s chưa rõ: có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng tham số %s",
    "ignored explicit argument %r": "giá trị “%s” bị thừa",
    "unexpected option string: %s": "tùy chọn không mong đợi: %s",
    "can't open '%(filename)s': %(error)s": "không mở được “%(filename)s”: %(error)s",
    "command '%(parser_name)s' is deprecated": "lệnh “%(parser_name)s” đã lỗi thời",
    "option '%(option)s' is deprecated": "tùy chọn “%(option)s” đã lỗi thời",
    "argument '%(argument_name)s' is deprecated": "tham số “%(argument_name)s” đã lỗi thời",
}
# What argparse's type names mean in a message ("invalid int value").
ARGPARSE_TYPES_VI = {"int": "số nguyên", "float": "số"}


def requested_lang(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language asked for: the last `--lang X` / `--lang=X`, else $FOURGOOD_LANG, else Vietnamese."""
    lang = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            lang = arg.split("=", 1)[1]
        elif arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
    if lang not in LANGS:
        lang = (os.environ if environ is None else environ).get(LANG_ENV, "").strip().lower()
    return lang if lang in LANGS else "vi"


def _argparse_vi(message: str) -> str:
    return ARGPARSE_VI.get(message, message)


def _argparse_vi_n(singular: str, plural: str, n: int) -> str:
    return _argparse_vi(singular if n == 1 else plural)


@contextmanager
def argparse_language(lang: str) -> Iterator[None]:
    """argparse's own words (usage, section titles, errors) in `lang` while the block runs.

    argparse looks its messages up through the module globals `_` and `ngettext` (bound from
    gettext) at the moment it words them; they are swapped for the block and restored after.
    """
    if lang == "en":
        yield
        return
    saved = {name: getattr(argparse, name) for name in ("_", "ngettext") if hasattr(argparse, name)}
    setattr(argparse, "_", _argparse_vi)  # noqa: B010 (a private module global, set by name)
    setattr(argparse, "ngettext", _argparse_vi_n)  # noqa: B010
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(argparse, name, value)


class UsageError(Exception):
    def __init__(self, message: str, prog: str = "fourgood"):
        super().__init__(message)
        self.prog = prog


class _Parser(argparse.ArgumentParser):
    lang = "vi"

    def error(self, message: str) -> NoReturn:  # exit code 2, one readable line
        if self.lang != "en":
            message = _quote_vi(message)
        raise UsageError(message, self.prog)


class _EnglishParser(_Parser):
    lang = "en"


def _quote_vi(message: str) -> str:
    """argparse's 'x' (repr) quotes as Vietnamese “x”; its type names in words."""
    for name, words in ARGPARSE_TYPES_VI.items():
        message = message.replace(f"(cần {name})", f"(cần {words})")
    return re.sub(r"'([^']*)'", "“\\1”", message)


def build_parser(lang: str = "vi") -> argparse.ArgumentParser:
    """The command line, every help text in `lang`; call inside `argparse_language(lang)` for
    argparse's own words."""
    def t(vi: str, en: str) -> str:
        return en if lang == "en" else vi

    parser_class = _EnglishParser if lang == "en" else _Parser
    epilog = t(*EXIT_CODES_HELP)
    default_lang = requested_lang([])
    folder, file = t("THƯ_MỤC", "FOLDER"), t("TỆP", "FILE")
    parser = parser_class(prog="fourgood", description=t(
        "Chi bộ 4 tốt: mẫu phiếu, kiểm tra và tổng hợp kết quả đánh giá. Ngôn ngữ: --lang vi|en hoặc biến môi "
        "trường FOURGOOD_LANG.",
        "Chi bộ 4 tốt (4-good party cell) evaluation: templates, validation, consolidation. Language: "
        "--lang vi|en or the FOURGOOD_LANG environment variable."))
    parser.add_argument("--version", action="version", version=f"fourgood {__version__}",
                        help=t("hiện số phiên bản rồi thoát", "show the version number and exit"))
    parser.add_argument("--lang", choices=LANGS, default=argparse.SUPPRESS,
                        help=t("ngôn ngữ của hướng dẫn và thông báo", "language of help and messages"))
    sub = parser.add_subparsers(dest="command", metavar=t("LỆNH", "COMMAND"), parser_class=parser_class)

    p = sub.add_parser("templates", help=t("tạo các mẫu phiếu Excel (mỗi loại chi bộ một mẫu), mẫu danh sách chi "
                                           "bộ và bảng tiêu chí",
                                           "write the Excel templates (one per cell type), the roster and the "
                                           "criteria workbook"),
                       description=t("Tạo các mẫu phiếu chấm điểm, mẫu danh sách chi bộ, bảng tiêu chí và bảng "
                                     "tổng hợp.", "Write the scoring forms, the roster, the criteria workbook and "
                                     "the consolidation workbook."), epilog=epilog)
    p.add_argument("--out", default="mau-phieu", metavar=folder,
                   help=t("thư mục ghi các mẫu (mặc định: ./mau-phieu)", "output folder (default: ./mau-phieu)"))
    _criteria(p, t, file, "bảng tiêu chí: tệp YAML, thư mục các tệp YAML hoặc bảng tiêu chí Excel (.xlsx)",
              "criteria table: a YAML spec, a folder of specs or a criteria workbook (.xlsx)")
    _lang(p, t, default_lang)

    p = sub.add_parser("validate", help=t("kiểm tra các phiếu đã nộp (tệp hoặc thư mục)",
                                          "check submitted workbooks (files or folders)"),
                       description=t("Kiểm tra từng tệp phiếu chấm điểm và cho kết luận về mỗi tệp.",
                                     "Check every submitted scoring form and give each file a verdict."),
                       epilog=epilog)
    p.add_argument("paths", nargs="+", metavar=t("ĐƯỜNG_DẪN", "PATH"),
                   help=t("tệp hoặc thư mục (tìm cả trong thư mục con)", "files or folders (searched recursively)"))
    p.add_argument("--json", action="store_true",
                   help=t("in kết quả dạng JSON thay cho bảng", "print one JSON document instead of a table"))
    _criteria(p, t, file, "bảng tiêu chí dùng để kiểm tra (mặc định: bảng kèm theo chương trình)",
              "criteria table to validate against (default: the bundled one)")
    _jobs(p, t)
    _scheduler(p, t)
    _progress(p, t)
    _lang(p, t, default_lang)

    p = sub.add_parser("consolidate", help=t("tổng hợp các phiếu thành một bảng tổng hợp của tỉnh",
                                             "consolidate submissions into one provincial workbook"),
                       description=t("Tổng hợp các phiếu đã nộp (và các bảng tổng hợp cấp dưới) thành một tệp Excel.",
                                     "Consolidate the submitted forms (and lower levels' consolidated workbooks) "
                                     "into one Excel workbook."),
                       epilog=epilog)
    p.add_argument("paths", nargs="+", metavar=t("ĐƯỜNG_DẪN", "PATH"),
                   help=t("tệp và thư mục chứa phiếu nộp (và bảng tổng hợp cấp dưới)",
                          "files and folders of submissions (and consolidated workbooks)"))
    p.add_argument("-o", "--out", required=True, metavar=t("TỆP.xlsx", "FILE.xlsx"),
                   help=t("bảng tổng hợp sẽ ghi ra (.xlsx)", "the consolidated workbook to write (.xlsx)"))
    p.add_argument("--roster", metavar=file, help=t("danh sách chi bộ (theo mẫu danh sách) để biết chi bộ nào "
                                                    "chưa nộp",
                                                    "roster workbook (the roster template) listing the cells expected"))
    p.add_argument("--period", metavar=t("KỲ", "PERIOD"),
                   help=t("chỉ lấy một kỳ: năm (2026) hoặc một tháng (2026-11, 11/2026, T11/2026)",
                          "keep one period: a year (2026) or a month (2026-11, 11/2026, T11/2026)"))
    _jobs(p, t)
    _scheduler(p, t)
    p.add_argument("--summary-json", metavar=file, help=t("ghi thêm các số liệu tóm tắt dạng JSON vào tệp này",
                                                          "also write the summary counts as JSON to this file"))
    _criteria(p, t, file, "bảng tiêu chí (mặc định: bảng kèm theo chương trình)",
              "criteria table (default: the bundled one)")
    kept = p.add_mutually_exclusive_group()
    kept.add_argument("--store", metavar=file, help=t(
        "kho lịch sử (mặc định: TÊN.fourgood.sqlite cạnh bảng tổng hợp); chỉ đọc các tệp chưa có trong kho",
        "history store (default: NAME.fourgood.sqlite beside the workbook); only files not in it are read"))
    kept.add_argument("--no-store", action="store_true", help=t("không dùng kho lịch sử: đọc lại mọi tệp",
                                                                "no history store: read every file"))
    p.add_argument("--pdf", action="store_true",
                   help=t("in thêm ra tệp PDF cùng tên, cạnh bảng tổng hợp (cần LibreOffice)",
                          "also write the report as PDF beside the workbook (needs LibreOffice)"))
    p.add_argument("--issuer", metavar=t("CẤP_ỦY", "ISSUER"),
                   help=t("cơ quan ban hành, ở đầu báo cáo, vd. “TỈNH ỦY HÀ TĨNH|BAN TỔ CHỨC” hoặc một dòng “Ban Tổ chức "
                          "Tỉnh ủy”, “Đảng ủy xã Cẩm Bình” (mặc định: theo tổ chức cao nhất của danh sách)",
                          "the issuer in the report's heading, e.g. “TỈNH ỦY HÀ TĨNH|BAN TỔ CHỨC” or one line “BAN TỔ "
                          "CHỨC TỈNH ỦY” (default: from the roster's top organisation)"))
    p.add_argument("--signer", metavar=t("NGƯỜI_KÝ", "SIGNER"),
                   help=t("cách ký báo cáo: “TRƯỞNG BAN”, “K/T TRƯỞNG BAN”, “T/M BAN THƯỜNG VỤ”, “T/M ĐẢNG ỦY”, "
                          "“T/M CHI BỘ”, “T/L BAN THƯỜNG VỤ”; chức vụ người ký có thể thêm sau dấu | (mặc định: theo "
                          "cấp ban hành)",
                          "how the report is signed: “TRƯỞNG BAN”, “K/T TRƯỞNG BAN”, “T/M BAN THƯỜNG VỤ”, “T/M ĐẢNG ỦY”, "
                          "“T/M CHI BỘ”, “T/L BAN THƯỜNG VỤ”; the signer's office may follow a | (default: from the "
                          "issuer)"))
    p.add_argument("--weakest", type=int, default=10, metavar="N",
                   help=t("số tiêu chí yếu nhất nêu trong báo cáo (mặc định 10; đủ các tiêu chí ở phụ lục)",
                          "how many of the weakest criteria the report lists (default 10; all are in an appendix)"))
    p.add_argument("--place", metavar=t("ĐỊA_DANH", "PLACE"),
                   help=t("địa danh ở dòng ngày tháng, vd. “Hà Tĩnh” (mặc định: theo tỉnh)",
                          "the place in the date line, e.g. “Hà Tĩnh” (default: from the province)"))
    _progress(p, t)
    _lang(p, t, default_lang)

    p = sub.add_parser("addin", help=t("add-in Excel: tạo tệp fourgood.xlam hoặc cài cho người dùng này",
                                       "the Excel add-in: build fourgood.xlam, or install it for this user"),
                       description=t("Add-in Excel (thẻ “4 Tốt” trên thanh công cụ).",
                                     "The Excel add-in (the “4 Tốt” ribbon tab)."))
    addin = p.add_subparsers(dest="addin_command", metavar=t("THAO_TÁC", "ACTION"), parser_class=parser_class,
                             required=True)
    q = addin.add_parser("build", help=t("ghi tệp fourgood.xlam (thẻ “4 Tốt”) vào một thư mục",
                                         "write fourgood.xlam (the “4 Tốt” ribbon tab) into a folder"))
    q.add_argument("--out", default=".", metavar=folder, help=t("thư mục ghi tệp (mặc định: thư mục hiện tại)",
                                                                "output folder (default: the current folder)"))
    _lang(q, t, default_lang)
    q = addin.add_parser("install", help=t("cài add-in cho người dùng hiện tại, dùng Python này (Windows, macOS)",
                                           "install the add-in for the current user, using this Python (Windows, "
                                           "macOS)"))
    _lang(q, t, default_lang)

    p = sub.add_parser("demo", help=t("tạo một tỉnh mẫu từ các mẫu phiếu và xử lý trọn quy trình",
                                      "build a synthetic province from the templates and process it end to end"))
    p.add_argument("--out", default="fourgood-demo", metavar=folder,
                   help=t("thư mục ghi kết quả (mặc định: ./fourgood-demo)", "output folder (default: ./fourgood-demo)"))
    p.add_argument("--seed", type=int, default=2026, metavar="N",
                   help=t("hạt giống ngẫu nhiên của dữ liệu mẫu (mặc định: 2026)",
                          "random seed of the sample data (default: 2026)"))
    p.add_argument("--year-cells", type=int, default=3, metavar="N",
                   help=t("số chi bộ được tạo phiếu đủ các tháng trong năm cho bảng cả năm (mặc định: 3; 0: bỏ qua)",
                          "cells given forms for the other months, for the year view (default: 3; 0: none)"))
    _lang(p, t, default_lang)
    _serve_parser(sub, t, parser_class, default_lang)
    return parser


Words = Callable[[str, str], str]


# ---- `fourgood serve`: the province's server (fourgood.server; needs the extra fourgood[server]) ----
def _serve_parser(sub: argparse._SubParsersAction, t: Words, parser_class: type[argparse.ArgumentParser],
                  default_lang: str) -> None:
    p = sub.add_parser("serve", help=t("chạy máy chủ của Ban Tổ chức: trang kiểm tra và nộp phiếu, hộp thư phiếu, "
                                       "add-in Excel (xlwings Server)",
                                       "run the board's server: the check-and-submit page, the inbox, the Excel "
                                       "add-in (xlwings Server)"))
    _serve_places(p, t, argparse.SUPPRESS)
    p.add_argument("--host", default="127.0.0.1", help=t("địa chỉ lắng nghe (mặc định 127.0.0.1)",
                                                         "address to listen on (default 127.0.0.1)"))
    p.add_argument("--port", type=int, default=8000, help=t("cổng (mặc định 8000)", "port (default 8000)"))
    p.add_argument("--certfile", help=t("chứng chỉ HTTPS (bắt buộc khi không chạy trên 127.0.0.1)",
                                        "HTTPS certificate (required unless on 127.0.0.1)"))
    p.add_argument("--keyfile", help=t("khóa riêng của chứng chỉ HTTPS", "the HTTPS certificate's private key"))
    p.add_argument("--hostname", help=t("tên miền công khai của máy chủ, ghi vào manifest.xml của add-in",
                                        "the server's public host name, written into the add-in's manifest.xml"))
    p.add_argument("--max-upload-mb", type=float, default=10,
                   help=t("dung lượng tối đa mỗi tệp tải lên, MB (mặc định 10)", "largest upload, MB (default 10)"))
    p.add_argument("--rate", type=int, default=30,
                   help=t("số lần gửi tối đa mỗi phút cho một mã truy cập (mặc định 30)",
                          "most submissions per minute per token (default 30)"))
    p.add_argument("--anonymous-rate", type=int, default=30,
                   help=t("số lần kiểm tra tối đa mỗi phút cho một địa chỉ không có mã truy cập; 0: không giới hạn "
                          "(mặc định 30; nhân viên một cơ quan thường chung một địa chỉ)",
                          "most checks per minute per address without a token; 0: no limit (default 30; the staff "
                          "of one office often share one address)"))
    p.add_argument("--workers", type=int, default=2,
                   help=t("số phiếu được kiểm tra cùng lúc (mặc định 2)", "forms checked at once (default 2)"))
    p.add_argument("--queue", type=int, default=32,
                   help=t("số phiếu được chờ kiểm tra; nhiều hơn thì trả lời 503 (mặc định 32)",
                          "forms that may wait to be checked; beyond, 503 (default 32)"))
    p.add_argument("--check-seconds", type=float, default=5,
                   help=t("thời gian CPU tối đa để kiểm tra một tệp, giây (mặc định 5)",
                          "most CPU seconds to check one file (default 5)"))
    p.add_argument("--body-timeout", type=float, default=30,
                   help=t("số giây tối đa dữ liệu gửi lên được ngừng giữa chừng (mặc định 30)",
                          "most seconds an upload may stall (default 30)"))
    _criteria(p, t, None, "bảng tiêu chí (mặc định: bảng kèm theo)", "criteria table (default: bundled)")
    _lang(p, t, default_lang)
    tok = p.add_subparsers(dest="serve_command", metavar="token", parser_class=parser_class)
    token = tok.add_parser("token", help=t("cấp, liệt kê, thu hồi mã truy cập", "issue, list, revoke access tokens"))
    actions = token.add_subparsers(dest="token_action", metavar=t("THAO_TÁC", "ACTION"), parser_class=parser_class,
                                   required=True)
    a = actions.add_parser("add", help=t("cấp mã truy cập mới cho một đơn vị (chỉ hiển thị một lần)",
                                         "issue a new token to a unit (shown once)"))
    a.add_argument("unit", metavar=t("MÃ_ĐƠN_VỊ", "UNIT_CODE"),
                   help=t("mã chi bộ hoặc mã tổ chức đảng trong danh sách chi bộ",
                          "a cell code or an organisation code of the roster"))
    a.add_argument("--role", choices=("unit", "board"), default="unit",
                   help=t("unit: nộp phiếu của các chi bộ trực thuộc; board: Ban Tổ chức, xem và tổng hợp hộp thư",
                          "unit: submits the forms of its cells; board: reads and consolidates the inbox"))
    lst = actions.add_parser("list", help=t("liệt kê các mã truy cập (không hiện mã)", "list tokens (never shown)"))
    r = actions.add_parser("revoke", help=t("thu hồi một mã truy cập", "revoke a token"))
    r.add_argument("token_id", metavar="ID", help=t("số hiệu mã (xem: fourgood serve token list)",
                                                    "the token's id (see: fourgood serve token list)"))
    for q in (a, lst, r):
        _serve_places(q, t, argparse.SUPPRESS)


def _serve_places(p: argparse.ArgumentParser, t: Words, default: str) -> None:
    p.add_argument("--inbox", default=default, help=t("thư mục hộp thư: phiếu được nhận lưu tại đây (bắt buộc)",
                                                      "the inbox folder: accepted forms are stored here (required)"))
    p.add_argument("--state", default=default,
                   help=t("thư mục dữ liệu của máy chủ (mặc định: bên cạnh hộp thư, tên HỘP-THƯ.fourgood)",
                          "the server's data folder (default: beside the inbox, INBOX.fourgood)"))
    p.add_argument("--roster", default=default,
                   help=t("danh sách chi bộ (.xlsx): đơn vị chỉ được nộp phiếu của chi bộ trực thuộc",
                          "the roster (.xlsx): a unit may submit only the forms of its cells"))


def _run_serve(args: argparse.Namespace) -> int:
    from .server import ServeError, serve, token_command

    for key in ("inbox", "state", "roster"):
        setattr(args, key, getattr(args, key, None))
    if not args.inbox:
        raise UsageError(_words(getattr(args, "lang", "vi"), "thiếu --inbox", "--inbox is required"), "fourgood serve")
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
# ---- end of `fourgood serve` ----


def _jobs(p: argparse.ArgumentParser, t: Words) -> None:
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help=t("số tiến trình đọc tệp song song (mặc định: 1)",
                          "processes reading files in parallel (default: 1)"))


def _scheduler(p: argparse.ArgumentParser, t: Words) -> None:
    p.add_argument("--scheduler", metavar=t("ĐỊA_CHỈ", "ADDRESS"),
                   help=t("đọc và kiểm tra tệp trên cụm Dask tại địa chỉ này (ví dụ tcp://10.0.0.5:8786; cần "
                          "fourgood[dask]; các máy phải thấy cùng đường dẫn tệp) thay cho --jobs",
                          "read and check files on the Dask cluster at this address (e.g. tcp://10.0.0.5:8786; needs "
                          "fourgood[dask]; workers must see the same file paths) instead of --jobs"))


def _progress(p: argparse.ArgumentParser, t: Words) -> None:
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help=t("hiện thanh tiến độ trên stderr khi đọc tệp (mặc định: chỉ khi stderr là màn hình)",
                          "show a progress bar on stderr while reading (default: only when stderr is a terminal)"))


def _criteria(p: argparse.ArgumentParser, t: Words, metavar: str | None, vi: str, en: str) -> None:
    """`--criteria`, repeatable: a board gives every version of its tables (README, "Criteria tables
    change during a year"); the highest version of a cell type is the one in use."""
    p.add_argument("--criteria", metavar=metavar, action="append", help=t(
        f"{vi}; nhắc lại hoặc dùng một thư mục để cho nhiều phiên bản (phiên bản cao nhất là bảng hiện hành)",
        f"{en}; repeat it, or give a folder, for several versions (the highest version is the one in use)"))


def _lang(p: argparse.ArgumentParser, t: Words, default: str) -> None:
    p.add_argument("--lang", choices=LANGS, default=default,
                   help=t(f"ngôn ngữ của thông báo và bảng tính (mặc định: {default}; biến môi trường FOURGOOD_LANG)",
                          f"language of messages and workbooks (default: {default}; environment variable "
                          "FOURGOOD_LANG)"))


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


def _words(lang: str, vi: str, en: str) -> str:
    return en if lang == "en" else vi


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
            raise UsageError(_words(args.lang, "--jobs phải từ 1 trở lên", "--jobs must be at least 1"),
                             "fourgood validate")
        return run_validate(args.paths, as_json=args.json, lang=args.lang, criteria=args.criteria, jobs=args.jobs,
                            progress=args.progress, scheduler=args.scheduler)
    if args.command == "consolidate":
        from .consolidate_cmd import run_consolidate, store_beside

        if not args.out.lower().endswith(".xlsx"):
            raise UsageError(_words(args.lang, "-o/--out phải là tên một tệp .xlsx", "-o/--out must name an .xlsx file"),
                             "fourgood consolidate")
        if args.jobs < 1:
            raise UsageError(_words(args.lang, "--jobs phải từ 1 trở lên", "--jobs must be at least 1"),
                             "fourgood consolidate")
        code, _ = run_consolidate(args.paths, args.out, roster=args.roster, period=args.period, jobs=args.jobs,
                                  summary_json=args.summary_json, lang=args.lang, criteria=args.criteria,
                                  progress=args.progress, pdf=args.pdf, issuer=args.issuer, place=args.place,
                                  signer=args.signer, weakest=args.weakest,
                                  store=None if args.no_store else args.store or str(store_beside(args.out)),
                                  scheduler=args.scheduler)
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

        return run_demo(Path(args.out), seed=args.seed, lang=args.lang, year_cells=args.year_cells)
    if args.command == "serve":
        return _run_serve(args)
    raise UsageError(args.command)


if __name__ == "__main__":
    raise SystemExit(main())
