"""`fourgood serve`'s page and HTTP API through FastAPI's test client, on real filled forms:
check = one element of `fourgood validate --json`; submit with tokens, roster rules, limits and the
audit log; the inbox read by `fourgood consolidate` like any folder."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("multipart")
from fastapi.testclient import TestClient  # noqa: E402

from fourgood.consolidate_cmd import run_consolidate  # noqa: E402
from fourgood.server import ServeError, check_listen, make_config, token_command  # noqa: E402
from fourgood.server.api import plain_app  # noqa: E402
from fourgood.server.inbox import Inbox  # noqa: E402
from fourgood.server.tokens import TokenStore  # noqa: E402
from fourgood.validate_cmd import run_validate  # noqa: E402

from .helpers import scores_totalling  # noqa: E402
from .server_support import form, write_roster  # noqa: E402


@pytest.fixture
def server(tmp_path, template_dir, specs):
    roster = write_roster(template_dir, tmp_path / "danh-sach.xlsx")
    config = make_config(str(tmp_path / "hop-thu"), str(roster), max_upload_mb=1, rate=30)
    tokens = {name: config.tokens.add(unit, role)[1] for name, unit, role in
              (("bv", "BV", "unit"), ("ub", "UB", "unit"), ("cell", "XA-01", "unit"), ("board", "T", "board"))}
    client = TestClient(plain_app(config))
    return client, config, tokens


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _audit(config) -> list[dict]:
    return [json.loads(line) for line in config.inbox.audit_path.read_text(encoding="utf-8").splitlines()]


def test_check_returns_exactly_what_validate_json_gives_for_that_file(server, tmp_path, template_dir, specs, capsys):
    client, _, _ = server
    spec = specs["agency"]
    scores = scores_totalling(spec, 100)
    scores["1.1"] = spec.criteria[0].max + 1
    path = form(template_dir, specs, tmp_path / "CB Khu 3 - thang 11.xlsx", "UB-01", self_scores=scores)
    r = client.post("/api/check", files={"file": (path.name, path.read_bytes())})
    assert r.status_code == 200
    got = r.json()
    run_validate([str(path)], as_json=True, lang="vi")
    expected = json.loads(capsys.readouterr().out)[0]
    assert got["file"] == "CB Khu 3 - thang 11.xlsx"
    assert {k: v for k, v in got.items() if k != "file"} == {k: v for k, v in expected.items() if k != "file"}
    assert got["status"] == "invalid" and got["errors"][0]["code"] == "score_above_max"


def test_a_user_file_name_never_becomes_a_path(server, tmp_path, template_dir, specs):
    client, config, tokens = server
    path = form(template_dir, specs, tmp_path / "a.xlsx", "BV-01")
    for name in ("../../../etc/passwd", "..\\..\\x.xlsx", "/tmp/evil.xlsx", "a\x00b.xlsx"):
        r = client.post("/api/submit", files={"file": (name, path.read_bytes())}, headers=_auth(tokens["bv"]))
        assert r.status_code == 201, r.text
        assert "/" not in r.json()["file"] and "\\" not in r.json()["file"]
    assert [p.name for p in config.inbox.inbox.iterdir()] == [f"{r.json()['sha256']}.xlsx"]
    assert not (tmp_path / "etc").exists() and not Path("/tmp/evil.xlsx").exists()


def test_submit_gives_a_receipt_and_stores_the_form_under_its_hash(server, tmp_path, template_dir, specs):
    client, config, tokens = server
    path = form(template_dir, specs, tmp_path / "a.xlsx", "BV-01", 96.5)
    data = path.read_bytes()
    r = client.post("/api/submit", files={"file": ("Khoa Nội A.xlsx", data)}, headers=_auth(tokens["bv"]))
    assert r.status_code == 201
    receipt = r.json()
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    assert {k: receipt[k] for k in ("sha256", "cell_code", "period", "self_total", "upper_total", "status")} == {
        "sha256": sha, "cell_code": "BV-01", "period": "2026-11", "self_total": 96.5, "upper_total": None,
        "status": "meets"}
    assert receipt["receipt_id"] and receipt["received_at"].endswith("Z")
    stored = config.inbox.inbox / f"{sha}.xlsx"
    assert stored.read_bytes() == data
    beside = config.inbox.receipts_dir / f"{receipt['receipt_id']}.json"
    assert json.loads(beside.read_text(encoding="utf-8")) == receipt
    # the same file again: a second receipt, the stored file untouched (never overwritten)
    before = stored.stat().st_mtime_ns
    again = client.post("/api/submit", files={"file": ("x.xlsx", data)}, headers=_auth(tokens["bv"])).json()
    assert again["receipt_id"] != receipt["receipt_id"] and again["already_in_inbox"] is True
    assert stored.stat().st_mtime_ns == before and len(list(config.inbox.inbox.iterdir())) == 1
    assert not list(config.inbox.tmp_dir.iterdir())


@pytest.mark.slow
def test_tokens_roles_and_the_roster_decide_who_may_submit(server, tmp_path, template_dir, specs):
    client, config, tokens = server
    bv = form(template_dir, specs, tmp_path / "bv.xlsx", "BV-02").read_bytes()
    ub = form(template_dir, specs, tmp_path / "ub.xlsx", "UB-01").read_bytes()
    xa = form(template_dir, specs, tmp_path / "xa.xlsx", "XA-01").read_bytes()
    stranger = form(template_dir, specs, tmp_path / "zz.xlsx", "ZZ-99").read_bytes()

    def submit(data: bytes, headers: dict) -> tuple[int, dict]:
        r = client.post("/api/submit", files={"file": ("f.xlsx", data)}, headers=headers)
        return r.status_code, r.json()

    assert submit(bv, {})[0] == 401
    assert submit(bv, _auth("fg_00000000_" + "x" * 32)) == (401, {"code": "http_bad_token",
                                                                  "detail": "Mã truy cập không đúng hoặc đã bị thu hồi."})
    assert submit(bv, _auth(tokens["bv"]))[0] == 201  # a cell of the unit's grassroots committee
    assert submit(bv, _auth(tokens["ub"]))[0] == 201  # ... which is under UB: the whole chain counts
    code, body = submit(ub, _auth(tokens["bv"]))  # another unit's cell
    assert code == 403
    assert body["detail"] == ("Chi bộ UB-01 không trực thuộc đơn vị BV: mã truy cập của đơn vị BV chỉ được nộp phiếu "
                              "của các chi bộ trực thuộc đơn vị mình.")
    assert submit(xa, _auth(tokens["cell"]))[0] == 201  # a cell's own token
    assert submit(bv, _auth(tokens["cell"]))[0] == 403
    code, body = submit(stranger, _auth(tokens["ub"]))
    assert (code, body["detail"]) == (403, "Mã chi bộ ZZ-99 không có trong danh sách chi bộ của Ban Tổ chức.")
    assert submit(stranger, _auth(tokens["board"]))[0] == 201  # the board may submit any form
    # revoked: 401 at once
    token_id = tokens["cell"].split("_")[1]
    assert TokenStore(config.inbox.tokens_path).revoke(token_id)
    assert submit(xa, _auth(tokens["cell"]))[0] == 401
    events = [(e["event"], e["status"]) for e in _audit(config)]
    assert events == [("refused", 401), ("refused", 401), ("accepted", 201), ("accepted", 201), ("refused", 403),
                      ("accepted", 201), ("refused", 403), ("refused", 403), ("accepted", 201), ("refused", 401)]


def test_a_form_with_errors_is_refused_with_the_errors_to_fix(server, tmp_path, template_dir, specs):
    client, config, tokens = server
    scores = scores_totalling(specs["public_service"], 100)
    scores["2.1"] = "nhiều"
    data = form(template_dir, specs, tmp_path / "bad.xlsx", "BV-01", self_scores=scores).read_bytes()
    r = client.post("/api/submit", files={"file": ("bad.xlsx", data)}, headers=_auth(tokens["bv"]))
    assert r.status_code == 422
    assert r.json()["detail"].startswith("Phiếu còn lỗi nên chưa được nhận")
    assert [e["code"] for e in r.json()["check"]["errors"]] == ["score_not_number"]
    assert not list(config.inbox.inbox.iterdir())
    assert _audit(config)[-1]["reason"] == "invalid: score_not_number"


def test_oversized_uploads_are_refused_before_parsing(server):
    client, config, tokens = server
    big = b"PK" + b"\0" * (2 * 1024 * 1024)
    r = client.post("/api/check", files={"file": ("big.xlsx", big)})
    assert r.status_code == 413 and r.json()["detail"] == "Tệp quá lớn: giới hạn 1 MB mỗi tệp."

    def chunks():  # no Content-Length: counted while it arrives
        boundary = b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.xlsx\"\r\n\r\n"
        yield boundary
        for _ in range(40):
            yield b"\0" * 65536
        yield b"\r\n--b--\r\n"

    r = client.post("/api/submit", content=chunks(), headers={**_auth(tokens["bv"]),
                                                            "Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413
    assert [e["status"] for e in _audit(config)] == [413, 413]
    assert not list(config.inbox.inbox.iterdir())


@pytest.mark.slow
def test_a_zip_bomb_is_refused_in_bounded_memory(server):
    import tracemalloc

    client, _, _ = server
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for i in range(4):
            z.writestr(f"xl/worksheets/sheet{i}.xml", b"\0" * (100 * 1024 * 1024))  # 400 MB unpacked
    data = buf.getvalue()
    assert len(data) < 1024 * 1024
    # The peak of Python allocations while the request is handled (a decompressed part would be one
    # 100 MB bytes object); not ru_maxrss, whose high-water mark the test process may already exceed.
    tracemalloc.start()
    try:
        r = client.post("/api/check", files={"file": ("bomb.xlsx", data)})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status_code == 200
    assert [e["code"] for e in r.json()["errors"]] == ["oversized_content"]
    assert peak / 2**20 < 100


def test_too_many_requests_per_minute_per_token(tmp_path, template_dir, specs):
    config = make_config(str(tmp_path / "hop-thu"), None, rate=3)
    _, token = config.tokens.add("T", "board")
    client = TestClient(plain_app(config))
    data = form(template_dir, specs, tmp_path / "a.xlsx", "UB-01").read_bytes()
    codes = [client.post("/api/submit", files={"file": ("a.xlsx", data)}, headers=_auth(token)).status_code
             for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert _audit(config)[-1]["status"] == 429


def test_only_the_board_lists_downloads_and_consolidates_the_inbox(server, tmp_path, template_dir, specs):
    client, config, tokens = server
    data = form(template_dir, specs, tmp_path / "a.xlsx", "BV-01").read_bytes()
    sha = client.post("/api/submit", files={"file": ("a.xlsx", data)}, headers=_auth(tokens["bv"])).json()["sha256"]
    for path in ("/api/inbox", f"/api/inbox/{sha}"):
        assert client.get(path).status_code == 401
        r = client.get(path, headers=_auth(tokens["bv"]))
        assert r.status_code == 403 and r.json()["detail"].startswith("Chỉ cán bộ Ban Tổ chức")
    assert client.post("/api/consolidate", headers=_auth(tokens["ub"])).status_code == 403
    listing = client.get("/api/inbox", headers=_auth(tokens["board"])).json()["receipts"]
    assert [r["sha256"] for r in listing] == [sha]
    assert client.get(f"/api/inbox/{sha}", headers=_auth(tokens["board"])).content == data
    assert client.get("/api/inbox/..%2F..%2Fetc", headers=_auth(tokens["board"])).status_code == 404
    r = client.post("/api/consolidate", headers=_auth(tokens["board"]))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_name("Chi tiết").to_python()
    assert any("BV-01" in row for row in rows)


@pytest.mark.slow
def test_consolidate_reads_the_inbox_like_any_folder_and_counts_resubmissions_once(server, tmp_path, template_dir,
                                                                                   specs):
    client, config, tokens = server
    first = form(template_dir, specs, tmp_path / "a1.xlsx", "BV-01", 94, info={"date": "2026-11-20"}).read_bytes()
    second = form(template_dir, specs, tmp_path / "a2.xlsx", "BV-01", 97, info={"date": "2026-11-25"}).read_bytes()
    other = form(template_dir, specs, tmp_path / "b.xlsx", "BV-02", 99).read_bytes()
    for data in (first, second, other, other):
        assert client.post("/api/submit", files={"file": ("f.xlsx", data)}, headers=_auth(tokens["bv"])).status_code == 201
    assert len(config.inbox.receipts()) == 4 and len(list(config.inbox.inbox.iterdir())) == 3
    code, c = run_consolidate([str(config.inbox.inbox)], str(tmp_path / "tong-hop.xlsx"),
                              roster=config.roster_path, quiet=True)
    s = c.summary
    assert code == 0
    assert (s["files_total"], s["files_valid"], s["files_rejected"], s["files_skipped"]) == (3, 3, 0, 0)
    assert (s["cells"], s["duplicates"], s["cells_missing"]) == (2, 1, 2)  # UB-01 and XA-01 sent nothing


def test_the_inbox_never_holds_a_partial_file(tmp_path):
    box = Inbox.open(tmp_path / "hop-thu")
    (box.tmp_dir / "abc.xlsx.1234.part").write_bytes(b"half a file")  # what a crash mid-write leaves
    assert box.recover() == ["abc.xlsx.1234.part"]
    assert not list(box.tmp_dir.iterdir()) and not list(box.inbox.iterdir())


def test_tokens_are_stored_hashed_and_shown_once(tmp_path, capsys):
    inbox = str(tmp_path / "hop-thu")
    assert token_command("add", inbox=inbox, unit="BV", role="unit") == 0
    out = capsys.readouterr().out
    token = out.strip().splitlines()[-1]
    assert token.startswith("fg_")
    stored = (tmp_path / "hop-thu.fourgood" / "tokens.json").read_text(encoding="utf-8")
    assert token not in stored and token.split("_", 2)[2] not in stored
    entry = json.loads(stored)["tokens"][0]
    assert set(entry) == {"id", "unit", "role", "salt", "sha256", "created", "revoked"}
    assert TokenStore(tmp_path / "hop-thu.fourgood" / "tokens.json").verify(f"Bearer {token}").unit == "BV"
    token_command("list", inbox=inbox)
    assert token not in capsys.readouterr().out


def test_token_add_checks_the_unit_against_the_roster(tmp_path, template_dir):
    roster = write_roster(template_dir, tmp_path / "ds.xlsx")
    with pytest.raises(ServeError, match="Mã XYZ không có trong danh sách chi bộ"):
        token_command("add", inbox=str(tmp_path / "h"), unit="XYZ", role="unit", roster=str(roster))


def test_plain_http_only_on_this_computer():
    check_listen("127.0.0.1", None, None)
    check_listen("localhost", None, None)
    with pytest.raises(ServeError, match="Không chạy HTTP thường trên 0.0.0.0"):
        check_listen("0.0.0.0", None, None)
    with pytest.raises(ServeError, match="Cần cả --certfile và --keyfile"):
        check_listen("10.0.0.5", "cert.pem", None)


def test_the_page_is_vietnamese_and_loads_nothing_from_elsewhere(server):
    client, _, _ = server
    html = client.get("/").text
    assert "Kiểm tra và nộp phiếu “Chi bộ 4 tốt”" in html and 'lang="vi"' in html
    assert "http://" not in html and "https://" not in html
    js = client.get("/trang/app.js").text
    assert "http://" not in js and "https://" not in js
    assert client.get("/trang/..%2Fapi.py").status_code == 404


def test_every_answer_is_json_with_a_code_in_the_catalogues_words(tmp_path):
    config = make_config(str(tmp_path / "hop-thu"), None, max_upload_mb=0.5)
    client = TestClient(plain_app(config))
    r = client.post("/api/check", data={"file": "chỉ là chữ"})  # a text field, not a file
    assert r.status_code == 400 and r.json() == {
        "code": "http_no_file", "detail": "Chưa có tệp: hãy gửi tệp phiếu trong trường “file” (multipart/form-data)."}
    r = client.post("/api/check", files={"file": ("a.xlsx", b"PK" + b"\0" * 600_000)})
    assert r.status_code == 413 and r.json() == {"code": "http_too_large",
                                                 "detail": "Tệp quá lớn: giới hạn 0,5 MB mỗi tệp."}
    assert client.get("/khong-co").json() == {"code": "http_no_page", "detail": "Không có địa chỉ này trên máy chủ."}
    r = client.get("/api/check")
    assert r.status_code == 405 and r.json()["code"] == "http_method"
    assert r.json()["detail"] == "Địa chỉ này không nhận phương thức GET."
    assert client.post("/api/submit", files={"file": ("a.xlsx", b"x")}).json()["code"] == "http_no_token"
    english = make_config(str(tmp_path / "inbox-en"), None, max_upload_mb=0.5, lang="en")
    r = TestClient(plain_app(english)).post("/api/check", files={"file": ("a.xlsx", b"PK" + b"\0" * 600_000)})
    assert r.json() == {"code": "http_too_large", "detail": "The file is too large: the limit is 0.5 MB a file."}


def test_starting_says_what_will_be_refused_and_its_consolidate_hint_works_as_printed(server, tmp_path, template_dir,
                                                                                      specs):
    import shlex
    import subprocess
    import sys

    from fourgood.server import start_notes

    bare = make_config(str(tmp_path / "khong-danh-sach"), None)
    assert any("mã truy cập của các đơn vị sẽ bị từ chối" in n for n in start_notes(bare, "http", "127.0.0.1", 8000))
    client, config, tokens = server
    assert not any("bị từ chối" in n for n in start_notes(config, "http", "127.0.0.1", 8000))
    data = form(template_dir, specs, tmp_path / "a.xlsx", "BV-01").read_bytes()
    assert client.post("/api/submit", files={"file": ("a.xlsx", data)}, headers=_auth(tokens["bv"])).status_code == 201
    hint = next(n for n in start_notes(config, "http", "127.0.0.1", 8000) if "tổng hợp:" in n)
    command = shlex.split(hint.split("tổng hợp: ", 1)[1].rstrip(")"))
    assert command[:2] == ["fourgood", "consolidate"] and "-o" in command and "--roster" in command
    run = subprocess.run([sys.executable, "-m", "fourgood", *command[1:]], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert Path(command[command.index("-o") + 1]).is_file()


def test_a_unit_token_is_refused_with_the_reason_when_the_server_has_no_roster(tmp_path, template_dir, specs):
    config = make_config(str(tmp_path / "hop-thu"), None)
    _, token = config.tokens.add("BV", "unit")
    data = form(template_dir, specs, tmp_path / "a.xlsx", "BV-01").read_bytes()
    r = TestClient(plain_app(config)).post("/api/submit", files={"file": ("a.xlsx", data)}, headers=_auth(token))
    assert r.status_code == 403 and r.json()["code"] == "http_no_roster"


def test_the_secretaries_page_shows_no_command_line_commands(server):
    client, _, _ = server
    html = client.get("/").text
    assert "fourgood " not in html and "<code>" not in html


def test_a_check_over_http_writes_no_file(server, tmp_path, template_dir, specs, monkeypatch):
    """/api/check holds the upload in memory and sends its bytes to the check: no private folder,
    no temporary file (a submission is still saved: the inbox keeps it)."""
    import tempfile

    client, config, _ = server

    def refused(*args, **kwargs):
        raise AssertionError("a temporary folder was asked for")

    path = form(template_dir, specs, tmp_path / "phieu.xlsx", "UB-01")
    monkeypatch.setattr(tempfile, "mkdtemp", refused)
    r = client.post("/api/check", files={"file": (path.name, path.read_bytes())})
    assert r.status_code == 200 and r.json()["status"] == "meets"
    assert not any(config.inbox.tmp_dir.iterdir())
