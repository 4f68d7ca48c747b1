"""VBA and Python cannot drift apart: every RunPython command in macros/ and the ribbon of the
built add-in name Python functions and VBA procedures that exist."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from fourgood.addin.build import ADDIN_FILE, build_addin

MACROS = Path(__file__).resolve().parents[1] / "macros"
RUNPYTHON = re.compile(r'RunPython\s+"([^"]+)"')
CUI = "{http://schemas.microsoft.com/office/2006/01/customui}"


def _commands() -> list[tuple[str, str]]:
    found = []
    for bas in sorted(MACROS.glob("*.bas")):
        for command in RUNPYTHON.findall(bas.read_text(encoding="utf-8")):
            found.append((bas.name, command))
    return found


def test_macros_exist_for_every_entry_point():
    commands = " ".join(c for _, c in _commands())
    for name in ("one_click", "check_caller", "validate_caller", "score_caller", "consolidate_caller"):
        assert f"fg.{name}()" in commands


@pytest.mark.parametrize("where,command", _commands())
def test_every_runpython_command_names_an_existing_function_callable_without_arguments(where, command):
    imports = {alias: module for module, alias in re.findall(r"import ([\w.]+) as (\w+)", command)}
    calls = re.findall(r"(\w+)\.(\w+)\(\)", command)
    assert imports and calls, f"{where}: cannot parse {command!r}"
    for alias, func in calls:
        module = importlib.import_module(imports[alias])
        target = getattr(module, func, None)
        assert callable(target), f"{where}: {imports[alias]}.{func} does not exist"
        required = [p for p in inspect.signature(target, follow_wrapped=False).parameters.values()
                    if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        assert not required, f"{where}: {imports[alias]}.{func} needs arguments {required}"


def test_ribbon_callbacks_in_macros_take_the_ribbon_control():
    def subs(bas: str) -> list[tuple[str, str, str]]:  # (name, arguments, RunPython command) of every Sub
        text = (MACROS / bas).read_text(encoding="utf-8")
        found = re.findall(r'^Sub (\w+)\(([^)]*)\)\s*\n\s*RunPython "([^"]+)"', text, re.M)
        assert [name for name, _, _ in found] == re.findall(r"^Sub (\w+)", text, re.M), f"{bas}: a Sub without RunPython"
        return found

    ribbon, macros = subs("FourGoodRibbon.bas"), subs("FourGood.bas")
    assert len(macros) == 5 and all(args.strip() == "control As IRibbonControl" for _, args, _ in ribbon)
    # one callback per macro (OnCheck for FourGoodCheck, ...), running the same command
    assert [(name, command) for name, _, command in ribbon] == \
        [("On" + name.removeprefix("FourGood"), command) for name, _, command in macros]


def _vba_procedures(xlam: Path) -> set[str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(xlam))
    procs = set()
    for _, _, _, code in parser.extract_macros():
        module = re.search(r'Attribute VB_Name = "(\w+)"', code)
        for proc in re.findall(r"^(?:Public |Private )?(?:Sub|Function) (\w+)", code, re.M):
            procs.add(f"{module.group(1)}.{proc}" if module else proc)
    parser.close()
    return procs


def test_built_addin_is_a_valid_package_whose_ribbon_calls_only_existing_vba(tmp_path):
    xlam = build_addin(tmp_path)
    assert xlam.name == ADDIN_FILE
    with zipfile.ZipFile(xlam) as z:
        assert z.testzip() is None
        ribbon = ET.fromstring(z.read("customUI/customUI.xml"))
        assert "xl/vbaProject.bin" in z.namelist()
    tab = ribbon.find(f".//{CUI}tab")
    assert tab.get("label") == "4 Tốt"
    callbacks = {el.get("onAction") for el in ribbon.iter() if el.get("onAction")}
    assert callbacks == {"RibbonMyAddin.RunMain"}
    assert callbacks <= _vba_procedures(xlam)


def test_ribbon_macro_runs_the_module_named_like_the_addin_file(tmp_path):
    from oletools.olevba import VBA_Parser

    xlam = build_addin(tmp_path)
    parser = VBA_Parser(str(xlam))
    ribbon_code = next(code for _, _, name, code in parser.extract_macros() if name.startswith("RibbonMyAddin"))
    parser.close()
    # xlwings' callback: RunPython "import " & <file name without extension> & ";" & ... & ".main()"
    assert 'RunPython "import " & mymodule' in ribbon_code and '".main()"' in ribbon_code
    module = importlib.import_module(Path(ADDIN_FILE).stem)
    assert callable(module.main) and not inspect.signature(module.main).parameters


def test_install_build_points_the_addin_config_at_this_python(tmp_path):
    xlam = build_addin(tmp_path, interpreter=sys.executable)
    with zipfile.ZipFile(xlam) as z:
        workbook = z.read("xl/workbook.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert 'name="myaddin.conf"' in workbook and "_myaddin.conf" not in workbook
    root = ET.fromstring(sheet)
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    values = {c.get("r"): "".join(t.text or "" for t in c.iter(f"{ns}t")) for c in root.iter(f"{ns}c")}
    assert values["B1"] == values["B2"] == sys.executable


@pytest.mark.slow
def test_addin_install_on_linux_says_excel_is_missing_and_where_the_file_is(tmp_path):
    if sys.platform != "linux":
        pytest.skip("the Linux message")
    env = {"FOURGOOD_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "fourgood", "addin", "install"], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "không có Excel" in proc.stderr and str(tmp_path / "addin" / ADDIN_FILE) in proc.stderr
    _assert_is_our_addin(tmp_path / "addin" / ADDIN_FILE)


def _assert_is_our_addin(xlam: Path) -> None:
    """A sound package with xlwings' VBA unchanged and our ribbon: the '4 Tốt' tab, one 'Kiểm tra' button."""
    from fourgood.addin.build import xlwings_ribbon_addin

    with zipfile.ZipFile(xlam) as z:
        assert z.testzip() is None
        vba = z.read("xl/vbaProject.bin")
        ribbon = ET.fromstring(z.read("customUI/customUI.xml"))
    with zipfile.ZipFile(xlwings_ribbon_addin()) as original:
        assert vba == original.read("xl/vbaProject.bin")
    (tab,) = ribbon.iter(f"{CUI}tab")
    assert tab.get("label") == "4 Tốt"
    buttons = [(b.get("label"), b.get("onAction")) for b in ribbon.iter(f"{CUI}button")]
    assert buttons == [("Kiểm tra", "RibbonMyAddin.RunMain")]


@pytest.mark.slow
def test_addin_build_command_writes_the_xlam(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fourgood", "addin", "build", "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout == f"Đã tạo add-in: {tmp_path / ADDIN_FILE}\n"
    _assert_is_our_addin(tmp_path / ADDIN_FILE)
