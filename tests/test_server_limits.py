"""`fourgood serve` under hostile clients, through the real server on 127.0.0.1 (issue 17, part 1):
bounded bodies on every route, stalled uploads that hold no memory and time out, a form with
millions of extra cells refused in a fraction of a second, checks in a bounded pool (503 with
Retry-After beyond it), 429 with Retry-After, wrong tokens refused before the body and limited per
address, and an audit log that rotates and never turns a refusal into a 500."""

from __future__ import annotations

import http.client
import importlib.util
import json
import socket
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("multipart")

from fourgood.server import make_config  # noqa: E402
from fourgood.server.audit import AuditLog  # noqa: E402
from fourgood.server.checking import save_upload  # noqa: E402
from fourgood.server.pool import CheckPool, Overrun  # noqa: E402

from .server_process import Served  # noqa: E402
from .server_support import form, inflate  # noqa: E402

pytestmark = pytest.mark.slow  # a real server process, node, LibreOffice or a whole demo

XLWINGS = importlib.util.find_spec("xlwings_server") is not None


def _multipart(data: bytes, name: str = "f.xlsx") -> tuple[bytes, str]:
    head = (f'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + b"\r\n--b0undary--\r\n", "multipart/form-data; boundary=b0undary"


def post(url: str, path: str, body: bytes, ctype: str, headers: dict | None = None) -> tuple[int, dict, Any]:
    req = urllib.request.Request(url + path, data=body, method="POST", headers={"Content-Type": ctype, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read()), r.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), e.headers


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def start_upload(port: int, path: str, length: int, sent: bytes, headers: str = "") -> socket.socket:
    """An upload that declares `length` bytes, sends `sent` of them and stops."""
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall((f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b0undary\r\n"
               f"Content-Length: {length}\r\n{headers}\r\n").encode() + sent)
    return s


def answer_of(s: socket.socket, timeout: float) -> bytes:
    """The server's answer on a raw connection: its head and as much body as came within `timeout`."""
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            head, sep, rest = data.partition(b"\r\n\r\n")
            length = [int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")]
            if sep and length and len(rest) >= length[0]:
                break
    except (TimeoutError, ConnectionResetError):
        pass
    return data


@pytest.mark.skipif(not XLWINGS, reason="the server extra is not installed")
def test_every_route_bounds_its_body_and_stalled_uploads_hold_no_memory_and_time_out(tmp_path):
    with Served(tmp_path / "hop-thu", None, licence=True, log=tmp_path / "serve.log",
                args=["--body-timeout", "3"]) as server:
        # the xlwings script route: 2 MB of JSON (declared, and streamed without a length)
        s = start_upload(server.port, "/xlwings/custom-scripts-call/kiem_tra_phieu", 2 * 1024 * 1024, b"")
        head, _, rest = answer_of(s, 10).partition(b"\r\n\r\n")
        s.close()
        assert head.startswith(b"HTTP/1.1 413")
        body = json.loads(rest)
        assert body == {"code": "http_body_too_large",
                        "detail": "Dữ liệu gửi lên quá lớn: giới hạn 1024 KB cho yêu cầu này."}
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        conn.putrequest("POST", "/xlwings/custom-scripts-call/kiem_tra_phieu")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        try:
            for _ in range(64):
                piece = b"0," * 32768
                conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        except OSError:
            pass  # the server answered and closed while we were still sending
        assert conn.getresponse().status == 413
        # 12 uploads that send 9 MB of a 10 MB file and stop: spooled to disk, not held in memory
        before = rss_mb(server.proc.pid)
        chunk = b"\0" * (9 * 1024 * 1024)
        sockets = [start_upload(server.port, "/api/check", 10 * 1024 * 1024, chunk) for _ in range(12)]
        time.sleep(1.5)
        grown = rss_mb(server.proc.pid) - before
        assert grown < 50, f"{grown:.0f} MB held for 108 MB of stalled uploads"
        with urllib.request.urlopen(server.url + "/", timeout=5) as r:  # the page still answers at once
            assert r.status == 200
        # a body that stops arriving is answered 408 after --body-timeout
        answers = [answer_of(s, 15) for s in sockets]
        for s in sockets:
            s.close()
        assert all(a.startswith(b"HTTP/1.1 408") for a in answers), answers[0][:200]
    audit = [json.loads(line) for line in (tmp_path / "hop-thu.fourgood" / "audit.jsonl").read_text().splitlines()]
    assert [e["status"] for e in audit].count(408) == 12


def test_a_form_with_millions_of_extra_cells_is_refused_cheaply(tmp_path, template_dir, specs):
    ok = form(template_dir, specs, tmp_path / "ok.xlsx", "BV-01", 97)
    big = inflate(ok, tmp_path / "big.xlsx", 1_900_000)
    assert big.stat().st_size < 10 * 1024 * 1024
    # measured in the check's own process: CPU and the growth of its peak memory
    pool = CheckPool(1, 0, seconds=5)
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    with open(big, "rb") as f:
        path = save_upload(f, work, 10 * 1024 * 1024)
    assert path is not None
    obj, usage = pool.run(path, "big.xlsx", specs, "vi")
    assert [e["code"] for e in obj["errors"]] == ["oversized_content"]
    assert obj["errors"][0]["sheet"] == "Chấm điểm"
    assert usage.cpu_seconds < 1.0, usage
    assert usage.grown_mb < 200, usage
    # and through the real server
    with Served(tmp_path / "hop-thu", None) as server:
        t0 = time.monotonic()
        code, body, _ = post(server.url, "/api/check", *_multipart(big.read_bytes()))
        assert code == 200 and [e["code"] for e in body["errors"]] == ["oversized_content"]
        assert body["errors"][0]["message"].startswith("Nội dung giải nén quá lớn")
        assert time.monotonic() - t0 < 30


def test_a_check_that_runs_too_long_is_stopped(tmp_path, template_dir, specs):
    """A workbook no form-size bound covers (a consolidated workbook's roll-up sheet of 1.9 million
    cells): its check process is stopped at its CPU limit."""
    ok = form(template_dir, specs, tmp_path / "ok.xlsx", "BV-01", 97)
    # 4 million cells: about 3 s of CPU in a warmed check, three times the limit (1.9 million took
    # 1.6 s, too close to it on a fast machine)
    heavy = inflate(ok, tmp_path / "heavy.xlsx", 4_000_000, kind="consolidated")
    pool = CheckPool(1, 0, seconds=1)
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    with open(heavy, "rb") as f:
        path = save_upload(f, work, 10 * 1024 * 1024)
    assert path is not None
    t0 = time.monotonic()
    with pytest.raises(Overrun):
        pool.run(path, "heavy.xlsx", specs, "vi")
    assert time.monotonic() - t0 < 20


def test_a_full_pool_answers_503_with_retry_after_and_a_check_over_its_time_is_stopped(tmp_path, template_dir,
                                                                                       specs):
    ok = form(template_dir, specs, tmp_path / "ok.xlsx", "BV-01", 97)
    # about 4 s of CPU to read in a warmed check process (1.9 million cells take 1.6 s)
    heavy = inflate(ok, tmp_path / "heavy.xlsx", 5_000_000, kind="consolidated")
    args = ["--workers", "1", "--queue", "0", "--check-seconds", "2", "--max-upload-mb", "20"]
    with Served(tmp_path / "hop-thu", None, args=args) as server:
        # a stalled upload holds no place in the pool
        stalled = start_upload(server.port, "/api/check", 1000, b"--b0undary\r\n")
        # the heavy form's whole body is sent (sendall returns once the server's socket took it), so it
        # holds the only place for its 2 s of CPU; half a second later the pool is surely full (a
        # wait of 2 s with a 1 s limit raced the check's own end once checks were warmed)
        body, _ = _multipart(heavy.read_bytes())
        first = start_upload(server.port, "/api/check", len(body), body)
        time.sleep(0.5)
        code, answer, headers = post(server.url, "/api/check", *_multipart(b"PK whatever"))
        assert (code, answer.get("code")) == (503, "http_busy"), (code, answer)
        assert int(headers["Retry-After"]) >= 1
        assert answer["detail"].startswith("Máy chủ đang kiểm tra nhiều phiếu cùng lúc")
        t0 = time.monotonic()
        with urllib.request.urlopen(server.url + "/", timeout=5) as r:
            assert r.status == 200
        assert time.monotonic() - t0 < 2
        raw = answer_of(first, 60)
        first.close()
        head, _, rest = raw.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 422"), head
        refused = json.loads(rest)
        assert refused["code"] == "http_check_limit"
        assert refused["detail"] == ("Việc kiểm tra tệp này vượt giới hạn của máy chủ (2 giây CPU); "
                                     "tệp bị từ chối.")
        code, answer, _ = post(server.url, "/api/check", *_multipart(ok.read_bytes()))  # the place is free again
        assert code == 200 and answer["status"] == "meets"
        stalled.close()


def test_rates_answer_429_with_retry_after_and_wrong_tokens_are_refused_before_the_body(tmp_path):
    with Served(tmp_path / "hop-thu", None, args=["--anonymous-rate", "2"]) as server:
        codes = [post(server.url, "/api/check", *_multipart(b"x")) for _ in range(3)]
        assert [c for c, _, _ in codes] == [200, 200, 429]
        code, body, headers = codes[2]
        assert body["code"] == "http_rate" and 1 <= int(headers["Retry-After"]) <= 60
        # the xlwings script calls count against the same address
        code, body, headers = post(server.url, "/xlwings/custom-scripts-call/kiem_tra_phieu", b"{}", "application/json")
        assert (code, body["code"]) == (429, "http_rate") and int(headers["Retry-After"]) >= 1
        # a wrong token: 401 at once, although the 5 MB body it announces never comes
        wrong = "Authorization: Bearer fg_00000000_" + "x" * 32 + "\r\n"
        s = start_upload(server.port, "/api/submit", 5 * 1024 * 1024, b"", wrong)
        assert answer_of(s, 5).startswith(b"HTTP/1.1 401")
        s.close()
        # ... and after ten in a minute from one address, 429 with Retry-After for any token
        for _ in range(9):
            code, body, _ = post(server.url, "/api/submit", *_multipart(b"x"),
                                 headers={"Authorization": "Bearer fg_00000000_" + "y" * 32})
            assert code == 401
        code, body, headers = post(server.url, "/api/submit", *_multipart(b"x"),
                                   headers={"Authorization": "Bearer fg_00000000_" + "z" * 32})
        assert (code, body["code"]) == (429, "http_bad_token_rate") and int(headers["Retry-After"]) >= 1


def test_the_audit_log_rotates_and_a_failure_to_write_it_never_makes_a_refusal_500(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl", max_bytes=2000)
    for i in range(60):
        log.write("refused", status=401, n=i)
    rotated = log.rotated()
    assert rotated and all(p.stat().st_size < 2200 for p in rotated)
    lines = [json.loads(x) for p in [*rotated, log.path] for x in p.read_text().splitlines()]
    assert sorted(e["n"] for e in lines) == list(range(60))  # nothing lost in the rotation

    from fastapi.testclient import TestClient

    from fourgood.server.api import plain_app

    config = make_config(str(tmp_path / "hop-thu"), None)
    config.audit.path.mkdir()  # the audit file cannot be opened
    client = TestClient(plain_app(config))
    r = client.post("/api/submit", files={"file": ("a.xlsx", b"x")}, headers={"Authorization": "Bearer fg_0_x"})
    assert r.status_code == 401 and r.json()["code"] == "http_bad_token"
