"""Finding the inputs (pipeline.discover): every file under the folders, once, sorted, as
`rglob("*")` + `is_file()` found them before the listing read directory entries instead."""

from __future__ import annotations

import os
from pathlib import Path

from fourgood.pipeline import discover, files_under


def _rglob(folder: Path) -> list[Path]:
    """The reference: what discover listed before (pathlib, a stat per entry)."""
    return sorted((p for p in folder.rglob("*") if p.is_file()), key=lambda p: str(p))


def _tree(root: Path) -> Path:
    inbox = root / "hop thu"
    for folder in ("Xã Cẩm Bình/thôn 1", "Xã Cẩm Bình/thôn 2/sâu hơn", "Ủy ban", ".an", "rỗng"):
        (inbox / folder).mkdir(parents=True)
    for name in ("a.xlsx", "B.xlsx", "~$a.xlsx", ".~lock.a.xlsx#", "Thumbs.db", "ghi chú.txt", "Xã Cẩm Bình/thôn 1/p.xlsx",
                 "Xã Cẩm Bình/thôn 2/sâu hơn/q.xls", "Ủy ban/r.ods", ".an/s.xlsx", "Xã Cẩm Bình/t.xlsb"):
        (inbox / name).write_bytes(b"x")
    os.symlink(inbox / "a.xlsx", inbox / "lien-ket.xlsx")  # a link to a file: listed
    os.symlink(inbox / "Ủy ban", inbox / "thu-muc-lien-ket")  # a linked folder: not entered
    os.symlink(inbox / "khong-co.xlsx", inbox / "hong.xlsx")  # a broken link: not a file
    os.mkfifo(inbox / "ong")  # not a regular file
    (inbox / os.fsdecode(b"Chi b\xf4.xlsx")).write_bytes(b"x")  # a name that is not UTF-8
    return inbox


def test_the_listing_finds_what_rglob_found_in_the_same_order(tmp_path, monkeypatch):
    inbox = _tree(tmp_path)
    assert files_under(inbox) == _rglob(inbox)
    assert len(files_under(inbox)) == 13
    for typed in (str(inbox) + "/", str(inbox) + "//", str(inbox / "." / "Xã Cẩm Bình")):
        assert files_under(Path(typed)) == _rglob(Path(typed)), typed
    monkeypatch.chdir(inbox)
    assert files_under(Path(".")) == _rglob(Path(".")) and str(files_under(Path("."))[0]) == ".an/s.xlsx"


def test_discover_lists_each_file_once_and_a_named_file_that_is_missing(tmp_path):
    inbox = _tree(tmp_path)
    found = discover([inbox, inbox / "a.xlsx", inbox / "Xã Cẩm Bình", tmp_path / "khong-co.xlsx"])
    paths = [str(p) for p, _ in found]
    assert len(paths) == len(set(paths)) == 14
    assert found[-1] == (tmp_path / "khong-co.xlsx", "file_not_found")
    skips = {p.name: skip for p, skip in found}
    assert skips["~$a.xlsx"] == "skipped_lock_file" and skips["a.xlsx"] is None and skips["Thumbs.db"] is not None
