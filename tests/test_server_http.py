"""The Excel add-in's script call over real HTTP, against `fourgood serve` started on 127.0.0.1 with
xlwings Server (a licence key in its environment), on the JSON of a real filled form."""

from __future__ import annotations

import importlib.util
import json
import urllib.request
from typing import Any

import pytest

if importlib.util.find_spec("xlwings_server") is None:
    pytest.skip("the server extra is not installed", allow_module_level=True)

from .server_process import Served  # noqa: E402
from .server_support import form, write_roster  # noqa: E402
from .xlwings_book import book_json  # noqa: E402


@pytest.mark.slow
def test_serve_runs_xlwings_server_scripts_and_the_page_over_http(tmp_path, template_dir, specs):
    roster = write_roster(template_dir, tmp_path / "danh-sach.xlsx")
    path = form(template_dir, specs, tmp_path / "dat.xlsx", "BV-01", 98)
    with Served(tmp_path / "hop-thu", roster, licence=True, log=tmp_path / "serve.log") as server:
        with urllib.request.urlopen(server.url + "/manifest.xml", timeout=30) as r:
            assert 'DefaultValue="4 Tốt"' in r.read().decode("utf-8")
        with urllib.request.urlopen(server.url + "/", timeout=30) as r:
            assert "Kiểm tra và nộp phiếu" in r.read().decode("utf-8")
        req = urllib.request.Request(server.url + "/xlwings/custom-scripts-call/kiem_tra_phieu",
                                     data=json.dumps(book_json(path)).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            actions = json.loads(r.read())["actions"]
    assert actions[0]["args"][0] == "fourgoodUnprotect"
    assert actions[-1]["func"] == "alert" and actions[-1]["args"][0] == "Đạt “Chi bộ 4 tốt”: 98 điểm"


def _get(url: str, headers: dict | None = None) -> tuple[int, str, Any]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode("utf-8"), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8"), e.headers


def test_headers_protect_the_page_and_let_office_frame_the_task_pane_and_the_manifest_names_the_configured_host(
        tmp_path):
    with Served(tmp_path / "hop-thu", None, licence=True, log=tmp_path / "serve.log") as server:
        _, _, page = _get(server.url + "/")
        assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
        assert "script-src 'self';" in page["Content-Security-Policy"] and page["X-Frame-Options"] == "DENY"
        _, _, pane = _get(server.url + "/taskpane.html")
        assert "frame-ancestors 'self' https://*.officeapps.live.com" in pane["Content-Security-Policy"]
        assert pane.get("X-Frame-Options") is None  # Excel on the web frames the task pane
        # the manifest: the address the server was started with, whatever Host the request names
        _, manifest, _ = _get(server.url + "/manifest.xml", {"Host": "evil.example:666", "X-Forwarded-Proto": "https"})
        assert "evil.example" not in manifest
        assert f'<SourceLocation DefaultValue="http://127.0.0.1:{server.port}/taskpane.html" />' in manifest
        # a script call whose body is not JSON: the catalogue's JSON, not "An error occurred."
        req = urllib.request.Request(server.url + "/xlwings/custom-scripts-call/kiem_tra_phieu", data=b"not json",
                                     method="POST", headers={"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=30)
            raise AssertionError("accepted")
        except urllib.error.HTTPError as e:
            assert (e.code, json.loads(e.read())["code"]) == (400, "http_bad_request")
    with Served(tmp_path / "hop-thu", None, licence=True, log=tmp_path / "serve.log",
                args=["--hostname", "fourgood.example.gov.vn:8443"]) as server:
        _, manifest, _ = _get(server.url + "/manifest.xml", {"Host": "evil.example:666"})
        assert '<SourceLocation DefaultValue="https://fourgood.example.gov.vn:8443/taskpane.html" />' in manifest
