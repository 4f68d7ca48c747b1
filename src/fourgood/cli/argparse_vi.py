"""argparse in Vietnamese: its own words (usage, section titles, errors) through its gettext hooks,
the language a command line asks for, and a parser that raises a usage error instead of exiting."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import NoReturn

from ..messages import LANGS

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

