"""A file's bytes are checked exactly as the file on disk is (`validate_bytes`, `read_bytes`), and
the server's check reads an upload from memory: no temporary file."""

from __future__ import annotations

import builtins
import io
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from fourgood import validate_bytes
from fourgood.pipeline import validate_paths
from fourgood.validators.reader import SpecIndex, read_bytes, read_file

from .helpers import make_submission


@pytest.fixture(scope="module")
def forms(tmp_path_factory, agency_template, specs) -> dict[str, Path]:
    """A valid form, a form with errors (a score above its maximum, text in a score), a workbook that
    is no form, and a file that is not a spreadsheet."""
    out = tmp_path_factory.mktemp("bytes")
    spec = specs["agency"]
    first, second = spec.criteria[0], spec.criteria[1]
    wrong = {c.id: c.max for c in spec.criteria} | {first.id: first.max + 5, second.id: "nhiều"}
    plain = Workbook()
    plain.active.append(["Danh sách", "đảng viên"])
    plain.save(out / "khong-phai-mau.xlsx")
    (out / "ghi-chu.txt").write_text("không phải bảng tính", encoding="utf-8")
    return {
        "valid": make_submission(agency_template, spec, out / "CB Văn phòng - tháng 11.xlsx", total=96.5),
        "errors": make_submission(agency_template, spec, out / "CB lỗi.xlsx", self_scores=wrong),
        "not_a_form": out / "khong-phai-mau.xlsx",
        "not_a_spreadsheet": out / "ghi-chu.txt",
    }


@pytest.mark.parametrize("kind", ["valid", "errors", "not_a_form", "not_a_spreadsheet"])
def test_validate_bytes_gives_the_path_versions_result(forms, specs, kind):
    path = forms[kind]
    on_disk = validate_paths([path], specs)
    in_memory = validate_bytes(path.read_bytes(), str(path), specs, mtime=path.stat().st_mtime)
    pd.testing.assert_frame_equal(in_memory.files, on_disk.files)
    pd.testing.assert_frame_equal(in_memory.scored, on_disk.scored)
    assert [p.to_dict("vi") for p in in_memory.problems] == [p.to_dict("vi") for p in on_disk.problems]
    category = on_disk.files.loc[0, "category"]
    assert category == ("valid" if kind == "valid" else "invalid")
    if kind == "errors":
        assert {p.code for p in on_disk.problems if p.severity == "error"}  # the fixture has errors to compare


def test_validate_bytes_skips_a_lock_files_name_as_on_disk(forms, specs, tmp_path):
    lock = tmp_path / "~$CB Văn phòng.xlsx"
    lock.write_bytes(forms["valid"].read_bytes())
    on_disk = validate_paths([lock], specs)
    in_memory = validate_bytes(lock.read_bytes(), str(lock), specs, mtime=lock.stat().st_mtime)
    pd.testing.assert_frame_equal(in_memory.files, on_disk.files)
    assert in_memory.files.loc[0, "skipped"] == "skipped_lock_file"


def test_read_bytes_reads_what_read_file_reads(forms, specs):
    index = SpecIndex(specs)
    for path in forms.values():
        on_disk = read_file(path, index)
        in_memory = read_bytes(path.read_bytes(), str(path), index, mtime=path.stat().st_mtime)
        assert in_memory == on_disk


def test_read_file_reads_the_file_once(forms, specs, monkeypatch):
    """The path version is a wrapper: one read of the file, hashed once in `read_bytes`."""
    reads: list[Path] = []
    original = Path.read_bytes

    def counted(self):
        reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counted)
    read_file(forms["valid"], SpecIndex(specs))
    assert reads == [forms["valid"]]


@pytest.fixture
def no_disk_writes(monkeypatch, tmp_path):
    """Any temporary file, or any file opened for writing, fails the test."""
    def refused(*args, **kwargs):
        raise AssertionError(f"a temporary file was asked for: {args} {kwargs}")

    for name in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile",
                 "TemporaryDirectory"):
        monkeypatch.setattr(tempfile, name, refused)
    real_open = builtins.open

    def guarded_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            raise AssertionError(f"{file} opened for writing ({mode})")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    yield tmp_path
    assert not list(tmp_path.iterdir())


def test_server_check_writes_no_temporary_file(forms, specs, no_disk_writes):
    from fourgood.server.checking import check_bytes, read_upload

    data = read_upload(io.BytesIO(forms["errors"].read_bytes()), 10 * 1024 * 1024)
    assert data is not None
    obj = check_bytes(data, "C:\\Users\\bi thu\\CB lỗi.xlsx", specs)
    assert obj["file"] == "CB lỗi.xlsx" and not obj["valid"] and obj["errors"]


def test_server_check_of_bytes_answers_as_the_saved_file(forms, specs, tmp_path):
    from fourgood.server.checking import check_bytes, check_file, save_upload

    for path in forms.values():
        with open(path, "rb") as f:
            saved = save_upload(f, tmp_path, 10 * 1024 * 1024)
        assert saved is not None
        assert check_bytes(path.read_bytes(), path.name, specs) == check_file(saved, path.name, specs)


def test_read_upload_stops_one_chunk_past_the_limit():
    from fourgood.server.checking import read_upload

    assert read_upload(io.BytesIO(b""), 10) is None
    assert len(read_upload(io.BytesIO(b"x" * (5 * 1024 * 1024)), 1024) or b"") == 1024 * 1024


def test_check_pool_checks_bytes_sent_to_its_process(forms, specs, tmp_path):
    """The pool's process gets the upload's bytes through the pipe, and answers as for the file."""
    from fourgood.server.checking import check_file
    from fourgood.server.pool import CheckPool

    pool = CheckPool(workers=1, queue=1, seconds=20)
    obj, usage = pool.run(forms["valid"].read_bytes(), "CB Văn phòng.xlsx", specs, "vi")
    assert obj == check_file(forms["valid"], "CB Văn phòng.xlsx", specs)
    assert obj["valid"] and usage.cpu_seconds > 0
