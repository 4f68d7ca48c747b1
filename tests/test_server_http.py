"""The Excel add-in's script call over real HTTP, against `fourgood serve` started on 127.0.0.1 with
xlwings Server (a licence key in its environment), on the JSON of a real filled form."""

from __future__ import annotations

import importlib.util
import json
import urllib.request

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
