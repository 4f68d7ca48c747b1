"""The command line's grammar: one function per subcommand, every help text in both languages."""

from __future__ import annotations

import argparse

from .. import __version__
from ..messages import LANGS
from ..vocab import Text
from .argparse_vi import _EnglishParser, _Parser, requested_lang
from .options import Words, _criteria, _jobs, _lang, _progress, _scheduler

EXIT_CODES_HELP = (
    "Mã thoát: 0 xong; 1 có tệp bị lỗi (validate); 2 không làm gì: sai cú pháp lệnh, đường dẫn không tồn tại, "
    "không có tệp nào, không có phiếu của kỳ --period, không ghi được tệp đầu ra; 3 lỗi không mong muốn (đã ghi nhật ký); 4 đã ghi bảng "
    "tổng hợp nhưng không in được PDF (--pdf); 130 bị ngắt; 141 đầu ra bị đóng.",
    "Exit codes: 0 done; 1 some file is invalid (validate); 2 nothing done: usage error, missing path, "
    "no files, no form for --period, an output that cannot be written; 3 unexpected error (logged); 4 workbook written but no PDF (--pdf); "
    "130 interrupted; 141 stdout closed.")


def build_parser(lang: str = "vi") -> argparse.ArgumentParser:
    """The command line, every help text in `lang`; call inside `argparse_language(lang)` for
    argparse's own words."""
    def t(vi: str, en: str) -> str:
        return Text(vi, en).of(lang)

    parser_class = _EnglishParser if lang == "en" else _Parser
    default_lang = requested_lang([])
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
    for add in (_templates, _validate, _consolidate, _addin, _demo, _serve_parser):
        add(sub, t, parser_class, default_lang)
    return parser


def _templates(sub: argparse._SubParsersAction, t: Words, parser_class: type[argparse.ArgumentParser],
               default_lang: str) -> None:
    """`fourgood templates`: the forms, the roster, the criteria and consolidation workbooks."""
    epilog, folder, file = t(*EXIT_CODES_HELP), t("THƯ_MỤC", "FOLDER"), t("TỆP", "FILE")
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


def _validate(sub: argparse._SubParsersAction, t: Words, parser_class: type[argparse.ArgumentParser],
              default_lang: str) -> None:
    """`fourgood validate`: a verdict for every submitted form."""
    epilog, file = t(*EXIT_CODES_HELP), t("TỆP", "FILE")
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


def _consolidate(sub: argparse._SubParsersAction, t: Words, parser_class: type[argparse.ArgumentParser],
                 default_lang: str) -> None:
    """`fourgood consolidate`: the forms into one provincial workbook, and its report."""
    epilog, file = t(*EXIT_CODES_HELP), t("TỆP", "FILE")
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
    p.add_argument("--rewrite", action="store_true", help=t(
        "ghi lại bảng tổng hợp cả khi không có gì mới (mặc định: để nguyên tệp đã ghi nếu các tệp đầu vào, tùy "
        "chọn, bảng tiêu chí và ngày lập đều như lần ghi trước; cần kho lịch sử)",
        "write the workbook even when nothing is new (by default it is left as it is when the inputs, options, "
        "criteria and date are those of the run that wrote it; needs the history store)"))
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


def _addin(sub: argparse._SubParsersAction, t: Words, parser_class: type[argparse.ArgumentParser],
           default_lang: str) -> None:
    """`fourgood addin build|install`: the Excel add-in."""
    folder = t("THƯ_MỤC", "FOLDER")
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


def _demo(sub: argparse._SubParsersAction, t: Words, parser_class: type[argparse.ArgumentParser],
          default_lang: str) -> None:
    """`fourgood demo`: a synthetic province, end to end."""
    folder = t("THƯ_MỤC", "FOLDER")
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

