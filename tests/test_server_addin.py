"""The Excel add-in through xlwings Server: the manifest, and the script endpoint called the way
Excel calls it (the book's JSON, built from a real filled form), checked on the actions that come
back; and every action fourgood's scripts emit is implemented by xlwings' JavaScript client
(xlwings-server's static/js) and by its VBA remote client (xlwings' Remote.bas, plus the callbacks
in macros/FourGoodServer.bas), read from the installed packages."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

if importlib.util.find_spec("xlwings_server") is None:  # not imported here: fourgood serve configures it first
    pytest.skip("the server extra is not installed", allow_module_level=True)
from fastapi.testclient import TestClient  # noqa: E402

import fourgood.macros  # noqa: E402
from fourgood.server import make_config  # noqa: E402
from fourgood.server.scripts import PROTECT, UNPROTECT  # noqa: E402
from fourgood.workbook_templates.writer import CONTROL_FILE  # noqa: E402

from .helpers import scores_totalling  # noqa: E402
from .server_support import form, write_roster  # noqa: E402
from .xlwings_book import book_json  # noqa: E402

SERVER_BAS = Path(fourgood.macros.__file__).parent / "FourGoodServer.bas"
EMITTED: set[str] = set()  # every action name the scripts below sent back


@pytest.fixture(scope="module")
def xlwings_env():
    mp = pytest.MonkeyPatch()
    mp.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # the tests' key; a board sets its own (README)
    yield mp
    mp.undo()


@pytest.fixture
def app(xlwings_env, tmp_path, template_dir, monkeypatch):
    from fourgood.server.app import full_app

    monkeypatch.setenv("FOURGOOD_HOME", str(tmp_path / "home"))
    roster = write_roster(template_dir, tmp_path / "danh-sach.xlsx")
    config = make_config(str(tmp_path / "hop-thu"), str(roster))
    tokens = {"unit": config.tokens.add("BV", "unit")[1], "board": config.tokens.add("T", "board")[1]}
    return TestClient(full_app(config)), config, tokens


def _call(client, script: str, payload: dict, token: str = "") -> dict:
    headers = {"Content-Type": "application/json", "Auth-Provider": "custom"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    r = client.post(f"/xlwings/custom-scripts-call/{script}", content=json.dumps(payload), headers=headers)
    assert r.status_code == 200, r.text
    actions = r.json()["actions"]
    EMITTED.update(a["func"] for a in actions)
    EMITTED.update(a["args"][0] for a in actions if a["func"] == "runMacro")
    return r.json()


def test_manifest_has_the_4_tot_tab_with_its_two_buttons(app):
    client, _, _ = app
    xml = client.get("/manifest.xml").text
    assert '<bt:String id="FourGoodTab.Label" DefaultValue="4 Tốt" />' in xml
    assert 'DefaultValue="Kiểm tra phiếu"' in xml and 'DefaultValue="Tổng hợp"' in xml
    assert "<FunctionName>fourgood-check</FunctionName>" in xml and "<FunctionName>fourgood-consolidate</FunctionName>" in xml
    assert "CustomFunctions" not in xml  # fourgood defines none
    from xml.etree import ElementTree as ET

    ET.fromstring(xml.encode("utf-8"))  # well-formed
    js = client.get("/static/js/ribbon.js").text
    assert 'Office.actions.associate("fourgood-check"' in js and 'Office.actions.associate("fourgood-consolidate"' in js
    meta = {m["function_name"]: m for m in client.get("/xlwings/custom-scripts-meta.json").json()}
    assert set(meta) == {"kiem_tra_phieu", "tong_hop"}
    assert "Chấm điểm" in meta["kiem_tra_phieu"]["include"] and "Hướng dẫn" not in meta["kiem_tra_phieu"]["include"]
    assert client.get("/").text.count("Kiểm tra và nộp phiếu") >= 1  # our page, not xlwings Server's health check


def test_check_script_on_a_real_form_returns_results_sheet_marks_and_verdict(app, tmp_path, template_dir, specs):
    client, _, _ = app
    spec = specs["public_service"]
    scores = scores_totalling(spec, 100)
    scores["1.1"] = spec.criteria[0].max + 1
    scores["2.1"] = "nhiều"
    path = form(template_dir, specs, tmp_path / "loi.xlsx", "BV-01", self_scores=scores)
    payload = json.loads(json.dumps(book_json(path)))
    actions = _call(client, "kiem_tra_phieu", payload)["actions"]
    funcs = [a["func"] for a in actions]
    assert actions[0]["func"] == "runMacro" and actions[0]["args"] == [UNPROTECT, "Thông tin|Chấm điểm"]
    protect = funcs.index("runMacro", 1)
    assert actions[protect]["args"] == [PROTECT, "Thông tin|Chấm điểm"]
    # every change to the protected sheets lies between the two callbacks; the alert comes last
    scoring = [s["name"] for s in payload["sheets"]].index("Chấm điểm")
    marks = [i for i, a in enumerate(actions) if a["func"] in ("setRangeColor", "addNote") and a["sheet_position"] == scoring]
    assert marks and all(0 < i < protect for i in marks)
    assert funcs[-1] == "alert" and actions[-1]["args"][0] == "Còn 2 lỗi cần sửa"
    assert ["addSheet"] == [f for f in funcs if f == "addSheet"]
    assert next(a for a in actions if a["func"] == "addSheet")["args"][1] == "Kết quả kiểm tra"
    colored = [a for a in actions if a["func"] == "setRangeColor" and a["sheet_position"] == scoring]
    assert {a["args"][0] for a in colored} == {"#ffc7ce"} and len(colored) == 2


def test_check_script_on_a_passing_form(app, tmp_path, template_dir, specs):
    client, _, tokens = app
    path = form(template_dir, specs, tmp_path / "dat.xlsx", "BV-01", 96.5)
    actions = _call(client, "kiem_tra_phieu", json.loads(json.dumps(book_json(path))), tokens["unit"])["actions"]
    assert actions[-1]["func"] == "alert" and actions[-1]["args"][0] == "Đạt “Chi bộ 4 tốt”: 96,5 điểm"


def test_a_wrong_token_is_refused_by_the_script_endpoint(app, tmp_path, template_dir, specs):
    client, _, _ = app
    path = form(template_dir, specs, tmp_path / "dat.xlsx", "BV-01")
    r = client.post("/xlwings/custom-scripts-call/kiem_tra_phieu", content=json.dumps(book_json(path)),
                    headers={"Content-Type": "application/json", "Authorization": "Bearer fg_00000000_" + "y" * 30})
    assert r.status_code == 401


@pytest.mark.slow
def test_consolidate_script_is_for_the_board_and_fills_the_control_workbook_from_the_inbox(app, tmp_path, template_dir,
                                                                                           specs):
    client, config, tokens = app
    for code, total in (("BV-01", 97), ("BV-02", 90)):
        data = form(template_dir, specs, tmp_path / f"{code}.xlsx", code, total).read_bytes()
        assert TestClient.post(client, "/api/submit", files={"file": ("f.xlsx", data)},
                               headers={"Authorization": f"Bearer {tokens['unit']}"}).status_code == 201
    payload = json.loads(json.dumps(book_json(template_dir / CONTROL_FILE)))
    refused = _call(client, "tong_hop", payload, tokens["unit"])["actions"]
    assert [a["func"] for a in refused] == ["alert"]
    assert refused[0]["args"][0].startswith("Chỉ cán bộ Ban Tổ chức")
    actions = _call(client, "tong_hop", payload, tokens["board"])["actions"]
    alerts = [a["args"][0] for a in actions if a["func"] == "alert"]
    assert alerts == ["Đã tổng hợp 2 tệp: 2 chi bộ, 1 đạt, 1 dưới ngưỡng đạt (95 điểm), 0 tệp bị từ chối."]
    added = [a["args"][1] for a in actions if a["func"] == "addSheet"]
    assert {"Tổng hợp theo cấp", "Chi tiết", "Chưa nộp", "_du_lieu"} <= set(added)
    written = [v for a in actions if a["func"] == "setValues" for row in a["values"] for v in row]
    assert str(config.inbox.inbox) in written  # the folder cell now names the inbox that was consolidated
    assert "BV-01" in written and "UB-01" in written  # a counted cell, and a roster cell with no form (Chưa nộp)
    # a folder elsewhere on the server is refused
    payload["sheets"][0]["values"][2][1] = "/etc"
    refused = _call(client, "tong_hop", payload, tokens["board"])["actions"]
    assert [a["func"] for a in refused] == ["alert"] and "chỉ tổng hợp được hộp thư" in refused[0]["args"][0]


def _xlwings_server_js_actions() -> set[str]:
    import xlwings_server

    js = (Path(xlwings_server.__file__).parent / "static/js/custom-scripts/index.js").read_text(encoding="utf-8")
    block = js[js.index("let funcs = {"):]
    block = block[:block.index("};")]
    return set(re.findall(r"^\s*(\w+)\s*:", block, re.M))


def _registered_js_callbacks() -> set[str]:
    from fourgood.server.app import PROJECT

    js = (PROJECT / "static/js/main.js").read_text(encoding="utf-8")
    return set(re.findall(r"xlwings\.registerCallback\((\w+)\)", js))


def _vba_subs(text: str) -> set[str]:
    return set(re.findall(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(\s*wb\s+As\s+Workbook", text, re.M | re.I))


def _remote_bas_actions() -> set[str]:
    import xlwings

    return _vba_subs((Path(xlwings.__file__).parent / "addin/Remote.bas").read_text(encoding="utf-8", errors="replace"))


def test_every_action_the_scripts_emit_is_implemented_by_both_clients():
    """Runs after the script tests above (same module, file order): EMITTED holds what they sent back."""
    assert {"setValues", "setRangeColor", "addNote", "alert", "runMacro", UNPROTECT, PROTECT} <= EMITTED
    js = _xlwings_server_js_actions()
    assert {"setValues", "runMacro", "addSheet"} <= js  # the parse found xlwings-server's action map
    missing_js = EMITTED - js - _registered_js_callbacks()
    assert not missing_js, f"xlwings' JavaScript client lacks {sorted(missing_js)}"
    remote = _remote_bas_actions()
    assert {"setValues", "runMacro", "addSheet", "alert"} <= remote
    ours = _vba_subs(SERVER_BAS.read_text(encoding="utf-8"))
    missing_vba = EMITTED - remote - ours
    assert not missing_vba, f"xlwings' VBA remote client (Remote.bas + FourGoodServer.bas) lacks {sorted(missing_vba)}"
    # macros/FourGoodServer.bas adds only what Remote.bas lacks: two Subs of one name would make Application.Run
    # ambiguous. When an xlwings release adds one of these, this fails and ours must go.
    assert not (ours & remote), f"Remote.bas now implements {sorted(ours & remote)}: remove them from FourGoodServer.bas"
