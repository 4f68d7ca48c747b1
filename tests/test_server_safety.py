"""`fourgood serve`, issue 17 parts 2-4: the consolidate script reads nothing outside the inbox; only
an organisation above a cell (or the board) gives the upper level's score; nothing lands without
its receipt and audit line, nothing half-written stays, a state folder on another file system
works, and a corrupt tokens.json stops the server at start with the file and the line."""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("multipart")
from fastapi.testclient import TestClient  # noqa: E402

from fourgood.server import ServeError, make_config, token_command  # noqa: E402
from fourgood.server.api import plain_app  # noqa: E402
from fourgood.server.inbox import Inbox  # noqa: E402
from fourgood.workbook_templates.writer import CONTROL_FILE  # noqa: E402

from .helpers import scores_totalling  # noqa: E402
from .server_process import Served  # noqa: E402
from .server_support import form, write_roster  # noqa: E402
from .xlwings_book import book_json  # noqa: E402

pytestmark = pytest.mark.slow  # a real server process, node, LibreOffice or a whole demo

XLWINGS = importlib.util.find_spec("xlwings_server") is not None
SCRIPT_REFUSAL = ("Trên máy chủ chỉ tổng hợp được hộp thư phiếu nộp hoặc một thư mục trong đó, với danh sách chi bộ "
                  "của máy chủ.")


def _token(inbox: Path, unit: str, role: str, capsys) -> str:
    token_command("add", inbox=str(inbox), unit=unit, role=role)
    return capsys.readouterr().out.strip().splitlines()[-1]


def _script(url: str, payload: dict, token: str) -> str:
    req = urllib.request.Request(url + "/xlwings/custom-scripts-call/tong_hop", data=json.dumps(payload).encode(),
                                 method="POST", headers={"Content-Type": "application/json", "Auth-Provider": "custom",
                                                         "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.read().decode("utf-8")


@pytest.mark.skipif(not XLWINGS, reason="the server extra is not installed")
def test_the_consolidate_script_reads_nothing_outside_the_inbox(tmp_path, template_dir, specs, capsys):
    secret = tmp_path / "bi-mat"
    secret.mkdir()
    form(template_dir, specs, secret / "phieu-bi-mat.xlsx", "BV-01")
    elsewhere_roster = write_roster(template_dir, tmp_path / "danh-sach-khac.xlsx")
    inbox = tmp_path / "hop-thu"
    board = _token(inbox, "T", "board", capsys)
    inbox.mkdir(exist_ok=True)
    (inbox / "loi-tat").symlink_to(secret, target_is_directory=True)  # a link inside the inbox to outside
    control = book_json(template_dir / CONTROL_FILE)
    with Served(inbox, None, licence=True, log=tmp_path / "serve.log") as server:
        answers = []
        for source, roster in ((f".;{secret}", ""), (f"{inbox};{secret}", ""), ("loi-tat", ""), ("../bi-mat", ""),
                               (".", str(elsewhere_roster)), (".", str(tmp_path / "khong-co.xlsx")),
                               (".", "../danh-sach-khac.xlsx")):
            payload = json.loads(json.dumps(control))
            payload["sheets"][0]["values"][2][1] = source
            payload["sheets"][0]["values"][3][1] = roster
            text = _script(server.url, payload, board)
            actions = json.loads(text)["actions"]
            answers.append([(a["func"], a["args"][0]) for a in actions])
            assert "phieu-bi-mat" not in text and "BV-01" not in text, (source, roster)
        # one message, whatever exists or not
        assert all(a == [("alert", SCRIPT_REFUSAL)] for a in answers), answers
        # the inbox itself still consolidates
        (inbox / "loi-tat").unlink()
        payload = json.loads(json.dumps(control))
        actions = json.loads(_script(server.url, payload, board))["actions"]
        said = [a["args"][0] for a in actions if a["func"] == "alert"]
        assert said == [f"Không tìm thấy tệp nào trong '{inbox.resolve()}'."]  # the (empty) inbox was consolidated


def test_a_cells_own_token_may_not_give_the_upper_levels_score(tmp_path, template_dir, specs, capsys):
    roster = write_roster(template_dir, tmp_path / "danh-sach.xlsx")
    inbox = tmp_path / "hop-thu"
    tokens = {who: _token(inbox, unit, role, capsys) for who, unit, role in
              (("cell", "XA-01", "unit"), ("commune", "XA", "unit"), ("board", "T", "board"))}
    upper = scores_totalling(specs["residential"], 96)
    with_upper = form(template_dir, specs, tmp_path / "co-cap-tren.xlsx", "XA-01", 97, upper_scores=upper).read_bytes()
    self_only = form(template_dir, specs, tmp_path / "tu-cham.xlsx", "XA-01", 98).read_bytes()
    with Served(inbox, roster) as server:
        def submit(data: bytes, who: str) -> tuple[int, dict]:
            boundary = uuid.uuid4().hex
            body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.xlsx"\r\n\r\n'.encode()
                    + data + f"\r\n--{boundary}--\r\n".encode())
            req = urllib.request.Request(server.url + "/api/submit", data=body, method="POST", headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}", "Authorization": f"Bearer {tokens[who]}"})
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    return r.status, json.loads(r.read())
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read())

        code, body = submit(with_upper, "cell")
        assert (code, body["code"]) == (403, "http_upper_by_cell")
        assert body["detail"].startswith("Cột “Cấp ủy cấp trên chấm” chỉ do cấp ủy cấp trên chấm: mã truy cập của "
                                         "chính chi bộ XA-01 không được nộp phiếu đã điền cột này.")
        assert submit(self_only, "cell")[0] == 201  # its own scores: accepted
        assert submit(with_upper, "commune")[0] == 201  # the commune committee above the cell
        assert submit(with_upper, "board")[0] == 201
    audit = [json.loads(x) for x in (tmp_path / "hop-thu.fourgood" / "audit.jsonl").read_text().splitlines()]
    assert [(e["event"], e.get("reason")) for e in audit if e.get("path") == "/api/submit"][0] == (
        "refused", "http_upper_by_cell")
    receipts = list((tmp_path / "hop-thu.fourgood" / "receipts").iterdir())
    assert len(receipts) == 3


@pytest.fixture
def served_in_process(tmp_path, template_dir, specs):
    config = make_config(str(tmp_path / "hop-thu"), None)
    _, token = config.tokens.add("T", "board")
    data = form(template_dir, specs, tmp_path / "a.xlsx", "UB-01").read_bytes()
    return TestClient(plain_app(config)), config, {"Authorization": f"Bearer {token}"}, data


def _audit(config) -> list[dict]:
    return [json.loads(line) for line in config.inbox.audit_path.read_text(encoding="utf-8").splitlines()]


def test_a_form_whose_receipt_cannot_be_written_is_rolled_back_and_the_failure_audited(served_in_process, monkeypatch):
    client, config, auth, data = served_in_process
    import fourgood.server.inbox as store

    real = store._write_new

    def disk_full_for_receipts(tmp_dir, final, source, **kw):
        if final.parent == config.inbox.receipts_dir:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(tmp_dir, final, source, **kw)

    monkeypatch.setattr(store, "_write_new", disk_full_for_receipts)
    r = client.post("/api/submit", files={"file": ("a.xlsx", data)}, headers=auth)
    assert r.status_code == 500 and r.json()["code"] == "http_store_failed"
    assert r.json()["detail"].startswith("Máy chủ không lưu được phiếu")
    assert not list(config.inbox.inbox.iterdir())  # the form went with its receipt
    assert not list(config.inbox.tmp_dir.iterdir()) and not list(config.inbox.receipts_dir.iterdir())
    last = _audit(config)[-1]
    assert (last["event"], last["status"]) == ("failed", 500) and "No space left" in last["reason"]


def test_a_form_whose_audit_line_cannot_be_written_is_rolled_back(served_in_process, monkeypatch):
    client, config, auth, data = served_in_process
    real = config.audit.write

    def failing(event, *, strict=False, **fields):
        if strict:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(event, strict=strict, **fields)

    monkeypatch.setattr(config.audit, "write", failing)
    r = client.post("/api/submit", files={"file": ("a.xlsx", data)}, headers=auth)
    assert r.status_code == 500
    assert not list(config.inbox.inbox.iterdir()) and not list(config.inbox.receipts_dir.iterdir())
    assert _audit(config)[-1]["event"] == "failed"


def test_a_failed_write_leaves_no_part_file(tmp_path, monkeypatch):
    box = Inbox.open(tmp_path / "hop-thu")
    source = tmp_path / "f.xlsx"
    source.write_bytes(b"PK form")

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError):
        box.store(source, ".xlsx", {})
    assert not list(box.tmp_dir.iterdir()) and not list(box.inbox.iterdir())


def test_a_state_folder_on_another_file_system_works(tmp_path, template_dir, specs, capsys):
    other = Path("/dev/shm")
    if not other.is_dir() or os.stat(other).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system here")
    state = other / f"fourgood-test-{uuid.uuid4().hex}"
    try:
        config = make_config(str(tmp_path / "hop-thu"), None, state=str(state))
        assert config.inbox.link is False
        _, token = config.tokens.add("T", "board")
        data = form(template_dir, specs, tmp_path / "a.xlsx", "UB-01").read_bytes()
        r = TestClient(plain_app(config)).post("/api/submit", files={"file": ("a.xlsx", data)},
                                               headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201, r.text
        assert [p.read_bytes() for p in config.inbox.inbox.iterdir()] == [data]  # no hidden file left
        from fourgood.server import start_notes

        notes = start_notes(config, "http", "127.0.0.1", 8000)
        assert any("không tạo được liên kết cứng" in n for n in notes)
    finally:
        shutil.rmtree(state, ignore_errors=True)


def test_a_corrupt_tokens_file_stops_the_server_at_start_with_the_file_and_line(tmp_path):
    state = tmp_path / "hop-thu.fourgood"
    state.mkdir()
    (state / "tokens.json").write_text('{"tokens": [\n  {"id": "ab12cd34",\n  oops\n]}\n', encoding="utf-8")
    with pytest.raises(ServeError, match=r"tokens.json.* bị hỏng, dòng 3"):
        make_config(str(tmp_path / "hop-thu"), None)
    run = subprocess.run([sys.executable, "-m", "fourgood", "serve", "--inbox", str(tmp_path / "hop-thu"),
                          "--port", "1"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert f"Tệp mã truy cập “{state / 'tokens.json'}” bị hỏng, dòng 3" in run.stderr
