"""Options several subcommands share, each worded once in both languages."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..messages import LANGS

Words = Callable[[str, str], str]  # t(vi, en): the text in the parser's language


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

